//! The chat request a worker serves (OpenAI's shape): messages, tools, tool choice, sampling
//! parameters and `max_tokens`, checked before any token is computed.

use crate::{generate::GenerationParams, sampling::SamplingParams, LlmError};
use serde::{Deserialize, Serialize};

/// The most stop sequences a request may give.
pub const MAX_STOP: usize = 4;
/// The longest stop sequence, in bytes.
pub const MAX_STOP_BYTES: usize = 256;

/// A chat request.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChatRequest {
	/// The conversation so far.
	pub messages: Vec<Message>,
	/// Functions the model may call.
	#[serde(default, skip_serializing_if = "Vec::is_empty")]
	pub tools: Vec<Tool>,
	/// Whether and which tool the model should call.
	#[serde(default, skip_serializing_if = "Option::is_none")]
	pub tool_choice: Option<ToolChoice>,
	/// Tokens to produce at most.
	pub max_tokens: u32,
	/// 0 (the default) for greedy decoding.
	#[serde(default)]
	pub temperature: f32,
	/// Nucleus sampling (1 keeps every token).
	#[serde(default = "one")]
	pub top_p: f32,
	/// Keep the k most likely tokens (0 keeps all).
	#[serde(default)]
	pub top_k: u32,
	/// Seed of the sampler.
	#[serde(default)]
	pub seed: u64,
	/// Texts that end the answer.
	#[serde(default, skip_serializing_if = "Vec::is_empty")]
	pub stop: Vec<String>,
}

fn one() -> f32 {
	1.0
}

/// A message of the conversation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Message {
	/// Who speaks.
	pub role: Role,
	/// What was said (absent on an assistant message that only calls tools).
	#[serde(default, skip_serializing_if = "Option::is_none")]
	pub content: Option<String>,
	/// The calls an assistant message made.
	#[serde(default, skip_serializing_if = "Vec::is_empty")]
	pub tool_calls: Vec<ToolCall>,
	/// On a tool message: the call it answers.
	#[serde(default, skip_serializing_if = "Option::is_none")]
	pub tool_call_id: Option<String>,
}

/// Roles of a chat.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
	/// Instructions.
	System,
	/// The user.
	User,
	/// The model.
	Assistant,
	/// A tool's result.
	Tool,
}

/// A function the model may call.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tool {
	/// Always `function`.
	#[serde(rename = "type")]
	pub kind: FunctionKind,
	/// The function.
	pub function: FunctionDef,
}

/// The only tool kind: `"function"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FunctionKind {
	/// A function call.
	Function,
}

/// A function's name, description and JSON-Schema parameters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FunctionDef {
	/// Its name.
	pub name: String,
	/// What it does.
	#[serde(default, skip_serializing_if = "Option::is_none")]
	pub description: Option<String>,
	/// JSON Schema of its arguments.
	#[serde(default, skip_serializing_if = "Option::is_none")]
	pub parameters: Option<serde_json::Value>,
}

/// `none`, `auto`, `required`, or one named function.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ToolChoice {
	/// `"none"`, `"auto"` or `"required"`.
	Mode(ToolMode),
	/// `{"type": "function", "function": {"name": ...}}`.
	Named {
		/// Always `function`.
		#[serde(rename = "type")]
		kind: FunctionKind,
		/// The function to call.
		function: FunctionName,
	},
}

/// The tool modes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ToolMode {
	/// Never call a tool (tools are not shown to the model).
	None,
	/// The model decides.
	Auto,
	/// The model should call one.
	Required,
}

/// A function named by `tool_choice`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FunctionName {
	/// Its name.
	pub name: String,
}

/// A call the model made.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ToolCall {
	/// Identifies the call (tool messages answer it).
	pub id: String,
	/// Always `function`.
	#[serde(rename = "type")]
	pub kind: FunctionKind,
	/// The function and its arguments.
	pub function: FunctionCall,
}

