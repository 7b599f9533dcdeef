//! The GPU backend, where a GPU is found: its matrix products are the CPU kernels' bit for
//! bit, for every type they run, and a model loaded on it generates the CPU's tokens with the
//! CPU's logits and fingerprints. Elsewhere it prints why it skips.

use crate::common::model;
use candle_core::{
	quantized::{GgmlDType, QTensor},
	Device, Tensor,
};
use std::{ops::ControlFlow, sync::Arc};
use verity_llm::{
	generate::{generate, GenerationParams},
	gpu::{Gpu, GpuMatrix},
	kernels::QMatrix,
	Backend, ChatModel,
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
	let types = [
		GgmlDType::Q4_0,
		GgmlDType::Q4_1,
		GgmlDType::Q5_0,
		GgmlDType::Q8_0,
		GgmlDType::Q4K,
		GgmlDType::Q6K,
	];
	for dtype in types {
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

#[test]
fn a_model_on_the_gpu_generates_the_cpus_tokens() {
	let Some(gpu) = gpu() else { return };
	let Some(smollm2) = model("smollm2") else { return };
	let cpu = ChatModel::load_on(&smollm2.bytes, &Backend::Cpu).unwrap();
	let on_gpu = ChatModel::load_on(&smollm2.bytes, &Backend::Gpu(gpu)).unwrap();
	let prompt = cpu.tokenizer().encode("The three primary colours are", true).unwrap();
	let params = GenerationParams { max_tokens: 32, ..Default::default() };
	let run = |model: &ChatModel| {
		generate(model.weights(), model.tokenizer(), &prompt, &params, &mut |_| {
			ControlFlow::Continue(())
		})
		.unwrap()
	};
	let (expected, got) = (run(&cpu), run(&on_gpu));
	assert_eq!(got.tokens, expected.tokens);
	for (a, b) in got.fingerprints.iter().zip(&expected.fingerprints) {
		let values = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
		assert_eq!((&a.indices, values(&a.values)), (&b.indices, values(&b.values)));
	}
	let logits = |model: &ChatModel| {
		let mut cache = model.weights().new_cache();
		let hidden = model.weights().forward(&mut cache, &prompt).unwrap();
		let last = hidden.get(prompt.len() - 1).unwrap();
		model.weights().logits(&last).unwrap().iter().map(|v| v.to_bits()).collect::<Vec<_>>()
	};
	assert_eq!(logits(&on_gpu), logits(&cpu), "the prompt's logits differ");
	println!("{} greedy tokens and the prompt's logits identical on GPU and CPU", got.tokens.len());
}
