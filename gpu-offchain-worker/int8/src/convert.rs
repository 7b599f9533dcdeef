//! Float ONNX (MLP or CNN) to a Verity [`Int8Model`].
//!
//! Supported graphs are chains from the single graph input to the single output over: `Gemm`
//! (transA 0, alpha and beta 1, B and C initializers), `MatMul` with an initializer (optionally
//! followed by `Add` of an initializer bias), `Conv` (2-d, one group, no dilation, symmetric
//! pads), `Relu`, `Flatten` (axis 1), `Reshape` to 2-d `[1, n]`, `MaxPool` (2-d, no padding),
//! and `Identity`/`Dropout` (skipped). Anything else is an [`ConvertError::UnsupportedOp`].
//!
//! Quantization is symmetric per tensor: a weight tensor's scale is `max|w| / 127`, an
//! activation's scale is `max|a| / 127` over the calibration inputs, computed with this module's
//! own float forward pass ([`FloatNet::forward`]). A `Relu` right after Dense/Conv is fused.
//! Biases are quantized at `in_scale · w_scale`; the requantization factor
//! `in_scale · w_scale / out_scale` becomes a multiplier and shift with
//! [`crate::format::requant_for`].

use crate::format::{requant_for, Conv2d, Dense, Int8Model, Layer, MaxPool2d};
use prost::Message;
use std::collections::HashMap;
use tract_onnx::pb::{tensor_proto::DataType, type_proto, ModelProto, NodeProto, TensorProto};

/// Why a model cannot be converted.
#[derive(Debug, thiserror::Error)]
pub enum ConvertError {
	/// The bytes are not an ONNX protobuf.
	#[error("not an ONNX model: {0}")]
	Parse(String),
	/// An operator this converter does not handle.
	#[error("unsupported ONNX op `{op}` (node `{node}`); supported: Gemm, MatMul, Add (bias), Conv, Relu, Flatten, Reshape (to 2-d), MaxPool, Identity, Dropout")]
	UnsupportedOp {
		/// Operator type.
		op: String,
		/// Node name.
		node: String,
	},
	/// A supported op used in a way this converter does not handle.
	#[error("node `{node}`: {reason}")]
	Unsupported {
		/// Node name.
		node: String,
		/// What is not handled.
		reason: String,
	},
	/// The graph is not a chain from one input to one output, or shapes disagree.
	#[error("graph: {0}")]
	Graph(String),
	/// No calibration input, or one of the wrong length.
	#[error("calibration: {0}")]
	Calibration(String),
	/// Scales that cannot be expressed as a multiplier and shift.
	#[error("quantization: {0}")]
	Quantization(String),
}

/// One float layer of a parsed network.
#[derive(Clone, Debug, PartialEq)]
pub enum FloatLayer {
	/// `y = W x + b`, `W` is `out × in` row-major.
	Dense {
		/// Input features.
		in_features: usize,
		/// Output features.
		out_features: usize,
		/// Weights.
		weights: Vec<f32>,
		/// Bias.
		bias: Vec<f32>,
	},
	/// 2-d convolution, OIHW weights.
	Conv {
		/// `[out, in, kh, kw]`.
		dims: [usize; 4],
		/// `[stride_h, stride_w]`.
		stride: [usize; 2],
		/// `[pad_h, pad_w]`.
		pad: [usize; 2],
		/// Weights.
		weights: Vec<f32>,
		/// Bias.
		bias: Vec<f32>,
	},
	/// `max(x, 0)`.
	Relu,
	/// To 1-d.
	Flatten,
	/// Max pooling, `[kh, kw]` and `[sh, sw]`.
	MaxPool {
		/// Window.
		kernel: [usize; 2],
		/// Stride.
		stride: [usize; 2],
	},
}

/// A parsed float network: per-sample input shape (no batch) and layers.
#[derive(Clone, Debug, PartialEq)]
pub struct FloatNet {
	/// `[features]` or `[C, H, W]`.
	pub input_shape: Vec<usize>,
	/// Layers in order.
	pub layers: Vec<FloatLayer>,
}

fn attr<'a>(node: &'a NodeProto, name: &str) -> Option<&'a tract_onnx::pb::AttributeProto> {
	node.attribute.iter().find(|a| a.name == name)
}

fn attr_i(node: &NodeProto, name: &str, default: i64) -> i64 {
	attr(node, name).map_or(default, |a| a.i)
}

