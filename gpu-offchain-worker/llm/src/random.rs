//! Models built in memory, for tests and figures: random-weight models of the reference
//! models' shapes and matrix types, for the GPU's tests and figures on machines that cannot
//! fetch the reference models (a GPU machine here receives no model file; they have a
//! vocabulary of placeholder tokens and no merges or chat template: load them with
//! [`crate::model::Weights`]); and GGUF files with their metadata edited, for tests of files
//! that are not what they claim.

pub use candle_core::quantized::gguf_file::Value;

use candle_core::{
	quantized::{gguf_file, GgmlDType, QTensor},
	DType, Device, Tensor,
};
use std::{collections::HashMap, io::Cursor};

/// The GGUF `bytes` with its metadata edited by `edit`, its tensors unchanged.
pub fn edit_metadata(
	bytes: &[u8],
	edit: impl FnOnce(&mut HashMap<String, Value>),
) -> candle_core::Result<Vec<u8>> {
	let content = gguf_file::Content::read(&mut Cursor::new(bytes))?;
	let tensors = content
		.tensor_infos
		.keys()
		.map(|name| {
			Ok((name.clone(), content.tensor(&mut Cursor::new(bytes), name, &Device::Cpu)?))
		})
		.collect::<candle_core::Result<Tensors>>()?;
	let mut metadata = content.metadata;
	edit(&mut metadata);
	write(&metadata.into_iter().collect::<Vec<_>>(), &tensors)
}

/// A GGUF file of `metadata` and `tensors`.
fn write(metadata: &[(String, Value)], tensors: &Tensors) -> candle_core::Result<Vec<u8>> {
	let metadata: Vec<(&str, &Value)> = metadata.iter().map(|(k, v)| (k.as_str(), v)).collect();
	let tensors: Vec<(&str, &QTensor)> = tensors.iter().map(|(n, t)| (n.as_str(), t)).collect();
	let mut file = Cursor::new(Vec::new());
	gguf_file::write(&mut file, &metadata, &tensors)?;
	Ok(file.into_inner())
}

/// A random-weight model.
pub struct RandomModel {
	/// Its GGUF file.
	pub gguf: Vec<u8>,
	/// Bytes of its block matrices in the GGUF (what a decode step reads, the embeddings
	/// aside).
	pub matrix_bytes: usize,
}

/// The random-weight model of the reference model `name` (`smollm2`, `qwen2.5-coder-0.5b`).
pub fn random_model(name: &str) -> Result<RandomModel, String> {
	let shape = SHAPES.iter().find(|s| s.name == name).ok_or_else(|| format!("no shape {name}"))?;
	let (gguf, matrix_bytes) = gguf(shape).map_err(|e| e.to_string())?;
	Ok(RandomModel { gguf, matrix_bytes })
}

/// The names of the shapes.
pub fn shapes() -> impl Iterator<Item = &'static str> {
	SHAPES.iter().map(|s| s.name)
}

/// A decoder's shape and its matrices' types.
struct Shape {
	name: &'static str,
	architecture: &'static str,
	layers: usize,
	embedding: usize,
	heads: usize,
	kv_heads: usize,
	hidden: usize,
	vocab: usize,
	/// Types of q/k/o/gate/up, v, down, and of the token embeddings.
	types: [GgmlDType; 4],
	/// A separate LM head (Q8_0), or the embeddings tied.
	output: bool,
}

const SHAPES: [Shape; 2] = [
	Shape {
		name: "smollm2",
		architecture: "llama",
		layers: 30,
		embedding: 576,
		heads: 9,
		kv_heads: 3,
		hidden: 1536,
		vocab: 49152,
		types: [GgmlDType::Q4_1, GgmlDType::Q4_1, GgmlDType::Q4_1, GgmlDType::Q8_0],
		output: false,
	},
	Shape {
		name: "qwen2.5-coder-0.5b",
		architecture: "qwen2",
		layers: 24,
		embedding: 896,
		heads: 14,
		kv_heads: 2,
		hidden: 4864,
		vocab: 151936,
		types: [GgmlDType::Q5_0, GgmlDType::Q8_0, GgmlDType::Q6K, GgmlDType::Q5_0],
		output: true,
	},
];

