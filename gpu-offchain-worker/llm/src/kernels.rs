//! CPU kernels. Quantized weight matrices times activations quantized to 8 bits per value
//! (Q8_1, as ggml's integer dot products take them): Q4_1 bit-identical to candle's reference
//! arithmetic (the activations quantized exactly as candle does, each block pair's integer dot
//! product exact in any order, the floating-point accumulation block by block in candle's
//! order); Q4_K as Q4_1 blocks of 32 (a sub-block's `d · scale` and `-dmin · min` are its
//! scale and offset, exactly as ggml dequantizes them); Q4_0, Q5_0, Q8_0 and Q6_K as blocks
//! of 32 signed 8-bit values with a scale per half (Q6_K's sub-blocks are 16 values).
//! Integer dot products use AVX2 where the CPU has it. Rows are split across rayon's
//! threads, and every (row, token) result is computed alone and in a fixed order, so a
//! token's result never depends on how many are computed at once (prefill, decode and
//! batched decode agree bit for bit). Then the KV cache and the fixed-order attention.

use crate::LlmError;
use candle_core::{
	quantized::{GgmlDType, QTensor},
	Device, Tensor,
};
use half::f16;
use rayon::prelude::*;

/// Values per block (Q4_1 and Q8_1).
const BLOCK: usize = 32;

/// One block of 32 weights with a scale and an offset: `value = d * nibble + m` (Q4_1; a
/// sub-block of Q4_K).
#[derive(Clone, Copy)]
struct Q41 {
	d: f32,
	m: f32,
	/// Low nibbles are values 0..16, high nibbles values 16..32.
	qs: [u8; 16],
}

/// One block of 32 signed weights with a scale per half: `value = scales[i / 16] * q`.
#[derive(Clone, Copy)]
struct I8Block {
	scales: [f32; 2],
	qs: [i8; BLOCK],
}

/// One block of activations quantized to Q8_1.
#[derive(Clone, Copy)]
struct Q81 {
	d: f32,
	/// `d` times the sum of `qs`, rounded to f16 as candle stores it.
	s: f32,
	qs: [i8; BLOCK],
}

/// The two block layouts the kernels run (see [`QMatrix::device_blocks`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BlockKind {
	/// Nibbles with a scale and an offset.
	Q41,
	/// Signed bytes with a scale per half.
	I8,
}

/// A matrix's blocks, row after row.
enum Blocks {
	Q41(Vec<Q41>),
	I8(Vec<I8Block>),
}

/// A quantized weight matrix, `(rows, cols)`: `cols` inputs, `rows` outputs.
pub struct QMatrix {
	rows: usize,
	cols: usize,
	blocks: Blocks,
}

/// The GGUF types these kernels run.
pub const TYPES: [GgmlDType; 6] = [
	GgmlDType::Q4_0,
	GgmlDType::Q4_1,
	GgmlDType::Q5_0,
	GgmlDType::Q8_0,
	GgmlDType::Q4K,
	GgmlDType::Q6K,
];

/// Values and bytes of one GGUF block of `dtype`, for the types these kernels run.
fn layout(dtype: GgmlDType) -> Option<(usize, usize)> {
	Some(match dtype {
		GgmlDType::Q4_0 => (32, 18),
		GgmlDType::Q4_1 => (32, 20),
		GgmlDType::Q5_0 => (32, 22),
		GgmlDType::Q8_0 => (32, 34),
		GgmlDType::Q4K => (256, 144),
		GgmlDType::Q6K => (256, 210),
		_ => return None,
	})
}

impl QMatrix {
	/// Whether these kernels run matrices of `dtype`.
	pub fn supports(dtype: GgmlDType) -> bool {
		layout(dtype).is_some()
	}

