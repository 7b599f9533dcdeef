//! The ONNX engine: float and integer ONNX graphs on tract.
//!
//! The graph's inputs are matched to the schema's inputs by name and their facts fixed from
//! the schema (dtype and shape), then the model is optimized and made runnable once. Outputs
//! are matched to the schema's outputs by position and checked (count, dtype, shape).

use super::{tensors, Engine, ExecError, LoadedModel, RunReport, Sink};
use crate::tensor::{self, spec_name};
use std::sync::Arc;
use tract_onnx::prelude::*;
use verity_primitives::{ArtifactFormat, IoSchema, TensorDtype, TensorSpec};

/// Runs ONNX artifacts on tract (CPU).
#[derive(Clone, Copy, Debug, Default)]
pub struct OnnxEngine;

impl Engine for OnnxEngine {
	fn name(&self) -> &'static str {
		"onnx"
	}

	fn device(&self) -> &'static str {
		"cpu"
	}

	fn format(&self) -> ArtifactFormat {
		ArtifactFormat::Onnx
	}

	fn load(&self, artifact: &[u8], schema: &IoSchema) -> Result<Arc<dyn LoadedModel>, ExecError> {
		let (inputs, outputs) = tensors(schema)?;
		let (plan, order) = load_onnx(artifact, inputs)?;
		Ok(Arc::new(OnnxModel { plan, order, inputs: inputs.to_vec(), outputs: outputs.to_vec() }))
	}
}

/// A runnable tract plan and the schema it was loaded for.
struct OnnxModel {
	plan: Arc<TypedRunnableModel>,
	/// For each graph input, the index of its schema input.
	order: Vec<usize>,
	inputs: Vec<TensorSpec>,
	outputs: Vec<TensorSpec>,
}

impl LoadedModel for OnnxModel {
	fn run(&self, input: &[u8], sink: Sink<'_>) -> Result<RunReport, ExecError> {
		let parts =
			tensor::split(&self.inputs, input).map_err(|e| ExecError::Schema(e.to_string()))?;
		let values = self
			.order
			.iter()
			.map(|i| to_tract(&self.inputs[*i], parts[*i]).map(|t| t.into_tvalue()))
			.collect::<Result<TVec<_>, _>>()?;
		let results = self.plan.run(values).map_err(|e| ExecError::Run(format!("{e:#}")))?;
		if results.len() != self.outputs.len() {
			return Err(ExecError::Output(format!(
				"the model returns {} tensors, the schema lists {}",
				results.len(),
				self.outputs.len()
			)));
		}
		let mut out = Vec::with_capacity(tensor::encoded_len(&self.outputs).unwrap_or(0));
		for (spec, value) in self.outputs.iter().zip(&results) {
			from_tract(spec, value, &mut out)?;
		}
		let _ = sink(&out);
		Ok(RunReport::default())
	}
}

fn datum(dtype: TensorDtype) -> Result<DatumType, ExecError> {
	Ok(match dtype {
		TensorDtype::F32 => DatumType::F32,
		TensorDtype::F16 => DatumType::F16,
		TensorDtype::I64 => DatumType::I64,
		TensorDtype::I32 => DatumType::I32,
		TensorDtype::I8 => DatumType::I8,
		TensorDtype::U8 => DatumType::U8,
		TensorDtype::Bool => DatumType::Bool,
		TensorDtype::Bf16 => {
			return Err(ExecError::Schema(
				"bf16 tensors are not supported by the ONNX engine".into(),
			))
		},
	})
}

fn usize_shape(spec: &TensorSpec) -> Vec<usize> {
	spec.shape.iter().map(|d| *d as usize).collect()
}