type Tensors = Vec<(String, QTensor)>;

/// The GGUF of a random-weight model of `shape`, and the bytes of its block matrices.
fn gguf(shape: &Shape) -> candle_core::Result<(Vec<u8>, usize)> {
	let (mut tensors, matrix_bytes) = blocks(shape)?;
	let width = shape.embedding;
	tensors.push(("token_embd.weight".into(), random(shape.vocab, width, shape.types[3])?));
	if shape.output {
		tensors.push(("output.weight".into(), random(shape.vocab, width, GgmlDType::Q8_0)?));
	}
	tensors.push(("output_norm.weight".into(), ones(width)?));
	Ok((write(&metadata(shape), &tensors)?, matrix_bytes))
}

/// Every block's tensors, and the bytes of their matrices.
fn blocks(shape: &Shape) -> candle_core::Result<(Tensors, usize)> {
	let (width, dim) = (shape.embedding, shape.embedding / shape.heads);
	let (queries, keys) = (shape.heads * dim, shape.kv_heads * dim);
	let [main, v_type, down_type, _] = shape.types;
	let (mut tensors, mut matrix_bytes) = (Vec::new(), 0);
	for layer in 0..shape.layers {
		let name = |part: &str| format!("blk.{layer}.{part}");
		for (part, rows, cols, dtype) in [
			("attn_q.weight", queries, width, main),
			("attn_k.weight", keys, width, main),
			("attn_v.weight", keys, width, v_type),
			("attn_output.weight", width, queries, main),
			("ffn_gate.weight", shape.hidden, width, main),
			("ffn_up.weight", shape.hidden, width, main),
			("ffn_down.weight", width, shape.hidden, down_type),
		] {
			let tensor = random(rows, cols, dtype)?;
			matrix_bytes += tensor.data()?.len();
			tensors.push((name(part), tensor));
		}
		tensors.push((name("attn_norm.weight"), ones(width)?));
		tensors.push((name("ffn_norm.weight"), ones(width)?));
		if shape.architecture == "qwen2" {
			for (part, n) in
				[("attn_q.bias", queries), ("attn_k.bias", keys), ("attn_v.bias", keys)]
			{
				tensors.push((name(part), ones(n)?));
			}
		}
	}
	Ok((tensors, matrix_bytes))
}

/// A `(rows, cols)` matrix of `dtype` with normal random values (σ = 0.02).
fn random(rows: usize, cols: usize, dtype: GgmlDType) -> candle_core::Result<QTensor> {
	QTensor::quantize(&Tensor::randn(0f32, 0.02, (rows, cols), &Device::Cpu)?, dtype)
}

/// A vector of ones (norm weights, biases), f32.
fn ones(n: usize) -> candle_core::Result<QTensor> {
	QTensor::quantize(&Tensor::ones(n, DType::F32, &Device::Cpu)?, GgmlDType::F32)
}

/// The shape's hyperparameters and a vocabulary of placeholder tokens.
fn metadata(shape: &Shape) -> Vec<(String, Value)> {
	let key = |name: &str| format!("{}.{name}", shape.architecture);
	let count = |n: usize| Value::U32(n as u32);
	let tokens = (0..shape.vocab).map(|i| Value::String(format!("t{i}"))).collect();
	vec![
		("general.architecture".into(), Value::String(shape.architecture.into())),
		(key("block_count"), count(shape.layers)),
		(key("embedding_length"), count(shape.embedding)),
		(key("feed_forward_length"), count(shape.hidden)),
		(key("attention.head_count"), count(shape.heads)),
		(key("attention.head_count_kv"), count(shape.kv_heads)),
		(key("context_length"), count(2048)),
		(key("attention.layer_norm_rms_epsilon"), Value::F32(1e-5)),
		("tokenizer.ggml.model".into(), Value::String("gpt2".into())),
		("tokenizer.ggml.tokens".into(), Value::Array(tokens)),
		("tokenizer.ggml.token_type".into(), Value::Array(vec![Value::I32(1); shape.vocab])),
		("tokenizer.ggml.merges".into(), Value::Array(Vec::new())),
	]
}
