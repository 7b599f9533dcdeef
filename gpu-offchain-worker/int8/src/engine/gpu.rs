//! The GPU integer engine: NVRTC-compiled CUDA kernels doing exactly the integer math of
//! [`crate::format`] (int8 × int8 products accumulated in i32 from the i32 bias, the
//! same 64-bit single-rounding requantization, the same saturation), so outputs are
//! bit-identical to the CPU engine. The model's validation bounds every accumulator inside i32,
//! so no kernel can overflow.
//!
//! cudarc is built with dynamic loading (through `verity-cuda`): the CUDA driver and NVRTC
//! libraries are opened at run time, and [`probe`] checks that they are present before
//! touching the driver.

use super::EngineError;
use crate::format::{Int8Model, Layer};
use std::sync::{Arc, Mutex, OnceLock};
use verity_cuda::cudarc::driver::{
	CudaContext, CudaFunction, CudaSlice, CudaStream, LaunchConfig, PushKernelArg,
};

/// CUDA C source of the kernels; `verity_requant` mirrors `int8::requantize` line by line.
pub const KERNELS: &str = r#"
__device__ __forceinline__ signed char verity_requant(int acc, int mult, int shift, int relu) {
	long long x = (long long)acc * (long long)mult;
	long long r;
	if (shift == 0) {
		r = x;
	} else {
		long long half = 1LL << (shift - 1);
		if (x >= 0) r = (x + half) >> shift;
		else r = -((half - x) >> shift);
	}
	long long lo = relu ? 0 : -128;
	if (r < lo) r = lo;
	if (r > 127) r = 127;
	return (signed char)r;
}

// y[n, o] = requant(bias[o] + sum_i x[n, i] * w[o, i]); wt is w transposed (in x out) so that
// neighbouring threads (neighbouring o) read neighbouring weights.
extern "C" __global__ void verity_dense(const signed char* x, const signed char* wt,
		const int* bias, signed char* y, long long batch, int in_f, int out_f, int mult,
		int shift, int relu) {
	long long total = batch * (long long)out_f;
	for (long long idx = blockIdx.x * (long long)blockDim.x + threadIdx.x; idx < total;
			idx += (long long)gridDim.x * blockDim.x) {
		long long n = idx / out_f;
		int o = (int)(idx % out_f);
		const signed char* xr = x + n * in_f;
		int acc = bias[o];
		for (int i = 0; i < in_f; ++i) {
			acc += (int)xr[i] * (int)wt[(long long)i * out_f + o];
		}
		y[idx] = verity_requant(acc, mult, shift, relu);
	}
}

// NCHW input, OIHW weights, zero padding.
extern "C" __global__ void verity_conv2d(const signed char* x, const signed char* w,
		const int* bias, signed char* y, long long batch, int ic, int h, int wd, int oc, int kh,
		int kw, int sh, int sw, int ph, int pw, int oh, int ow, int mult, int shift, int relu) {
	long long total = batch * (long long)oc * oh * ow;
	for (long long idx = blockIdx.x * (long long)blockDim.x + threadIdx.x; idx < total;
			idx += (long long)gridDim.x * blockDim.x) {
		int ox = (int)(idx % ow);
		int oy = (int)((idx / ow) % oh);
		int o = (int)((idx / ((long long)ow * oh)) % oc);
		long long n = idx / ((long long)ow * oh * oc);
		const signed char* xs = x + n * (long long)ic * h * wd;
		int acc = bias[o];
		for (int c = 0; c < ic; ++c) {
			for (int ky = 0; ky < kh; ++ky) {
				int iy = oy * sh + ky - ph;
				if (iy < 0 || iy >= h) continue;
				for (int kx = 0; kx < kw; ++kx) {
					int ix = ox * sw + kx - pw;
					if (ix < 0 || ix >= wd) continue;
					acc += (int)w[((o * ic + c) * kh + ky) * kw + kx] *
						(int)xs[((long long)c * h + iy) * wd + ix];
				}
			}
		}
		y[idx] = verity_requant(acc, mult, shift, relu);
	}
}

