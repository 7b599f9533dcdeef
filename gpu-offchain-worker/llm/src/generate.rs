//! The generation loop: prefill the prompt, then decode token by token with the KV cache,
//! streaming text as it is produced, until an end-of-generation token, a stop sequence or
//! `max_tokens`.

use crate::{
	batch::Batcher,
	fingerprint::{self, Fingerprint},
	model::{KvCache, Weights},
	sampling::{Sampler, SamplingParams},
	tokenizer::Tokenizer,
	LlmError,
};
use candle_core::Tensor;
use std::{
	ops::ControlFlow,
	time::{Duration, Instant},
};

/// Prompt tokens run through the model at once while prefilling (bounds attention's memory).
pub(crate) const PREFILL_CHUNK: usize = 256;

/// What to generate.
#[derive(Clone, Debug, Default)]
pub struct GenerationParams {
	/// Tokens to produce at most (the end-of-generation token included).
	pub max_tokens: u32,
	/// How to choose each token.
	pub sampling: SamplingParams,
	/// Texts that end the generation; the text returned stops before the first one.
	pub stop: Vec<String>,
}

/// Why a generation ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FinishReason {
	/// An end-of-generation token or a stop sequence.
	Stop,
	/// `max_tokens` were produced.
	Length,
	/// The caller stopped the stream.
	Cancelled,
}

/// A finished generation.
#[derive(Clone, Debug)]
pub struct Generation {
	/// The text produced (without the end token or a stop sequence).
	pub text: String,
	/// Every token produced, the end-of-generation token included.
	pub tokens: Vec<u32>,
	/// Activation fingerprints of the generation (see [`crate::fingerprint`]).
	pub fingerprints: Vec<Fingerprint>,
	/// Why it ended.
	pub finish: FinishReason,
	/// Tokens of the prompt.
	pub prompt_tokens: u32,
	/// Time to run the prompt and produce the first token's logits.
	pub prefill: Duration,
	/// Time spent on the tokens after the first.
	pub decode: Duration,
}

impl Generation {
	/// Tokens produced (billed as completion tokens).
	pub fn completion_tokens(&self) -> u32 {
		self.tokens.len() as u32
	}
}

/// Generates after `prompt` (token ids), handing each piece of text to `on_text` as soon as it
/// is certain (text that could begin a stop sequence is held back); `on_text` returning
/// `Break` cancels. Decodes alone; see [`generate_batched`].
pub fn generate(
	weights: &Weights,
	tokenizer: &Tokenizer,
	prompt: &[u32],
	params: &GenerationParams,
	on_text: &mut dyn FnMut(&str) -> ControlFlow<()>,
) -> Result<Generation, LlmError> {
	generate_batched(weights, None, tokenizer, prompt, params, on_text)
}

/// [`generate`], its decode steps batched by `batcher` (the batcher of `weights`) with those
/// of the model's other generations; the same tokens and fingerprints as alone.
pub fn generate_batched(
	weights: &Weights,
	batcher: Option<&Batcher>,
	tokenizer: &Tokenizer,
	prompt: &[u32],
	params: &GenerationParams,
	on_text: &mut dyn FnMut(&str) -> ControlFlow<()>,
) -> Result<Generation, LlmError> {
	check_lengths(weights, prompt.len(), params.max_tokens)?;
	let started = Instant::now();
	let mut cache = weights.new_cache();
	let mut hidden = prefill(weights, &mut cache, prompt)?;
	let mut logits = weights.logits(&hidden)?;
	let prefill_time = started.elapsed();
	// Joins the batch once prefilled: a prompt is no step for the others to wait on.
	let session = batcher.map(Batcher::session);
	let mut fingerprints = Vec::new();
	let mut sampler = Sampler::new(params.sampling);
	let mut stream = tokenizer.stream();
	let mut text = TextSink::new(&params.stop);
	let mut tokens = Vec::new();
	let finish = loop {
		let token = sampler.sample(&logits);
		if fingerprint::is_checkpoint(tokens.len()) {
			fingerprints.push(Fingerprint::of(&hidden.to_vec1::<f32>()?, tokens.len() as u32));
		}
		tokens.push(token);
		if tokenizer.is_end_of_generation(token) {
			break FinishReason::Stop;
		}
		if let Some(piece) = stream.step(token)? {
			if let Some(finish) = text.push(&piece, on_text) {
				break finish;
			}
		}
		if tokens.len() >= params.max_tokens as usize {
			break FinishReason::Length;
		}
		hidden = match &session {
			Some(session) => session.decode(&mut cache, token)?,
			None => weights.forward(&mut cache, &[token])?.get(0)?,
		};
		logits = weights.logits(&hidden)?;
	};
	drop(session);
	text.flush(finish, on_text);
	Ok(Generation {
		text: text.text,
		tokens,
		fingerprints,
		finish,
		prompt_tokens: prompt.len() as u32,
		prefill: prefill_time,
		decode: started.elapsed() - prefill_time,
	})
}

