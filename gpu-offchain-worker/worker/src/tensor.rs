//! The canonical byte layout of a request's input and a result's output for a tensor schema:
//! the tensors concatenated in schema order, each row-major, each element little-endian
//! (`f32`/`i32` 4 bytes, `i64` 8, `f16`/`bf16` 2, `i8`/`u8` 1, `bool` 1 byte 0 or 1).
//!
//! JSON form: an object `{ "<tensor name>": nested arrays }`, or for a single tensor the bare
//! nested array. A scalar tensor (empty shape) is a bare number. Non-finite floats come out of
//! [`bytes_to_json`] as `null` (JSON has no NaN or infinity).

use half::{bf16, f16};
use serde_json::Value;
use verity_primitives::{TensorDtype, TensorSpec};

/// Why tensor bytes or JSON do not match a schema.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TensorError {
	/// The bytes are not the schema's length.
	#[error("tensor bytes: expected {expected} bytes, got {got}")]
	Length {
		/// Bytes the schema needs.
		expected: usize,
		/// Bytes given.
		got: usize,
	},
	/// The schema's total size overflows.
	#[error("the schema's tensors are too large")]
	TooLarge,
	/// The JSON is not an object of tensors (or one bare array).
	#[error("{0}")]
	Json(String),
	/// One tensor does not fit its spec.
	#[error("tensor `{tensor}`: {reason}")]
	Tensor {
		/// The tensor's name.
		tensor: String,
		/// What is wrong, with what was expected.
		reason: String,
	},
}

/// Bytes per element.
pub fn dtype_size(dtype: TensorDtype) -> usize {
	match dtype {
		TensorDtype::F32 | TensorDtype::I32 => 4,
		TensorDtype::I64 => 8,
		TensorDtype::F16 | TensorDtype::Bf16 => 2,
		TensorDtype::I8 | TensorDtype::U8 | TensorDtype::Bool => 1,
	}
}

/// The tensor's name as text (lossy for non-UTF-8).
pub fn spec_name(spec: &TensorSpec) -> String {
	String::from_utf8_lossy(&spec.name).into_owned()
}

/// Bytes of one tensor, or `None` on overflow.
pub fn tensor_len(spec: &TensorSpec) -> Option<usize> {
	usize::try_from(spec.elements()?).ok()?.checked_mul(dtype_size(spec.dtype))
}

/// Total bytes of `specs`, or `None` on overflow.
pub fn encoded_len(specs: &[TensorSpec]) -> Option<usize> {
	specs.iter().try_fold(0usize, |acc, spec| acc.checked_add(tensor_len(spec)?))
}

/// Splits canonical bytes into one slice per tensor, checking the total length.
pub fn split<'a>(specs: &[TensorSpec], bytes: &'a [u8]) -> Result<Vec<&'a [u8]>, TensorError> {
	let expected = encoded_len(specs).ok_or(TensorError::TooLarge)?;
	if bytes.len() != expected {
		return Err(TensorError::Length { expected, got: bytes.len() });
	}
	let mut rest = bytes;
	Ok(specs
		.iter()
		.map(|spec| {
			let (head, tail) = rest.split_at(tensor_len(spec).expect("checked above"));
			rest = tail;
			head
		})
		.collect())
}

fn tensor_err(spec: &TensorSpec, reason: String) -> TensorError {
	TensorError::Tensor { tensor: spec_name(spec), reason }
}

/// Encodes JSON tensors into canonical bytes.
pub fn json_to_bytes(specs: &[TensorSpec], value: &Value) -> Result<Vec<u8>, TensorError> {
	let total = encoded_len(specs).ok_or(TensorError::TooLarge)?;
	let mut out = Vec::with_capacity(total);
	match value {
		Value::Object(map) => {
			for key in map.keys() {
				if !specs.iter().any(|spec| spec_name(spec) == *key) {
					let names: Vec<String> = specs.iter().map(spec_name).collect();
					return Err(TensorError::Json(format!(
						"unknown tensor `{key}`; the schema's inputs are: {}",
						names.join(", ")
					)));
				}
			}
			for spec in specs {
				let tensor = map
					.get(&spec_name(spec))
					.ok_or_else(|| tensor_err(spec, "missing from the JSON object".to_string()))?;
				encode_tensor(spec, tensor, &mut out)?;
			}
		},
		_ if specs.len() == 1 => encode_tensor(&specs[0], value, &mut out)?,
		_ => {
			return Err(TensorError::Json(format!(
				"expected a JSON object with {} tensors by name",
				specs.len()
			)))
		},
	}
	debug_assert_eq!(out.len(), total);
	Ok(out)
}

fn shape_text(shape: &[u32]) -> String {
	format!("{shape:?}")
}

fn encode_tensor(spec: &TensorSpec, value: &Value, out: &mut Vec<u8>) -> Result<(), TensorError> {
	let mut index = Vec::new();
	walk(spec, value, 0, &mut index, out)
}

