//! The decoder: llama and qwen2 blocks (RMS norm, grouped-query attention with rotary
//! embeddings, SwiGLU) over candle's quantized matmuls. Weights are shared and immutable; each
//! generation keeps its own [`KvCache`], so one loaded model serves many requests at once.
//! [`Weights::forward`] returns the final-normed hidden state of every position: the last
//! row gives the next token's logits, and the rows are what activation fingerprints commit to.

use crate::{
	gguf::{Architecture, Gguf, Hparams},
	gpu::{Backend, GpuMatrix},
	kernels::QMatrix,
	LlmError,
};
use candle_core::{
	quantized::{QMatMul, QTensor},
	DType, Device, Module, Tensor,
};
use std::io::Cursor;

/// A weight matrix: our kernels for the types they run (Q4_0, Q4_1, Q5_0, Q8_0, Q4_K, Q6_K),
/// on the CPU or the GPU; candle's for the others.
enum Linear {
	Candle(QMatMul),
	Ours(QMatrix),
	Gpu(GpuMatrix),
}

impl Linear {
	fn forward(&self, x: &Tensor) -> Result<Tensor> {
		match self {
			// One row at a time: candle picks other kernels for several rows, and a row's
			// result must not depend on how many are computed at once.
			Self::Candle(matmul) => {
				let (_, seq, _) = x.dims3()?;
				let rows = (0..seq)
					.map(|i| Ok(matmul.forward(&x.narrow(1, i, 1)?)?))
					.collect::<Result<Vec<_>>>()?;
				Ok(Tensor::cat(&rows, 1)?)
			},
			Self::Ours(matrix) => matrix.forward(x),
			Self::Gpu(matrix) => matrix.forward(x),
		}
	}
}

/// One transformer block.
struct Block {
	attn_norm: Tensor,
	q: Linear,
	k: Linear,
	v: Linear,
	/// qwen2's q, k and v biases.
	qkv_bias: Option<[Tensor; 3]>,
	out: Linear,
	ffn_norm: Tensor,
	gate: Linear,
	up: Linear,
	down: Linear,
}

/// A loaded model's weights.
pub struct Weights {
	hparams: Hparams,
	/// Token embeddings, dequantized: `(vocab, embedding)`.
	embeddings: Tensor,
	blocks: Vec<Block>,
	norm: Tensor,
	/// The LM head (the token embeddings again when the model ties them).
	output: QMatMul,
	/// Rotary tables, `(context, head_dim / 2)`.
	cos: Tensor,
	sin: Tensor,
}

/// One sequence's part of [`Weights::forward_batch`]: its cache and the tokens to run after
/// what it holds.
pub struct Step<'a> {
	/// The sequence's cache; it holds `tokens` too afterwards.
	pub cache: &'a mut KvCache,
	/// Tokens to run, at least one.
	pub tokens: &'a [u32],
}

/// The keys and values of the tokens seen so far, per block.
pub struct KvCache {
	blocks: Vec<crate::kernels::HeadCache>,
	len: usize,
}

impl KvCache {
	/// Tokens held.
	pub fn len(&self) -> usize {
		self.len
	}

	/// A cache of no blocks, holding nothing (a placeholder while a cache is lent out).
	pub(crate) fn empty() -> Self {
		Self { blocks: Vec::new(), len: 0 }
	}

	/// Whether no token is held.
	pub fn is_empty(&self) -> bool {
		self.len == 0
	}
}

type Result<T> = std::result::Result<T, LlmError>;

/// A tensor of the GGUF, read from its bytes.
struct Reader<'a> {
	gguf: &'a Gguf,
	bytes: Cursor<&'a [u8]>,
	/// Where our kernels' matrices go.
	backend: &'a Backend,
}

impl Reader<'_> {
	fn qtensor(&mut self, name: &str) -> Result<QTensor> {
		self.gguf
			.content
			.tensor(&mut self.bytes, name, &Device::Cpu)
			.map_err(|e| LlmError::BadGguf(format!("tensor `{name}`: {e}")))
	}

	fn matmul(&mut self, name: &str) -> Result<QMatMul> {
		Ok(QMatMul::from_qtensor(self.qtensor(name)?)?)
	}

	/// A weight matrix of `rows` outputs (any, for `None`) and `cols` inputs.
	fn linear(&mut self, name: &str, rows: Option<usize>, cols: usize) -> Result<Linear> {
		let tensor = self.qtensor(name)?;
		let (r, c) = tensor.shape().dims2().map_err(|_| shape_error(name, &tensor))?;
		if c != cols || rows.is_some_and(|rows| rows != r) {
			return Err(shape_error(name, &tensor));
		}
		if QMatrix::supports(tensor.dtype()) {
			let matrix = QMatrix::from_qtensor(&tensor)?;
			return Ok(match self.backend {
				Backend::Gpu(gpu) if GpuMatrix::fits(&matrix) => {
					Linear::Gpu(GpuMatrix::upload(gpu, &matrix)?)
				},
				_ => Linear::Ours(matrix),
			});
		}
		Ok(Linear::Candle(QMatMul::from_qtensor(tensor)?))
	}

	fn f32(&mut self, name: &str) -> Result<Tensor> {
		Ok(self.qtensor(name)?.dequantize(&Device::Cpu)?)
	}

	fn has(&self, name: &str) -> bool {
		self.gguf.content.tensor_infos.contains_key(name)
	}
}

