//! The engine's errors.

/// What can go wrong loading a model or generating with it.
#[derive(Debug, thiserror::Error)]
pub enum LlmError {
	/// The file is not a usable GGUF (header, metadata or tensors).
	#[error("not a valid GGUF model: {0}")]
	BadGguf(String),
	/// A tensor's bytes run past the end of the file.
	#[error("truncated GGUF: tensor `{tensor}` needs {needs} bytes, the file has {has}")]
	Truncated {
		/// The first tensor found outside the file.
		tensor: String,
		/// Bytes the file would need.
		needs: u64,
		/// Bytes it has.
		has: u64,
	},
	/// The GGUF's architecture is not llama or qwen2.
	#[error("unsupported architecture `{0}` (this engine runs llama and qwen2)")]
	UnsupportedArchitecture(String),
	/// The GGUF's tokenizer is not one this engine reproduces exactly.
	#[error("unsupported tokenizer: {0}")]
	UnsupportedTokenizer(String),
	/// The tokenizer failed.
	#[error("tokenizer: {0}")]
	Tokenizer(String),
	/// The GGUF has no chat template.
	#[error("the model has no chat template")]
	NoChatTemplate,
	/// The chat template failed to render the request.
	#[error("chat template: {0}")]
	Template(String),
	/// The request is malformed (messages, tools, parameters).
	#[error("bad chat request: {0}")]
	BadRequest(String),
	/// More tokens than the model's context holds.
	#[error("{tokens} tokens exceed the context of {context}")]
	ContextExceeded {
		/// Tokens the request needs.
		tokens: usize,
		/// The context's size.
		context: usize,
	},
	/// The batching thread of the model could not take or run a step.
	#[error("batching: {0}")]
	Batch(String),
	/// The GPU backend failed (a CUDA driver error).
	#[error("GPU: {0}")]
	Gpu(String),
	/// A tensor operation failed.
	#[error("tensor operation: {0}")]
	Tensor(#[from] candle_core::Error),
}
