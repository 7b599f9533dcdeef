//! Reading a GGUF file: its header, the hyperparameters of a llama or qwen2 decoder, and the
//! tokenizer and chat template it carries. The header is checked before a tensor is read:
//! bounded hyperparameters that agree with the token embedding's shape, and every tensor
//! within the file. A block tensor that is missing or misshapen is an error while loading.

use crate::LlmError;
use candle_core::quantized::gguf_file::{Content, Value};
use std::io::Cursor;

/// The largest hidden state this engine loads (fingerprints index it with 16 bits).
pub const MAX_EMBEDDING: usize = 1 << 15;
/// The most attention heads.
pub const MAX_HEADS: usize = 256;
/// The most blocks.
pub const MAX_LAYERS: usize = 256;
/// The longest context (the rotary tables hold every position).
pub const MAX_CONTEXT: usize = 1 << 17;
/// The largest vocabulary.
pub const MAX_VOCAB: usize = 1 << 20;

/// The decoder architectures this engine runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Architecture {
	/// Llama (SmolLM2): interleaved rotary embeddings, no attention bias.
	Llama,
	/// Qwen2: NeoX rotary embeddings, biases on the q, k and v projections.
	Qwen2,
}

impl Architecture {
	fn parse(name: &str) -> Result<Self, LlmError> {
		match name {
			"llama" => Ok(Self::Llama),
			"qwen2" => Ok(Self::Qwen2),
			other => Err(LlmError::UnsupportedArchitecture(other.to_owned())),
		}
	}

	/// The prefix of the architecture's metadata keys.
	pub fn key_prefix(self) -> &'static str {
		match self {
			Self::Llama => "llama",
			Self::Qwen2 => "qwen2",
		}
	}
}

/// The shape of the decoder, from the GGUF's metadata.
#[derive(Clone, Debug, PartialEq)]
pub struct Hparams {
	/// Which decoder.
	pub architecture: Architecture,
	/// Transformer blocks.
	pub layers: usize,
	/// Width of the residual stream.
	pub embedding: usize,
	/// Attention heads.
	pub heads: usize,
	/// Key/value heads (grouped-query attention).
	pub kv_heads: usize,
	/// Tokens the model was trained to attend over.
	pub context_length: usize,
	/// RMS norm epsilon.
	pub rms_eps: f64,
	/// Rotary embedding base.
	pub rope_base: f32,
	/// Vocabulary size (rows of the token embedding).
	pub vocab: usize,
}

impl Hparams {
	/// Width of one attention head.
	pub fn head_dim(&self) -> usize {
		self.embedding / self.heads
	}
}

/// The tokenizer's data as the GGUF stores it.
#[derive(Clone, Debug)]
pub struct VocabData {
	/// Token texts (byte-level BPE pieces), indexed by id.
	pub tokens: Vec<String>,
	/// Token types (1 normal, 2 unknown, 3 control, 4 user-defined, 5 unused, 6 byte).
	pub types: Vec<i32>,
	/// BPE merges in rank order, each `"left right"`.
	pub merges: Vec<String>,
	/// The pre-tokenizer's name (`tokenizer.ggml.pre`).
	pub pre: String,
	/// Beginning-of-sequence token, when the GGUF names one.
	pub bos: Option<u32>,
	/// End-of-sequence token.
	pub eos: Option<u32>,
	/// Whether a BOS token starts every encoded prompt.
	pub add_bos: bool,
}

/// A parsed GGUF header: metadata and where each tensor lies in the bytes.
pub struct Gguf {
	/// candle's view of the header.
	pub content: Content,
	/// The decoder's shape.
	pub hparams: Hparams,
	/// The tokenizer.
	pub vocab: VocabData,
	/// The chat template (Jinja), when the GGUF has one.
	pub chat_template: Option<String>,
}