fn attr_f(node: &NodeProto, name: &str, default: f32) -> f32 {
	attr(node, name).map_or(default, |a| a.f)
}

fn attr_ints(node: &NodeProto, name: &str) -> Option<Vec<i64>> {
	attr(node, name).map(|a| a.ints.clone())
}

fn unsupported(node: &NodeProto, reason: impl Into<String>) -> ConvertError {
	ConvertError::Unsupported { node: node_name(node), reason: reason.into() }
}

fn node_name(node: &NodeProto) -> String {
	if node.name.is_empty() {
		node.output.first().cloned().unwrap_or_default()
	} else {
		node.name.clone()
	}
}

/// Float data and dims of an initializer (float_data or raw little-endian bytes).
fn floats(t: &TensorProto) -> Result<(Vec<usize>, Vec<f32>), String> {
	if t.data_type != DataType::Float as i32 {
		return Err(format!("initializer `{}` is not float32", t.name));
	}
	let dims: Vec<usize> = t
		.dims
		.iter()
		.map(|d| usize::try_from(*d))
		.collect::<Result<_, _>>()
		.map_err(|_| format!("initializer `{}` has a negative dimension", t.name))?;
	let data: Vec<f32> = if !t.raw_data.is_empty() {
		t.raw_data.chunks_exact(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect()
	} else {
		t.float_data.clone()
	};
	if data.len() != dims.iter().product::<usize>() {
		return Err(format!(
			"initializer `{}` has {} values for dims {dims:?}",
			t.name,
			data.len()
		));
	}
	Ok((dims, data))
}

fn int64s(t: &TensorProto) -> Result<Vec<i64>, String> {
	if t.data_type != DataType::Int64 as i32 {
		return Err(format!("initializer `{}` is not int64", t.name));
	}
	Ok(if !t.raw_data.is_empty() {
		t.raw_data.chunks_exact(8).map(|c| i64::from_le_bytes(c.try_into().unwrap())).collect()
	} else {
		t.int64_data.clone()
	})
}

fn element_count(shape: &[usize]) -> usize {
	shape.iter().product()
}

/// Parses an ONNX model into a [`FloatNet`]: a chain of supported nodes from the one graph
/// input to the one graph output.
pub fn parse_onnx(bytes: &[u8]) -> Result<FloatNet, ConvertError> {
	let model = ModelProto::decode(bytes).map_err(|e| ConvertError::Parse(e.to_string()))?;
	let graph = model.graph.ok_or_else(|| ConvertError::Parse("no graph".into()))?;
	let inits: HashMap<&str, &TensorProto> =
		graph.initializer.iter().map(|t| (t.name.as_str(), t)).collect();
	let inputs: Vec<_> =
		graph.input.iter().filter(|i| !inits.contains_key(i.name.as_str())).collect();
	let [input] = inputs[..] else {
		return Err(ConvertError::Graph(format!(
			"expected one graph input, found {}",
			inputs.len()
		)));
	};
	let [output] = &graph.output[..] else {
		return Err(ConvertError::Graph(format!(
			"expected one graph output, found {}",
			graph.output.len()
		)));
	};
	let input_shape = input_shape(input)?;
	let mut layers = Vec::new();
	let mut shape = input_shape.clone();
	let mut current = input.name.clone();
	for node in &graph.node {
		let first = node.input.first().map(String::as_str).unwrap_or_default();
		if first != current {
			return Err(ConvertError::Graph(format!(
				"node `{}` does not consume `{current}`: only chains are supported",
				node_name(node)
			)));
		}
		if node.output.len() != 1 {
			return Err(unsupported(node, "nodes must have one output"));
		}
		shape = add_node(&OnnxNode { node, inits: &inits }, &shape, &mut layers)?;
		current = node.output[0].clone();
	}
	if current != output.name {
		return Err(ConvertError::Graph(format!(
			"the chain ends at `{current}`, not at the graph output `{}`",
			output.name
		)));
	}
	if layers.is_empty() {
		return Err(ConvertError::Graph("no layers".into()));
	}
	Ok(FloatNet { input_shape, layers })
}

/// The shape of one sample of the graph input (float32, `[1, features]` or `[1, C, H, W]`;
/// a symbolic batch axis counts as 1), without the batch axis.
fn input_shape(input: &tract_onnx::pb::ValueInfoProto) -> Result<Vec<usize>, ConvertError> {
	let Some(type_proto::Value::TensorType(tensor_type)) =
		input.r#type.as_ref().and_then(|t| t.value.as_ref())
	else {
		return Err(ConvertError::Graph("the input is not a tensor".into()));
	};
	if tensor_type.elem_type != DataType::Float as i32 {
		return Err(ConvertError::Graph("the input is not float32".into()));
	}
	let dims: Vec<usize> = tensor_type
		.shape
		.as_ref()
		.map(|s| &s.dim[..])
		.unwrap_or_default()
		.iter()
		.enumerate()
		.map(|(axis, d)| match &d.value {
			Some(tract_onnx::pb::tensor_shape_proto::dimension::Value::DimValue(v)) if *v > 0 => {
				Ok(*v as usize)
			},
			// A symbolic batch dimension is fine: the worker runs one sample at a time.
			_ if axis == 0 => Ok(1),
			_ => Err(ConvertError::Graph(format!("input axis {axis} has no fixed size"))),
		})
		.collect::<Result<_, _>>()?;
	match dims[..] {
		[1, f] => Ok(vec![f]),
		[1, c, h, w] => Ok(vec![c, h, w]),
		_ => Err(ConvertError::Graph(format!(
			"input shape {dims:?}: expected [1, features] or [1, C, H, W]"
		))),
	}
}

/// A node of the chain with the graph's initializers (its weights).
struct OnnxNode<'a> {
	node: &'a NodeProto,
	inits: &'a HashMap<&'a str, &'a TensorProto>,
}

