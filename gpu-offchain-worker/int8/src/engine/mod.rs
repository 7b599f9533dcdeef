//! Integer engines for [`Int8Model`]s: [`cpu`] (reference operations) and [`gpu`] (NVRTC
//! kernels), bit-identical by construction (same i32 accumulation, same requantization).
//! [`Backend::auto`] picks the GPU when one is usable, else the CPU.

pub mod cpu;
pub mod gpu;

use crate::format::Int8Model;
use std::sync::{Arc, OnceLock};

/// Why an integer model could not be prepared or run.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
	/// The model does not validate.
	#[error("invalid int8 model: {0}")]
	InvalidModel(String),
	/// The input is not `batch` samples.
	#[error("int8 input has {got} elements, expected {expected}")]
	InputLength {
		/// Elements expected.
		expected: usize,
		/// Elements given.
		got: usize,
	},
	/// The batch does not fit the engine's index types.
	#[error("batch too large")]
	BatchTooLarge,
	/// A CUDA driver or NVRTC failure.
	#[error("GPU: {0}")]
	Gpu(String),
}

/// Where integer models run.
#[derive(Clone)]
pub enum Backend {
	/// The CPU engine.
	Cpu,
	/// The GPU engine.
	Gpu(Arc<gpu::GpuEngine>),
}

impl std::fmt::Debug for Backend {
	fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
		f.write_str(self.name())
	}
}

impl Backend {
	/// The GPU when one is usable (driver, NVRTC and a device found, kernels compiled), else the
	/// CPU. Probed once per process and logged once (why it is the CPU, or which GPU). Setting
	/// `VERITY_INT8_BACKEND=cpu` forces the CPU.
	pub fn auto() -> Backend {
		static AUTO: OnceLock<Backend> = OnceLock::new();
		AUTO.get_or_init(|| {
			if std::env::var("VERITY_INT8_BACKEND").is_ok_and(|v| v == "cpu") {
				log::info!("VERITY_INT8_BACKEND=cpu: integer engine runs on CPU");
				return Backend::Cpu;
			}
			match gpu::GpuEngine::shared() {
				Ok(engine) => {
					log::info!("integer engine runs on GPU: {}", engine.device_name());
					Backend::Gpu(engine)
				},
				Err(why) => {
					log::info!("{why}: integer engine runs on CPU");
					Backend::Cpu
				},
			}
		})
		.clone()
	}

	/// `"cpu"` or `"gpu"`.
	pub fn name(&self) -> &'static str {
		match self {
			Backend::Cpu => "cpu",
			Backend::Gpu(_) => "gpu",
		}
	}

	/// Validates the model and, on the GPU, uploads its weights.
	pub fn prepare(&self, model: Arc<Int8Model>) -> Result<PreparedInt8, EngineError> {
		Ok(match self {
			Backend::Cpu => PreparedInt8::Cpu(cpu::CpuModel::new(model)?),
			Backend::Gpu(engine) => PreparedInt8::Gpu(engine.prepare(model)?),
		})
	}
}

/// A model prepared on a backend.
pub enum PreparedInt8 {
	/// On the CPU.
	Cpu(cpu::CpuModel),
	/// On the GPU.
	Gpu(gpu::GpuModel),
}

impl PreparedInt8 {
	/// Runs `batch` samples laid out one after another.
	pub fn run_batch(&self, input: &[i8], batch: usize) -> Result<Vec<i8>, EngineError> {
		match self {
			PreparedInt8::Cpu(model) => model.run_batch(input, batch),
			PreparedInt8::Gpu(model) => model.run_batch(input, batch),
		}
	}
}

#[cfg(any(test, feature = "testing"))]
mod random;
#[cfg(any(test, feature = "testing"))]
pub use random::{random_input, random_model};
