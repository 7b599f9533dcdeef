//! [`LlmEngine`]: GGUF chat models on verity-llm. A version's schema is `chat`, its input a chat
//! request (OpenAI's JSON: messages, tools, tool_choice, sampling, `max_tokens`); the output is
//! the generated text, handed to the sink as it is produced; the run reports the tokens used
//! and the generation's evidence (tokens and activation fingerprints), which a check of the
//! result re-executes with one prefill.

use super::{ClaimCheck, Engine, ExecError, LoadedModel, RunReport, Sink};
use std::sync::Arc;
use verity_llm::{
	chat::ChatRequest, fingerprint::Fingerprint, tokenizer::Tokenizer, ChatHeader, ChatModel,
	ClaimVerdict, LlmError,
};
use verity_primitives::{
	blake2_256,
	generation::{FingerprintRecord, FINGERPRINT_TOP_K, MAX_EVIDENCE_TOKENS},
	ArtifactFormat, GenerationClaim, GenerationEvidence, IoSchema, TokenUsage,
	MAX_CHAT_TOKEN_BYTES,
};

/// Loads GGUF chat models.
pub struct LlmEngine;

impl Engine for LlmEngine {
	fn name(&self) -> &'static str {
		"llm"
	}

	/// The GPU where one is found (the matrices' products; bit-identical to the CPU's).
	fn device(&self) -> &'static str {
		verity_llm::Backend::auto().name()
	}

	fn format(&self) -> ArtifactFormat {
		ArtifactFormat::Gguf
	}

	/// Loads a GGUF for a `chat` schema whose context the model holds.
	fn load(&self, artifact: &[u8], schema: &IoSchema) -> Result<Arc<dyn LoadedModel>, ExecError> {
		let IoSchema::Chat { max_context_tokens } = *schema else {
			return Err(ExecError::Schema("a GGUF model serves a chat schema".into()));
		};
		// What the header alone refuses is refused before any weight is read.
		let load = |e: LlmError| ExecError::Load(e.to_string());
		let header = ChatHeader::parse(artifact).map_err(load)?;
		check_token_bound(header.tokenizer())?;
		let context = header.hparams().context_length;
		if max_context_tokens as usize > context {
			return Err(ExecError::Schema(format!(
				"the schema's context of {max_context_tokens} tokens exceeds the model's {context}"
			)));
		}
		let model =
			ChatModel::from_header(header, artifact, &verity_llm::Backend::auto()).map_err(load)?;
		Ok(Arc::new(LoadedChat { model, context: max_context_tokens as usize }))
	}
}

/// Refuses a model one of whose tokens could give more text than the chain lets a result have
/// per token: an honest answer of it could be refused.
fn check_token_bound(tokenizer: &Tokenizer) -> Result<(), ExecError> {
	let most = tokenizer.max_token_output_bytes();
	if most as u64 > MAX_CHAT_TOKEN_BYTES {
		return Err(ExecError::Load(format!(
			"a token can give {most} bytes of text; the chain allows {MAX_CHAT_TOKEN_BYTES} a token"
		)));
	}
	Ok(())
}

/// A chat model and the context its version offers.
struct LoadedChat {
	model: ChatModel,
	context: usize,
}

impl LoadedModel for LoadedChat {
	fn run(&self, input: &[u8], sink: Sink<'_>) -> Result<RunReport, ExecError> {
		let request = ChatRequest::from_json(input).map_err(exec_error)?;
		// The chain keeps the evidence of at most this many tokens: refused before any work.
		if request.max_tokens > MAX_EVIDENCE_TOKENS {
			return Err(ExecError::BadInput(format!(
				"max_tokens {} exceeds the {MAX_EVIDENCE_TOKENS} tokens a result may have",
				request.max_tokens
			)));
		}
		let outcome = self
			.model
			.chat_within(&request, self.context, &mut |text| sink(text.as_bytes()))
			.map_err(exec_error)?;
		let usage = TokenUsage {
			prompt_tokens: outcome.usage.prompt_tokens,
			completion_tokens: outcome.usage.completion_tokens,
		};
		let evidence = evidence(&outcome.generation.tokens, &outcome.generation.fingerprints)?;
		Ok(RunReport { usage: Some(usage), generation: Some(evidence) })
	}