impl OnnxNode<'_> {
	/// Input `index`, which must be an initializer.
	fn init(&self, index: usize) -> Result<&TensorProto, ConvertError> {
		let node = self.node;
		let name = node.input.get(index).ok_or_else(|| unsupported(node, "missing input"))?;
		self.inits
			.get(name.as_str())
			.copied()
			.ok_or_else(|| unsupported(node, format!("input `{name}` must be an initializer")))
	}

	/// Input `index` as float32 data with its dimensions.
	fn floats(&self, index: usize) -> Result<(Vec<usize>, Vec<f32>), ConvertError> {
		floats(self.init(index)?).map_err(|e| unsupported(self.node, e))
	}
}

/// Adds what `node` computes to `layers`; returns the shape after it.
fn add_node(
	node: &OnnxNode,
	shape: &[usize],
	layers: &mut Vec<FloatLayer>,
) -> Result<Vec<usize>, ConvertError> {
	let shape = match node.node.op_type.as_str() {
		"Gemm" | "MatMul" => push(layers, dense(node, shape)?),
		"Add" => {
			add_bias(node, layers)?;
			shape.to_vec()
		},
		"Conv" => push(layers, conv(node, shape)?),
		"Relu" => push(layers, (FloatLayer::Relu, shape.to_vec())),
		"Identity" | "Dropout" => shape.to_vec(),
		"Flatten" => {
			if attr_i(node.node, "axis", 1) != 1 {
				return Err(unsupported(node.node, "only axis=1"));
			}
			push(layers, (FloatLayer::Flatten, vec![element_count(shape)]))
		},
		"Reshape" => push(layers, reshape(node, shape)?),
		"MaxPool" => push(layers, max_pool(node, shape)?),
		op => {
			return Err(ConvertError::UnsupportedOp {
				op: op.to_string(),
				node: node_name(node.node),
			})
		},
	};
	Ok(shape)
}

/// Pushes a layer; returns the shape after it.
fn push(layers: &mut Vec<FloatLayer>, (layer, shape): (FloatLayer, Vec<usize>)) -> Vec<usize> {
	layers.push(layer);
	shape
}

