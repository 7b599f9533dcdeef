//! Bad input gets a specific error: malformed requests, files that are not what they claim,
//! more tokens than the context holds. Tool calls are parsed from the output.

use crate::common::model;
use std::ops::ControlFlow;
use verity_llm::{
	chat::{ChatRequest, FunctionDef, FunctionKind, Tool},
	generate::{generate, GenerationParams},
	gguf::Gguf,
	random::{edit_metadata, Value},
	tools, LlmError,
};

fn bad_request(json: &str) -> String {
	match ChatRequest::from_json(json.as_bytes()) {
		Err(LlmError::BadRequest(why)) => why,
		other => panic!("{json}: expected a bad request, got {other:?}"),
	}
}

#[test]
fn malformed_requests_are_refused_with_the_reason() {
	let user = r#"{"role": "user", "content": "hi"}"#;
	assert!(bad_request("not json").contains("expected"));
	assert!(bad_request(r#"{"messages": [], "max_tokens": 4}"#).contains("no messages"));
	assert!(bad_request(&format!(r#"{{"messages": [{user}], "max_tokens": 0}}"#))
		.contains("max_tokens"));
	assert!(bad_request(r#"{"messages": [{"role": "wizard", "content": "x"}], "max_tokens": 1}"#)
		.contains("wizard"));
	assert!(
		bad_request(r#"{"messages": [{"role": "user"}], "max_tokens": 1}"#).contains("no content")
	);
	assert!(bad_request(&format!(
		r#"{{"messages": [{user}], "max_tokens": 1, "temperature": 9}}"#
	))
	.contains("temperature"));
	assert!(bad_request(&format!(r#"{{"messages": [{user}], "max_tokens": 1, "extra": 1}}"#))
		.contains("unknown field"));
	let unknown_tool = format!(
		r#"{{"messages": [{user}], "max_tokens": 1, "tools": [{{"type": "function", "function": {{"name": "a"}}}}],
		"tool_choice": {{"type": "function", "function": {{"name": "b"}}}}}}"#
	);
	assert!(bad_request(&unknown_tool).contains("unknown tool \"b\""));
	let required =
		format!(r#"{{"messages": [{user}], "max_tokens": 1, "tool_choice": "required"}}"#);
	assert!(bad_request(&required).contains("no tools"));
	let stops =
		format!(r#"{{"messages": [{user}], "max_tokens": 1, "stop": ["a", "b", "c", "d", "e"]}}"#);
	assert!(bad_request(&stops).contains("stop sequences"));
}

#[test]
fn a_file_that_is_not_a_gguf_or_is_truncated_is_refused() {
	assert!(matches!(Gguf::parse(b"GGUF but not really"), Err(LlmError::BadGguf(_))));
	let Some(model) = model("smollm2") else { return };
	let truncated = &model.bytes[..model.bytes.len() - 1000];
	match Gguf::parse(truncated) {
		Err(LlmError::Truncated { needs, has, .. }) => assert!(needs > has),
		other => panic!("expected Truncated, got {:?}", other.err()),
	}
	// A header whose figures would allocate without bound, or disagree with the tensors.
	for (key, value) in [
		("llama.context_length", Value::U32(1 << 30)),
		("llama.embedding_length", Value::U32(640)),
		("llama.attention.head_count", Value::U32(100_000)),
		// candle divides by the alignment: 0 must be an error, not a crash.
		("general.alignment", Value::U32(0)),
	] {
		let bytes = with_metadata(&model.bytes, key, value);
		assert!(matches!(Gguf::parse(&bytes), Err(LlmError::BadGguf(_))), "{key}");
	}
}

/// The GGUF `bytes` with the metadata `key` set to `value`.
fn with_metadata(bytes: &[u8], key: &str, value: Value) -> Vec<u8> {
	edit_metadata(bytes, |metadata| {
		metadata.insert(key.to_owned(), value);
	})
	.unwrap()
}

#[test]
fn more_tokens_than_the_context_are_refused_before_any_work() {
	let Some(model) = model("smollm2") else { return };
	let context = model.chat.weights().hparams().context_length as u32;
	let prompt = model.chat.tokenizer().encode("Hello there", true).unwrap();
	let params = GenerationParams { max_tokens: context, ..Default::default() };
	let result =
		generate(model.chat.weights(), model.chat.tokenizer(), &prompt, &params, &mut |_| {
			panic!("no text may be produced")
		});
	assert!(matches!(result, Err(LlmError::ContextExceeded { .. })), "{:?}", result.err());
	let params = GenerationParams { max_tokens: 0, ..Default::default() };
	let result =
		generate(model.chat.weights(), model.chat.tokenizer(), &prompt, &params, &mut |_| {
			ControlFlow::Continue(())
		});
	assert!(matches!(result, Err(LlmError::BadRequest(_))));
}

#[test]
fn tool_calls_of_known_tools_are_parsed_from_the_output() {
	let tool = |name: &str| Tool {
		kind: FunctionKind::Function,
		function: FunctionDef { name: name.into(), description: None, parameters: None },
	};
	let text = "Let me check.\n<tool_call>\n{\"name\": \"weather\", \"arguments\": {\"city\": \"Paris\"}}\n</tool_call>\n<tool_call>{\"name\": \"nope\"}</tool_call>";
	let (rest, calls) = tools::parse(text, &[tool("weather")]);
	assert_eq!(calls.len(), 1);
	assert_eq!(calls[0].id, "call_0");
	assert_eq!(calls[0].function.name, "weather");
	assert_eq!(calls[0].function.arguments, r#"{"city":"Paris"}"#);
	assert!(rest.starts_with("Let me check."));
	assert!(rest.contains("nope"), "an unknown tool's block stays in the text: {rest}");
}