	/// The matrix of a tensor of shape `(rows, cols)` of a supported type.
	pub fn from_qtensor(tensor: &QTensor) -> Result<Self, LlmError> {
		let (rows, cols) = tensor.shape().dims2()?;
		let dtype = tensor.dtype();
		let bad =
			|why: String| LlmError::BadGguf(format!("a {dtype:?} tensor of {rows}x{cols} {why}"));
		let (values, bytes) = layout(dtype).ok_or_else(|| bad("has no kernel".into()))?;
		let data = tensor.data()?;
		let expected = rows.checked_mul(cols / values).and_then(|blocks| blocks.checked_mul(bytes));
		if rows == 0 || cols == 0 {
			return Err(bad("has no values".into()));
		}
		if !cols.is_multiple_of(values) || expected != Some(data.len()) {
			return Err(bad(format!("has {} bytes", data.len())));
		}
		let chunks = data.chunks_exact(bytes);
		let blocks = match dtype {
			GgmlDType::Q4_1 => Blocks::Q41(chunks.map(q4_1).collect()),
			GgmlDType::Q4K => Blocks::Q41(chunks.flat_map(q4_k).collect()),
			GgmlDType::Q4_0 => Blocks::I8(chunks.map(q4_0).collect()),
			GgmlDType::Q5_0 => Blocks::I8(chunks.map(q5_0).collect()),
			GgmlDType::Q8_0 => Blocks::I8(chunks.map(q8_0).collect()),
			_ => Blocks::I8(chunks.flat_map(q6_k).collect()),
		};
		Ok(Self { rows, cols, blocks })
	}

	/// Outputs.
	pub fn rows(&self) -> usize {
		self.rows
	}

	/// Inputs.
	pub fn cols(&self) -> usize {
		self.cols
	}

	/// The blocks as the GPU kernels read them (little-endian): [`BlockKind::Q41`] blocks are
	/// `d`, `m` (f32) and 16 bytes of nibbles (24 bytes), [`BlockKind::I8`] blocks two scales
	/// (f32) and 32 signed bytes (40 bytes).
	pub(crate) fn device_blocks(&self) -> (BlockKind, Vec<u8>) {
		match &self.blocks {
			Blocks::Q41(blocks) => {
				let bytes = blocks.iter().flat_map(|b| {
					let mut out = [0u8; 24];
					out[0..4].copy_from_slice(&b.d.to_le_bytes());
					out[4..8].copy_from_slice(&b.m.to_le_bytes());
					out[8..24].copy_from_slice(&b.qs);
					out
				});
				(BlockKind::Q41, bytes.collect())
			},
			Blocks::I8(blocks) => {
				let bytes = blocks.iter().flat_map(|b| {
					let mut out = [0u8; 40];
					out[0..4].copy_from_slice(&b.scales[0].to_le_bytes());
					out[4..8].copy_from_slice(&b.scales[1].to_le_bytes());
					out[8..40].copy_from_slice(&b.qs.map(|q| q as u8));
					out
				});
				(BlockKind::I8, bytes.collect())
			},
		}
	}

	/// The weights as values, row after row (as ggml dequantizes them, bit for bit).
	pub fn dequantize(&self) -> Vec<f32> {
		match &self.blocks {
			Blocks::Q41(blocks) => blocks
				.iter()
				.flat_map(|b| {
					let lo = b.qs.map(|q| b.d * f32::from(q & 0x0F) + b.m);
					let hi = b.qs.map(|q| b.d * f32::from(q >> 4) + b.m);
					lo.into_iter().chain(hi)
				})
				.collect(),
			Blocks::I8(blocks) => blocks
				.iter()
				.flat_map(|b| (0..BLOCK).map(move |i| b.scales[i / 16] * f32::from(b.qs[i])))
				.collect(),
		}
	}

	/// `x @ selfᵀ` for `x` of shape `(..., cols)`: shape `(..., rows)`.
	pub fn forward(&self, x: &Tensor) -> Result<Tensor, LlmError> {
		self.product(x, has_avx2())
	}

	/// [`Self::forward`] without SIMD: the same results, bit for bit (the reference the SIMD
	/// path is tested against).
	pub fn forward_portable(&self, x: &Tensor) -> Result<Tensor, LlmError> {
		self.product(x, false)
	}