/// The text and ending that generating `tokens` gave, replayed without the model (the stop
/// sequences and limits of [`generate`], on the same tokenizer): for a checker, the text a
/// claimed generation must have returned. A claim whose tokens go on after the generation
/// ended (an end token, a stop sequence, `max_tokens`), or stop before it did, is refused.
pub fn replay(
	tokenizer: &Tokenizer,
	tokens: &[u32],
	params: &GenerationParams,
) -> Result<(String, FinishReason), LlmError> {
	if let Some(bad) = tokens.iter().find(|t| **t as usize >= tokenizer.vocab_size()) {
		return Err(LlmError::BadRequest(format!("token {bad} is not in the vocabulary")));
	}
	let mut stream = tokenizer.stream();
	let mut text = TextSink::new(&params.stop);
	let mut ignore = |_: &str| ControlFlow::Continue(());
	for (n, &token) in tokens.iter().enumerate() {
		let finish = if tokenizer.is_end_of_generation(token) {
			Some(FinishReason::Stop)
		} else {
			match stream.step(token)? {
				Some(piece) => text.push(&piece, &mut ignore),
				None => None,
			}
		}
		.or_else(|| (n + 1 >= params.max_tokens as usize).then_some(FinishReason::Length));
		match (finish, n + 1 == tokens.len()) {
			(Some(finish), true) => {
				text.flush(finish, &mut ignore);
				return Ok((text.text, finish));
			},
			(Some(_), false) => {
				return Err(LlmError::BadRequest(format!(
					"{} tokens follow the end of the generation",
					tokens.len() - n - 1
				)))
			},
			(None, true) => {
				return Err(LlmError::BadRequest("the generation stops with no reason".into()))
			},
			(None, false) => {},
		}
	}
	Err(LlmError::BadRequest("no tokens".into()))
}

/// Refuses an empty prompt, no tokens to produce, or more than the context holds.
fn check_lengths(weights: &Weights, prompt: usize, max_tokens: u32) -> Result<(), LlmError> {
	let context = weights.hparams().context_length;
	if prompt == 0 {
		return Err(LlmError::BadRequest("the prompt has no tokens".into()));
	}
	if max_tokens == 0 {
		return Err(LlmError::BadRequest("max_tokens is 0".into()));
	}
	let needed = prompt + max_tokens as usize;
	if needed > context {
		return Err(LlmError::ContextExceeded { tokens: needed, context });
	}
	Ok(())
}

/// Runs the prompt in chunks; the final hidden state of its last token.
fn prefill(weights: &Weights, cache: &mut KvCache, prompt: &[u32]) -> Result<Tensor, LlmError> {
	let mut last = None;
	for chunk in prompt.chunks(PREFILL_CHUNK) {
		let hidden = weights.forward(cache, chunk)?;
		last = Some(hidden.get(chunk.len() - 1)?);
	}
	Ok(last.expect("a non-empty prompt (checked)"))
}

/// The text produced so far, and how much of it the caller has seen.
struct TextSink<'a> {
	stop: &'a [String],
	text: String,
	sent: usize,
}

impl<'a> TextSink<'a> {
	fn new(stop: &'a [String]) -> Self {
		Self { stop, text: String::new(), sent: 0 }
	}

	/// Adds `piece`; sends what is certain. `Some` when the generation ends here.
	fn push(
		&mut self,
		piece: &str,
		on_text: &mut dyn FnMut(&str) -> ControlFlow<()>,
	) -> Option<FinishReason> {
		let search_from = self.sent.saturating_sub(self.longest_stop());
		self.text.push_str(piece);
		if let Some(at) = self.first_stop(search_from) {
			self.text.truncate(at);
			return Some(FinishReason::Stop);
		}
		let certain = self.text.len() - self.held_back();
		self.send(certain, on_text).break_value().map(|()| FinishReason::Cancelled)
	}

	/// Sends the rest, unless cancelled.
	fn flush(&mut self, finish: FinishReason, on_text: &mut dyn FnMut(&str) -> ControlFlow<()>) {
		if finish != FinishReason::Cancelled {
			let _ = self.send(self.text.len(), on_text);
		}
	}

	fn send(
		&mut self,
		upto: usize,
		on_text: &mut dyn FnMut(&str) -> ControlFlow<()>,
	) -> ControlFlow<()> {
		if upto <= self.sent {
			return ControlFlow::Continue(());
		}
		let flow = on_text(&self.text[self.sent..upto]);
		self.sent = upto;
		flow
	}

	fn longest_stop(&self) -> usize {
		self.stop.iter().map(String::len).max().unwrap_or(0)
	}

	/// Where the first stop sequence begins, looking from byte `from` on.
	fn first_stop(&self, from: usize) -> Option<usize> {
		let from = (0..=from).rev().find(|i| self.text.is_char_boundary(*i)).unwrap_or(0);
		self.stop
			.iter()
			.filter(|s| !s.is_empty())
			.filter_map(|s| self.text[from..].find(s.as_str()).map(|i| from + i))
			.min()
	}

	/// Bytes at the end of the text that could be the start of a stop sequence.
	fn held_back(&self) -> usize {
		let text = &self.text[self.sent..];
		(1..=text.len())
			.rev()
			.filter(|n| text.is_char_boundary(text.len() - n))
			.find(|n| {
				self.stop.iter().any(|s| s.len() > *n && s.starts_with(&text[text.len() - n..]))
			})
			.unwrap_or(0)
	}
}