/// `Gemm` (transA=0, alpha=beta=1, optional transB and bias) or `MatMul` on `[features]`.
fn dense(node: &OnnxNode, shape: &[usize]) -> Result<(FloatLayer, Vec<usize>), ConvertError> {
	let onnx = node.node;
	let [features] = shape[..] else {
		return Err(unsupported(onnx, "input must be [1, features]"));
	};
	let gemm = onnx.op_type == "Gemm";
	if gemm
		&& (attr_i(onnx, "transA", 0) != 0
			|| attr_f(onnx, "alpha", 1.0) != 1.0
			|| attr_f(onnx, "beta", 1.0) != 1.0)
	{
		return Err(unsupported(onnx, "only transA=0, alpha=1, beta=1"));
	}
	let (wdims, w) = node.floats(1)?;
	let trans_b = gemm && attr_i(onnx, "transB", 0) == 1;
	let (k, n) = match (&wdims[..], trans_b) {
		(&[k, n], false) => (k, n),
		(&[n, k], true) => (k, n),
		_ => return Err(unsupported(onnx, "weights must be 2-d")),
	};
	if k != features {
		return Err(unsupported(onnx, format!("weights expect {k} inputs, got {features}")));
	}
	let weights = if trans_b {
		w
	} else {
		let mut t = vec![0f32; k * n];
		for i in 0..k {
			for o in 0..n {
				t[o * k + i] = w[i * n + o];
			}
		}
		t
	};
	let bias = if gemm && onnx.input.len() > 2 {
		broadcast_bias(onnx, node.floats(2)?.1, n)?
	} else {
		vec![0f32; n]
	};
	Ok((FloatLayer::Dense { in_features: k, out_features: n, weights, bias }, vec![n]))
}

/// `Add` of a constant: the bias of the `MatMul`/`Gemm` before it.
fn add_bias(node: &OnnxNode, layers: &mut [FloatLayer]) -> Result<(), ConvertError> {
	let Some(FloatLayer::Dense { bias, out_features, .. }) = layers.last_mut() else {
		return Err(unsupported(node.node, "Add is supported only as the bias of MatMul/Gemm"));
	};
	let b = broadcast_bias(node.node, node.floats(1)?.1, *out_features)?;
	bias.iter_mut().zip(b).for_each(|(x, y)| *x += y);
	Ok(())
}

/// `Conv` (group 1, no dilation, explicit symmetric pads) on `[C, H, W]`.
fn conv(node: &OnnxNode, shape: &[usize]) -> Result<(FloatLayer, Vec<usize>), ConvertError> {
	let onnx = node.node;
	let [c, h, w] = shape[..] else {
		return Err(unsupported(onnx, "input must be [1, C, H, W]"));
	};
	if attr_i(onnx, "group", 1) != 1 {
		return Err(unsupported(onnx, "only group=1"));
	}
	if attr_ints(onnx, "dilations").is_some_and(|d| d.iter().any(|v| *v != 1)) {
		return Err(unsupported(onnx, "only dilation 1"));
	}
	if attr(onnx, "auto_pad").is_some_and(|a| !a.s.is_empty() && a.s != b"NOTSET") {
		return Err(unsupported(onnx, "auto_pad is not supported; use explicit pads"));
	}
	let (wdims, weights) = node.floats(1)?;
	let [o, i, kh, kw] = wdims[..] else {
		return Err(unsupported(onnx, "weights must be 4-d (OIHW)"));
	};
	if i != c {
		return Err(unsupported(onnx, format!("weights expect {i} channels, got {c}")));
	}
	let stride = two(onnx, "strides", 1)?;
	let pads = attr_ints(onnx, "pads").unwrap_or(vec![0; 4]);
	let [pt, pl, pb, pr] = pads[..] else {
		return Err(unsupported(onnx, "pads must have 4 values"));
	};
	if pt != pb || pl != pr || pt < 0 || pl < 0 {
		return Err(unsupported(onnx, "only symmetric non-negative pads"));
	}
	let pad = [pt as usize, pl as usize];
	let bias = if onnx.input.len() > 2 {
		broadcast_bias(onnx, node.floats(2)?.1, o)?
	} else {
		vec![0f32; o]
	};
	let oh =
		window(h, kh, stride[0], pad[0]).ok_or_else(|| unsupported(onnx, "kernel does not fit"))?;
	let ow =
		window(w, kw, stride[1], pad[1]).ok_or_else(|| unsupported(onnx, "kernel does not fit"))?;
	Ok((FloatLayer::Conv { dims: [o, i, kh, kw], stride, pad, weights, bias }, vec![o, oh, ow]))
}

/// `Reshape` to `[1, n]` (a flatten).
fn reshape(node: &OnnxNode, shape: &[usize]) -> Result<(FloatLayer, Vec<usize>), ConvertError> {
	let target = int64s(node.init(1)?).map_err(|e| unsupported(node.node, e))?;
	let n = element_count(shape) as i64;
	let ok = matches!(target[..], [a, b] if (a == 1 || a == -1 || a == 0) && (b == -1 || b == n));
	if !ok {
		return Err(unsupported(node.node, format!("only reshapes to [1, {n}] (got {target:?})")));
	}
	Ok((FloatLayer::Flatten, vec![n as usize]))
}