impl Gguf {
	/// Parses and checks the header of `bytes`: a supported architecture, every key the
	/// decoder needs, consistent shapes, and every tensor within the file.
	pub fn parse(bytes: &[u8]) -> Result<Self, LlmError> {
		// candle divides by the file's `general.alignment` and panics on 0: a malformed
		// header must be an error, not a crash.
		let read = std::panic::catch_unwind(|| Content::read(&mut Cursor::new(bytes)));
		let content = read
			.map_err(|_| LlmError::BadGguf("unreadable header (candle panicked)".into()))?
			.map_err(|e| LlmError::BadGguf(format!("unreadable header: {e}")))?;
		let (hparams, vocab, chat_template) = {
			let meta = Meta(&content);
			let architecture = Architecture::parse(meta.string("general.architecture")?)?;
			let template = meta.optional("tokenizer.chat_template").map(string).transpose()?;
			(hparams(&meta, architecture)?, vocab(&meta)?, template.map(str::to_owned))
		};
		check_tensors(&content, bytes.len() as u64)?;
		if vocab.tokens.len() != hparams.vocab {
			return Err(LlmError::BadGguf(format!(
				"{} tokens in the vocabulary, {} rows in token_embd.weight",
				vocab.tokens.len(),
				hparams.vocab
			)));
		}
		Ok(Self { content, hparams, vocab, chat_template })
	}
}

/// Typed access to the metadata, with errors that name the key.
struct Meta<'a>(&'a Content);

impl Meta<'_> {
	fn optional(&self, key: &str) -> Option<&Value> {
		self.0.metadata.get(key)
	}

	fn get(&self, key: &str) -> Result<&Value, LlmError> {
		self.optional(key).ok_or_else(|| LlmError::BadGguf(format!("no `{key}` in the metadata")))
	}

	fn string(&self, key: &str) -> Result<&str, LlmError> {
		string(self.get(key)?).map_err(|e| LlmError::BadGguf(format!("`{key}`: {e}")))
	}

	fn uint(&self, key: &str) -> Result<usize, LlmError> {
		uint(self.get(key)?).ok_or_else(|| LlmError::BadGguf(format!("`{key}` is not an integer")))
	}

	fn float(&self, key: &str) -> Result<f64, LlmError> {
		match self.get(key)? {
			Value::F32(v) => Ok(f64::from(*v)),
			Value::F64(v) => Ok(*v),
			_ => Err(LlmError::BadGguf(format!("`{key}` is not a float"))),
		}
	}

	fn array(&self, key: &str) -> Result<&Vec<Value>, LlmError> {
		self.get(key)?.to_vec().map_err(|_| LlmError::BadGguf(format!("`{key}` is not an array")))
	}
}

fn string(value: &Value) -> Result<&str, LlmError> {
	match value {
		Value::String(s) => Ok(s),
		_ => Err(LlmError::BadGguf("expected a string".into())),
	}
}

fn uint(value: &Value) -> Option<usize> {
	match *value {
		Value::U8(v) => Some(v.into()),
		Value::U16(v) => Some(v.into()),
		Value::U32(v) => usize::try_from(v).ok(),
		Value::U64(v) => usize::try_from(v).ok(),
		Value::I32(v) => usize::try_from(v).ok(),
		Value::I64(v) => usize::try_from(v).ok(),
		_ => None,
	}
}

