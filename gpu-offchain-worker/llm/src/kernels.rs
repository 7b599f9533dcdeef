//! CPU kernels for the weight types candle runs only in scalar code: Q4_1 matrices times
//! activations quantized to Q8_1 (`ggml_vec_dot_q4_1_q8_1`). The results are bit-identical to
//! candle's reference arithmetic: the activations are quantized exactly as candle does, each
//! block pair's integer dot product (exact in any order) is computed with AVX2 where the CPU has
//! it, and the floating-point accumulation runs block by block in the same order and with the
//! same operations. Rows are split across rayon's threads, which changes no result.

use crate::LlmError;
use candle_core::{quantized::QTensor, Device, Tensor};
use half::f16;
use rayon::prelude::*;

/// Values per block (Q4_1 and Q8_1).
const BLOCK: usize = 32;
/// Bytes of one Q4_1 block in a GGUF: `d` (f16), `m` (f16), 16 bytes of nibbles.
const Q4_1_BYTES: usize = 20;

/// One Q4_1 block: `value = d * nibble + m`.
#[derive(Clone, Copy)]
struct Q41 {
	d: f32,
	m: f32,
	/// Low nibbles are values 0..16, high nibbles values 16..32.
	qs: [u8; 16],
}

/// One block of activations quantized to Q8_1.
#[derive(Clone, Copy)]
struct Q81 {
	d: f32,
	/// `d` times the sum of `qs`, rounded to f16 as candle stores it.
	s: f32,
	qs: [i8; BLOCK],
}

/// A Q4_1 weight matrix, `(rows, cols)`: `cols` inputs, `rows` outputs.
pub struct Q41Matrix {
	rows: usize,
	cols: usize,
	blocks: Vec<Q41>,
}

impl Q41Matrix {
	/// The matrix of a Q4_1 tensor of shape `(rows, cols)`.
	pub fn from_qtensor(tensor: &QTensor) -> Result<Self, LlmError> {
		let (rows, cols) = tensor.shape().dims2()?;
		let data = tensor.data()?;
		let bytes =
			rows.checked_mul(cols / BLOCK).and_then(|blocks| blocks.checked_mul(Q4_1_BYTES));
		if !cols.is_multiple_of(BLOCK) || bytes != Some(data.len()) {
			return Err(LlmError::BadGguf(format!(
				"a Q4_1 tensor of {rows}x{cols} has {} bytes",
				data.len()
			)));
		}
		let half = |b: &[u8]| f16::from_le_bytes([b[0], b[1]]).to_f32();
		let blocks = data
			.chunks_exact(Q4_1_BYTES)
			.map(|b| Q41 { d: half(&b[0..2]), m: half(&b[2..4]), qs: b[4..20].try_into().unwrap() })
			.collect();
		Ok(Self { rows, cols, blocks })
	}

	/// `x @ selfᵀ` for `x` of shape `(..., cols)`: shape `(..., rows)`.
	pub fn forward(&self, x: &Tensor) -> Result<Tensor, LlmError> {
		let dims = x.dims().to_vec();
		let inputs: Vec<f32> = x.flatten_all()?.to_vec1()?;
		let tokens: Vec<Vec<Q81>> = inputs.chunks_exact(self.cols).map(quantize).collect();
		let out = self.matmul(&tokens);
		let mut shape = dims;
		*shape.last_mut().expect("at least one dimension") = self.rows;
		Ok(Tensor::from_vec(out, shape, &Device::Cpu)?)
	}

	/// Every token's outputs, token-major. Each thread takes a run of weight rows and runs
	/// every token through each row while the row is in cache.
	fn matmul(&self, tokens: &[Vec<Q81>]) -> Vec<f32> {
		const ROWS_PER_TASK: usize = 64;
		let per_row = self.cols / BLOCK;
		let avx2 = has_avx2();
		let columns: Vec<Vec<f32>> = (0..self.rows.div_ceil(ROWS_PER_TASK))
			.into_par_iter()
			.map(|task| {
				let rows = task * ROWS_PER_TASK..((task + 1) * ROWS_PER_TASK).min(self.rows);
				let mut values = Vec::with_capacity(rows.len() * tokens.len());
				for row in rows {
					let weights = &self.blocks[row * per_row..(row + 1) * per_row];
					values.extend(tokens.iter().map(|token| dot(weights, token, avx2)));
				}
				values
			})
			.collect();
		let mut out = vec![0f32; tokens.len() * self.rows];
		for (task, values) in columns.iter().enumerate() {
			for (i, value) in values.iter().enumerate() {
				let (row, token) = (task * ROWS_PER_TASK + i / tokens.len(), i % tokens.len());
				out[token * self.rows + row] = *value;
			}
		}
		out
	}
}