	fn product(&self, x: &Tensor, avx2: bool) -> Result<Tensor, LlmError> {
		let dims = x.dims().to_vec();
		let inputs: Vec<f32> = x.flatten_all()?.to_vec1()?;
		let tokens: Vec<Vec<Q81>> = inputs.chunks_exact(self.cols).map(quantize).collect();
		let out = match &self.blocks {
			Blocks::Q41(blocks) => self.matmul(blocks, &tokens, dot_q41, avx2),
			Blocks::I8(blocks) => self.matmul(blocks, &tokens, dot_i8, avx2),
		};
		let mut shape = dims;
		*shape.last_mut().expect("at least one dimension") = self.rows;
		Ok(Tensor::from_vec(out, shape, &Device::Cpu)?)
	}

	/// Every token's outputs, token-major. Each thread takes a run of weight rows and runs
	/// every token through each row while the row is in cache.
	fn matmul<B: Sync>(
		&self,
		blocks: &[B],
		tokens: &[Vec<Q81>],
		dot: fn(&[B], &[Q81], bool) -> f32,
		avx2: bool,
	) -> Vec<f32> {
		const ROWS_PER_TASK: usize = 64;
		let per_row = self.cols / BLOCK;
		let columns: Vec<Vec<f32>> = (0..self.rows.div_ceil(ROWS_PER_TASK))
			.into_par_iter()
			.map(|task| {
				let rows = task * ROWS_PER_TASK..((task + 1) * ROWS_PER_TASK).min(self.rows);
				let mut values = Vec::with_capacity(rows.len() * tokens.len());
				for row in rows {
					let weights = &blocks[row * per_row..(row + 1) * per_row];
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

fn half(bytes: &[u8]) -> f32 {
	f16::from_le_bytes([bytes[0], bytes[1]]).to_f32()
}

/// Q4_1: `d`, `m` (f16), 16 bytes of nibbles.
fn q4_1(b: &[u8]) -> Q41 {
	Q41 { d: half(&b[0..2]), m: half(&b[2..4]), qs: b[4..20].try_into().expect("16 bytes") }
}

/// Q4_K: `d`, `dmin` (f16), 12 bytes of 6-bit scales and mins, 128 bytes of nibbles; 8
/// sub-blocks of 32, sub-block `2j` the low nibbles of bytes `32j..32j + 32`, `2j + 1` the
/// high ones; `value = d · scale · q - dmin · min`.
fn q4_k(b: &[u8]) -> [Q41; 8] {
	let (d, dmin, scales, qs) = (half(&b[0..2]), half(&b[2..4]), &b[4..16], &b[16..144]);
	std::array::from_fn(|sub| {
		let (scale, min) = scale_min_k4(sub, scales);
		let bytes = &qs[32 * (sub / 2)..][..32];
		let shift = 4 * (sub % 2);
		let q = |i: usize| (bytes[i] >> shift) & 0x0F;
		Q41 {
			d: d * f32::from(scale),
			m: -(dmin * f32::from(min)),
			qs: std::array::from_fn(|i| q(i) | (q(i + 16) << 4)),
		}
	})
}

/// ggml's `get_scale_min_k4`: sub-block `j`'s 6-bit scale and min.
fn scale_min_k4(j: usize, q: &[u8]) -> (u8, u8) {
	if j < 4 {
		(q[j] & 63, q[j + 4] & 63)
	} else {
		((q[j + 4] & 0x0F) | ((q[j - 4] >> 6) << 4), (q[j + 4] >> 4) | ((q[j] >> 6) << 4))
	}
}

/// Q4_0: `d` (f16), 16 bytes of nibbles; `value = d · (q - 8)`.
fn q4_0(b: &[u8]) -> I8Block {
	let (d, qs) = (half(&b[0..2]), &b[2..18]);
	let q = |i: usize| if i < 16 { qs[i] & 0x0F } else { qs[i - 16] >> 4 };
	I8Block { scales: [d; 2], qs: std::array::from_fn(|i| q(i) as i8 - 8) }
}

/// Q5_0: `d` (f16), the fifth bits (u32), 16 bytes of nibbles; `value = d · (q - 16)`.
fn q5_0(b: &[u8]) -> I8Block {
	let (d, high, qs) = (half(&b[0..2]), u32::from_le_bytes([b[2], b[3], b[4], b[5]]), &b[6..22]);
	let q = |i: usize| {
		let nibble = if i < 16 { qs[i] & 0x0F } else { qs[i - 16] >> 4 };
		nibble | ((((high >> i) & 1) as u8) << 4)
	};
	I8Block { scales: [d; 2], qs: std::array::from_fn(|i| q(i) as i8 - 16) }
}

/// Q8_0: `d` (f16), 32 signed bytes; `value = d · q`.
fn q8_0(b: &[u8]) -> I8Block {
	I8Block { scales: [half(&b[0..2]); 2], qs: std::array::from_fn(|i| b[2 + i] as i8) }
}

/// Q6_K: 128 bytes of low nibbles, 64 of high 2-bit pairs, 16 signed scales, `d` (f16); two
/// halves of 128 values, each 4 runs of 32 whose 16-value sub-blocks have their own scale;
/// `value = d · scale · (q - 32)`.
fn q6_k(b: &[u8]) -> [I8Block; 8] {
	let (ql, qh, scales, d) = (&b[0..128], &b[128..192], &b[192..208], half(&b[208..210]));
	std::array::from_fn(|block| {
		let (half, run) = (block / 4, block % 4);
		let (ql, qh, scales) = (&ql[64 * half..], &qh[32 * half..], &scales[8 * half..]);
		let q = |l: usize| {
			let low = ql[l + 32 * (run % 2)];
			let low = if run < 2 { low & 0x0F } else { low >> 4 };
			let high = (qh[l] >> (2 * run)) & 3;
			(low | (high << 4)) as i8 - 32
		};
		let scale = |i: usize| d * f32::from(scales[2 * run + i] as i8);
		I8Block { scales: [scale(0), scale(1)], qs: std::array::from_fn(q) }
	})
}

/// Rows of `cols` activations quantized as the CPU kernels quantize them, as the GPU kernels
/// read them: `d`, `s` (f32) and 32 signed bytes a block (40 bytes, little-endian).
pub(crate) fn quantized_bytes(inputs: &[f32], cols: usize) -> Vec<u8> {
	let blocks = inputs.chunks_exact(cols).flat_map(quantize);
	blocks
		.flat_map(|a| {
			let mut out = [0u8; 40];
			out[0..4].copy_from_slice(&a.d.to_le_bytes());
			out[4..8].copy_from_slice(&a.s.to_le_bytes());
			out[8..40].copy_from_slice(&a.qs.map(|q| q as u8));
			out
		})
		.collect()
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
				// Within ±127 except where `1 / d` overflows (then `d` rounds to 0 in f16 and
				// the block's terms vanish): clamped, so the SIMD sign trick never sees -128.
				*q = (f32::round(v * id) as i8).max(-127);
				sum += i32::from(*q);
			}
			let d16 = f16::from_f32(d);
			Q81 { d: d16.to_f32(), s: (f16::from_f32(sum as f32) * d16).to_f32(), qs }
		})
		.collect()
}

/// The dot product of one row of Q4_1 blocks with the activations, in candle's order: each
/// block's term, then the terms summed block by block.
fn dot_q41(weights: &[Q41], activations: &[Q81], avx2: bool) -> f32 {
	#[cfg(target_arch = "x86_64")]
	if avx2 {
		// SAFETY: AVX2 is present (checked at run time by `has_avx2`).
		return unsafe { dot_q41_avx2(weights, activations) };
	}
	let _ = avx2;
	let mut sum = 0f32;
	for (w, a) in weights.iter().zip(activations) {
		sum += term_q41(block_dot(w, a), w, a);
	}
	sum
}

/// The dot product of one row of signed blocks with the activations: each block's term, then
/// the terms summed block by block.
fn dot_i8(weights: &[I8Block], activations: &[Q81], avx2: bool) -> f32 {
	#[cfg(target_arch = "x86_64")]
	if avx2 {
		// SAFETY: AVX2 is present (checked at run time by `has_avx2`).
		return unsafe { dot_i8_avx2(weights, activations) };
	}
	let _ = avx2;
	let mut sum = 0f32;
	for (w, a) in weights.iter().zip(activations) {
		let [lo, hi] = halves_dot(w, a);
		sum += term_i8(lo, hi, w, a);
	}
	sum
}

/// A Q4_1 block's term: its integer dot product scaled, plus its offset times the
/// activations' sum (candle's operations, in its order; the SIMD path does exactly these).
fn term_q41(sumi: i32, w: &Q41, a: &Q81) -> f32 {
	sumi as f32 * w.d * a.d + w.m * a.s
}

/// A signed block's term: each half's integer dot product times its scale.
fn term_i8(lo: i32, hi: i32, w: &I8Block, a: &Q81) -> f32 {
	a.d * (w.scales[0] * lo as f32 + w.scales[1] * hi as f32)
}

/// [`dot_q41`] eight blocks at a time: eight integer dot products reduced together, the eight
/// terms computed lane by lane with [`term_q41`]'s operations (no fused multiply-add), then
/// added to the sum in block order.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn dot_q41_avx2(weights: &[Q41], activations: &[Q81]) -> f32 {
	use std::arch::x86_64::*;
	let (mut w8, mut a8) = (weights.chunks_exact(8), activations.chunks_exact(8));
	let mut sum = 0f32;
	for (w, a) in (&mut w8).zip(&mut a8) {
		let mut quads = [_mm256_setzero_si256(); 8];
		for i in 0..8 {
			quads[i] = quads_q41(&w[i], &a[i]);
		}
		let (lo, hi) = halves8(&quads);
		let sumi = _mm256_cvtepi32_ps(_mm256_add_epi32(lo, hi));
		let (wd, wm) =
			(load8(std::array::from_fn(|i| w[i].d)), load8(std::array::from_fn(|i| w[i].m)));
		let (ad, asum) =
			(load8(std::array::from_fn(|i| a[i].d)), load8(std::array::from_fn(|i| a[i].s)));
		let terms =
			_mm256_add_ps(_mm256_mul_ps(_mm256_mul_ps(sumi, wd), ad), _mm256_mul_ps(wm, asum));
		sum = add_in_order(sum, terms);
	}
	for (w, a) in w8.remainder().iter().zip(a8.remainder()) {
		sum += term_q41(block_dot_avx2(w, a), w, a);
	}
	sum
}

/// [`dot_i8`] eight blocks at a time, as [`dot_q41_avx2`] does.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn dot_i8_avx2(weights: &[I8Block], activations: &[Q81]) -> f32 {
	use std::arch::x86_64::*;
	let (mut w8, mut a8) = (weights.chunks_exact(8), activations.chunks_exact(8));
	let mut sum = 0f32;
	for (w, a) in (&mut w8).zip(&mut a8) {
		let mut quads = [_mm256_setzero_si256(); 8];
		for i in 0..8 {
			quads[i] = quads_i8(&w[i], &a[i]);
		}
		let (lo, hi) = halves8(&quads);
		let s0 = load8(std::array::from_fn(|i| w[i].scales[0]));
		let s1 = load8(std::array::from_fn(|i| w[i].scales[1]));
		let ad = load8(std::array::from_fn(|i| a[i].d));
		let halves = _mm256_add_ps(
			_mm256_mul_ps(s0, _mm256_cvtepi32_ps(lo)),
			_mm256_mul_ps(s1, _mm256_cvtepi32_ps(hi)),
		);
		sum = add_in_order(sum, _mm256_mul_ps(ad, halves));
	}
	for (w, a) in w8.remainder().iter().zip(a8.remainder()) {
		let [lo, hi] = halves_dot_avx2(w, a);
		sum += term_i8(lo, hi, w, a);
	}
	sum
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn load8(values: [f32; 8]) -> std::arch::x86_64::__m256 {
	std::arch::x86_64::_mm256_loadu_ps(values.as_ptr())
}

/// `sum` plus the eight lanes of `terms`, one after another.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn add_in_order(mut sum: f32, terms: std::arch::x86_64::__m256) -> f32 {
	let mut values = [0f32; 8];
	std::arch::x86_64::_mm256_storeu_ps(values.as_mut_ptr(), terms);
	for value in values {
		sum += value;
	}
	sum
}

