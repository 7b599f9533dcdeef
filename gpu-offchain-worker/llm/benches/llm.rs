//! Prefill and decode speed of the engine against llama.cpp (the `xllamacpp` wheel), same GGUF,
//! same prompt, greedy, at 1 and 2 threads, in the same run.
//!
//! Run: `cargo bench -p verity-llm --bench llm -- [model...]` (models: `smollm2`,
//! `qwen2.5-coder-0.5b`; default both). Prints one JSON line per model and thread count.
//! Ours is the model API (prefill, then one token at a time with the KV cache and argmax),
//! what `generate` runs without detokenizing; each figure is the median of 3 runs. Also the
//! cost of checking the generation's fingerprints (one prefill over prompt and output) as a
//! fraction of generating it. Then the throughput of 2 and 4 chats at once, their decode
//! steps batched against each decoding alone on its own thread.
//!
//! `cargo bench -p verity-llm --bench llm -- gpu [model...]`: decode tokens/s on the GPU
//! backend against the memory-bandwidth bound (the device's bandwidth over the bytes of the
//! GGUF's matrices, read once a token), and on the CPU, for random-weight models of the
//! reference models' shapes and types, built in memory (a GPU machine cannot receive the
//! model files). Where no GPU is found it says why and measures the CPU only.

#[allow(dead_code)]
#[path = "../tests/it/common.rs"]
mod common;

use serde_json::json;
use std::{process::Command, time::Instant};
use verity_llm::{
	chat::ChatRequest,
	fingerprint::{check, is_checkpoint, Fingerprint, TOLERANCE},
	generate::generate,
	sampling::{argmax, SamplingParams},
};

/// Tokens decoded after the prompt.
const DECODE: usize = 64;
const RUNS: usize = 3;

const QUESTION: &str = "You are reviewing a pull request that adds a cache in front of a slow \
	database. The cache keeps entries for ten minutes, is shared by all request handlers, and \
	is filled on a miss. List the three most important questions you would ask the author \
	about invalidation, memory limits and concurrency, and explain briefly why each matters \
	for the correctness and the operation of the service in production.";

fn main() {
	let args: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
	if let Ok(child) = std::env::var("VERITY_LLM_BENCH_CHILD") {
		return measure(&child);
	}
	if args.first().is_some_and(|a| a == "gpu") {
		return random::figures(&args[1..]);
	}
	let models = if args.is_empty() {
		vec!["smollm2".to_owned(), "qwen2.5-coder-0.5b".to_owned()]
	} else {
		args
	};
	for model in &models {
		for threads in [1, 2] {
			let status = Command::new(std::env::current_exe().unwrap())
				.env("VERITY_LLM_BENCH_CHILD", model)
				.env("RAYON_NUM_THREADS", threads.to_string())
				.status()
				.unwrap();
			assert!(status.success(), "the {model} measurement at {threads} threads failed");
		}
	}
}

fn median(mut values: Vec<f64>) -> f64 {
	values.sort_by(f64::total_cmp);
	values[values.len() / 2]
}

/// Measures `name` at the thread count of this process (RAYON_NUM_THREADS).
fn measure(name: &str) {
	let threads: usize = std::env::var("RAYON_NUM_THREADS").unwrap().parse().unwrap();
	let Some(model) =
		common::model(if name == "smollm2" { "smollm2" } else { "qwen2.5-coder-0.5b" })
	else {
		return;
	};
	let request = json!({"messages": [{"role": "user", "content": QUESTION}], "max_tokens": 1});
	let prompt = model
		.chat
		.template()
		.render(&ChatRequest::from_json(request.to_string().as_bytes()).unwrap())
		.unwrap();
	let ids = model.chat.tokenizer().encode(&prompt, true).unwrap();
	let (mut prefill, mut decode, mut check) = (Vec::new(), Vec::new(), Vec::new());
	for _ in 0..RUNS {
		let run = ours(model, &ids);
		prefill.push(ids.len() as f64 / run.prefill_s);
		decode.push((DECODE - 1) as f64 / run.decode_s);
		check.push(run.check_s / (run.prefill_s + run.decode_s));
	}
	let requests: Vec<_> = (0..RUNS)
		.map(|_| json!({"prompt": prompt, "n_predict": DECODE, "ignore_eos": true}))
		.collect();
	let reference = common::llama_cpp(model, json!({"threads": threads, "complete": requests}));
	let timing = |key: &str| {
		median(
			reference["complete"]
				.as_array()
				.unwrap()
				.iter()
				.map(|c| c["timings"][key].as_f64().unwrap())
				.collect(),
		)
	};
	let (ours_prefill, ours_decode) = (median(prefill), median(decode));
	let (theirs_prefill, theirs_decode) =
		(timing("prompt_per_second"), timing("predicted_per_second"));
	println!(
		"{}",
		json!({
			"model": name,
			"threads": threads,
			"prompt_tokens": ids.len(),
			"decode_tokens": DECODE,
			"prefill_tokens_per_s": {"ours": ours_prefill, "llama_cpp": theirs_prefill,
				"ratio": ours_prefill / theirs_prefill},
			"decode_tokens_per_s": {"ours": ours_decode, "llama_cpp": theirs_decode,
				"ratio": ours_decode / theirs_decode},
			"fingerprint_check_cost_over_generation": median(check),
		})
	);
	for chats in [2, 4] {
		let (alone, batched) = (concurrent(model, chats, false), concurrent(model, chats, true));
		println!(
			"{}",
			json!({
				"model": name,
				"threads": threads,
				"concurrent_chats": chats,
				"tokens_per_s": {"batched": batched, "alone": alone, "ratio": batched / alone},
			})
		);
	}
}

