//! A chat model ready to serve: a GGUF's decoder, tokenizer and chat template loaded together,
//! answering [`ChatRequest`]s.

use crate::{
	batch::{BatchStats, Batcher},
	chat::{ChatRequest, ToolCall},
	fingerprint::{self, CheckReport, Fingerprint},
	generate::{generate_batched, replay, FinishReason, Generation},
	gguf::{Gguf, Hparams},
	gpu::Backend,
	model::Weights,
	template::ChatTemplate,
	tokenizer::Tokenizer,
	tools, LlmError,
};
use std::{ops::ControlFlow, sync::Arc};

/// A loaded chat model.
pub struct ChatModel {
	tokenizer: Tokenizer,
	template: ChatTemplate,
	weights: Arc<Weights>,
	/// Batches the decode steps of concurrent chats, where batching pays.
	batcher: Option<Batcher>,
}

/// Tokens a chat used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Usage {
	/// Tokens of the rendered prompt.
	pub prompt_tokens: u32,
	/// Tokens produced (the end-of-generation token included).
	pub completion_tokens: u32,
}

/// A chat's answer.
#[derive(Clone, Debug)]
pub struct ChatOutcome {
	/// The generated text, exactly as streamed (tool-call blocks included).
	pub text: String,
	/// Calls of the request's tools found in the text.
	pub tool_calls: Vec<ToolCall>,
	/// Why generation ended.
	pub finish: FinishReason,
	/// Tokens used.
	pub usage: Usage,
	/// The generation's tokens and timings.
	pub generation: Generation,
}

/// A GGUF's header checked and its tokenizer and chat template built, before any weight is
/// read: what a caller may check before paying for the weights.
pub struct ChatHeader {
	gguf: Gguf,
	tokenizer: Tokenizer,
	template: ChatTemplate,
}

impl ChatHeader {
	/// Checks the header of a GGUF, builds its tokenizer and chat template.
	pub fn parse(bytes: &[u8]) -> Result<Self, LlmError> {
		let gguf = Gguf::parse(bytes)?;
		let tokenizer = Tokenizer::from_vocab(&gguf.vocab)?;
		let text = |id: Option<u32>| id.and_then(|id| tokenizer.token_text(id)).unwrap_or("");
		let source = gguf.chat_template.as_deref().ok_or(LlmError::NoChatTemplate)?;
		let template = ChatTemplate::new(source, text(gguf.vocab.bos), text(gguf.vocab.eos))?;
		Ok(Self { gguf, tokenizer, template })
	}

	/// The model's shape (context length included).
	pub fn hparams(&self) -> &Hparams {
		&self.gguf.hparams
	}

	/// Its tokenizer.
	pub fn tokenizer(&self) -> &Tokenizer {
		&self.tokenizer
	}
}

impl ChatModel {
	/// Loads a GGUF: checks its header, builds its tokenizer and chat template, reads its
	/// weights, onto the GPU where one is found ([`Backend::auto`]).
	pub fn load(bytes: &[u8]) -> Result<Self, LlmError> {
		Self::load_on(bytes, &Backend::auto())
	}

	/// [`Self::load`], the quantized matrices on `backend`.
	pub fn load_on(bytes: &[u8], backend: &Backend) -> Result<Self, LlmError> {
		Self::from_header(ChatHeader::parse(bytes)?, bytes, backend)
	}

	/// The model of a parsed `header`, its weights read from `bytes` (the same file) onto
	/// `backend`. Concurrent chats are batched on the GPU, where a step's cost is mostly fixed
	/// (the launches and transfers of every matrix); not on the CPU, whose kernels are
	/// compute-bound (`cargo bench -p verity-llm`: batched over unbatched throughput
	/// 0.89-1.09).
	pub fn from_header(
		header: ChatHeader,
		bytes: &[u8],
		backend: &Backend,
	) -> Result<Self, LlmError> {
		let ChatHeader { gguf, tokenizer, template } = header;
		let weights = Arc::new(Weights::load(&gguf, bytes, backend)?);
		let model = Self { tokenizer, template, weights, batcher: None };
		model.with_batching(matches!(backend, Backend::Gpu(_)))
	}

	/// The model's shape (context length included).
	pub fn hparams(&self) -> &Hparams {
		self.weights.hparams()
	}

	/// Its tokenizer.
	pub fn tokenizer(&self) -> &Tokenizer {
		&self.tokenizer
	}

	/// Its chat template.
	pub fn template(&self) -> &ChatTemplate {
		&self.template
	}

	/// The model, its concurrent chats batched (see [`crate::batch`]) or not.
	pub fn with_batching(mut self, batching: bool) -> Result<Self, LlmError> {
		self.batcher = batching.then(|| Batcher::new(self.weights.clone())).transpose()?;
		Ok(self)
	}

	/// What its batcher has run (nothing when it does not batch).
	pub fn batch_stats(&self) -> BatchStats {
		self.batcher.as_ref().map(Batcher::stats).unwrap_or_default()
	}

