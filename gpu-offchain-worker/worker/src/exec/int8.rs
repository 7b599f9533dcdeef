//! The integer engine: Verity int8 artifacts ([`verity_int8`]) on the CPU or GPU
//! backend ([`Backend`]), bit-identical on both.
//!
//! Their schema has one input and one output. The input is `i8` (quantized values as they
//! are) or `f32` (quantized on the host with the model's input scale: `round(x / scale)`, ties
//! away from zero, clamped to `[-128, 127]`, NaN to 0); the output is `i8` or `f32`
//! (dequantized: `q · output_scale`). The schema's shape is the model's per-sample shape,
//! optionally with a leading batch dimension `N` (run as a batch).

use super::{tensors, Engine, ExecError, LoadedModel, RunReport, Sink};
use crate::tensor::spec_name;
use std::sync::Arc;
use verity_int8::engine::{Backend, PreparedInt8};
use verity_int8::{decode_file, dequantize, quantize, Int8Model};
use verity_primitives::{ArtifactFormat, IoSchema, TensorDtype, TensorSpec};

/// Runs Verity int8 artifacts on a backend.
pub struct Int8Engine {
	backend: Backend,
}

impl Int8Engine {
	/// The engine on `backend`.
	pub fn new(backend: Backend) -> Self {
		Self { backend }
	}

	/// Its backend.
	pub fn backend(&self) -> &Backend {
		&self.backend
	}
}

impl Engine for Int8Engine {
	fn name(&self) -> &'static str {
		"int8"
	}

	fn device(&self) -> &'static str {
		self.backend.name()
	}

	fn format(&self) -> ArtifactFormat {
		ArtifactFormat::VerityInt8
	}

	fn load(&self, artifact: &[u8], schema: &IoSchema) -> Result<Arc<dyn LoadedModel>, ExecError> {
		let (inputs, outputs) = tensors(schema)?;
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
		Ok(Arc::new(Int8Loaded {
			model,
			prepared,
			batch,
			input: input.dtype,
			output: output.dtype,
		}))
	}
}

/// How many samples `spec` holds: 1 when its shape is the model's, `N` with a leading `N`.
fn batch_of(spec: &TensorSpec, shape: &[u32], side: &str) -> Result<usize, ExecError> {
	if spec.shape[..] == *shape {
		Ok(1)
	} else if spec.shape.len() == shape.len() + 1 && spec.shape[1..] == *shape {
		Ok(spec.shape[0] as usize)
	} else {
		Err(ExecError::Schema(format!(
			"{side} `{}` has shape {:?}; the model's {side} is {shape:?} (optionally with a \
			 leading batch dimension)",
			spec_name(spec),
			spec.shape
		)))
	}
}

/// A prepared int8 model and the dtypes its schema reads and writes.
struct Int8Loaded {
	model: Arc<Int8Model>,
	prepared: PreparedInt8,
	batch: usize,
	input: TensorDtype,
	output: TensorDtype,
}

impl LoadedModel for Int8Loaded {
	fn run(&self, input: &[u8], sink: Sink<'_>) -> Result<RunReport, ExecError> {
		let q: Vec<i8> = match self.input {
			TensorDtype::I8 => input.iter().map(|b| *b as i8).collect(),
			_ => {
				let scale = self.model.input_scale();
				input
					.chunks_exact(4)
					.map(|c| quantize(f32::from_le_bytes([c[0], c[1], c[2], c[3]]), scale))
					.collect()
			},
		};
		let y =
			self.prepared.run_batch(&q, self.batch).map_err(|e| ExecError::Run(e.to_string()))?;
		let out: Vec<u8> = match self.output {
			TensorDtype::I8 => y.iter().map(|v| *v as u8).collect(),
			_ => {
				let scale = self.model.output_scale();
				y.iter().flat_map(|v| dequantize(*v, scale).to_le_bytes()).collect()
			},
		};
		let _ = sink(&out);
		Ok(RunReport::default())
	}
}
