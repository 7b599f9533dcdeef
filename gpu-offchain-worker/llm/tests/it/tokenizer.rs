//! Token ids and chat prompts agree with llama.cpp's on both reference models.

use crate::common::{llama_cpp, model, Model};
use serde_json::json;
use verity_llm::chat::ChatRequest;

/// Digits, whitespace runs, contractions, unicode, code, and special tokens.
const TEXTS: &[&str] = &[
	"Hello world",
	"1234567890 and 3.14159, 1,000,000",
	"  leading spaces,\ttabs\t\tand   runs    \n\n\n of whitespace   ",
	"I'm sure they'll say it's 'fine' -- DON'T",
	"naïve café, Größe,日本語のテキスト, Ελληνικά, emoji 🦀🚀 and ½ ²",
	"fn main() {\n    println!(\"{}\", x + 1);\n}\n",
	"<|im_start|>user\nHi there<|im_end|>\n<|im_start|>assistant\n",
	"<|endoftext|>text after a special token<|im_end|>",
	"\r\n\r\nwindows\r\nlines",
	"",
];

fn same_tokens(model: &Model) {
	let reference = llama_cpp(model, json!({ "tokenize": TEXTS }));
	for (text, expected) in TEXTS.iter().zip(reference["tokenize"].as_array().unwrap()) {
		let expected: Vec<u32> = serde_json::from_value(expected.clone()).unwrap();
		let ours = model.chat.tokenizer().encode(text, true).unwrap();
		assert_eq!(ours, expected, "token ids of {text:?}");
	}
}

#[test]
fn smollm2_token_ids_match_llama_cpp() {
	if let Some(model) = model("smollm2") {
		same_tokens(model);
	}
}

#[test]
fn qwen2_token_ids_match_llama_cpp() {
	if let Some(model) = model("qwen2.5-coder-0.5b") {
		same_tokens(model);
	}
}

#[test]
fn special_texts_are_plain_text_unless_parsed() {
	let Some(model) = model("smollm2") else { return };
	let text = "<|im_start|>";
	assert_eq!(model.chat.tokenizer().encode(text, true).unwrap().len(), 1);
	assert!(model.chat.tokenizer().encode(text, false).unwrap().len() > 1);
}

fn conversations() -> Vec<serde_json::Value> {
	// Tool definitions with their keys in sorted order: the canonical request sorts keys.
	let weather = json!({"function": {"description": "The weather in a city", "name": "weather",
		"parameters": {"properties": {"city": {"type": "string"}}, "required": ["city"], "type": "object"}},
		"type": "function"});
	vec![
		json!({"messages": [{"role": "user", "content": "Hi"}], "max_tokens": 8}),
		json!({"messages": [
			{"role": "system", "content": "You answer in French."},
			{"role": "user", "content": "Hello"},
			{"role": "assistant", "content": "Bonjour"},
			{"role": "user", "content": "How are you?"}], "max_tokens": 8}),
		json!({"messages": [
			{"role": "user", "content": "Weather in Paris?"},
			{"role": "assistant", "tool_calls": [{"id": "call_0", "type": "function",
				"function": {"name": "weather", "arguments": "{\"city\": \"Paris\"}"}}]},
			{"role": "tool", "tool_call_id": "call_0", "content": "18 C, sunny"}],
			"tools": [weather], "max_tokens": 8}),
	]
}

fn same_prompts(model: &Model, with_tools: bool) {
	let conversations: Vec<_> =
		conversations().into_iter().filter(|c| with_tools || c.get("tools").is_none()).collect();
	let reference = llama_cpp(model, json!({ "chat": conversations }));
	for (conversation, expected) in conversations.iter().zip(reference["chat"].as_array().unwrap())
	{
		let request = ChatRequest::from_json(conversation.to_string().as_bytes()).unwrap();
		let ours = model.chat.template().render(&request).unwrap();
		assert_eq!(ours, expected.as_str().unwrap(), "prompt of {conversation}");
	}
}

#[test]
fn smollm2_chat_prompts_match_llama_cpp() {
	if let Some(model) = model("smollm2") {
		same_prompts(model, false);
	}
}

#[test]
fn qwen2_chat_prompts_with_tools_match_llama_cpp() {
	if let Some(model) = model("qwen2.5-coder-0.5b") {
		same_prompts(model, true);
	}
}
