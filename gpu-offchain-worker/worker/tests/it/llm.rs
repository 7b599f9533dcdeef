//! The LLM engine behind the executor: a chat request in, the generated text out (streamed),
//! the tokens used reported; bad input and mismatched schemas refused with specific errors.

use std::{ops::ControlFlow, sync::OnceLock};
use verity_llm::{
	chat::ChatRequest,
	random::{edit_metadata, Value},
	reference, ChatModel,
};
use verity_primitives::{ArtifactFormat, IoSchema};
use verity_worker::exec::{ExecError, Executor};

/// SmolLM2's GGUF, or `None` after printing why it cannot be fetched here.
pub fn smollm2() -> Option<&'static [u8]> {
	static BYTES: OnceLock<Result<Vec<u8>, String>> = OnceLock::new();
	let bytes = BYTES.get_or_init(|| {
		let path = reference::fetch("smollm2")?;
		std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))
	});
	match bytes {
		Ok(bytes) => Some(bytes),
		Err(why) => {
			eprintln!("skipped: SmolLM2 is not available here: {why}");
			None
		},
	}
}

pub const REQUEST: &str =
	r#"{"messages": [{"role": "user", "content": "What is 2+2?"}], "max_tokens": 12}"#;

const CHAT: IoSchema = IoSchema::Chat { max_context_tokens: 2048 };

#[test]
fn a_chat_request_streams_text_and_reports_its_tokens() {
	let Some(gguf) = smollm2() else { return };
	let exec = Executor::new(verity_int8::engine::Backend::Cpu);
	let mut pieces = Vec::new();
	let report = exec
		.run_streaming(ArtifactFormat::Gguf, [1; 32], gguf, &CHAT, REQUEST.as_bytes(), &mut |p| {
			pieces.push(p.to_vec());
			ControlFlow::Continue(())
		})
		.unwrap();
	assert!(pieces.len() > 1, "the text comes token by token");
	let text = String::from_utf8(pieces.concat()).unwrap();

	// The same answer as the engine's own, and the tokens it counted.
	let model = ChatModel::load(gguf).unwrap();
	let request = ChatRequest::from_json(REQUEST.as_bytes()).unwrap();
	let outcome = model.chat(&request, &mut |_| ControlFlow::Continue(())).unwrap();
	assert_eq!(text, outcome.text);
	assert!(text.contains('4'), "{text}");
	let usage = report.usage.expect("a chat run reports its usage");
	assert_eq!(usage.prompt_tokens, model.prompt(&request).unwrap().len() as u32);
	assert_eq!(usage.completion_tokens, outcome.usage.completion_tokens);
	assert!(usage.completion_tokens <= 12);
}

#[test]
fn bad_chat_input_and_mismatched_schemas_are_refused() {
	let Some(gguf) = smollm2() else { return };
	let exec = Executor::new(verity_int8::engine::Backend::Cpu);
	let run = |schema: &IoSchema, input: &str| {
		exec.run(ArtifactFormat::Gguf, [2; 32], gguf, schema, input.as_bytes()).unwrap_err()
	};
	let err = run(&CHAT, "{\"messages\": []}");
	assert!(matches!(err, ExecError::BadInput(_)), "{err}");
	let err = run(&CHAT, r#"{"messages": [{"role": "user", "content": "hi"}], "max_tokens": 0}"#);
	assert!(err.to_string().contains("max_tokens is 0"), "{err}");
	// The version offers 32 tokens of context: a prompt and max_tokens above are refused.
	let small = IoSchema::Chat { max_context_tokens: 32 };
	let err = run(&small, REQUEST);
	assert!(err.to_string().contains("exceed the version's context of 32"), "{err}");
	// A schema that claims more context than the model has: the GGUF is not what it says.
	let huge = IoSchema::Chat { max_context_tokens: 1 << 20 };
	let err = run(&huge, REQUEST);
	assert!(matches!(err, ExecError::Schema(_)), "{err}");
	// A truncated GGUF does not load.
	let truncated = &gguf[..gguf.len() / 2];
	let err =
		exec.run(ArtifactFormat::Gguf, [3; 32], truncated, &CHAT, REQUEST.as_bytes()).unwrap_err();
	assert!(matches!(err, ExecError::Load(_)) && err.to_string().contains("truncated"), "{err}");
	// A token that can give more text than the chain allows a token: an honest answer could
	// be refused. 90 times `ÿ`, byte 0xFF: each may become U+FFFD (3 bytes).
	let long = with_token(gguf, 5, &"ÿ".repeat(90));
	let err =
		exec.run(ArtifactFormat::Gguf, [4; 32], &long, &CHAT, REQUEST.as_bytes()).unwrap_err();
	assert!(
		matches!(err, ExecError::Load(_)) && err.to_string().contains("can give 270 bytes"),
		"{err}"
	);
	// A run of 200 spaces (ASCII) is 200 bytes: within the bound, the model loads and runs.
	let spaces = with_token(gguf, 5, &"Ġ".repeat(200));
	exec.run(ArtifactFormat::Gguf, [5; 32], &spaces, &CHAT, REQUEST.as_bytes()).unwrap();
}

/// The GGUF `bytes` with token `id`'s text replaced by `text`.
fn with_token(bytes: &[u8], id: usize, text: &str) -> Vec<u8> {
	edit_metadata(bytes, |metadata| {
		let Some(Value::Array(tokens)) = metadata.get_mut("tokenizer.ggml.tokens") else {
			panic!("no vocabulary")
		};
		tokens[id] = Value::String(text.to_owned());
	})
	.unwrap()
}
