//! The GPU backend: the quantized matrices live on the GPU and their products run in
//! NVRTC-compiled CUDA kernels that do exactly the CPU kernels' arithmetic (the same 8-bit
//! activations, quantized on the CPU; each block's integer dot product; the block terms
//! summed in the same order with the same float operations, fused multiply-adds off), so a
//! GPU worker's results are the CPU's bit for bit and its fingerprints pass any checker. The
//! rest of the decoder (norms, rotary embedding, attention, the LM head) stays on the CPU.
//!
//! [`Backend::auto`] picks the GPU when a CUDA driver, NVRTC and a device are found (probed
//! once per process, without panicking, through `verity-cuda`), else the CPU.

use crate::{
	kernels::{quantized_bytes, BlockKind, QMatrix},
	LlmError,
};
use candle_core::{Device, Tensor};
use std::sync::{Arc, Mutex, OnceLock};
use verity_cuda::cudarc::driver::{
	CudaContext, CudaFunction, CudaSlice, CudaStream, DriverError, LaunchConfig, PushKernelArg,
};

/// CUDA C source of the kernels: one warp per (row, token) output; the lanes compute the
/// block terms as `kernels::dot_q41` and `kernels::dot_i8` do, lane 0 sums them in order.
pub const KERNELS: &str = r#"
struct Q41 { float d; float m; unsigned char qs[16]; };
struct I8B { float s0; float s1; signed char qs[32]; };
struct Q81 { float d; float s; signed char qs[32]; };

__device__ __forceinline__ float verity_term(const Q41& w, const Q81& a) {
	int sumi = 0;
	for (int j = 0; j < 16; ++j) {
		sumi += (int)(w.qs[j] & 15) * (int)a.qs[j] + (int)(w.qs[j] >> 4) * (int)a.qs[j + 16];
	}
	return (float)sumi * w.d * a.d + w.m * a.s;
}

__device__ __forceinline__ float verity_term(const I8B& w, const Q81& a) {
	int lo = 0, hi = 0;
	for (int j = 0; j < 16; ++j) {
		lo += (int)w.qs[j] * (int)a.qs[j];
		hi += (int)w.qs[j + 16] * (int)a.qs[j + 16];
	}
	return a.d * (w.s0 * (float)lo + w.s1 * (float)hi);
}

template <typename W>
__device__ void verity_matmul(const W* w, const Q81* x, float* y, int rows, int blocks,
		int tokens, float* terms) {
	long long warp = ((long long)blockIdx.x * blockDim.x + threadIdx.x) >> 5;
	int lane = threadIdx.x & 31;
	if (warp >= (long long)rows * tokens) return;
	// Neighbouring warps take the same row for different tokens: the row stays in cache.
	int row = (int)(warp / tokens);
	int token = (int)(warp % tokens);
	float* mine = terms + (threadIdx.x >> 5) * blocks;
	const W* wr = w + (long long)row * blocks;
	const Q81* xr = x + (long long)token * blocks;
	for (int b = lane; b < blocks; b += 32) mine[b] = verity_term(wr[b], xr[b]);
	__syncwarp();
	if (lane == 0) {
		float sum = 0.0f;
		for (int b = 0; b < blocks; ++b) sum += mine[b];
		y[(long long)token * rows + row] = sum;
	}
}

extern "C" __global__ void verity_matmul_q41(const Q41* w, const Q81* x, float* y, int rows,
		int blocks, int tokens) {
	extern __shared__ float terms[];
	verity_matmul(w, x, y, rows, blocks, tokens, terms);
}

extern "C" __global__ void verity_matmul_i8(const I8B* w, const Q81* x, float* y, int rows,
		int blocks, int tokens) {
	extern __shared__ float terms[];
	verity_matmul(w, x, y, rows, blocks, tokens, terms);
}
"#;

/// Warps (outputs) per thread block.
const WARPS_PER_BLOCK: usize = 4;
/// Shared memory a thread block may use (the block terms of its warps).
const SHARED_MEMORY: usize = 48 * 1024;

/// A CUDA context on device 0 with the compiled kernels.
pub struct Gpu {
	ctx: Arc<CudaContext>,
	stream: Arc<CudaStream>,
	q41: CudaFunction,
	i8: CudaFunction,
	name: String,
	/// One launch sequence at a time.
	lock: Mutex<()>,
}

impl Gpu {
	/// The process-wide GPU (set up on first use), or why there is none.
	pub fn shared() -> Result<Arc<Gpu>, String> {
		static GPU: OnceLock<Result<Arc<Gpu>, String>> = OnceLock::new();
		GPU.get_or_init(|| Gpu::new().map(Arc::new)).clone()
	}

	fn new() -> Result<Gpu, String> {
		let compiled = verity_cuda::Compiled::new(KERNELS)?;
		Ok(Gpu {
			q41: compiled.function("verity_matmul_q41")?,
			i8: compiled.function("verity_matmul_i8")?,
			ctx: compiled.ctx,
			stream: compiled.stream,
			name: compiled.name,
			lock: Mutex::new(()),
		})
	}

	/// The device's name.
	pub fn device_name(&self) -> &str {
		&self.name
	}