/// Canonical bytes of one tensor to a tract tensor.
fn to_tract(spec: &TensorSpec, raw: &[u8]) -> Result<Tensor, ExecError> {
	let shape = usize_shape(spec);
	let bad = |e: TractError| ExecError::Run(format!("input `{}`: {e}", spec_name(spec)));
	fn le<const N: usize, T>(raw: &[u8], f: fn([u8; N]) -> T) -> Vec<T> {
		raw.chunks_exact(N).map(|c| f(c.try_into().expect("exact chunks"))).collect()
	}
	match spec.dtype {
		TensorDtype::F32 => Tensor::from_shape(&shape, &le(raw, f32::from_le_bytes)),
		TensorDtype::F16 => Tensor::from_shape(&shape, &le(raw, half::f16::from_le_bytes)),
		TensorDtype::I64 => Tensor::from_shape(&shape, &le(raw, i64::from_le_bytes)),
		TensorDtype::I32 => Tensor::from_shape(&shape, &le(raw, i32::from_le_bytes)),
		TensorDtype::I8 => Tensor::from_shape(&shape, &le(raw, |b: [u8; 1]| b[0] as i8)),
		TensorDtype::U8 => Tensor::from_shape(&shape, raw),
		TensorDtype::Bool => {
			if let Some(b) = raw.iter().find(|b| **b > 1) {
				return Err(ExecError::Schema(format!(
					"input `{}`: bool byte {b} is neither 0 nor 1",
					spec_name(spec)
				)));
			}
			Tensor::from_shape(&shape, &raw.iter().map(|b| *b == 1).collect::<Vec<_>>())
		},
		TensorDtype::Bf16 => return Err(datum(spec.dtype).unwrap_err()),
	}
	.map_err(bad)
}

/// A tract output to canonical bytes, checking it against its spec.
fn from_tract(spec: &TensorSpec, value: &Tensor, out: &mut Vec<u8>) -> Result<(), ExecError> {
	let name = spec_name(spec);
	let expected_dt = datum(spec.dtype)?;
	if value.datum_type() != expected_dt {
		return Err(ExecError::Output(format!(
			"`{name}` is {:?}, the schema says {}",
			value.datum_type(),
			spec.dtype.name()
		)));
	}
	if value.shape() != usize_shape(spec).as_slice() {
		return Err(ExecError::Output(format!(
			"`{name}` has shape {:?}, the schema says {:?}",
			value.shape(),
			spec.shape
		)));
	}
	let fail = |e: TractError| ExecError::Output(format!("`{name}`: {e}"));
	macro_rules! put {
		($t:ty, $f:expr) => {
			for v in value.to_plain_array_view::<$t>().map_err(fail)?.iter() {
				out.extend_from_slice(&$f(v));
			}
		};
	}
	match spec.dtype {
		TensorDtype::F32 => put!(f32, |v: &f32| v.to_le_bytes()),
		TensorDtype::F16 => put!(half::f16, |v: &half::f16| v.to_le_bytes()),
		TensorDtype::I64 => put!(i64, |v: &i64| v.to_le_bytes()),
		TensorDtype::I32 => put!(i32, |v: &i32| v.to_le_bytes()),
		TensorDtype::I8 => put!(i8, |v: &i8| v.to_le_bytes()),
		TensorDtype::U8 => put!(u8, |v: &u8| [*v]),
		TensorDtype::Bool => put!(bool, |v: &bool| [u8::from(*v)]),
		TensorDtype::Bf16 => unreachable!("rejected by datum"),
	}
	Ok(())
}

fn load_onnx(
	artifact: &[u8],
	inputs: &[TensorSpec],
) -> Result<(Arc<TypedRunnableModel>, Vec<usize>), ExecError> {
	let load = |e: TractError| ExecError::Load(format!("{e:#}"));
	let mut model = tract_onnx::onnx().model_for_read(&mut &artifact[..]).map_err(load)?;
	let outlets = model.input_outlets().map_err(load)?.to_vec();
	if outlets.len() != inputs.len() {
		return Err(ExecError::Schema(format!(
			"the model has {} inputs, the schema lists {}",
			outlets.len(),
			inputs.len()
		)));
	}
	let mut order = Vec::with_capacity(outlets.len());
	for (position, outlet) in outlets.iter().enumerate() {
		let name = model.node(outlet.node).name.clone();
		let index = inputs.iter().position(|spec| spec_name(spec) == name).ok_or_else(|| {
			ExecError::Schema(format!("model input `{name}` is not in the schema's inputs"))
		})?;
		let spec = &inputs[index];
		let fact = InferenceFact::dt_shape(datum(spec.dtype)?, usize_shape(spec));
		model = model.with_input_fact(position, fact).map_err(load)?;
		order.push(index);
	}
	let plan = model.into_optimized().map_err(load)?.into_runnable().map_err(load)?;
	Ok((plan, order))
}
