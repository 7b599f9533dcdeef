//! Rendering a chat request into the prompt text with the GGUF's own chat template (Jinja),
//! the way Hugging Face's `apply_chat_template` does: trimmed blocks, `raise_exception`,
//! Python's `json.dumps` spacing for `tojson`, and Python string methods.

use crate::{
	chat::{ChatRequest, Message},
	LlmError,
};
use minijinja::{value::Kwargs, Environment, Error, ErrorKind, Value};
use serde_json::json;

/// Instructions a template may run per rendering (minijinja's fuel).
const TEMPLATE_FUEL: u64 = 1_000_000;

/// A compiled chat template.
pub struct ChatTemplate {
	env: Environment<'static>,
	bos: String,
	eos: String,
}

impl ChatTemplate {
	/// Compiles `source`; `bos` and `eos` are the texts of the model's BOS and EOS tokens.
	pub fn new(source: &str, bos: &str, eos: &str) -> Result<Self, LlmError> {
		let mut env = Environment::new();
		env.set_trim_blocks(true);
		env.set_lstrip_blocks(true);
		// The template comes with the model: bounded work, whatever it says.
		env.set_fuel(Some(TEMPLATE_FUEL));
		env.set_unknown_method_callback(minijinja_contrib::pycompat::unknown_method_callback);
		env.add_function("raise_exception", |message: String| -> Result<Value, Error> {
			Err(Error::new(ErrorKind::InvalidOperation, message))
		});
		env.add_filter("tojson", python_json);
		env.add_template_owned("chat", source.to_owned())
			.map_err(|e| LlmError::Template(e.to_string()))?;
		Ok(Self { env, bos: bos.to_owned(), eos: eos.to_owned() })
	}

	/// The prompt for `request`, ending with the assistant's turn opened.
	pub fn render(&self, request: &ChatRequest) -> Result<String, LlmError> {
		let messages: Vec<serde_json::Value> = request.messages.iter().map(message_value).collect();
		let tools = request.visible_tools();
		let context = minijinja::context! {
			messages => Value::from_serialize(&messages),
			tools => if tools.is_empty() { Value::from(()) } else { Value::from_serialize(tools) },
			add_generation_prompt => true,
			bos_token => &self.bos,
			eos_token => &self.eos,
		};
		let template =
			self.env.get_template("chat").map_err(|e| LlmError::Template(e.to_string()))?;
		template.render(context).map_err(|e| LlmError::Template(e.to_string()))
	}
}

/// A message as templates expect it: tool-call arguments as objects where they parse.
fn message_value(message: &Message) -> serde_json::Value {
	let mut value = json!({ "role": message.role, "content": message.content });
	if !message.tool_calls.is_empty() {
		let calls: Vec<_> = message
			.tool_calls
			.iter()
			.map(|call| {
				let arguments = serde_json::from_str::<serde_json::Value>(&call.function.arguments)
					.unwrap_or_else(|_| call.function.arguments.clone().into());
				json!({
					"id": call.id,
					"type": "function",
					"function": { "name": call.function.name, "arguments": arguments },
				})
			})
			.collect();
		value["tool_calls"] = calls.into();
	}
	if let Some(id) = &message.tool_call_id {
		value["tool_call_id"] = id.clone().into();
	}
	value
}

/// `tojson` as Python's `json.dumps` writes it: `", "` and `": "` separators, non-ASCII kept,
/// nothing escaped for HTML; `indent=n` pretty-prints.
fn python_json(value: &Value, kwargs: Kwargs) -> Result<Value, Error> {
	let _: Option<bool> = kwargs.get("ensure_ascii")?;
	let indent: Option<usize> = kwargs.get("indent")?;
	kwargs.assert_all_used()?;
	let mut out = Vec::new();
	let written = match indent {
		None => serde::Serialize::serialize(
			value,
			&mut serde_json::Serializer::with_formatter(&mut out, PythonFormatter),
		),
		Some(n) => {
			let indent = vec![b' '; n];
			let formatter = serde_json::ser::PrettyFormatter::with_indent(&indent);
			serde::Serialize::serialize(
				value,
				&mut serde_json::Serializer::with_formatter(&mut out, formatter),
			)
		},
	};
	written.map_err(|e| Error::new(ErrorKind::InvalidOperation, e.to_string()))?;
	let text = String::from_utf8(out)
		.map_err(|e| Error::new(ErrorKind::InvalidOperation, e.to_string()))?;
	Ok(Value::from_safe_string(text))
}

/// serde_json's compact output with Python's separators.
struct PythonFormatter;

impl serde_json::ser::Formatter for PythonFormatter {
	fn begin_array_value<W: ?Sized + std::io::Write>(
		&mut self,
		w: &mut W,
		first: bool,
	) -> std::io::Result<()> {
		comma_unless_first(w, first)
	}

	fn begin_object_key<W: ?Sized + std::io::Write>(
		&mut self,
		w: &mut W,
		first: bool,
	) -> std::io::Result<()> {
		comma_unless_first(w, first)
	}

	fn begin_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
		w.write_all(b": ")
	}
}

fn comma_unless_first<W: ?Sized + std::io::Write>(w: &mut W, first: bool) -> std::io::Result<()> {
	if first {
		Ok(())
	} else {
		w.write_all(b", ")
	}
}