/// Eight blocks' lane sums (each `__m256i` holds a block's products in eight i32 lanes, the
/// first four from its first 16 values) reduced to each block's first-half and second-half
/// sums: `([lo_0 .. lo_7], [hi_0 .. hi_7])`.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn halves8(
	quads: &[std::arch::x86_64::__m256i; 8],
) -> (std::arch::x86_64::__m256i, std::arch::x86_64::__m256i) {
	use std::arch::x86_64::*;
	let h01 = _mm256_hadd_epi32(quads[0], quads[1]);
	let h23 = _mm256_hadd_epi32(quads[2], quads[3]);
	let h45 = _mm256_hadd_epi32(quads[4], quads[5]);
	let h67 = _mm256_hadd_epi32(quads[6], quads[7]);
	// Lanes: blocks 0..4's first halves, then their second halves (same for 4..8).
	let (h0123, h4567) = (_mm256_hadd_epi32(h01, h23), _mm256_hadd_epi32(h45, h67));
	(_mm256_permute2x128_si256(h0123, h4567, 0x20), _mm256_permute2x128_si256(h0123, h4567, 0x31))
}

/// The integer dot product of one Q4_1 block pair.
fn block_dot(w: &Q41, a: &Q81) -> i32 {
	(0..16)
		.map(|j| {
			let (lo, hi) = (i32::from(w.qs[j] & 0x0F), i32::from(w.qs[j] >> 4));
			lo * i32::from(a.qs[j]) + hi * i32::from(a.qs[j + 16])
		})
		.sum()
}