extern "C" __global__ void verity_maxpool2d(const signed char* x, signed char* y,
		long long batch, int c, int h, int wd, int kh, int kw, int sh, int sw, int oh, int ow) {
	long long total = batch * (long long)c * oh * ow;
	for (long long idx = blockIdx.x * (long long)blockDim.x + threadIdx.x; idx < total;
			idx += (long long)gridDim.x * blockDim.x) {
		int ox = (int)(idx % ow);
		int oy = (int)((idx / ow) % oh);
		long long plane = idx / ((long long)ow * oh);
		const signed char* xs = x + plane * h * wd;
		signed char best = -128;
		for (int ky = 0; ky < kh; ++ky) {
			for (int kx = 0; kx < kw; ++kx) {
				signed char v = xs[(oy * sh + ky) * wd + ox * sw + kx];
				if (v > best) best = v;
			}
		}
		y[idx] = best;
	}
}

extern "C" __global__ void verity_relu(const signed char* x, signed char* y, long long total) {
	for (long long idx = blockIdx.x * (long long)blockDim.x + threadIdx.x; idx < total;
			idx += (long long)gridDim.x * blockDim.x) {
		signed char v = x[idx];
		y[idx] = v > 0 ? v : 0;
	}
}
"#;

pub use verity_cuda::probe;

/// A CUDA context on device 0 with the compiled kernels.
pub struct GpuEngine {
	ctx: Arc<CudaContext>,
	stream: Arc<CudaStream>,
	dense: CudaFunction,
	conv: CudaFunction,
	maxpool: CudaFunction,
	relu: CudaFunction,
	name: String,
}

impl GpuEngine {
	/// The process-wide engine (created on first use), or why there is none.
	pub fn shared() -> Result<Arc<GpuEngine>, String> {
		static ENGINE: OnceLock<Result<Arc<GpuEngine>, String>> = OnceLock::new();
		ENGINE.get_or_init(|| GpuEngine::new().map(Arc::new)).clone()
	}

	/// Probes, creates a context on device 0 and compiles the kernels with NVRTC.
	pub fn new() -> Result<GpuEngine, String> {
		let compiled = verity_cuda::Compiled::new(KERNELS)?;
		Ok(GpuEngine {
			dense: compiled.function("verity_dense")?,
			conv: compiled.function("verity_conv2d")?,
			maxpool: compiled.function("verity_maxpool2d")?,
			relu: compiled.function("verity_relu")?,
			stream: compiled.stream,
			ctx: compiled.ctx,
			name: compiled.name,
		})
	}

	/// The device's name.
	pub fn device_name(&self) -> &str {
		&self.name
	}

	/// Validates the model and uploads its weights.
	pub fn prepare(self: &Arc<Self>, model: Arc<Int8Model>) -> Result<GpuModel, EngineError> {
		let shapes = model.validate().map_err(|why| EngineError::InvalidModel(why.to_string()))?;
		let gpu = |e: verity_cuda::cudarc::driver::DriverError| EngineError::Gpu(format!("{e:?}"));
		let mut layers = Vec::with_capacity(model.layers.len());
		for layer in &model.layers {
			layers.push(match layer {
				Layer::Dense(d) => {
					let (inf, outf) = (d.in_features as usize, d.out_features as usize);
					let mut transposed = vec![0i8; d.weights.len()];
					for o in 0..outf {
						for i in 0..inf {
							transposed[i * outf + o] = d.weights[o * inf + i];
						}
					}
					GpuLayer::Dense {
						weights: self.stream.clone_htod(&transposed).map_err(gpu)?,
						bias: self.stream.clone_htod(&d.bias).map_err(gpu)?,
					}
				},
				Layer::Conv2d(c) => GpuLayer::Conv {
					weights: self.stream.clone_htod(&c.weights).map_err(gpu)?,
					bias: self.stream.clone_htod(&c.bias).map_err(gpu)?,
				},
				_ => GpuLayer::Other,
			});
		}
		Ok(GpuModel { engine: self.clone(), model, shapes, layers, lock: Mutex::new(()) })
	}
}

