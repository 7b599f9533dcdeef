//! Model input/output schemas as JSON files.
//!
//! ```json
//! {"inputs":  [{"name": "input",  "dtype": "f32", "shape": [1, 784]}],
//!  "outputs": [{"name": "logits", "dtype": "f32", "shape": [1, 10]}]}
//! ```
//! or, for an LLM, `{"chat": {"max_context_tokens": 8192}}`.

use serde_json::Value;
use verity_primitives::{IoSchema, TensorDtype, TensorSpec};

/// Parses a schema document; every fault names the field at fault.
pub fn parse(text: &str) -> Result<IoSchema, String> {
	let document: Value =
		serde_json::from_str(text).map_err(|e| format!("schema is not JSON: {e}"))?;
	if let Some(chat) = document.get("chat") {
		let tokens = chat
			.get("max_context_tokens")
			.and_then(Value::as_u64)
			.and_then(|tokens| u32::try_from(tokens).ok())
			.ok_or("schema: chat.max_context_tokens must be a whole number of tokens")?;
		return Ok(IoSchema::Chat { max_context_tokens: tokens });
	}
	let side = |key: &str| -> Result<Vec<TensorSpec>, String> {
		let tensors = document.get(key).and_then(Value::as_array).ok_or_else(|| {
			format!("schema: `{key}` must be a list of tensors (or use {{\"chat\": ...}})")
		})?;
		tensors.iter().enumerate().map(|(index, tensor)| parse_tensor(key, index, tensor)).collect()
	};
	let (inputs, outputs) = (side("inputs")?, side("outputs")?);
	let bounded = |key: &str, tensors: Vec<TensorSpec>| {
		let count = tensors.len();
		tensors.try_into().map_err(|_| {
			format!(
				"schema: `{key}` has {count} tensors, more than {}",
				verity_primitives::MAX_TENSORS
			)
		})
	};
	Ok(IoSchema::Tensors {
		inputs: bounded("inputs", inputs)?,
		outputs: bounded("outputs", outputs)?,
	})
}

fn parse_tensor(side: &str, index: usize, tensor: &Value) -> Result<TensorSpec, String> {
	let at = format!("schema: {side}[{index}]");
	let name =
		tensor.get("name").and_then(Value::as_str).ok_or(format!("{at}.name must be a string"))?;
	let dtype: TensorDtype = tensor
		.get("dtype")
		.and_then(Value::as_str)
		.ok_or(format!("{at}.dtype must be a string"))?
		.parse()
		.map_err(|e| format!("{at}.dtype: {e}"))?;
	let shape = tensor
		.get("shape")
		.and_then(Value::as_array)
		.ok_or(format!("{at}.shape must be a list"))?;
	let shape = shape
		.iter()
		.enumerate()
		.map(|(axis, dim)| {
			dim.as_u64()
				.and_then(|dim| u32::try_from(dim).ok())
				.ok_or(format!("{at}.shape[{axis}] must be a whole number below 2^32 (got {dim})"))
		})
		.collect::<Result<Vec<_>, _>>()?;
	Ok(TensorSpec {
		name: name.as_bytes().to_vec().try_into().map_err(|_| format!("{at}.name is too long"))?,
		dtype,
		shape: shape.try_into().map_err(|_| {
			format!("{at}.shape has more than {} dimensions", verity_primitives::MAX_TENSOR_RANK)
		})?,
	})
}

/// The schema as JSON, in the same form [`parse`] reads.
pub fn to_json(schema: &IoSchema) -> Value {
	let tensors = |tensors: &[TensorSpec]| -> Value {
		tensors
			.iter()
			.map(|tensor| {
				serde_json::json!({
					"name": String::from_utf8_lossy(&tensor.name),
					"dtype": tensor.dtype.name(),
					"shape": tensor.shape.to_vec(),
				})
			})
			.collect()
	};
	match schema {
		IoSchema::Tensors { inputs, outputs } => {
			serde_json::json!({ "inputs": tensors(inputs), "outputs": tensors(outputs) })
		},
		IoSchema::Chat { max_context_tokens } => {
			serde_json::json!({ "chat": { "max_context_tokens": max_context_tokens } })
		},
	}
}