/// `MaxPool` (unpadded, floor mode, undilated) on `[C, H, W]`.
fn max_pool(node: &OnnxNode, shape: &[usize]) -> Result<(FloatLayer, Vec<usize>), ConvertError> {
	let onnx = node.node;
	let [c, h, w] = shape[..] else {
		return Err(unsupported(onnx, "input must be [1, C, H, W]"));
	};
	let kernel = two(onnx, "kernel_shape", 0)?;
	let stride = two(onnx, "strides", 1)?;
	if attr_ints(onnx, "pads").is_some_and(|p| p.iter().any(|v| *v != 0))
		|| attr_i(onnx, "ceil_mode", 0) != 0
		|| attr_ints(onnx, "dilations").is_some_and(|d| d.iter().any(|v| *v != 1))
	{
		return Err(unsupported(onnx, "only unpadded, floor-mode, undilated pooling"));
	}
	let oh = window(h, kernel[0], stride[0], 0)
		.ok_or_else(|| unsupported(onnx, "window does not fit"))?;
	let ow = window(w, kernel[1], stride[1], 0)
		.ok_or_else(|| unsupported(onnx, "window does not fit"))?;
	Ok((FloatLayer::MaxPool { kernel, stride }, vec![c, oh, ow]))
}

fn two(node: &NodeProto, name: &str, default: i64) -> Result<[usize; 2], ConvertError> {
	let values = attr_ints(node, name).unwrap_or(vec![default; 2]);
	match values[..] {
		[a, b] if a > 0 && b > 0 => Ok([a as usize, b as usize]),
		_ => Err(unsupported(node, format!("`{name}` must be two positive values"))),
	}
}

fn window(n: usize, k: usize, stride: usize, pad: usize) -> Option<usize> {
	let padded = n + 2 * pad;
	(k > 0 && stride > 0 && padded >= k).then(|| (padded - k) / stride + 1)
}

fn broadcast_bias(node: &NodeProto, b: Vec<f32>, n: usize) -> Result<Vec<f32>, ConvertError> {
	match b.len() {
		len if len == n => Ok(b),
		1 => Ok(vec![b[0]; n]),
		len => Err(unsupported(node, format!("bias has {len} values, expected {n}"))),
	}
}

impl FloatNet {
	/// Runs one sample in f32; returns the output of every layer (`[i]` after layer `i`).
	pub fn forward_all(&self, input: &[f32]) -> Vec<Vec<f32>> {
		let mut shape = self.input_shape.clone();
		let mut x = input.to_vec();
		let mut outputs = Vec::with_capacity(self.layers.len());
		for layer in &self.layers {
			match layer {
				FloatLayer::Dense { in_features, out_features, weights, bias } => {
					x = (0..*out_features)
						.map(|o| {
							let row = &weights[o * in_features..(o + 1) * in_features];
							bias[o] + row.iter().zip(&x).map(|(w, v)| w * v).sum::<f32>()
						})
						.collect();
					shape = vec![*out_features];
				},
				FloatLayer::Conv { dims: [oc, ic, kh, kw], stride, pad, weights, bias } => {
					let (h, w) = (shape[1], shape[2]);
					let oh = window(h, *kh, stride[0], pad[0]).unwrap_or(0);
					let ow = window(w, *kw, stride[1], pad[1]).unwrap_or(0);
					let mut y = vec![0f32; oc * oh * ow];
					for o in 0..*oc {
						for oy in 0..oh {
							for ox in 0..ow {
								let mut acc = bias[o];
								for c in 0..*ic {
									for ky in 0..*kh {
										let iy = (oy * stride[0] + ky) as isize - pad[0] as isize;
										if iy < 0 || iy >= h as isize {
											continue;
										}
										for kx in 0..*kw {
											let ix =
												(ox * stride[1] + kx) as isize - pad[1] as isize;
											if ix < 0 || ix >= w as isize {
												continue;
											}
											acc += weights[((o * ic + c) * kh + ky) * kw + kx]
												* x[(c * h + iy as usize) * w + ix as usize];
										}
									}
								}
								y[(o * oh + oy) * ow + ox] = acc;
							}
						}
					}
					x = y;
					shape = vec![*oc, oh, ow];
				},
				FloatLayer::Relu => x.iter_mut().for_each(|v| *v = v.max(0.0)),
				FloatLayer::Flatten => shape = vec![x.len()],
				FloatLayer::MaxPool { kernel, stride } => {
					let (c, h, w) = (shape[0], shape[1], shape[2]);
					let oh = window(h, kernel[0], stride[0], 0).unwrap_or(0);
					let ow = window(w, kernel[1], stride[1], 0).unwrap_or(0);
					let mut y = vec![f32::NEG_INFINITY; c * oh * ow];
					for ch in 0..c {
						for oy in 0..oh {
							for ox in 0..ow {
								for ky in 0..kernel[0] {
									for kx in 0..kernel[1] {
										let v = x[(ch * h + oy * stride[0] + ky) * w
											+ ox * stride[1] + kx];
										let slot = &mut y[(ch * oh + oy) * ow + ox];
										*slot = slot.max(v);
									}
								}
							}
						}
					}
					x = y;
					shape = vec![c, oh, ow];
				},
			}
			outputs.push(x.clone());
		}
		outputs
	}