/// A function called, with its arguments as a JSON text.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FunctionCall {
	/// The function.
	pub name: String,
	/// Its arguments, a JSON object as text.
	pub arguments: String,
}

impl ChatRequest {
	/// Parses a request from JSON, with errors that say what is wrong.
	pub fn from_json(json: &[u8]) -> Result<Self, LlmError> {
		let request: Self =
			serde_json::from_slice(json).map_err(|e| LlmError::BadRequest(e.to_string()))?;
		request.validate()?;
		Ok(request)
	}

	/// Checks what the types cannot: a conversation to answer, known tools, sane parameters.
	pub fn validate(&self) -> Result<(), LlmError> {
		let bad = |why: String| Err(LlmError::BadRequest(why));
		if self.messages.is_empty() {
			return bad("no messages".into());
		}
		if self.max_tokens == 0 {
			return bad("max_tokens is 0".into());
		}
		if !(self.temperature.is_finite() && self.temperature >= 0.0 && self.temperature <= 2.0) {
			return bad(format!("temperature {} is outside [0, 2]", self.temperature));
		}
		if self.stop.len() > MAX_STOP || self.stop.iter().any(|s| s.len() > MAX_STOP_BYTES) {
			return bad(format!("at most {MAX_STOP} stop sequences of {MAX_STOP_BYTES} bytes"));
		}
		if !(self.top_p > 0.0 && self.top_p <= 1.0) {
			return bad(format!("top_p {} is outside (0, 1]", self.top_p));
		}
		for message in &self.messages {
			message.validate()?;
		}
		self.validate_tools()
	}

	fn validate_tools(&self) -> Result<(), LlmError> {
		for (i, tool) in self.tools.iter().enumerate() {
			if tool.function.name.is_empty() || has_tool(&self.tools[..i], &tool.function.name) {
				return Err(LlmError::BadRequest(format!(
					"tool name {:?} is empty or repeated",
					tool.function.name
				)));
			}
		}
		match &self.tool_choice {
			Some(ToolChoice::Named { function, .. }) if !has_tool(&self.tools, &function.name) => {
				Err(LlmError::BadRequest(format!(
					"tool_choice names an unknown tool {:?}",
					function.name
				)))
			},
			Some(ToolChoice::Mode(ToolMode::Required)) if self.tools.is_empty() => {
				Err(LlmError::BadRequest("tool_choice is required but no tools are given".into()))
			},
			_ => Ok(()),
		}
	}

	/// The tools the model sees: none when `tool_choice` is `none`.
	pub fn visible_tools(&self) -> &[Tool] {
		match self.tool_choice {
			Some(ToolChoice::Mode(ToolMode::None)) => &[],
			_ => &self.tools,
		}
	}

	/// The sampler's parameters.
	pub fn sampling(&self) -> SamplingParams {
		SamplingParams {
			temperature: self.temperature,
			top_p: self.top_p,
			top_k: self.top_k,
			seed: self.seed,
		}
	}

	/// What to generate: `max_tokens`, the sampler and the stop sequences.
	pub fn generation_params(&self) -> GenerationParams {
		GenerationParams {
			max_tokens: self.max_tokens,
			sampling: self.sampling(),
			stop: self.stop.clone(),
		}
	}
}

fn has_tool(tools: &[Tool], name: &str) -> bool {
	tools.iter().any(|t| t.function.name == name)
}

impl Message {
	fn validate(&self) -> Result<(), LlmError> {
		let bad = |why: &str| Err(LlmError::BadRequest(format!("a {:?} message {why}", self.role)));
		match self.role {
			Role::Assistant if self.content.is_none() && self.tool_calls.is_empty() => {
				bad("has neither content nor tool calls")
			},
			Role::Assistant => Ok(()),
			_ if !self.tool_calls.is_empty() => bad("has tool calls"),
			_ if self.content.is_none() => bad("has no content"),
			Role::Tool if self.tool_call_id.is_none() => bad("does not name its tool call"),
			_ => Ok(()),
		}
	}
}