impl Weights {
	/// Loads the weights of a parsed GGUF from its bytes, our kernels' matrices on `backend`.
	pub fn load(gguf: &Gguf, bytes: &[u8], backend: &Backend) -> Result<Self> {
		let hparams = gguf.hparams.clone();
		let mut reader = Reader { gguf, bytes: Cursor::new(bytes), backend };
		let blocks =
			(0..hparams.layers).map(|i| block(&mut reader, i, &hparams)).collect::<Result<_>>()?;
		let output =
			if reader.has("output.weight") { "output.weight" } else { "token_embd.weight" };
		let (cos, sin) = rotary_tables(&hparams)?;
		Ok(Self {
			embeddings: reader.f32("token_embd.weight")?,
			blocks,
			norm: reader.f32("output_norm.weight")?,
			output: reader.matmul(output)?,
			cos,
			sin,
			hparams,
		})
	}

	/// The model's hyperparameters.
	pub fn hparams(&self) -> &Hparams {
		&self.hparams
	}

	/// An empty cache for a new sequence.
	pub fn new_cache(&self) -> KvCache {
		let heads = self.hparams.kv_heads;
		let blocks =
			(0..self.blocks.len()).map(|_| crate::kernels::HeadCache::new(heads)).collect();
		KvCache { blocks, len: 0 }
	}

	/// Runs `tokens` after those in `cache` (which then holds them too); the final-normed
	/// hidden states, `(tokens, embedding)`.
	pub fn forward(&self, cache: &mut KvCache, tokens: &[u32]) -> Result<Tensor> {
		let mut hidden = self.forward_batch(&mut [Step { cache, tokens }])?;
		Ok(hidden.remove(0))
	}