/// The integer dot products of the two halves (16 values each) of a signed block pair.
fn halves_dot(w: &I8Block, a: &Q81) -> [i32; 2] {
	let half = |range: std::ops::Range<usize>| {
		range.map(|i| i32::from(w.qs[i]) * i32::from(a.qs[i])).sum::<i32>()
	};
	[half(0..16), half(16..32)]
}

/// A Q4_1 block pair's products in eight i32 lanes (the first four from values 0..16).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn quads_q41(w: &Q41, a: &Q81) -> std::arch::x86_64::__m256i {
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
	_mm256_madd_epi16(pairs, _mm256_set1_epi16(1))
}

/// A signed block pair's products in eight i32 lanes (the first four from values 0..16).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn quads_i8(w: &I8Block, a: &Q81) -> std::arch::x86_64::__m256i {
	use std::arch::x86_64::*;
	let weights = _mm256_loadu_si256(w.qs.as_ptr().cast());
	let activations = _mm256_loadu_si256(a.qs.as_ptr().cast());
	// |w| (unsigned, at most 128) times the activations with w's sign (|a| <= 127: `quantize`
	// rounds within ±127), pairs summed to i16 (at most 2 * 128 * 127, no saturation).
	let magnitudes = _mm256_sign_epi8(weights, weights);
	let signed = _mm256_sign_epi8(activations, weights);
	let pairs = _mm256_maddubs_epi16(magnitudes, signed);
	_mm256_madd_epi16(pairs, _mm256_set1_epi16(1))
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn block_dot_avx2(w: &Q41, a: &Q81) -> i32 {
	use std::arch::x86_64::*;
	let quads = quads_q41(w, a);
	horizontal_sum(_mm_add_epi32(_mm256_castsi256_si128(quads), _mm256_extracti128_si256(quads, 1)))
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn halves_dot_avx2(w: &I8Block, a: &Q81) -> [i32; 2] {
	use std::arch::x86_64::*;
	let quads = quads_i8(w, a);
	[
		horizontal_sum(_mm256_castsi256_si128(quads)),
		horizontal_sum(_mm256_extracti128_si256(quads, 1)),
	]
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn horizontal_sum(sum: std::arch::x86_64::__m128i) -> i32 {
	use std::arch::x86_64::*;
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
