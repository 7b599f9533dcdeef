//! [`Executor`]: runs a model artifact on canonical input bytes ([`crate::tensor`]) and returns
//! canonical output bytes.
//!
//! - ONNX artifacts run on tract: the graph's inputs are matched to the schema's inputs by name
//!   and their facts fixed from the schema (dtype and shape), then the model is optimized and
//!   made runnable once. Outputs are matched to the schema's outputs by position and checked
//!   (count, dtype, shape).
//! - Verity int8 artifacts ([`verity_primitives::int8`]) run on the integer engine of the
//!   executor's [`Backend`]. Their schema has one input and one output. The input is `i8`
//!   (quantized values as they are) or `f32` (quantized on the host with the model's input
//!   scale: `round(x / scale)`, ties away from zero, clamped to `[-128, 127]`, NaN to 0); the
//!   output is `i8` or `f32` (dequantized: `q · output_scale`). The schema's shape is the
//!   model's per-sample shape, optionally with a leading batch dimension `N` (run as a batch).
//!
//! Loaded models are cached by artifact digest (and schema); the caller is responsible for the
//! artifact matching its digest (the worker verifies artifacts when it fetches them).

use crate::engine::{Backend, PreparedInt8};
use crate::tensor::{self, spec_name};
use codec::Encode;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tract_onnx::prelude::*;
use verity_primitives::int8::{decode_file, dequantize, quantize, Int8Model};
use verity_primitives::{ArtifactFormat, IoSchema, TensorDtype, TensorSpec};

/// Why a run failed.
#[derive(Debug, thiserror::Error)]
pub enum ExecError {
	/// The input bytes are not the schema's length.
	#[error("wrong input length: expected {expected} bytes, got {got}")]
	InputLength {
		/// Bytes the schema's inputs take.
		expected: usize,
		/// Bytes given.
		got: usize,
	},
	/// A format the executor cannot run (yet).
	#[error("unsupported artifact format `{}` (this worker runs onnx and verity-int8)", .0.name())]
	UnsupportedFormat(ArtifactFormat),
	/// The schema cannot describe this model or is not a tensor schema.
	#[error("schema does not fit the model: {0}")]
	Schema(String),
	/// The artifact does not load.
	#[error("model failed to load: {0}")]
	Load(String),
	/// The model failed while running.
	#[error("model failed to run: {0}")]
	Run(String),
	/// The model's output does not match the schema's outputs.
	#[error("output does not match the schema: {0}")]
	Output(String),
}

type OnnxPlan = Arc<TypedRunnableModel>;

enum Loaded {
	Onnx { plan: OnnxPlan, order: Vec<usize> },
	Int8 { model: Arc<Int8Model>, prepared: PreparedInt8, batch: usize },
}

/// Runs artifacts; share it (it is `Sync`) so the cache is shared.
pub struct Executor {
	backend: Backend,
	cache: Mutex<HashMap<([u8; 32], Vec<u8>), Arc<Loaded>>>,
}

impl Default for Executor {
	fn default() -> Self {
		Self::new(Backend::auto())
	}
}

