//! Small float ONNX models built in Rust (tract's protobuf types, prost-encoded), deterministic
//! from a seed, for end-to-end tests and demos. Inputs are named `input`, outputs `output`, with
//! batch 1 and f32 elements.

use crate::rng::SplitMix64;
use prost::Message;
use tract_onnx::pb::{
	attribute_proto::AttributeType, tensor_proto::DataType, tensor_shape_proto, type_proto,
	AttributeProto, GraphProto, ModelProto, NodeProto, OperatorSetIdProto, TensorProto,
	TensorShapeProto, TypeProto, ValueInfoProto,
};
use verity_primitives::{IoSchema, TensorDtype, TensorSpec};

fn value_info(name: &str, shape: &[usize]) -> ValueInfoProto {
	let dims = shape
		.iter()
		.map(|d| tensor_shape_proto::Dimension {
			denotation: String::new(),
			value: Some(tensor_shape_proto::dimension::Value::DimValue(*d as i64)),
		})
		.collect();
	ValueInfoProto {
		name: name.to_string(),
		r#type: Some(TypeProto {
			denotation: String::new(),
			value: Some(type_proto::Value::TensorType(type_proto::Tensor {
				elem_type: DataType::Float as i32,
				shape: Some(TensorShapeProto { dim: dims }),
			})),
		}),
		doc_string: String::new(),
	}
}

/// A float initializer.
pub fn float_tensor(name: &str, dims: &[usize], data: Vec<f32>) -> TensorProto {
	assert_eq!(dims.iter().product::<usize>(), data.len());
	TensorProto {
		name: name.to_string(),
		dims: dims.iter().map(|d| *d as i64).collect(),
		data_type: DataType::Float as i32,
		float_data: data,
		..Default::default()
	}
}

/// An int64 initializer.
pub fn int64_tensor(name: &str, dims: &[usize], data: Vec<i64>) -> TensorProto {
	TensorProto {
		name: name.to_string(),
		dims: dims.iter().map(|d| *d as i64).collect(),
		data_type: DataType::Int64 as i32,
		int64_data: data,
		..Default::default()
	}
}

/// An integer attribute.
pub fn attr_int(name: &str, value: i64) -> AttributeProto {
	AttributeProto {
		name: name.to_string(),
		r#type: AttributeType::Int as i32,
		i: value,
		..Default::default()
	}
}

/// An integer-list attribute.
pub fn attr_ints(name: &str, values: &[i64]) -> AttributeProto {
	AttributeProto {
		name: name.to_string(),
		r#type: AttributeType::Ints as i32,
		ints: values.to_vec(),
		..Default::default()
	}
}

/// A node.
pub fn node(op: &str, inputs: &[&str], output: &str, attributes: Vec<AttributeProto>) -> NodeProto {
	NodeProto {
		op_type: op.to_string(),
		name: format!("{op}_{output}"),
		input: inputs.iter().map(|s| s.to_string()).collect(),
		output: vec![output.to_string()],
		attribute: attributes,
		..Default::default()
	}
}

/// Encodes a graph with one float input `input` and one float output `output` (opset 13).
pub fn model_bytes(
	nodes: Vec<NodeProto>,
	initializers: Vec<TensorProto>,
	input_shape: &[usize],
	output_shape: &[usize],
) -> Vec<u8> {
	let graph = GraphProto {
		name: "verity-test".to_string(),
		node: nodes,
		initializer: initializers,
		input: vec![value_info("input", input_shape)],
		output: vec![value_info("output", output_shape)],
		..Default::default()
	};
	ModelProto {
		ir_version: 8,
		opset_import: vec![OperatorSetIdProto { domain: String::new(), version: 13 }],
		producer_name: "verity-testmodels".to_string(),
		graph: Some(graph),
		..Default::default()
	}
	.encode_to_vec()
}

fn he_uniform(rng: &mut SplitMix64, fan_in: usize, count: usize) -> Vec<f32> {
	let bound = (6.0 / fan_in as f64).sqrt();
	(0..count).map(|_| rng.symmetric(bound)).collect()
}