	/// Runs one sample in f32.
	pub fn forward(&self, input: &[f32]) -> Vec<f32> {
		self.forward_all(input).pop().unwrap_or_else(|| input.to_vec())
	}
}

fn max_abs(values: &[f32]) -> f32 {
	values.iter().fold(0f32, |m, v| m.max(v.abs()))
}

fn scale_for(max: f32) -> f32 {
	if max > 0.0 && max.is_finite() {
		max / 127.0
	} else {
		1.0
	}
}

fn quantize_weights(weights: &[f32]) -> (f32, Vec<i8>) {
	let scale = scale_for(max_abs(weights));
	let q = weights.iter().map(|w| crate::format::quantize(*w, scale).clamp(-127, 127)).collect();
	(scale, q)
}

/// Biases at `in_scale · w_scale`, each clamped so the output's accumulator bound holds.
fn quantize_bias(
	bias: &[f32],
	scale: f64,
	weights: &[i8],
	per_out: usize,
) -> Result<Vec<i32>, ConvertError> {
	bias.iter()
		.enumerate()
		.map(|(o, b)| {
			let row = &weights[o * per_out..(o + 1) * per_out];
			let used: i64 = row.iter().map(|w| i64::from(*w).abs() * 128).sum();
			let room = i64::from(i32::MAX) - used;
			if room < 0 {
				return Err(ConvertError::Quantization(
					"layer too wide for i32 accumulation".into(),
				));
			}
			let q = (f64::from(*b) / scale).round() as i64;
			Ok(q.clamp(-room, room) as i32)
		})
		.collect()
}

