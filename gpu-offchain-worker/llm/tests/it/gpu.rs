//! The GPU backend, where a GPU is found: its matrix products are the CPU kernels' bit for
//! bit, for every type they run, and a model loaded on it decodes the CPU's tokens with the
//! CPU's hidden states (what fingerprints commit to) and logits. Elsewhere it prints why it
//! skips. Nothing here needs a model file: a GPU machine may have none.

use candle_core::{quantized::QTensor, Device, Tensor};
use std::sync::Arc;
use verity_llm::{
	gguf::Gguf,
	gpu::{Gpu, GpuMatrix},
	kernels::{self, QMatrix},
	model::Weights,
	random::random_model,
	sampling::argmax,
	Backend,
};

fn bits(tensor: &Tensor) -> Vec<u32> {
	let values: Vec<f32> = tensor.flatten_all().unwrap().to_vec1().unwrap();
	values.iter().map(|v| v.to_bits()).collect()
}

fn gpu() -> Option<Arc<Gpu>> {
	match Gpu::shared() {
		Ok(gpu) => Some(gpu),
		Err(why) => {
			println!("skipped: no usable GPU here: {why}");
			None
		},
	}
}

#[test]
fn gpu_products_are_the_cpus_bit_for_bit() {
	let Some(gpu) = gpu() else { return };
	println!("GPU: {}", gpu.device_name());
	let device = Device::Cpu;
	for dtype in kernels::TYPES {
		let weights = Tensor::randn(0f32, 1.0, (96, 768), &device).unwrap();
		let matrix = QMatrix::from_qtensor(&QTensor::quantize(&weights, dtype).unwrap()).unwrap();
		let on_gpu = GpuMatrix::upload(&gpu, &matrix).unwrap();
		for tokens in [1, 7] {
			let inputs = Tensor::randn(0f32, 2.0, (1, tokens, 768), &device).unwrap();
			let (cpu, gpu) = (matrix.forward(&inputs).unwrap(), on_gpu.forward(&inputs).unwrap());
			assert_eq!(bits(&cpu), bits(&gpu), "{dtype:?}, {tokens} tokens");
		}
	}
}

/// One greedy step: the token, and the bits of the hidden state and of the logits.
type Step = (u32, Vec<u32>, Vec<u32>);

#[test]
fn a_model_on_the_gpu_decodes_as_on_the_cpu() {
	let Some(gpu) = gpu() else { return };
	// A random-weight model of SmolLM2's shapes (a GPU machine may have no model files).
	let model = random_model("smollm2").unwrap();
	let gguf = Gguf::parse(&model.gguf).unwrap();
	let cpu = Weights::load(&gguf, &model.gguf, &Backend::Cpu).unwrap();
	let on_gpu = Weights::load(&gguf, &model.gguf, &Backend::Gpu(gpu)).unwrap();
	// Greedy decoding after a prompt, step by step: the same hidden states, logits, tokens.
	let run = |weights: &Weights| -> Vec<Step> {
		let mut cache = weights.new_cache();
		let prompt: Vec<u32> = (100..120).collect();
		let mut hidden = weights.forward(&mut cache, &prompt).unwrap().get(19).unwrap();
		let mut trace = Vec::new();
		for _ in 0..24 {
			let logits = weights.logits(&hidden).unwrap();
			let token = argmax(&logits);
			trace.push((token, bits(&hidden), logits.iter().map(|v| v.to_bits()).collect()));
			hidden = weights.forward(&mut cache, &[token]).unwrap().get(0).unwrap();
		}
		trace
	};
	let (expected, got) = (run(&cpu), run(&on_gpu));
	for (step, (a, b)) in got.iter().zip(&expected).enumerate() {
		assert_eq!(a.0, b.0, "token {step}");
		assert!(a.1 == b.1 && a.2 == b.2, "step {step}: hidden state or logits differ");
	}
	println!("{} greedy steps: tokens, hidden states and logits identical", got.len());
}