fn walk(
	spec: &TensorSpec,
	value: &Value,
	depth: usize,
	index: &mut Vec<usize>,
	out: &mut Vec<u8>,
) -> Result<(), TensorError> {
	if depth == spec.shape.len() {
		return encode_element(spec, value, index, out);
	}
	let dim = spec.shape[depth] as usize;
	let expected = format!("expected shape {} ({})", shape_text(&spec.shape), spec.dtype.name());
	match value {
		Value::Array(items) if items.len() == dim => {
			for (i, item) in items.iter().enumerate() {
				index.push(i);
				walk(spec, item, depth + 1, index, out)?;
				index.pop();
			}
			Ok(())
		},
		Value::Array(items) => Err(tensor_err(
			spec,
			format!("{expected}: axis {depth} at {index:?} has {} entries, not {dim}", items.len()),
		)),
		_ => Err(tensor_err(spec, format!("{expected}: at {index:?} found {value}, not an array"))),
	}
}

fn encode_element(
	spec: &TensorSpec,
	value: &Value,
	index: &[usize],
	out: &mut Vec<u8>,
) -> Result<(), TensorError> {
	let bad =
		|what: &str| tensor_err(spec, format!("element {index:?} is {value}, expected {what}"));
	let dtype = spec.dtype;
	let float = || value.as_f64().ok_or_else(|| bad("a number"));
	let int = |lo: i64, hi: i64, what: &str| -> Result<i64, TensorError> {
		let v = value.as_i64().ok_or_else(|| bad(what))?;
		if v < lo || v > hi {
			return Err(bad(what));
		}
		Ok(v)
	};
	match dtype {
		TensorDtype::F32 => {
			let v = float()?;
			if v.abs() > f64::from(f32::MAX) {
				return Err(bad("a number in f32 range"));
			}
			out.extend_from_slice(&(v as f32).to_le_bytes());
		},
		TensorDtype::F16 => {
			let v = f16::from_f64(float()?);
			if v.is_infinite() {
				return Err(bad("a number in f16 range"));
			}
			out.extend_from_slice(&v.to_le_bytes());
		},
		TensorDtype::Bf16 => {
			let v = bf16::from_f64(float()?);
			if v.is_infinite() {
				return Err(bad("a number in bf16 range"));
			}
			out.extend_from_slice(&v.to_le_bytes());
		},
		TensorDtype::I64 => {
			out.extend_from_slice(&int(i64::MIN, i64::MAX, "an i64 integer")?.to_le_bytes())
		},
		TensorDtype::I32 => out.extend_from_slice(
			&(int(i32::MIN.into(), i32::MAX.into(), "an i32 integer")? as i32).to_le_bytes(),
		),
		TensorDtype::I8 => out.push(int(-128, 127, "an integer in -128..=127")? as i8 as u8),
		TensorDtype::U8 => out.push(int(0, 255, "an integer in 0..=255")? as u8),
		TensorDtype::Bool => out.push(match value {
			Value::Bool(b) => u8::from(*b),
			_ => int(0, 1, "true, false, 0 or 1")? as u8,
		}),
	}
	Ok(())
}

/// Decodes canonical bytes into a JSON object `{name: nested arrays}`.
pub fn bytes_to_json(specs: &[TensorSpec], bytes: &[u8]) -> Result<Value, TensorError> {
	let parts = split(specs, bytes)?;
	let mut map = serde_json::Map::new();
	for (spec, part) in specs.iter().zip(parts) {
		let size = dtype_size(spec.dtype);
		let elements: Vec<Value> = part
			.chunks_exact(size)
			.map(|raw| element_to_json(spec.dtype, raw))
			.collect::<Result<_, _>>()
			.map_err(|reason| tensor_err(spec, reason))?;
		map.insert(spec_name(spec), nest(&spec.shape, &elements));
	}
	Ok(Value::Object(map))
}

fn float_json(v: f64) -> Value {
	serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number)
}

fn element_to_json(dtype: TensorDtype, raw: &[u8]) -> Result<Value, String> {
	Ok(match dtype {
		TensorDtype::F32 => float_json(f64::from(f32::from_le_bytes(raw.try_into().unwrap()))),
		TensorDtype::F16 => float_json(f16::from_le_bytes([raw[0], raw[1]]).to_f64()),
		TensorDtype::Bf16 => float_json(bf16::from_le_bytes([raw[0], raw[1]]).to_f64()),
		TensorDtype::I64 => Value::from(i64::from_le_bytes(raw.try_into().unwrap())),
		TensorDtype::I32 => Value::from(i32::from_le_bytes(raw.try_into().unwrap())),
		TensorDtype::I8 => Value::from(raw[0] as i8),
		TensorDtype::U8 => Value::from(raw[0]),
		TensorDtype::Bool => match raw[0] {
			0 => Value::Bool(false),
			1 => Value::Bool(true),
			other => return Err(format!("bool byte {other} is neither 0 nor 1")),
		},
	})
}

fn nest(shape: &[u32], elements: &[Value]) -> Value {
	match shape.split_first() {
		None => elements.first().cloned().unwrap_or(Value::Null),
		Some((dim, rest)) => {
			let chunk = elements.len() / (*dim as usize).max(1);
			Value::Array(elements.chunks(chunk.max(1)).map(|part| nest(rest, part)).collect())
		},
	}
}