	/// The device memory's peak bandwidth in bytes per second (memory clock × bus width ×
	/// 2 for double data rate), as the driver reports it.
	pub fn memory_bandwidth(&self) -> Result<f64, LlmError> {
		use verity_cuda::cudarc::driver::sys::CUdevice_attribute as Attribute;
		let attribute =
			|which| self.ctx.attribute(which).map_err(|e| LlmError::Gpu(format!("{e:?}")));
		let clock_khz = attribute(Attribute::CU_DEVICE_ATTRIBUTE_MEMORY_CLOCK_RATE)?;
		let bus_bits = attribute(Attribute::CU_DEVICE_ATTRIBUTE_GLOBAL_MEMORY_BUS_WIDTH)?;
		Ok(2.0 * f64::from(clock_khz) * 1000.0 * f64::from(bus_bits) / 8.0)
	}

	/// Runs `calls` on this thread's binding of the context, one caller at a time; a CUDA
	/// failure or panic is an error.
	fn run<T>(&self, calls: impl FnOnce() -> Result<T, DriverError>) -> Result<T, LlmError> {
		let _guard = self.lock.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
		let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
			self.ctx.bind_to_thread()?;
			calls()
		}));
		match outcome {
			Ok(Ok(value)) => Ok(value),
			Ok(Err(error)) => Err(LlmError::Gpu(format!("{error:?}"))),
			Err(_) => Err(LlmError::Gpu("a CUDA call panicked".into())),
		}
	}
}

/// Where a model's quantized matrices run.
#[derive(Clone)]
pub enum Backend {
	/// The CPU kernels.
	Cpu,
	/// The GPU kernels (bit-identical results).
	Gpu(Arc<Gpu>),
}

impl Backend {
	/// The GPU when one is usable (driver, NVRTC and a device found, kernels compiled), else
	/// the CPU; `VERITY_LLM_BACKEND=cpu` forces the CPU.
	pub fn auto() -> Backend {
		if std::env::var("VERITY_LLM_BACKEND").is_ok_and(|v| v == "cpu") {
			return Backend::Cpu;
		}
		Gpu::shared().map_or(Backend::Cpu, Backend::Gpu)
	}

	/// `"cpu"` or `"gpu"`.
	pub fn name(&self) -> &'static str {
		match self {
			Backend::Cpu => "cpu",
			Backend::Gpu(_) => "gpu",
		}
	}
}

/// A quantized matrix on the GPU.
pub struct GpuMatrix {
	gpu: Arc<Gpu>,
	rows: usize,
	cols: usize,
	kind: BlockKind,
	weights: CudaSlice<u8>,
}

impl GpuMatrix {
	/// Whether the kernels take `matrix` (a thread block holds the block terms of its rows in
	/// shared memory; longer rows stay on the CPU).
	pub fn fits(matrix: &QMatrix) -> bool {
		WARPS_PER_BLOCK * (matrix.cols() / 32) * 4 <= SHARED_MEMORY
	}

	/// Uploads `matrix`'s blocks.
	pub fn upload(gpu: &Arc<Gpu>, matrix: &QMatrix) -> Result<Self, LlmError> {
		if !Self::fits(matrix) {
			return Err(LlmError::Gpu(format!("rows of {} values are too long", matrix.cols())));
		}
		let (kind, bytes) = matrix.device_blocks();
		let weights = gpu.run(|| gpu.stream.clone_htod(&bytes))?;
		Ok(Self { gpu: gpu.clone(), rows: matrix.rows(), cols: matrix.cols(), kind, weights })
	}

	/// `x @ selfᵀ` for `x` of shape `(..., cols)`: shape `(..., rows)`, as
	/// [`QMatrix::forward`] computes it, bit for bit.
	pub fn forward(&self, x: &Tensor) -> Result<Tensor, LlmError> {
		let dims = x.dims().to_vec();
		let inputs: Vec<f32> = x.flatten_all()?.to_vec1()?;
		let tokens = inputs.len() / self.cols;
		let out = if tokens == 0 { Vec::new() } else { self.product(&inputs, tokens)? };
		let mut shape = dims;
		*shape.last_mut().expect("at least one dimension") = self.rows;
		Ok(Tensor::from_vec(out, shape, &Device::Cpu)?)
	}

	fn product(&self, inputs: &[f32], tokens: usize) -> Result<Vec<f32>, LlmError> {
		let activations = quantized_bytes(inputs, self.cols);
		let (rows, blocks) = (self.rows as i32, (self.cols / 32) as i32);
		let count = i32::try_from(tokens).map_err(|_| LlmError::Gpu("too many tokens".into()))?;
		let gpu = &self.gpu;
		let function = match self.kind {
			BlockKind::Q41 => &gpu.q41,
			BlockKind::I8 => &gpu.i8,
		};
		gpu.run(|| {
			let x = gpu.stream.clone_htod(&activations)?;
			let mut y = gpu.stream.alloc_zeros::<f32>(tokens * self.rows)?;
			let mut launch = gpu.stream.launch_builder(function);
			launch.arg(&self.weights).arg(&x).arg(&mut y).arg(&rows).arg(&blocks).arg(&count);
			// SAFETY: the arguments match the kernel's (blocks of the kind's layout, `rows`
			// rows of `blocks` blocks, `tokens` rows of activations, `tokens * rows` outputs).
			unsafe { launch.launch(config(self.rows * tokens, self.cols / 32)) }?;
			gpu.stream.clone_dtoh(&y)
		})
	}
}

/// One warp per output; each warp's block terms in shared memory.
fn config(outputs: usize, blocks: usize) -> LaunchConfig {
	LaunchConfig {
		grid_dim: (outputs.div_ceil(WARPS_PER_BLOCK) as u32, 1, 1),
		block_dim: (32 * WARPS_PER_BLOCK as u32, 1, 1),
		shared_mem_bytes: (WARPS_PER_BLOCK * blocks * 4) as u32,
	}
}
