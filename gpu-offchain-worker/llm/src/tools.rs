//! Tool calls in a generated text, in the Hermes format that Qwen2.5's template teaches:
//! `<tool_call>{"name": ..., "arguments": {...}}</tool_call>`.

use crate::chat::{FunctionCall, FunctionKind, Tool, ToolCall};

const OPEN: &str = "<tool_call>";
const CLOSE: &str = "</tool_call>";

/// The text outside tool-call blocks, and the calls of known tools found in it. A block that
/// is not a JSON object with a known tool's `name` stays in the text.
pub fn parse(text: &str, tools: &[Tool]) -> (String, Vec<ToolCall>) {
	let mut rest = String::new();
	let mut calls = Vec::new();
	let mut remaining = text;
	while let Some(start) = remaining.find(OPEN) {
		let body_start = start + OPEN.len();
		let Some(len) = remaining[body_start..].find(CLOSE) else { break };
		let body = &remaining[body_start..body_start + len];
		match call(body, tools, calls.len()) {
			Some(call) => {
				rest.push_str(&remaining[..start]);
				calls.push(call);
			},
			None => rest.push_str(&remaining[..body_start + len + CLOSE.len()]),
		}
		remaining = &remaining[body_start + len + CLOSE.len()..];
	}
	rest.push_str(remaining);
	(rest.trim().to_owned(), calls)
}

fn call(body: &str, tools: &[Tool], index: usize) -> Option<ToolCall> {
	let value: serde_json::Value = serde_json::from_str(body.trim()).ok()?;
	let name = value.get("name")?.as_str()?;
	tools.iter().find(|t| t.function.name == name)?;
	let arguments = value.get("arguments").cloned().unwrap_or_else(|| serde_json::json!({}));
	Some(ToolCall {
		id: format!("call_{index}"),
		kind: FunctionKind::Function,
		function: FunctionCall { name: name.to_owned(), arguments: arguments.to_string() },
	})
}
