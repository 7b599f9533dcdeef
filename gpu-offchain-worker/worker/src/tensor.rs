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

#[cfg(test)]
mod tests {
	use super::*;
	use serde_json::json;

	pub(crate) fn spec(name: &str, dtype: TensorDtype, shape: &[u32]) -> TensorSpec {
		TensorSpec {
			name: name.as_bytes().to_vec().try_into().unwrap(),
			dtype,
			shape: shape.to_vec().try_into().unwrap(),
		}
	}

	#[test]
	fn layout_is_concatenated_row_major_little_endian() {
		let specs = [
			spec("a", TensorDtype::F32, &[2, 2]),
			spec("ids", TensorDtype::I64, &[3]),
			spec("mask", TensorDtype::Bool, &[1, 3]),
			spec("h", TensorDtype::F16, &[2]),
			spec("b", TensorDtype::Bf16, &[]),
			spec("q", TensorDtype::I8, &[2]),
			spec("u", TensorDtype::U8, &[1]),
			spec("i", TensorDtype::I32, &[1]),
		];
		assert_eq!(encoded_len(&specs), Some(16 + 24 + 3 + 4 + 2 + 2 + 1 + 4));
		let value = json!({
			"a": [[1.0, -2.5], [3.0, 0.25]],
			"ids": [1, -2, 9007199254740993i64],
			"mask": [[true, false, 1]],
			"h": [0.5, -2.0],
			"b": 1.5,
			"q": [-128, 127],
			"u": [255],
			"i": [-7],
		});
		let bytes = json_to_bytes(&specs, &value).unwrap();
		let mut expected = Vec::new();
		for v in [1.0f32, -2.5, 3.0, 0.25] {
			expected.extend_from_slice(&v.to_le_bytes());
		}
		for v in [1i64, -2, 9007199254740993] {
			expected.extend_from_slice(&v.to_le_bytes());
		}
		expected.extend_from_slice(&[1, 0, 1]);
		expected.extend_from_slice(&[0x00, 0x38, 0x00, 0xC0]); // f16 0.5, -2.0
		expected.extend_from_slice(&[0xC0, 0x3F]); // bf16 1.5
		expected.extend_from_slice(&[0x80, 0x7F, 0xFF]);
		expected.extend_from_slice(&(-7i32).to_le_bytes());
		assert_eq!(bytes, expected);

		let back = bytes_to_json(&specs, &bytes).unwrap();
		let mut expected_json = value.clone();
		expected_json["mask"] = json!([[true, false, true]]);
		assert_eq!(back, expected_json);
	}

	#[test]
	fn single_tensor_accepts_a_bare_array() {
		let specs = [spec("input", TensorDtype::F32, &[1, 3])];
		let bare = json_to_bytes(&specs, &json!([[1, 2, 3]])).unwrap();
		let named = json_to_bytes(&specs, &json!({"input": [[1, 2, 3]]})).unwrap();
		assert_eq!(bare, named);
		assert_eq!(bare.len(), 12);
	}

	#[test]
	fn errors_name_the_tensor_and_the_expectation() {
		let specs = [spec("x", TensorDtype::I8, &[2, 2]), spec("y", TensorDtype::F32, &[1])];
		let msg = |v: Value| json_to_bytes(&specs, &v).unwrap_err().to_string();
		assert!(msg(json!({"x": [[1, 2], [3]], "y": [0]})).contains(
			"tensor `x`: expected shape [2, 2] (i8): axis 1 at [1] has 1 entries, not 2"
		));
		assert!(msg(json!({"x": [[1, 2], [3, 300]], "y": [0]}))
			.contains("element [1, 1] is 300, expected an integer in -128..=127"));
		assert!(msg(json!({"x": [[1, 2], [3, 1.5]], "y": [0]})).contains("tensor `x`"));
		assert!(msg(json!({"x": [[1, 2], [3, 4]]})).contains("tensor `y`: missing"));
		assert!(
			msg(json!({"x": [[1, 2], [3, 4]], "y": [0], "z": 1})).contains("unknown tensor `z`")
		);
		assert!(msg(json!({"x": [[1, 2], [3, 4]], "y": ["a"]})).contains("expected a number"));
		assert!(msg(json!({"x": [[1, 2], [3, 4]], "y": [1e300]})).contains("f32 range"));
		assert!(msg(json!([1, 2])).contains("JSON object with 2 tensors"));
		assert_eq!(
			bytes_to_json(&specs, &[0; 7]).unwrap_err(),
			TensorError::Length { expected: 8, got: 7 }
		);
		let bools = [spec("m", TensorDtype::Bool, &[1])];
		assert!(bytes_to_json(&bools, &[2]).unwrap_err().to_string().contains("bool byte 2"));
	}

	#[test]
	fn non_finite_floats_become_null() {
		let specs = [spec("y", TensorDtype::F32, &[2])];
		let mut bytes = f32::NAN.to_le_bytes().to_vec();
		bytes.extend_from_slice(&2.0f32.to_le_bytes());
		assert_eq!(bytes_to_json(&specs, &bytes).unwrap(), json!({"y": [null, 2.0]}));
	}
}