fn hparams(meta: &Meta, architecture: Architecture) -> Result<Hparams, LlmError> {
	let key = |name: &str| format!("{}.{name}", architecture.key_prefix());
	let embedding = meta.uint(&key("embedding_length"))?;
	let heads = meta.uint(&key("attention.head_count"))?;
	let kv_heads = meta.uint(&key("attention.head_count_kv"))?;
	let vocab = meta
		.0
		.tensor_infos
		.get("token_embd.weight")
		.map(|info| info.shape.dims().first().copied().unwrap_or(0))
		.ok_or_else(|| LlmError::BadGguf("no `token_embd.weight` tensor".into()))?;
	let hparams = Hparams {
		architecture,
		layers: meta.uint(&key("block_count"))?,
		embedding,
		heads,
		kv_heads,
		context_length: meta.uint(&key("context_length"))?,
		rms_eps: meta.float(&key("attention.layer_norm_rms_epsilon"))?,
		rope_base: meta
			.optional(&key("rope.freq_base"))
			.map_or(Ok(10_000.0), |_| meta.float(&key("rope.freq_base")).map(|v| v as f32))?,
		vocab,
	};
	// Bounds before anything is allocated from these figures: fingerprints index the hidden
	// state with 16 bits, and the rotary tables hold every position of the context.
	let bounded = embedding <= MAX_EMBEDDING
		&& heads <= MAX_HEADS
		&& hparams.layers <= MAX_LAYERS
		&& hparams.context_length <= MAX_CONTEXT
		&& hparams.vocab <= MAX_VOCAB;
	let embedding_rows = meta
		.0
		.tensor_infos
		.get("token_embd.weight")
		.and_then(|info| info.shape.dims().get(1).copied());
	let consistent = bounded
		&& embedding_rows == Some(embedding)
		&& embedding > 0
		&& heads > 0
		&& kv_heads > 0
		&& embedding.is_multiple_of(heads)
		&& heads.is_multiple_of(kv_heads)
		&& (embedding / heads).is_multiple_of(2)
		&& hparams.layers > 0
		&& hparams.context_length > 0;
	if !consistent {
		return Err(LlmError::BadGguf(format!("inconsistent hyperparameters: {hparams:?}")));
	}
	Ok(hparams)
}

fn vocab(meta: &Meta) -> Result<VocabData, LlmError> {
	let model = meta.string("tokenizer.ggml.model")?;
	if model != "gpt2" {
		return Err(LlmError::UnsupportedTokenizer(format!("tokenizer.ggml.model = {model}")));
	}
	let strings = |key: &str| -> Result<Vec<String>, LlmError> {
		meta.array(key)?.iter().map(|v| string(v).map(str::to_owned)).collect()
	};
	let tokens = strings("tokenizer.ggml.tokens")?;
	let types = meta
		.array("tokenizer.ggml.token_type")?
		.iter()
		.map(|v| match v {
			Value::I32(t) => Ok(*t),
			_ => Err(LlmError::BadGguf("`tokenizer.ggml.token_type` holds a non-i32".into())),
		})
		.collect::<Result<Vec<_>, _>>()?;
	if types.len() != tokens.len() {
		return Err(LlmError::BadGguf("token types and tokens differ in number".into()));
	}
	let id = |key: &str| meta.optional(key).and_then(uint).map(|v| v as u32);
	Ok(VocabData {
		merges: strings("tokenizer.ggml.merges")?,
		pre: meta
			.optional("tokenizer.ggml.pre")
			.map(string)
			.transpose()?
			.unwrap_or("default")
			.into(),
		bos: id("tokenizer.ggml.bos_token_id"),
		eos: id("tokenizer.ggml.eos_token_id"),
		add_bos: matches!(meta.optional("tokenizer.ggml.add_bos_token"), Some(Value::Bool(true))),
		tokens,
		types,
	})
}

/// Every tensor's bytes lie within the file: a truncated GGUF is refused before loading.
fn check_tensors(content: &Content, file_len: u64) -> Result<(), LlmError> {
	for (name, info) in &content.tensor_infos {
		let elements = info.shape.dims().iter().try_fold(1u64, |n, d| n.checked_mul(*d as u64));
		let elements =
			elements.ok_or_else(|| LlmError::BadGguf(format!("`{name}`: its shape overflows")))?;
		let block = info.ggml_dtype.block_size() as u64;
		if !elements.is_multiple_of(block) {
			return Err(LlmError::BadGguf(format!(
				"`{name}`: {elements} values in blocks of {block}"
			)));
		}
		let size = (elements / block).saturating_mul(info.ggml_dtype.type_size() as u64);
		let end = content.tensor_data_offset.saturating_add(info.offset).saturating_add(size);
		if end > file_len {
			return Err(LlmError::Truncated { tensor: name.clone(), needs: end, has: file_len });
		}
	}
	Ok(())
}
