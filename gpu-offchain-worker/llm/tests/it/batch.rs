//! Batching: concurrent chats on one model share decode steps and get exactly what each gets
//! alone (tokens, text and fingerprints, bit for bit).

use crate::common::model;
use serde_json::json;
use std::{ops::ControlFlow, sync::Barrier, thread};
use verity_llm::{chat::ChatRequest, generate::generate, Backend, ChatModel, ChatOutcome};

fn request(question: &str, max_tokens: u32, sampling: serde_json::Value) -> ChatRequest {
	let mut request = json!({
		"messages": [{"role": "user", "content": question}],
		"max_tokens": max_tokens,
	});
	request.as_object_mut().unwrap().extend(sampling.as_object().unwrap().clone());
	ChatRequest::from_json(request.to_string().as_bytes()).unwrap()
}

#[test]
fn concurrent_chats_are_batched_and_answer_as_alone() {
	let Some(model) = model("smollm2") else { return };
	let chat =
		&ChatModel::load_on(&model.bytes, &Backend::Cpu).unwrap().with_batching(true).unwrap();
	// Different lengths (generations leave the batch at different steps) and samplers.
	let requests = [
		request("What is the capital of France?", 24, json!({})),
		request("Write a haiku about the sea.", 40, json!({"temperature": 0.8, "seed": 7})),
		request(
			"List three prime numbers.",
			16,
			json!({"top_k": 20, "temperature": 1.2, "seed": 3}),
		),
		request("Name a colour.", 32, json!({"stop": ["."]})),
	];
	let alone: Vec<_> = requests
		.iter()
		.map(|request| {
			let prompt = chat.prompt(request).unwrap();
			let params = request.generation_params();
			generate(chat.weights(), chat.tokenizer(), &prompt, &params, &mut |_| {
				ControlFlow::Continue(())
			})
			.unwrap()
		})
		.collect();
	let before = chat.batch_stats();
	let start = Barrier::new(requests.len());
	let together: Vec<ChatOutcome> = thread::scope(|scope| {
		let runs: Vec<_> = requests
			.iter()
			.map(|request| {
				let start = &start;
				scope.spawn(move || {
					start.wait();
					chat.chat(request, &mut |_| ControlFlow::Continue(())).unwrap()
				})
			})
			.collect();
		runs.into_iter().map(|run| run.join().unwrap()).collect()
	});
	let after = chat.batch_stats();
	let (batches, steps) = (after.batches - before.batches, after.steps - before.steps);
	println!("{} concurrent chats: {steps} decode steps in {batches} batches", requests.len());
	assert!(steps > batches, "no two generations shared a step ({steps} in {batches})");
	for (alone, together) in alone.iter().zip(&together) {
		let generation = &together.generation;
		assert_eq!(generation.tokens, alone.tokens);
		assert_eq!(generation.text, alone.text);
		assert_eq!(generation.finish, alone.finish);
		assert_eq!(generation.fingerprints.len(), alone.fingerprints.len());
		for (a, b) in generation.fingerprints.iter().zip(&alone.fingerprints) {
			assert_eq!((a.token, &a.indices), (b.token, &b.indices));
			let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
			assert_eq!(bits(&a.values), bits(&b.values), "fingerprint values differ");
		}
	}
}