/// Quantizes a parsed network, calibrating activation scales on `calibration` samples.
pub fn quantize_net(net: &FloatNet, calibration: &[Vec<f32>]) -> Result<Int8Model, ConvertError> {
	if calibration.is_empty() {
		return Err(ConvertError::Calibration("no calibration inputs".into()));
	}
	let in_len = element_count(&net.input_shape);
	let mut input_max = 0f32;
	let mut layer_max = vec![0f32; net.layers.len()];
	for (n, sample) in calibration.iter().enumerate() {
		if sample.len() != in_len {
			return Err(ConvertError::Calibration(format!(
				"input {n} has {} values, expected {in_len}",
				sample.len()
			)));
		}
		input_max = input_max.max(max_abs(sample));
		for (slot, out) in layer_max.iter_mut().zip(net.forward_all(sample)) {
			*slot = slot.max(max_abs(&out));
		}
	}
	let input_scale = scale_for(input_max);
	let mut scale = input_scale;
	let mut layers = Vec::new();
	let mut index = 0;
	while index < net.layers.len() {
		let fuse = matches!(net.layers.get(index + 1), Some(FloatLayer::Relu));
		let after = if fuse { index + 1 } else { index };
		let out_scale = scale_for(layer_max[after]);
		let factor = |w_scale: f32| {
			requant_for(f64::from(scale) * f64::from(w_scale) / f64::from(out_scale)).ok_or_else(
				|| {
					ConvertError::Quantization(format!(
						"layer {index}: requantization factor out of range"
					))
				},
			)
		};
		match &net.layers[index] {
			FloatLayer::Dense { in_features, out_features, weights, bias } => {
				let (w_scale, q) = quantize_weights(weights);
				let bias =
					quantize_bias(bias, f64::from(scale) * f64::from(w_scale), &q, *in_features)?;
				layers.push(Layer::Dense(Dense {
					in_features: *in_features as u32,
					out_features: *out_features as u32,
					weights: q,
					bias,
					requant: factor(w_scale)?,
					relu: fuse,
				}));
				scale = out_scale;
				index = after + 1;
			},
			FloatLayer::Conv { dims: [o, i, kh, kw], stride, pad, weights, bias } => {
				let (w_scale, q) = quantize_weights(weights);
				let bias =
					quantize_bias(bias, f64::from(scale) * f64::from(w_scale), &q, i * kh * kw)?;
				layers.push(Layer::Conv2d(Conv2d {
					in_channels: *i as u32,
					out_channels: *o as u32,
					kernel_h: *kh as u32,
					kernel_w: *kw as u32,
					stride_h: stride[0] as u32,
					stride_w: stride[1] as u32,
					pad_h: pad[0] as u32,
					pad_w: pad[1] as u32,
					weights: q,
					bias,
					requant: factor(w_scale)?,
					relu: fuse,
				}));
				scale = out_scale;
				index = after + 1;
			},
			FloatLayer::Relu => {
				layers.push(Layer::Relu);
				index += 1;
			},
			FloatLayer::Flatten => {
				layers.push(Layer::Flatten);
				index += 1;
			},
			FloatLayer::MaxPool { kernel, stride } => {
				layers.push(Layer::MaxPool2d(MaxPool2d {
					kernel_h: kernel[0] as u32,
					kernel_w: kernel[1] as u32,
					stride_h: stride[0] as u32,
					stride_w: stride[1] as u32,
				}));
				index += 1;
			},
		}
	}
	let model = Int8Model {
		input_shape: net.input_shape.iter().map(|d| *d as u32).collect(),
		input_scale_bits: input_scale.to_bits(),
		layers,
		output_scale_bits: scale.to_bits(),
	};
	model.validate().map_err(|why| ConvertError::Quantization(why.to_string()))?;
	Ok(model)
}

/// Parses a float ONNX model and quantizes it, calibrating on `calibration` samples (each the
/// flattened per-sample input, batch 1).
pub fn convert(onnx: &[u8], calibration: &[Vec<f32>]) -> Result<Int8Model, ConvertError> {
	quantize_net(&parse_onnx(onnx)?, calibration)
}