fn bias(rng: &mut SplitMix64, count: usize) -> Vec<f32> {
	(0..count).map(|_| rng.symmetric(0.1)).collect()
}

/// An MLP `[1, dims[0]]` → Gemm (transB) → Relu → … → Gemm → `[1, dims.last()]`, no ReLU after
/// the last layer. He-uniform weights, small biases, deterministic from `seed`.
pub fn mlp_onnx(seed: u64, dims: &[usize]) -> Vec<u8> {
	assert!(dims.len() >= 2, "an MLP needs input and output sizes");
	let mut rng = SplitMix64::new(seed);
	let (mut nodes, mut inits) = (Vec::new(), Vec::new());
	let mut current = "input".to_string();
	for (i, pair) in dims.windows(2).enumerate() {
		let (fan_in, fan_out) = (pair[0], pair[1]);
		let last = i + 2 == dims.len();
		let (w, b) = (format!("w{i}"), format!("b{i}"));
		inits.push(float_tensor(
			&w,
			&[fan_out, fan_in],
			he_uniform(&mut rng, fan_in, fan_in * fan_out),
		));
		inits.push(float_tensor(&b, &[fan_out], bias(&mut rng, fan_out)));
		let gemm_out = if last { "output".to_string() } else { format!("gemm{i}") };
		nodes.push(node("Gemm", &[&current, &w, &b], &gemm_out, vec![attr_int("transB", 1)]));
		current = gemm_out;
		if !last {
			let relu_out = format!("relu{i}");
			nodes.push(node("Relu", &[&current], &relu_out, vec![]));
			current = relu_out;
		}
	}
	model_bytes(nodes, inits, &[1, dims[0]], &[1, *dims.last().unwrap()])
}

/// The same network shape as [`mlp_onnx`] written as MatMul (`[in, out]` weights) + Add.
pub fn mlp_matmul_onnx(seed: u64, dims: &[usize]) -> Vec<u8> {
	assert!(dims.len() >= 2, "an MLP needs input and output sizes");
	let mut rng = SplitMix64::new(seed);
	let (mut nodes, mut inits) = (Vec::new(), Vec::new());
	let mut current = "input".to_string();
	for (i, pair) in dims.windows(2).enumerate() {
		let (fan_in, fan_out) = (pair[0], pair[1]);
		let last = i + 2 == dims.len();
		let (w, b) = (format!("w{i}"), format!("b{i}"));
		inits.push(float_tensor(
			&w,
			&[fan_in, fan_out],
			he_uniform(&mut rng, fan_in, fan_in * fan_out),
		));
		inits.push(float_tensor(&b, &[fan_out], bias(&mut rng, fan_out)));
		let mm = format!("mm{i}");
		nodes.push(node("MatMul", &[&current, &w], &mm, vec![]));
		let add_out = if last { "output".to_string() } else { format!("add{i}") };
		nodes.push(node("Add", &[&mm, &b], &add_out, vec![]));
		current = add_out;
		if !last {
			let relu_out = format!("relu{i}");
			nodes.push(node("Relu", &[&current], &relu_out, vec![]));
			current = relu_out;
		}
	}
	model_bytes(nodes, inits, &[1, dims[0]], &[1, *dims.last().unwrap()])
}