	/// Runs several sequences at once, each step's tokens after those in its cache: the weight
	/// matrices are read once for all of them. Every row is computed as [`Self::forward`]
	/// computes it alone (the matrix kernels and attention are per row and in a fixed order),
	/// so batching changes no result. One step's final-normed hidden states per step.
	pub fn forward_batch(&self, steps: &mut [Step<'_>]) -> Result<Vec<Tensor>> {
		for step in steps.iter() {
			let end = step.cache.len + step.tokens.len();
			if step.tokens.is_empty() || end > self.hparams.context_length {
				return Err(LlmError::ContextExceeded {
					tokens: end,
					context: self.hparams.context_length,
				});
			}
		}
		let ids: Vec<u32> = steps.iter().flat_map(|step| step.tokens.iter().copied()).collect();
		let ids = Tensor::new(ids.as_slice(), &Device::Cpu)?;
		let mut x = self.embeddings.index_select(&ids, 0)?.unsqueeze(0)?;
		for (layer, block) in self.blocks.iter().enumerate() {
			x = self.block_forward(block, layer, steps, &x)?;
		}
		let normed = candle_nn::ops::rms_norm(&x, &self.norm, self.hparams.rms_eps as f32)?;
		let normed = normed.squeeze(0)?;
		let mut hidden = Vec::with_capacity(steps.len());
		let mut offset = 0;
		for step in steps.iter_mut() {
			hidden.push(normed.narrow(0, offset, step.tokens.len())?);
			offset += step.tokens.len();
			step.cache.len += step.tokens.len();
		}
		Ok(hidden)
	}

	/// Next-token logits from one final-normed hidden state, `(embedding)`.
	pub fn logits(&self, hidden: &Tensor) -> Result<Vec<f32>> {
		let logits = self.output.forward(&hidden.unsqueeze(0)?)?;
		Ok(logits.squeeze(0)?.to_dtype(DType::F32)?.to_vec1()?)
	}

	fn block_forward(
		&self,
		block: &Block,
		layer: usize,
		steps: &mut [Step<'_>],
		x: &Tensor,
	) -> Result<Tensor> {
		let eps = self.hparams.rms_eps as f32;
		let h = candle_nn::ops::rms_norm(x, &block.attn_norm, eps)?;
		let x = (x + self.attention(block, layer, steps, &h)?)?;
		let h = candle_nn::ops::rms_norm(&x, &block.ffn_norm, eps)?;
		let ffn =
			block.down.forward(&(block.gate.forward(&h)?.silu()? * block.up.forward(&h)?)?)?;
		Ok((x + ffn)?)
	}

	/// Self-attention of every step's rows: the projections over all rows at once, rotary
	/// embedding, cache and attention per step (each at its own positions).
	fn attention(
		&self,
		block: &Block,
		layer: usize,
		steps: &mut [Step<'_>],
		x: &Tensor,
	) -> Result<Tensor> {
		let hp = &self.hparams;
		let (mut q, mut k, mut v) = (block.q.forward(x)?, block.k.forward(x)?, block.v.forward(x)?);
		if let Some([bq, bk, bv]) = &block.qkv_bias {
			(q, k, v) = (q.broadcast_add(bq)?, k.broadcast_add(bk)?, v.broadcast_add(bv)?);
		}
		let mut outputs = Vec::with_capacity(steps.len());
		let mut offset = 0;
		for step in steps.iter_mut() {
			let seq = step.tokens.len();
			let heads = |t: &Tensor, n: usize| -> Result<Tensor> {
				Ok(t.narrow(1, offset, seq)?
					.reshape((1, seq, n, hp.head_dim()))?
					.transpose(1, 2)?
					.contiguous()?)
			};
			let start = step.cache.len;
			let q = self.rotate(&heads(&q, hp.heads)?, start)?;
			let k = self.rotate(&heads(&k, hp.kv_heads)?, start)?;
			let v = heads(&v, hp.kv_heads)?;
			let kv = &mut step.cache.blocks[layer];
			kv.append(&k, &v)?;
			outputs.push(crate::kernels::attention(&q, kv, start)?);
			offset += seq;
		}
		let y = if outputs.len() == 1 { outputs.remove(0) } else { Tensor::cat(&outputs, 1)? };
		block.out.forward(&y)
	}

	/// Rotary embedding of `x`, `(1, heads, seq, head_dim)`, at positions from `start`.
	fn rotate(&self, x: &Tensor, start: usize) -> Result<Tensor> {
		let seq = x.dim(2)?;
		let cos = self.cos.narrow(0, start, seq)?;
		let sin = self.sin.narrow(0, start, seq)?;
		Ok(match self.hparams.architecture {
			Architecture::Llama => candle_nn::rotary_emb::rope_i(x, &cos, &sin)?,
			Architecture::Qwen2 => candle_nn::rotary_emb::rope(x, &cos, &sin)?,
		})
	}
}

fn shape_error(name: &str, tensor: &QTensor) -> LlmError {
	LlmError::BadGguf(format!("tensor `{name}` has the wrong shape {:?}", tensor.shape().dims()))
}

fn block(reader: &mut Reader, i: usize, hparams: &Hparams) -> Result<Block> {
	let name = |part: &str| format!("blk.{i}.{part}");
	let width = hparams.embedding;
	let (queries, keys) =
		(hparams.heads * hparams.head_dim(), hparams.kv_heads * hparams.head_dim());
	let gate = reader.linear(&name("ffn_gate.weight"), None, width)?;
	let hidden = reader.gguf.content.tensor_infos[&name("ffn_gate.weight")].shape.dims()[0];
	let qkv_bias = match hparams.architecture {
		Architecture::Qwen2 => Some([
			reader.f32(&name("attn_q.bias"))?,
			reader.f32(&name("attn_k.bias"))?,
			reader.f32(&name("attn_v.bias"))?,
		]),
		Architecture::Llama => None,
	};
	Ok(Block {
		attn_norm: reader.f32(&name("attn_norm.weight"))?,
		q: reader.linear(&name("attn_q.weight"), Some(queries), width)?,
		k: reader.linear(&name("attn_k.weight"), Some(keys), width)?,
		v: reader.linear(&name("attn_v.weight"), Some(keys), width)?,
		qkv_bias,
		out: reader.linear(&name("attn_output.weight"), Some(width), queries)?,
		ffn_norm: reader.f32(&name("ffn_norm.weight"))?,
		gate,
		up: reader.linear(&name("ffn_up.weight"), Some(hidden), width)?,
		down: reader.linear(&name("ffn_down.weight"), Some(width), hidden)?,
	})
}

/// cos and sin of every position and rotary frequency, `(context, head_dim / 2)`.
fn rotary_tables(hparams: &Hparams) -> Result<(Tensor, Tensor)> {
	let dim = hparams.head_dim();
	let inverse: Vec<f32> =
		(0..dim).step_by(2).map(|i| 1.0 / hparams.rope_base.powf(i as f32 / dim as f32)).collect();
	let inverse = Tensor::new(inverse.as_slice(), &Device::Cpu)?.unsqueeze(0)?;
	let positions = Tensor::arange(0u32, hparams.context_length as u32, &Device::Cpu)?
		.to_dtype(DType::F32)?
		.unsqueeze(1)?;
	let angles = positions.matmul(&inverse)?;
	Ok((angles.cos()?, angles.sin()?))
}
