//! [`LlmEngine`]: GGUF chat models on verity-llm. A version's schema is `chat`, its input a chat
//! request (OpenAI's JSON: messages, tools, tool_choice, sampling, `max_tokens`); the output is
//! the generated text, handed to the sink as it is produced; the run reports the tokens used.

use super::{Engine, ExecError, LoadedModel, RunReport, Sink};
use std::sync::Arc;
use verity_llm::{chat::ChatRequest, ChatModel, LlmError};
use verity_primitives::{ArtifactFormat, IoSchema, TokenUsage};

/// Loads GGUF chat models.
pub struct LlmEngine;

impl Engine for LlmEngine {
	fn name(&self) -> &'static str {
		"llm"
	}

	fn device(&self) -> &'static str {
		"cpu"
	}

	fn format(&self) -> ArtifactFormat {
		ArtifactFormat::Gguf
	}

	/// Loads a GGUF for a `chat` schema whose context the model holds.
	fn load(&self, artifact: &[u8], schema: &IoSchema) -> Result<Arc<dyn LoadedModel>, ExecError> {
		let IoSchema::Chat { max_context_tokens } = *schema else {
			return Err(ExecError::Schema("a GGUF model serves a chat schema".into()));
		};
		let model = ChatModel::load(artifact).map_err(|e| ExecError::Load(e.to_string()))?;
		let context = model.hparams().context_length;
		if max_context_tokens as usize > context {
			return Err(ExecError::Schema(format!(
				"the schema's context of {max_context_tokens} tokens exceeds the model's {context}"
			)));
		}
		Ok(Arc::new(LoadedChat { model, context: max_context_tokens as usize }))
	}
}

/// A chat model and the context its version offers.
struct LoadedChat {
	model: ChatModel,
	context: usize,
}

impl LoadedModel for LoadedChat {
	fn run(&self, input: &[u8], sink: Sink<'_>) -> Result<RunReport, ExecError> {
		let request = ChatRequest::from_json(input).map_err(exec_error)?;
		let outcome = self
			.model
			.chat_within(&request, self.context, &mut |text| sink(text.as_bytes()))
			.map_err(exec_error)?;
		let usage = TokenUsage {
			prompt_tokens: outcome.usage.prompt_tokens,
			completion_tokens: outcome.usage.completion_tokens,
		};
		Ok(RunReport { usage: Some(usage) })
	}
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