fn tensors(schema: &IoSchema) -> Result<(&[TensorSpec], &[TensorSpec]), ExecError> {
	match schema {
		IoSchema::Tensors { inputs, outputs } => Ok((inputs, outputs)),
		IoSchema::Chat { .. } => Err(ExecError::Schema(
			"a chat schema needs an LLM engine; this one runs tensors".into(),
		)),
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

impl Executor {
	/// An executor whose int8 models run on `backend`.
	pub fn new(backend: Backend) -> Self {
		Self { backend, cache: Mutex::new(HashMap::new()) }
	}

	/// The integer engine's backend (`backend().name()` is `"cpu"` or `"gpu"`).
	pub fn backend(&self) -> &Backend {
		&self.backend
	}

	/// Models in the cache.
	pub fn cached_models(&self) -> usize {
		self.cache.lock().map_or(0, |c| c.len())
	}

	/// Whether the artifact with this digest is loaded for this schema, so that `run` will
	/// not read the `artifact` bytes it is given.
	pub fn is_loaded(&self, artifact_digest: [u8; 32], schema: &IoSchema) -> bool {
		self.cache.lock().is_ok_and(|c| c.contains_key(&(artifact_digest, schema.encode())))
	}

	/// Runs `artifact` (whose digest is `artifact_digest`) on `input` laid out per `schema`'s
	/// inputs; returns the output laid out per its outputs.
	pub fn run(
		&self,
		format: ArtifactFormat,
		artifact_digest: [u8; 32],
		artifact: &[u8],
		schema: &IoSchema,
		input: &[u8],
	) -> Result<Vec<u8>, ExecError> {
		let (inputs, outputs) = tensors(schema)?;
		let expected = tensor::encoded_len(inputs)
			.ok_or_else(|| ExecError::Schema("input tensors too large".into()))?;
		if input.len() != expected {
			return Err(ExecError::InputLength { expected, got: input.len() });
		}
		if !matches!(format, ArtifactFormat::Onnx | ArtifactFormat::VerityInt8) {
			return Err(ExecError::UnsupportedFormat(format));
		}
		let key = (artifact_digest, schema.encode());
		let cached = self.cache.lock().ok().and_then(|c| c.get(&key).cloned());
		let loaded = match cached {
			Some(loaded) => loaded,
			None => {
				let loaded = Arc::new(match format {
					ArtifactFormat::Onnx => load_onnx(artifact, inputs)?,
					_ => self.load_int8(artifact, inputs, outputs)?,
				});
				if let Ok(mut cache) = self.cache.lock() {
					cache.insert(key, loaded.clone());
				}
				loaded
			},
		};
		let parts = tensor::split(inputs, input).map_err(|e| ExecError::Schema(e.to_string()))?;
		match &*loaded {
			Loaded::Onnx { plan, order } => {
				let values = order
					.iter()
					.map(|i| to_tract(&inputs[*i], parts[*i]).map(|t| t.into_tvalue()))
					.collect::<Result<TVec<_>, _>>()?;
				let results = plan.run(values).map_err(|e| ExecError::Run(format!("{e:#}")))?;
				if results.len() != outputs.len() {
					return Err(ExecError::Output(format!(
						"the model returns {} tensors, the schema lists {}",
						results.len(),
						outputs.len()
					)));
				}
				let mut out = Vec::with_capacity(tensor::encoded_len(outputs).unwrap_or(0));
				for (spec, value) in outputs.iter().zip(&results) {
					from_tract(spec, value, &mut out)?;
				}
				Ok(out)
			},
			Loaded::Int8 { model, prepared, batch } => {
				let raw = parts[0];
				let q: Vec<i8> = match inputs[0].dtype {
					TensorDtype::I8 => raw.iter().map(|b| *b as i8).collect(),
					_ => {
						let scale = model.input_scale();
						raw.chunks_exact(4)
							.map(|c| quantize(f32::from_le_bytes([c[0], c[1], c[2], c[3]]), scale))
							.collect()
					},
				};
				let y =
					prepared.run_batch(&q, *batch).map_err(|e| ExecError::Run(e.to_string()))?;
				Ok(match outputs[0].dtype {
					TensorDtype::I8 => y.iter().map(|v| *v as u8).collect(),
					_ => {
						let scale = model.output_scale();
						y.iter().flat_map(|v| dequantize(*v, scale).to_le_bytes()).collect()
					},
				})
			},
		}
	}

	fn load_int8(
		&self,
		artifact: &[u8],
		inputs: &[TensorSpec],
		outputs: &[TensorSpec],
	) -> Result<Loaded, ExecError> {
		let model = decode_file(artifact).map_err(|e| ExecError::Load(e.to_string()))?;
		let shapes = model.validate().map_err(|e| ExecError::Load(e.to_string()))?;
		let ([input], [output]) = (inputs, outputs) else {
			return Err(ExecError::Schema(
				"a verity-int8 model takes one input tensor and returns one output tensor".into(),
			));
		};
		for (spec, side) in [(input, "input"), (output, "output")] {
			if !matches!(spec.dtype, TensorDtype::F32 | TensorDtype::I8) {
				return Err(ExecError::Schema(format!(
					"verity-int8 {side} `{}` must be f32 or i8, not {}",
					spec_name(spec),
					spec.dtype.name()
				)));
			}
		}
		let batch_of = |spec: &TensorSpec, shape: &[u32], side: &str| -> Result<usize, ExecError> {
			if spec.shape[..] == *shape {
				Ok(1)
			} else if spec.shape.len() == shape.len() + 1 && spec.shape[1..] == *shape {
				Ok(spec.shape[0] as usize)
			} else {
				Err(ExecError::Schema(format!(
					"{side} `{}` has shape {:?}; the model's {side} is {shape:?} (optionally with a leading batch dimension)",
					spec_name(spec),
					spec.shape
				)))
			}
		};
		let batch = batch_of(input, &shapes[0], "input")?;
		let out_batch = batch_of(output, shapes.last().expect("non-empty"), "output")?;
		if batch != out_batch {
			return Err(ExecError::Schema(format!(
				"input batch {batch} and output batch {out_batch} differ"
			)));
		}
		let model = Arc::new(model);
		let prepared =
			self.backend.prepare(model.clone()).map_err(|e| ExecError::Load(e.to_string()))?;
		Ok(Loaded::Int8 { model, prepared, batch })
	}
}

fn load_onnx(artifact: &[u8], inputs: &[TensorSpec]) -> Result<Loaded, ExecError> {
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
	Ok(Loaded::Onnx { plan, order })
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::testmodels::{self, f32_schema, spec};

	fn digest(n: u8) -> [u8; 32] {
		[n; 32]
	}

	#[test]
	fn errors_are_clear() {
		let exec = Executor::new(Backend::Cpu);
		let schema = f32_schema(&[1, 4], &[1, 3]);
		let mlp = testmodels::mlp_onnx(1, &[4, 3]);
		let err = exec.run(ArtifactFormat::Onnx, digest(1), &mlp, &schema, &[0; 15]).unwrap_err();
		assert_eq!(err.to_string(), "wrong input length: expected 16 bytes, got 15");
		let err = exec.run(ArtifactFormat::Gguf, digest(1), &mlp, &schema, &[0; 16]).unwrap_err();
		assert!(matches!(err, ExecError::UnsupportedFormat(ArtifactFormat::Gguf)), "{err}");
		assert!(err.to_string().contains("`gguf`"));
		let err =
			exec.run(ArtifactFormat::Safetensors, digest(1), &mlp, &schema, &[0; 16]).unwrap_err();
		assert!(matches!(err, ExecError::UnsupportedFormat(_)));
		let err =
			exec.run(ArtifactFormat::Onnx, digest(2), b"junk", &schema, &[0; 16]).unwrap_err();
		assert!(matches!(err, ExecError::Load(_)), "{err}");
		let err = exec
			.run(ArtifactFormat::VerityInt8, digest(3), b"junk", &schema, &[0; 16])
			.unwrap_err();
		assert!(err.to_string().contains("bad magic"), "{err}");
		// Output schema that disagrees with the model.
		let wrong_out = f32_schema(&[1, 4], &[1, 4]);
		let err =
			exec.run(ArtifactFormat::Onnx, digest(1), &mlp, &wrong_out, &[0; 16]).unwrap_err();
		assert!(matches!(err, ExecError::Output(_)), "{err}");
		assert!(err.to_string().contains("shape [1, 3]"), "{err}");
		// Input named differently from the model's.
		let renamed = IoSchema::Tensors {
			inputs: vec![spec("x", TensorDtype::F32, &[1, 4])].try_into().unwrap(),
			outputs: vec![spec("output", TensorDtype::F32, &[1, 3])].try_into().unwrap(),
		};
		let err = exec.run(ArtifactFormat::Onnx, digest(1), &mlp, &renamed, &[0; 16]).unwrap_err();
		assert!(err.to_string().contains("model input `input` is not in the schema"), "{err}");
		let chat = IoSchema::Chat { max_context_tokens: 10 };
		assert!(matches!(
			exec.run(ArtifactFormat::Onnx, digest(1), &mlp, &chat, &[]),
			Err(ExecError::Schema(_))
		));
	}

	#[test]
	fn int8_schema_dtypes_shapes_and_batches() {
		let exec = Executor::new(Backend::Cpu);
		let model = crate::engine::random_model(5, false);
		let file = verity_primitives::int8::encode_file(&model);
		let cpu = crate::engine::cpu::CpuModel::new(Arc::new(model.clone())).unwrap();
		let x = crate::engine::random_input(9, 48 * 3);
		let expected = cpu.run_batch(&x, 3).unwrap();
		let schema = |din, dout, shin: &[u32], shout: &[u32]| IoSchema::Tensors {
			inputs: vec![spec("input", din, shin)].try_into().unwrap(),
			outputs: vec![spec("output", dout, shout)].try_into().unwrap(),
		};
		let raw: Vec<u8> = x.iter().map(|v| *v as u8).collect();
		let i8s = schema(TensorDtype::I8, TensorDtype::I8, &[3, 48], &[3, 10]);
		let out = exec.run(ArtifactFormat::VerityInt8, digest(7), &file, &i8s, &raw).unwrap();
		assert_eq!(out, expected.iter().map(|v| *v as u8).collect::<Vec<_>>());
		// f32 in, f32 out, one sample: input quantized on the host, output dequantized.
		let f32s = schema(TensorDtype::F32, TensorDtype::F32, &[48], &[10]);
		let floats: Vec<u8> = x[..48]
			.iter()
			.flat_map(|q| (f32::from(*q) * model.input_scale()).to_le_bytes())
			.collect();
		let out = exec.run(ArtifactFormat::VerityInt8, digest(7), &file, &f32s, &floats).unwrap();
		let want: Vec<u8> = expected[..10]
			.iter()
			.flat_map(|q| (f32::from(*q) * model.output_scale()).to_le_bytes())
			.collect();
		assert_eq!(out, want);
		assert_eq!(exec.cached_models(), 2);
		let bad = schema(TensorDtype::I64, TensorDtype::F32, &[48], &[10]);
		let err =
			exec.run(ArtifactFormat::VerityInt8, digest(7), &file, &bad, &[0; 384]).unwrap_err();
		assert!(err.to_string().contains("must be f32 or i8"), "{err}");
		let bad = schema(TensorDtype::I8, TensorDtype::I8, &[47], &[10]);
		let err =
			exec.run(ArtifactFormat::VerityInt8, digest(7), &file, &bad, &[0; 47]).unwrap_err();
		assert!(err.to_string().contains("the model's input is [48]"), "{err}");
	}
}