/// [`convert`], then the file bytes (`VERITYI8`, version [`crate::format::FORMAT_VERSION`], SCALE body).
pub fn convert_to_file(onnx: &[u8], calibration: &[Vec<f32>]) -> Result<Vec<u8>, ConvertError> {
	Ok(crate::format::encode_file(&convert(onnx, calibration)?))
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::engine::cpu::CpuModel;
	use crate::format::{dequantize, quantize};
	use crate::testmodels::{self, random_inputs};
	use std::sync::Arc;

	fn argmax(v: &[f32]) -> usize {
		v.iter().enumerate().fold(0, |best, (i, x)| if *x > v[best] { i } else { best })
	}

	/// Float net == tract; int8 (dequantized) close to tract: relative L2 error and argmax.
	fn check_model(
		bytes: &[u8],
		tract_shape: &[usize],
		in_len: usize,
		max_rel: f32,
		min_agree: f32,
	) {
		let net = parse_onnx(bytes).unwrap();
		let calibration = random_inputs(100, 64, in_len);
		let model = Arc::new(convert(bytes, &calibration).unwrap());
		let cpu = CpuModel::new(model.clone()).unwrap();
		let tests = random_inputs(200, 100, in_len);
		let (mut agree, mut err2, mut ref2) = (0, 0f64, 0f64);
		for x in &tests {
			let reference = testmodels::run_tract(bytes, tract_shape, x);
			let ours = net.forward(x);
			for (a, b) in reference.iter().zip(&ours) {
				assert!((a - b).abs() <= 1e-4 * (1.0 + a.abs()), "float forward {a} vs tract {b}");
			}
			let q: Vec<i8> = x.iter().map(|v| quantize(*v, model.input_scale())).collect();
			let y: Vec<f32> = cpu
				.run_one(&q)
				.unwrap()
				.iter()
				.map(|v| dequantize(*v, model.output_scale()))
				.collect();
			agree += usize::from(argmax(&y) == argmax(&reference));
			for (a, b) in reference.iter().zip(&y) {
				err2 += f64::from(a - b).powi(2);
				ref2 += f64::from(*a).powi(2);
			}
		}
		let rel = (err2 / ref2).sqrt() as f32;
		let agreement = agree as f32 / tests.len() as f32;
		assert!(rel < max_rel, "relative error {rel}");
		assert!(agreement >= min_agree, "argmax agreement {agreement}");
	}

	#[test]
	fn int8_mlp_tracks_tract() {
		check_model(&testmodels::mlp_onnx(11, &[16, 32, 32, 10]), &[1, 16], 16, 0.08, 0.9);
		check_model(&testmodels::mlp_matmul_onnx(12, &[20, 24, 6]), &[1, 20], 20, 0.08, 0.9);
	}

	#[test]
	fn int8_cnn_tracks_tract() {
		check_model(&testmodels::cnn_onnx(13, [1, 8, 8], 4, 10), &[1, 1, 8, 8], 64, 0.08, 0.9);
		check_model(&testmodels::cnn_onnx(14, [3, 6, 6], 5, 4), &[1, 3, 6, 6], 108, 0.08, 0.9);
	}

	#[test]
	fn structure_of_a_converted_cnn() {
		let model =
			convert(&testmodels::cnn_onnx(1, [1, 8, 8], 4, 10), &random_inputs(1, 8, 64)).unwrap();
		assert_eq!(model.input_shape, vec![1, 8, 8]);
		let kinds: Vec<&str> = model
			.layers
			.iter()
			.map(|l| match l {
				Layer::Conv2d(c) if c.relu && c.pad_h == 1 => "conv+relu",
				Layer::MaxPool2d(_) => "maxpool",
				Layer::Flatten => "flatten",
				Layer::Dense(d) if !d.relu => "dense",
				_ => "other",
			})
			.collect();
		assert_eq!(kinds, ["conv+relu", "maxpool", "flatten", "dense"]);
		let file =
			convert_to_file(&testmodels::cnn_onnx(1, [1, 8, 8], 4, 10), &random_inputs(1, 8, 64))
				.unwrap();
		assert_eq!(crate::format::decode_file(&file).unwrap(), model);
	}

	#[test]
	fn unsupported_ops_and_graphs_are_named() {
		use testmodels::{attr_int, float_tensor, model_bytes, node};
		let sigmoid = model_bytes(
			vec![node("Sigmoid", &["input"], "output", vec![])],
			vec![],
			&[1, 4],
			&[1, 4],
		);
		let err = convert(&sigmoid, &random_inputs(1, 1, 4)).unwrap_err().to_string();
		assert!(err.contains("unsupported ONNX op `Sigmoid`"), "{err}");

		let alpha = model_bytes(
			vec![node(
				"Gemm",
				&["input", "w"],
				"output",
				vec![tract_onnx::pb::AttributeProto {
					name: "alpha".into(),
					f: 2.0,
					r#type: 1,
					..Default::default()
				}],
			)],
			vec![float_tensor("w", &[4, 2], vec![0.5; 8])],
			&[1, 4],
			&[1, 2],
		);
		assert!(convert(&alpha, &random_inputs(1, 1, 4))
			.unwrap_err()
			.to_string()
			.contains("alpha=1"));

		let branch = model_bytes(
			vec![
				node("Relu", &["input"], "a", vec![]),
				node("Flatten", &["input"], "output", vec![attr_int("axis", 1)]),
			],
			vec![],
			&[1, 4],
			&[1, 4],
		);
		assert!(convert(&branch, &random_inputs(1, 1, 4))
			.unwrap_err()
			.to_string()
			.contains("chains"));
		assert!(matches!(
			convert(b"not onnx at all", &[]),
			Err(ConvertError::Parse(_)) | Err(ConvertError::Graph(_))
		));
		let mlp = testmodels::mlp_onnx(1, &[4, 3]);
		assert!(matches!(convert(&mlp, &[]), Err(ConvertError::Calibration(_))));
		assert!(matches!(convert(&mlp, &[vec![0.0; 5]]), Err(ConvertError::Calibration(_))));
	}
}
