#![doc = include_str!("../README.md")]

pub use cudarc;

use cudarc::driver::{CudaContext, CudaFunction, CudaModule, CudaStream};
use std::sync::Arc;

/// Checks, without panicking, that a CUDA driver, NVRTC and at least one device are present.
/// Returns the device count, or why the GPU cannot be used.
pub fn probe() -> Result<usize, String> {
	let outcome = std::panic::catch_unwind(|| {
		// SAFETY: these only try to open the shared libraries.
		if !unsafe { cudarc::driver::sys::is_culib_present() } {
			return Err("no CUDA driver found (libcuda)".to_string());
		}
		if !unsafe { cudarc::nvrtc::sys::is_culib_present() } {
			return Err("no NVRTC library found (libnvrtc)".to_string());
		}
		match CudaContext::device_count() {
			Ok(n) if n > 0 => Ok(n as usize),
			Ok(_) => Err("CUDA driver found but no CUDA device".to_string()),
			Err(e) => Err(format!("CUDA driver failed to initialise: {e:?}")),
		}
	});
	outcome.unwrap_or_else(|_| Err("CUDA probe panicked".to_string()))
}

/// A context on device 0, its default stream and a module of kernels compiled at run time.
pub struct Compiled {
	/// The context.
	pub ctx: Arc<CudaContext>,
	/// Its default stream.
	pub stream: Arc<CudaStream>,
	/// The compiled kernels.
	pub module: Arc<CudaModule>,
	/// The device's name.
	pub name: String,
}

impl Compiled {
	/// Probes, creates a context on device 0 and compiles `source` (CUDA C) with NVRTC, fused
	/// multiply-adds off; why not, when any step fails (a panic included).
	pub fn new(source: &str) -> Result<Self, String> {
		probe()?;
		std::panic::catch_unwind(|| Self::create(source))
			.unwrap_or_else(|_| Err("CUDA initialisation panicked".to_string()))
	}

	fn create(source: &str) -> Result<Self, String> {
		let ctx = CudaContext::new(0).map_err(|e| format!("CUDA context: {e:?}"))?;
		let name = ctx.name().unwrap_or_else(|_| "unknown CUDA device".to_string());
		let options = cudarc::nvrtc::CompileOptions { fmad: Some(false), ..Default::default() };
		let ptx = cudarc::nvrtc::compile_ptx_with_opts(source, options)
			.map_err(|e| format!("NVRTC: {e:?}"))?;
		let module = ctx.load_module(ptx).map_err(|e| format!("loading kernels: {e:?}"))?;
		Ok(Self { stream: ctx.default_stream(), ctx, module, name })
	}

	/// The kernel `name` of the module.
	pub fn function(&self, name: &str) -> Result<CudaFunction, String> {
		self.module.load_function(name).map_err(|e| format!("kernel {name}: {e:?}"))
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn probe_never_panics_and_explains_itself() {
		match probe() {
			Ok(devices) => assert!(devices > 0),
			Err(why) => assert!(why.contains("CUDA") || why.contains("NVRTC"), "{why}"),
		}
	}
}