	/// Re-executes the claim (one prefill, see [`verity_llm::fingerprint`]): accepted only if
	/// the re-execution agrees and the claimed tokens give exactly the text the receipt signs.
	fn check(&self, input: &[u8], claim: &GenerationClaim) -> Result<ClaimCheck, ExecError> {
		let request = match ChatRequest::from_json(input) {
			Ok(request) => request,
			Err(error) => return Ok(ClaimCheck::rejected(format!("the request: {error}"))),
		};
		let fingerprints: Vec<Fingerprint> = claim
			.evidence
			.fingerprints
			.iter()
			.map(|f| Fingerprint {
				token: f.token,
				indices: f.indices.to_vec(),
				values: f.values.iter().map(|bits| f32::from_bits(*bits)).collect(),
			})
			.collect();
		let verdict = self
			.model
			.check_generation(
				&request,
				self.context,
				claim.usage.prompt_tokens,
				&claim.evidence.tokens,
				&fingerprints,
			)
			.map_err(|e| ExecError::Run(e.to_string()))?;
		Ok(match verdict {
			ClaimVerdict::Rejected(why) => ClaimCheck::rejected(why),
			ClaimVerdict::Accepted { text, .. }
				if blake2_256(text.as_bytes()) != claim.output_digest =>
			{
				ClaimCheck::rejected("the tokens do not give the signed output".into())
			},
			ClaimVerdict::Accepted { report, .. } => {
				ClaimCheck { accepted: true, detail: format!("{report:?}") }
			},
		})
	}
}

/// The chain's record of a generation: its tokens and fingerprints (values as their bits).
fn evidence(tokens: &[u32], fingerprints: &[Fingerprint]) -> Result<GenerationEvidence, ExecError> {
	let records = fingerprints
		.iter()
		.map(|f| {
			let indices = <[u16; FINGERPRINT_TOP_K]>::try_from(f.indices.as_slice());
			let values: Vec<u32> = f.values.iter().map(|v| v.to_bits()).collect();
			let values = <[u32; FINGERPRINT_TOP_K]>::try_from(values.as_slice());
			match (indices, values) {
				(Ok(indices), Ok(values)) => {
					Ok(FingerprintRecord { token: f.token, indices, values })
				},
				_ => Err(ExecError::Run("a fingerprint of the wrong size".into())),
			}
		})
		.collect::<Result<Vec<_>, _>>()?;
	let evidence = GenerationEvidence {
		tokens: tokens.to_vec().try_into().map_err(|_| {
			ExecError::Output(format!("{} tokens exceed the chain's bound", tokens.len()))
		})?,
		fingerprints: records
			.try_into()
			.map_err(|_| ExecError::Output("too many fingerprints".into()))?,
	};
	Ok(evidence)
}

/// Checks that a chat request asks for no more tokens than the chain's request paid for
/// (`paid`, the `max_tokens` of `request_chat`); a request that does not parse is bad input too.
pub fn check_paid_tokens(input: &[u8], paid: u32) -> Result<(), ExecError> {
	let request = ChatRequest::from_json(input).map_err(exec_error)?;
	if request.max_tokens > paid {
		return Err(ExecError::BadInput(format!(
			"max_tokens {} exceeds the {paid} tokens paid for on chain",
			request.max_tokens
		)));
	}
	Ok(())
}

/// A request's fault is bad input; anything else is the model's failure.
fn exec_error(error: LlmError) -> ExecError {
	match error {
		// The version's context is never more than the model's (checked when loading).
		LlmError::ContextExceeded { tokens, context } => ExecError::BadInput(format!(
			"{tokens} tokens (prompt and max_tokens) exceed the version's context of {context}"
		)),
		LlmError::BadRequest(_) | LlmError::Template(_) => ExecError::BadInput(error.to_string()),
		other => ExecError::Run(other.to_string()),
	}
}