/// Tokens per second of `chats` greedy chats run at once (each to its end or 64 tokens):
/// batched (`ChatModel::chat`), or each decoding alone on its own thread (`generate`). Both
/// produce the same tokens (`tests/it/batch.rs`).
fn concurrent(model: &common::Model, chats: usize, batched: bool) -> f64 {
	let chat = &verity_llm::ChatModel::load_on(&model.bytes, &verity_llm::Backend::Cpu)
		.unwrap()
		.with_batching(true)
		.unwrap();
	let requests: Vec<ChatRequest> = (0..chats)
		.map(|i| {
			// Short prompts: the figure is about decoding.
			let question = format!("Tell me story number {i} about a lighthouse keeper.");
			let request = json!({"messages": [{"role": "user", "content": question}],
				"max_tokens": DECODE});
			ChatRequest::from_json(request.to_string().as_bytes()).unwrap()
		})
		.collect();
	let started = Instant::now();
	let tokens: usize = std::thread::scope(|scope| {
		let runs: Vec<_> = requests
			.iter()
			.map(|request| {
				scope.spawn(move || {
					let mut ignore = |_: &str| std::ops::ControlFlow::Continue(());
					if batched {
						return chat.chat(request, &mut ignore).unwrap().generation.tokens.len();
					}
					let prompt = chat.prompt(request).unwrap();
					let params = request.generation_params();
					generate(chat.weights(), chat.tokenizer(), &prompt, &params, &mut ignore)
						.unwrap()
						.tokens
						.len()
				})
			})
			.collect();
		runs.into_iter().map(|run| run.join().unwrap()).sum()
	});
	tokens as f64 / started.elapsed().as_secs_f64()
}

/// Seconds of one greedy run's prefill and decode, and of checking its fingerprints.
struct Run {
	prefill_s: f64,
	decode_s: f64,
	check_s: f64,
}

fn ours(model: &common::Model, ids: &[u32]) -> Run {
	let weights = model.chat.weights();
	let mut cache = weights.new_cache();
	let started = Instant::now();
	let hidden = weights.forward(&mut cache, ids).unwrap();
	let last = hidden.get(ids.len() - 1).unwrap();
	let mut token = argmax(&weights.logits(&last).unwrap());
	let prefill_s = started.elapsed().as_secs_f64();
	let started = Instant::now();
	let mut tokens = vec![token];
	let mut fingerprints = vec![Fingerprint::of(&last.to_vec1::<f32>().unwrap(), 0)];
	for i in 1..DECODE {
		let hidden = weights.forward(&mut cache, &[token]).unwrap().get(0).unwrap();
		if is_checkpoint(i) {
			fingerprints.push(Fingerprint::of(&hidden.to_vec1::<f32>().unwrap(), i as u32));
		}
		token = argmax(&weights.logits(&hidden).unwrap());
		tokens.push(token);
	}
	let decode_s = started.elapsed().as_secs_f64();
	let started = Instant::now();
	let report =
		check(weights, ids, &tokens, &fingerprints, SamplingParams::default(), TOLERANCE).unwrap();
	assert!(report.accepted, "an honest generation passes its check: {report:?}");
	Run { prefill_s, decode_s, check_s: started.elapsed().as_secs_f64() }
}

/// Decode speed of random-weight models of the reference shapes on the GPU and the CPU.
mod random {
	use serde_json::json;
	use std::time::Instant;
	use verity_llm::{
		gguf::Gguf, gpu::Gpu, model::Weights, random::random_model, sampling::argmax, Backend,
	};

	pub fn figures(names: &[String]) {
		let gpu = Gpu::shared().map_err(|why| println!("GPU figures skipped: {why}")).ok();
		let all: Vec<String> = verity_llm::random::shapes().map(String::from).collect();
		for name in if names.is_empty() { &all } else { names } {
			let model = random_model(name).unwrap();
			let (bytes, matrix_bytes) = (&model.gguf, model.matrix_bytes);
			let gguf = Gguf::parse(bytes).unwrap();
			let cpu = decode_speed(&Weights::load(&gguf, bytes, &Backend::Cpu).unwrap());
			let mut figures = json!({
				"model": name,
				"weights": "random, the reference model's shapes and types",
				"matrix_bytes": matrix_bytes,
				"decode_tokens_per_s": {"cpu": cpu},
			});
			if let Some(gpu) = &gpu {
				let weights = Weights::load(&gguf, bytes, &Backend::Gpu(gpu.clone())).unwrap();
				let on_gpu = decode_speed(&weights);
				let bandwidth = gpu.memory_bandwidth().unwrap();
				let bound = bandwidth / matrix_bytes as f64;
				figures["device"] = json!(gpu.device_name());
				figures["memory_bandwidth_gb_per_s"] = json!(bandwidth / 1e9);
				figures["decode_tokens_per_s"]["gpu"] = json!(on_gpu);
				figures["decode_tokens_per_s"]["bandwidth_bound"] = json!(bound);
				figures["decode_tokens_per_s"]["gpu_over_bound"] = json!(on_gpu / bound);
			}
			println!("{figures}");
		}
	}

	/// Tokens per second of 64 greedy decode steps after a 16-token prompt.
	fn decode_speed(weights: &Weights) -> f64 {
		let mut cache = weights.new_cache();
		let prompt: Vec<u32> = (1..=16).collect();
		let hidden = weights.forward(&mut cache, &prompt).unwrap();
		let mut token = argmax(&weights.logits(&hidden.get(15).unwrap()).unwrap());
		let started = Instant::now();
		for _ in 0..64 {
			let hidden = weights.forward(&mut cache, &[token]).unwrap().get(0).unwrap();
			token = argmax(&weights.logits(&hidden).unwrap());
		}
		64.0 / started.elapsed().as_secs_f64()
	}
}