/// `quantize_row_q8_1` as candle computes it.
fn quantize(x: &[f32]) -> Vec<Q81> {
	x.chunks_exact(BLOCK)
		.map(|x| {
			let amax = x.iter().fold(0f32, |a, v| a.max(v.abs()));
			let d = amax / 127.0;
			let id = if d != 0.0 { 1.0 / d } else { 0.0 };
			let mut qs = [0i8; BLOCK];
			let mut sum = 0i32;
			for (q, v) in qs.iter_mut().zip(x) {
				*q = f32::round(v * id) as i8;
				sum += i32::from(*q);
			}
			let d16 = f16::from_f32(d);
			Q81 { d: d16.to_f32(), s: (f16::from_f32(sum as f32) * d16).to_f32(), qs }
		})
		.collect()
}

/// The dot product of one row of weights with the activations, in candle's order.
fn dot(weights: &[Q41], activations: &[Q81], avx2: bool) -> f32 {
	let mut sum = 0f32;
	for (w, a) in weights.iter().zip(activations) {
		let sumi = block_dot(w, a, avx2);
		sum += sumi as f32 * w.d * a.d + w.m * a.s;
	}
	sum
}

/// The integer dot product of one block pair.
fn block_dot(w: &Q41, a: &Q81, avx2: bool) -> i32 {
	#[cfg(target_arch = "x86_64")]
	if avx2 {
		// SAFETY: AVX2 is present (checked at run time by `has_avx2`).
		return unsafe { block_dot_avx2(w, a) };
	}
	let _ = avx2;
	(0..16)
		.map(|j| {
			let (lo, hi) = (i32::from(w.qs[j] & 0x0F), i32::from(w.qs[j] >> 4));
			lo * i32::from(a.qs[j]) + hi * i32::from(a.qs[j + 16])
		})
		.sum()
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn block_dot_avx2(w: &Q41, a: &Q81) -> i32 {
	use std::arch::x86_64::*;
	let nibbles = _mm_loadu_si128(w.qs.as_ptr().cast());
	let mask = _mm_set1_epi8(0x0F);
	let lo = _mm_and_si128(nibbles, mask);
	let hi = _mm_and_si128(_mm_srli_epi16(nibbles, 4), mask);
	let weights = _mm256_set_m128i(hi, lo);
	let activations = _mm256_loadu_si256(a.qs.as_ptr().cast());
	// Unsigned nibbles (0..15) times signed activations, pairs summed to i16 (no saturation:
	// at most 2 * 15 * 128), then to i32.
	let pairs = _mm256_maddubs_epi16(weights, activations);
	let quads = _mm256_madd_epi16(pairs, _mm256_set1_epi16(1));
	let sum = _mm_add_epi32(_mm256_castsi256_si128(quads), _mm256_extracti128_si256(quads, 1));
	let sum = _mm_add_epi32(sum, _mm_shuffle_epi32(sum, 0b01_00_11_10));
	let sum = _mm_add_epi32(sum, _mm_shuffle_epi32(sum, 0b10_11_00_01));
	_mm_cvtsi128_si32(sum)
}

fn has_avx2() -> bool {
	#[cfg(target_arch = "x86_64")]
	{
		std::is_x86_feature_detected!("avx2")
	}
	#[cfg(not(target_arch = "x86_64"))]
	{
		false
	}
}

/// Keys and values of one block, per key/value head, position after position (`dim` values
/// each), appended as tokens are run.
pub struct HeadCache {
	keys: Vec<Vec<f32>>,
	values: Vec<Vec<f32>>,
}

impl HeadCache {
	/// An empty cache for `heads` key/value heads.
	pub fn new(heads: usize) -> Self {
		Self { keys: vec![Vec::new(); heads], values: vec![Vec::new(); heads] }
	}

	/// Appends new tokens' keys and values, each `(1, heads, seq, dim)`.
	pub fn append(&mut self, k: &Tensor, v: &Tensor) -> Result<(), LlmError> {
		let (_, heads, seq, dim) = k.dims4()?;
		let (k, v): (Vec<f32>, Vec<f32>) =
			(k.flatten_all()?.to_vec1()?, v.flatten_all()?.to_vec1()?);
		for h in 0..heads {
			self.keys[h].extend_from_slice(&k[h * seq * dim..][..seq * dim]);
			self.values[h].extend_from_slice(&v[h * seq * dim..][..seq * dim]);
		}
		Ok(())
	}
}

/// Causal attention of `q` `(1, heads, seq, dim)` over the cached keys and values (which hold
/// these queries' own; grouped-query: each key/value head serves `heads / kv_heads` query
/// heads), the queries at positions `start..start + seq`. Every sum runs in a fixed order, so a
/// query's result does not depend on how many are computed at once: decoding token by token
/// and one prefill over the same tokens agree bit for bit (the fingerprints' check relies on
/// it). Returns `(1, seq, heads * dim)`.
pub fn attention(q: &Tensor, cache: &HeadCache, start: usize) -> Result<Tensor, LlmError> {
	let (_, heads, seq, dim) = q.dims4()?;
	let q: Vec<f32> = q.flatten_all()?.to_vec1()?;
	let groups = heads / cache.keys.len();
	let scale = 1.0 / (dim as f32).sqrt();
	let head = |h: usize| {
		let (keys, values) = (&cache.keys[h / groups], &cache.values[h / groups]);
		let mut out = vec![0f32; seq * dim];
		let mut weights = vec![0f32; start + seq];
		for i in 0..seq {
			let query = &q[(h * seq + i) * dim..][..dim];
			let visible = &mut weights[..start + i + 1];
			softmax_scores(query, keys, scale, visible);
			let row = &mut out[i * dim..][..dim];
			for (j, w) in visible.iter().enumerate() {
				for (o, x) in row.iter_mut().zip(&values[j * dim..][..dim]) {
					*o += w * x;
				}
			}
		}
		out
	};
	// A decoded token's heads are too little work to share out.
	let per_head: Vec<Vec<f32>> = if seq == 1 {
		(0..heads).map(head).collect()
	} else {
		(0..heads).into_par_iter().map(head).collect()
	};
	let mut out = vec![0f32; seq * heads * dim];
	for (h, head) in per_head.iter().enumerate() {
		for i in 0..seq {
			out[(i * heads + h) * dim..][..dim].copy_from_slice(&head[i * dim..][..dim]);
		}
	}
	Ok(Tensor::from_vec(out, (1, seq, heads * dim), &Device::Cpu)?)
}

/// Softmax over the scaled scores of `query` against the first `weights.len()` keys.
fn softmax_scores(query: &[f32], keys: &[f32], scale: f32, weights: &mut [f32]) {
	let dim = query.len();
	let mut max = f32::NEG_INFINITY;
	for (j, w) in weights.iter_mut().enumerate() {
		*w = fixed_order_dot(query, &keys[j * dim..][..dim]) * scale;
		max = max.max(*w);
	}
	let mut sum = 0f32;
	for w in weights.iter_mut() {
		*w = (*w - max).exp();
		sum += *w;
	}
	for w in weights.iter_mut() {
		*w /= sum;
	}
}

/// A dot product in eight interleaved partial sums added in a fixed order (vectorizable, and
/// the same result whatever the caller).
fn fixed_order_dot(a: &[f32], b: &[f32]) -> f32 {
	let mut lanes = [0f32; 8];
	let (a8, b8) = (a.chunks_exact(8), b.chunks_exact(8));
	let tail: f32 = a8.remainder().iter().zip(b8.remainder()).map(|(x, y)| x * y).sum();
	for (x, y) in a8.zip(b8) {
		for lane in 0..8 {
			lanes[lane] += x[lane] * y[lane];
		}
	}
	lanes.iter().sum::<f32>() + tail
}