	/// Its decoder.
	pub fn weights(&self) -> &Weights {
		&self.weights
	}

	/// The prompt's tokens: the request rendered by the chat template, special tokens parsed.
	pub fn prompt(&self, request: &ChatRequest) -> Result<Vec<u32>, LlmError> {
		self.tokenizer.encode(&self.template.render(request)?, true)
	}

	/// Answers `request` (validated first), handing text to `on_text` as it is produced;
	/// more tokens than the context holds is refused before any is computed. Concurrent
	/// chats decode in batches where the model batches, with the same results.
	pub fn chat(
		&self,
		request: &ChatRequest,
		on_text: &mut dyn FnMut(&str) -> ControlFlow<()>,
	) -> Result<ChatOutcome, LlmError> {
		self.chat_within(request, self.hparams().context_length, on_text)
	}

	/// [`Self::chat`] within a context of `context` tokens (a served version may offer less
	/// than the model holds): a prompt and `max_tokens` beyond it is `ContextExceeded`.
	pub fn chat_within(
		&self,
		request: &ChatRequest,
		context: usize,
		on_text: &mut dyn FnMut(&str) -> ControlFlow<()>,
	) -> Result<ChatOutcome, LlmError> {
		request.validate()?;
		let prompt = self.prompt(request)?;
		let tokens = prompt.len() + request.max_tokens as usize;
		if tokens > context {
			return Err(LlmError::ContextExceeded { tokens, context });
		}
		let generation = generate_batched(
			&self.weights,
			self.batcher.as_ref(),
			&self.tokenizer,
			&prompt,
			&request.generation_params(),
			on_text,
		)?;
		let (_, tool_calls) = tools::parse(&generation.text, request.visible_tools());
		Ok(ChatOutcome {
			text: generation.text.clone(),
			tool_calls,
			finish: generation.finish,
			usage: Usage {
				prompt_tokens: generation.prompt_tokens,
				completion_tokens: generation.completion_tokens(),
			},
			generation,
		})
	}

	/// Re-executes a claimed answer to `request` (within a context of `context` tokens): the
	/// prompt must have `prompt_tokens` tokens, the claimed `tokens` must replay to an ended
	/// generation, and one prefill over the prompt and the tokens must agree with
	/// `fingerprints` and the sampler within [`fingerprint::TOLERANCE`]. A claim that is not
	/// what an honest worker could have returned is `Rejected` with the reason; `Err` is this
	/// model failing to run.
	pub fn check_generation(
		&self,
		request: &ChatRequest,
		context: usize,
		prompt_tokens: u32,
		tokens: &[u32],
		fingerprints: &[Fingerprint],
	) -> Result<ClaimVerdict, LlmError> {
		match self.try_check(request, context, prompt_tokens, tokens, fingerprints) {
			Err(LlmError::BadRequest(why))
			| Err(LlmError::Template(why))
			| Err(LlmError::Tokenizer(why)) => Ok(ClaimVerdict::Rejected(why)),
			Err(LlmError::ContextExceeded { tokens, context }) => Ok(ClaimVerdict::Rejected(
				format!("{tokens} tokens exceed the context of {context}"),
			)),
			other => other,
		}
	}

	fn try_check(
		&self,
		request: &ChatRequest,
		context: usize,
		prompt_tokens: u32,
		tokens: &[u32],
		fingerprints: &[Fingerprint],
	) -> Result<ClaimVerdict, LlmError> {
		request.validate()?;
		let prompt = self.prompt(request)?;
		if prompt.len() != prompt_tokens as usize {
			return Ok(ClaimVerdict::Rejected(format!(
				"the prompt has {} tokens, not the {prompt_tokens} claimed",
				prompt.len()
			)));
		}
		let needed = prompt.len() + request.max_tokens as usize;
		if needed > context {
			return Err(LlmError::ContextExceeded { tokens: needed, context });
		}
		let params = request.generation_params();
		let (text, _) = replay(&self.tokenizer, tokens, &params)?;
		let report = fingerprint::check(
			&self.weights,
			&prompt,
			tokens,
			fingerprints,
			params.sampling,
			fingerprint::TOLERANCE,
		)?;
		if !report.accepted {
			return Ok(ClaimVerdict::Rejected(format!("re-execution disagrees: {report:?}")));
		}
		Ok(ClaimVerdict::Accepted { text, report })
	}
}

/// What a re-execution made of a claimed generation.
#[derive(Clone, Debug, PartialEq)]
pub enum ClaimVerdict {
	/// An honest worker could have returned it: its text, and how close the re-execution came.
	Accepted {
		/// The text the tokens give (the claimed output must be exactly this).
		text: String,
		/// The fingerprint comparison.
		report: CheckReport,
	},
	/// Not what an honest worker returns, and why.
	Rejected(String),
}
