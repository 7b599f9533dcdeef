//! The tensor layout: JSON to the request's bytes and back.

use serde_json::json;
use serde_json::Value;
use verity_primitives::{TensorDtype, TensorSpec};
use verity_worker::tensor::*;

fn spec(name: &str, dtype: TensorDtype, shape: &[u32]) -> TensorSpec {
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
	assert!(msg(json!({"x": [[1, 2], [3]], "y": [0]}))
		.contains("tensor `x`: expected shape [2, 2] (i8): axis 1 at [1] has 1 entries, not 2"));
	assert!(msg(json!({"x": [[1, 2], [3, 300]], "y": [0]}))
		.contains("element [1, 1] is 300, expected an integer in -128..=127"));
	assert!(msg(json!({"x": [[1, 2], [3, 1.5]], "y": [0]})).contains("tensor `x`"));
	assert!(msg(json!({"x": [[1, 2], [3, 4]]})).contains("tensor `y`: missing"));
	assert!(msg(json!({"x": [[1, 2], [3, 4]], "y": [0], "z": 1})).contains("unknown tensor `z`"));
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