/// A CNN: `[1, channels, height, width]` → Conv 3×3 (pad 1, `filters` outputs) → Relu →
/// MaxPool 2×2 (stride 2) → Flatten → Gemm → `[1, classes]`. `height` and `width` at least 2.
pub fn cnn_onnx(seed: u64, input: [usize; 3], filters: usize, classes: usize) -> Vec<u8> {
	let [c, h, w] = input;
	assert!(h >= 2 && w >= 2, "the 2x2 pool needs at least 2x2");
	let mut rng = SplitMix64::new(seed);
	let flat = filters * (h / 2) * (w / 2);
	let inits = vec![
		float_tensor("conv_w", &[filters, c, 3, 3], he_uniform(&mut rng, c * 9, filters * c * 9)),
		float_tensor("conv_b", &[filters], bias(&mut rng, filters)),
		float_tensor("fc_w", &[classes, flat], he_uniform(&mut rng, flat, classes * flat)),
		float_tensor("fc_b", &[classes], bias(&mut rng, classes)),
	];
	let nodes = vec![
		node(
			"Conv",
			&["input", "conv_w", "conv_b"],
			"conv",
			vec![
				attr_ints("kernel_shape", &[3, 3]),
				attr_ints("pads", &[1, 1, 1, 1]),
				attr_ints("strides", &[1, 1]),
			],
		),
		node("Relu", &["conv"], "relu", vec![]),
		node(
			"MaxPool",
			&["relu"],
			"pool",
			vec![attr_ints("kernel_shape", &[2, 2]), attr_ints("strides", &[2, 2])],
		),
		node("Flatten", &["pool"], "flat", vec![attr_int("axis", 1)]),
		node("Gemm", &["flat", "fc_w", "fc_b"], "output", vec![attr_int("transB", 1)]),
	];
	model_bytes(nodes, inits, &[1, c, h, w], &[1, classes])
}

/// A tensor spec.
pub fn spec(name: &str, dtype: TensorDtype, shape: &[u32]) -> TensorSpec {
	TensorSpec {
		name: name.as_bytes().to_vec().try_into().expect("name within bounds"),
		dtype,
		shape: shape.to_vec().try_into().expect("rank within bounds"),
	}
}

/// The schema of the models here: f32 `input` of `input_shape`, f32 `output` of `output_shape`.
pub fn f32_schema(input_shape: &[u32], output_shape: &[u32]) -> IoSchema {
	IoSchema::Tensors {
		inputs: vec![spec("input", TensorDtype::F32, input_shape)].try_into().expect("one"),
		outputs: vec![spec("output", TensorDtype::F32, output_shape)].try_into().expect("one"),
	}
}

/// Runs the float ONNX model `bytes` with tract on one f32 input of `shape`; returns the first
/// output, flattened (the reference the tests compare against).
pub fn run_tract(bytes: &[u8], shape: &[usize], input: &[f32]) -> Vec<f32> {
	use tract_onnx::prelude::*;
	let model = tract_onnx::onnx()
		.model_for_read(&mut &bytes[..])
		.expect("a valid ONNX model")
		.into_optimized()
		.expect("tract optimizes it")
		.into_runnable()
		.expect("tract runs it");
	let input = Tensor::from_shape(shape, input).expect("input matches its shape");
	let out = model.run(tvec!(input.into())).expect("the model runs");
	out[0].to_plain_array_view::<f32>().expect("f32 output").iter().copied().collect()
}

/// `count` inputs of `len` values uniform in `[-1, 1)`, deterministic from `seed`.
pub fn random_inputs(seed: u64, count: usize, len: usize) -> Vec<Vec<f32>> {
	let mut rng = SplitMix64::new(seed);
	(0..count).map(|_| (0..len).map(|_| rng.symmetric(1.0)).collect()).collect()
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn models_are_deterministic_and_load_in_tract() {
		assert_eq!(mlp_onnx(7, &[4, 8, 3]), mlp_onnx(7, &[4, 8, 3]));
		assert_ne!(mlp_onnx(7, &[4, 8, 3]), mlp_onnx(8, &[4, 8, 3]));
		let x = random_inputs(1, 1, 4).remove(0);
		let out = run_tract(&mlp_onnx(7, &[4, 8, 3]), &[1, 4], &x);
		assert_eq!(out.len(), 3);
		// Gemm and MatMul+Add forms with the same seed hold different weight layouts; both run.
		assert_eq!(run_tract(&mlp_matmul_onnx(7, &[4, 8, 3]), &[1, 4], &x).len(), 3);
		let img = random_inputs(2, 1, 64).remove(0);
		let out = run_tract(&cnn_onnx(3, [1, 8, 8], 4, 5), &[1, 1, 8, 8], &img);
		assert_eq!(out.len(), 5);
		assert!(out.iter().all(|v| v.is_finite()));
	}
}