enum GpuLayer {
	Dense { weights: CudaSlice<i8>, bias: CudaSlice<i32> },
	Conv { weights: CudaSlice<i8>, bias: CudaSlice<i32> },
	Other,
}

/// A model whose weights live on the GPU.
pub struct GpuModel {
	engine: Arc<GpuEngine>,
	model: Arc<Int8Model>,
	shapes: Vec<Vec<u32>>,
	layers: Vec<GpuLayer>,
	lock: Mutex<()>,
}

fn launch_config(total: u64) -> LaunchConfig {
	const THREADS: u64 = 256;
	let blocks = total.div_ceil(THREADS).clamp(1, 1 << 20) as u32;
	LaunchConfig {
		grid_dim: (blocks, 1, 1),
		block_dim: (THREADS as u32, 1, 1),
		shared_mem_bytes: 0,
	}
}

impl GpuModel {
	/// The model.
	pub fn model(&self) -> &Arc<Int8Model> {
		&self.model
	}

	/// Runs `batch` samples laid out one after another (one run at a time per model).
	pub fn run_batch(&self, input: &[i8], batch: usize) -> Result<Vec<i8>, EngineError> {
		let in_len = self.model.input_len();
		let expected = in_len.checked_mul(batch).ok_or(EngineError::BatchTooLarge)?;
		if input.len() != expected {
			return Err(EngineError::InputLength { expected, got: input.len() });
		}
		let out_len: usize = self.shapes.last().map_or(0, |s| s.iter().product::<u32>() as usize);
		if batch == 0 {
			return Ok(Vec::new());
		}
		let _guard = self.lock.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
		std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.launch_all(input, batch)))
			.unwrap_or_else(|_| Err(EngineError::Gpu("CUDA call panicked".to_string())))
			.and_then(|out| {
				if out.len() == out_len * batch {
					Ok(out)
				} else {
					Err(EngineError::Gpu("output length mismatch".to_string()))
				}
			})
	}

	fn launch_all(&self, input: &[i8], batch: usize) -> Result<Vec<i8>, EngineError> {
		let engine = &self.engine;
		let stream = &engine.stream;
		let gpu = |e: verity_cuda::cudarc::driver::DriverError| EngineError::Gpu(format!("{e:?}"));
		engine.ctx.bind_to_thread().map_err(gpu)?;
		let n = batch as i64;
		let mut x: CudaSlice<i8> = stream.clone_htod(input).map_err(gpu)?;
		for ((layer, on_gpu), shape) in self.model.layers.iter().zip(&self.layers).zip(&self.shapes)
		{
			let out_shape = layer_out_shape(layer, shape);
			let per_sample: u64 = out_shape.iter().map(|d| u64::from(*d)).product();
			let total = per_sample * batch as u64;
			let cfg = launch_config(total);
			let next = match (layer, on_gpu) {
				(Layer::Dense(d), GpuLayer::Dense { weights, bias }) => {
					let mut y = stream.alloc_zeros::<i8>(total as usize).map_err(gpu)?;
					let (inf, outf) = (d.in_features as i32, d.out_features as i32);
					let (mult, shift, relu) =
						(d.requant.multiplier, i32::from(d.requant.shift), i32::from(d.relu));
					let mut b = stream.launch_builder(&engine.dense);
					b.arg(&x).arg(weights).arg(bias).arg(&mut y);
					b.arg(&n).arg(&inf).arg(&outf).arg(&mult).arg(&shift).arg(&relu);
					// SAFETY: argument types and order match `verity_dense`; buffer sizes follow
					// the validated shapes.
					unsafe { b.launch(cfg) }.map_err(gpu)?;
					y
				},
				(Layer::Conv2d(c), GpuLayer::Conv { weights, bias }) => {
					let mut y = stream.alloc_zeros::<i8>(total as usize).map_err(gpu)?;
					let p = [
						c.in_channels as i32,
						shape[1] as i32,
						shape[2] as i32,
						c.out_channels as i32,
						c.kernel_h as i32,
						c.kernel_w as i32,
						c.stride_h as i32,
						c.stride_w as i32,
						c.pad_h as i32,
						c.pad_w as i32,
						out_shape[1] as i32,
						out_shape[2] as i32,
						c.requant.multiplier,
						i32::from(c.requant.shift),
						i32::from(c.relu),
					];
					let mut b = stream.launch_builder(&engine.conv);
					b.arg(&x).arg(weights).arg(bias).arg(&mut y).arg(&n);
					for value in &p {
						b.arg(value);
					}
					// SAFETY: as above, for `verity_conv2d`.
					unsafe { b.launch(cfg) }.map_err(gpu)?;
					y
				},
				(Layer::MaxPool2d(m), _) => {
					let mut y = stream.alloc_zeros::<i8>(total as usize).map_err(gpu)?;
					let p = [
						shape[0] as i32,
						shape[1] as i32,
						shape[2] as i32,
						m.kernel_h as i32,
						m.kernel_w as i32,
						m.stride_h as i32,
						m.stride_w as i32,
						out_shape[1] as i32,
						out_shape[2] as i32,
					];
					let mut b = stream.launch_builder(&engine.maxpool);
					b.arg(&x).arg(&mut y).arg(&n);
					for value in &p {
						b.arg(value);
					}
					// SAFETY: as above, for `verity_maxpool2d`.
					unsafe { b.launch(cfg) }.map_err(gpu)?;
					y
				},
				(Layer::Relu, _) => {
					let mut y = stream.alloc_zeros::<i8>(total as usize).map_err(gpu)?;
					let count = total as i64;
					let mut b = stream.launch_builder(&engine.relu);
					b.arg(&x).arg(&mut y).arg(&count);
					// SAFETY: as above, for `verity_relu`.
					unsafe { b.launch(cfg) }.map_err(gpu)?;
					y
				},
				(Layer::Flatten, _) => x,
				_ => return Err(EngineError::Gpu("layer and uploaded weights disagree".into())),
			};
			x = next;
		}
		stream.clone_dtoh(&x).map_err(gpu)
	}
}

fn layer_out_shape(layer: &Layer, shape: &[u32]) -> Vec<u32> {
	// The shapes were validated; recompute the one after `layer` from its input.
	let window = |n: u32, k: u32, s: u32, p: u32| (n + 2 * p - k) / s + 1;
	match layer {
		Layer::Dense(d) => vec![d.out_features],
		Layer::Conv2d(c) => vec![
			c.out_channels,
			window(shape[1], c.kernel_h, c.stride_h, c.pad_h),
			window(shape[2], c.kernel_w, c.stride_w, c.pad_w),
		],
		Layer::Relu => shape.to_vec(),
		Layer::Flatten => vec![shape.iter().product()],
		Layer::MaxPool2d(m) => vec![
			shape[0],
			window(shape[1], m.kernel_h, m.stride_h, 0),
			window(shape[2], m.kernel_w, m.stride_w, 0),
		],
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn layer_shapes_agree_with_validation() {
		for seed in 0..20 {
			let model = crate::engine::random_model(seed, seed % 2 == 0);
			let shapes = model.validate().unwrap();
			for (i, layer) in model.layers.iter().enumerate() {
				assert_eq!(layer_out_shape(layer, &shapes[i]), shapes[i + 1]);
			}
		}
	}
}
