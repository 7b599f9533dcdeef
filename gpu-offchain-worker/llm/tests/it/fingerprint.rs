//! Activation fingerprints: honest re-executions are accepted, attacks are refused. Prints
//! the false-reject and false-accept rates over a set of prompts (issue 17's figures):
//! the same model at another thread count, the model re-quantized (lower: Q4_0; higher: Q8_0),
//! a different model, a one-token change of the prompt, one altered output token.

use crate::common::{model, Model};
use candle_core::quantized::{gguf_file, GgmlDType, QTensor};
use serde_json::json;
use std::{io::Cursor, ops::ControlFlow};
use verity_llm::{
	chat::ChatRequest,
	fingerprint::{check, is_checkpoint, CheckReport, Fingerprint, TOLERANCE},
	generate::{generate, GenerationParams},
	sampling::SamplingParams,
	ChatModel, ClaimVerdict,
};

const QUESTIONS: &[&str] = &[
	"What is the capital of France?",
	"Write a haiku about the sea.",
	"List three prime numbers.",
	"Explain what a hash function is in one sentence.",
	"Give me a name for a black cat.",
	"What is 17 times 3?",
];

/// A generation's claim: prompt tokens, sampling, output tokens, fingerprints.
#[derive(Clone)]
struct Claim {
	prompt: Vec<u32>,
	sampling: SamplingParams,
	tokens: Vec<u32>,
	fingerprints: Vec<Fingerprint>,
}

fn claims(model: &ChatModel, questions: &[&str], sampling: SamplingParams) -> Vec<Claim> {
	questions
		.iter()
		.map(|question| {
			let request =
				json!({"messages": [{"role": "user", "content": question}], "max_tokens": 1});
			let request = ChatRequest::from_json(request.to_string().as_bytes()).unwrap();
			let prompt = model.prompt(&request).unwrap();
			let params = GenerationParams { max_tokens: 33, sampling, ..Default::default() };
			let generation =
				generate(model.weights(), model.tokenizer(), &prompt, &params, &mut |_| {
					ControlFlow::Continue(())
				})
				.unwrap();
			Claim {
				prompt,
				sampling,
				tokens: generation.tokens,
				fingerprints: generation.fingerprints,
			}
		})
		.collect()
}

fn verdict(checker: &ChatModel, prompt: &[u32], tokens: &[u32], claim: &Claim) -> CheckReport {
	check(checker.weights(), prompt, tokens, &claim.fingerprints, claim.sampling, TOLERANCE)
		.unwrap()
}

/// Accepted checks over all claims, printing the worst figures.
fn accepted(label: &str, reports: &[CheckReport]) -> usize {
	let accepted = reports.iter().filter(|r| r.accepted).count();
	let worst_mean = reports.iter().map(|r| r.worst_mean_error).fold(0.0, f32::max);
	let best_mean = reports.iter().map(|r| r.worst_mean_error).fold(f32::INFINITY, f32::min);
	let worst = reports.iter().map(|r| r.worst_error).fold(0.0, f32::max);
	let best = reports.iter().map(|r| r.worst_error).fold(f32::INFINITY, f32::min);
	let min_overlap = reports.iter().map(|r| r.min_overlap).min().unwrap_or(0);
	let wrong_tokens: usize = reports.iter().map(|r| r.wrong_tokens).sum();
	eprintln!(
		"figure: {label}: accepted {accepted}/{}, worst mean error {best_mean:.4}..{worst_mean:.4}, \
		 worst error {best:.4}..{worst:.4}, smallest overlap {min_overlap}, wrong tokens {wrong_tokens}",
		reports.len()
	);
	accepted
}

/// The model with every Q4_1 matrix re-quantized to `dtype`.
fn requantized(model: &Model, dtype: GgmlDType) -> ChatModel {
	let content = gguf_file::Content::read(&mut Cursor::new(&model.bytes)).unwrap();
	let mut reader = Cursor::new(&model.bytes);
	let tensors: Vec<(String, QTensor)> = content
		.tensor_infos
		.keys()
		.map(|name| {
			let tensor = content.tensor(&mut reader, name, &candle_core::Device::Cpu).unwrap();
			if tensor.dtype() != GgmlDType::Q4_1 {
				return (name.clone(), tensor);
			}
			let weights = tensor.dequantize(&candle_core::Device::Cpu).unwrap();
			(name.clone(), QTensor::quantize(&weights, dtype).unwrap())
		})
		.collect();
	let metadata: Vec<(&str, &gguf_file::Value)> =
		content.metadata.iter().map(|(k, v)| (k.as_str(), v)).collect();
	let tensors: Vec<(&str, &QTensor)> = tensors.iter().map(|(n, t)| (n.as_str(), t)).collect();
	let mut file = Cursor::new(Vec::new());
	gguf_file::write(&mut file, &metadata, &tensors).unwrap();
	ChatModel::load(&file.into_inner()).unwrap()
}

#[test]
fn honest_re_executions_pass_and_attacks_fail() {
	let Some(smollm2) = model("smollm2") else { return };
	let honest = &smollm2.chat;
	let claims = claims(honest, QUESTIONS, SamplingParams::default());
	let n = claims.len();

	// Honest: the same model re-running the claim, at 2 threads and at 1.
	let same: Vec<_> = claims.iter().map(|c| verdict(honest, &c.prompt, &c.tokens, c)).collect();
	assert_eq!(accepted("honest re-execution", &same), n, "false rejects");
	let one_thread = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
	let single: Vec<_> = one_thread
		.install(|| claims.iter().map(|c| verdict(honest, &c.prompt, &c.tokens, c)).collect());
	assert_eq!(accepted("honest, checker on 1 thread", &single), n, "false rejects");

	// The claim checked against a lower-precision model (the worker cut costs): refused.
	let q4_0 = requantized(smollm2, GgmlDType::Q4_0);
	let lower: Vec<_> = claims.iter().map(|c| verdict(&q4_0, &c.prompt, &c.tokens, c)).collect();
	assert_eq!(accepted("checked with Q4_0 weights", &lower), 0, "false accepts");
	// Q8_0 of the same Q4_1 weights is the same function within rounding: reported only.
	let q8_0 = requantized(smollm2, GgmlDType::Q8_0);
	let higher: Vec<_> = claims.iter().map(|c| verdict(&q8_0, &c.prompt, &c.tokens, c)).collect();
	accepted("checked with Q8_0 of the Q4_1 weights (same values, not an attack)", &higher);

	// Tokens generated by the cheaper model, fingerprints forged with one prefill of the real
	// one: the fingerprints pass, the tokens are not what the real model draws.
	let cheap = self::claims(&q4_0, QUESTIONS, SamplingParams::default());
	let forged: Vec<_> = cheap
		.iter()
		.map(|c| {
			let forged = Claim { fingerprints: forge(honest, c), ..c.clone() };
			verdict(honest, &c.prompt, &c.tokens, &forged)
		})
		.collect();
	assert_eq!(accepted("Q4_0 tokens with forged fingerprints", &forged), 0, "false accepts");
	assert!(forged.iter().all(|r| r.wrong_tokens > 0));

	// A one-token change of the prompt: refused.
	let changed: Vec<_> = claims
		.iter()
		.map(|c| {
			let mut prompt = c.prompt.clone();
			let at = prompt.len() - 6;
			prompt[at] = if prompt[at] == 1000 { 1001 } else { 1000 };
			verdict(honest, &prompt, &c.tokens, c)
		})
		.collect();
	assert_eq!(accepted("one prompt token changed", &changed), 0, "false accepts");

	// One output token altered before the last fingerprint: refused.
	let altered: Vec<_> = claims
		.iter()
		.filter(|c| c.fingerprints.len() > 1)
		.map(|c| {
			let mut tokens = c.tokens.clone();
			let at = c.fingerprints.last().unwrap().token as usize - 1;
			tokens[at] = if tokens[at] == 1000 { 1001 } else { 1000 };
			verdict(honest, &c.prompt, &tokens, c)
		})
		.collect();
	assert!(!altered.is_empty());
	assert_eq!(accepted("one output token altered", &altered), 0, "false accepts");

	// A different model claiming to be SmolLM2's answer: refused.
	if let Some(qwen) = model("qwen2.5-coder-0.5b") {
		let other: Vec<_> =
			claims.iter().map(|c| verdict(&qwen.chat, &c.prompt, &c.tokens, c)).collect();
		assert_eq!(accepted("checked with another model (Qwen2.5-0.5B)", &other), 0);
	}
}

/// Fingerprints computed with `model` over a claim's prompt and tokens.
fn forge(model: &ChatModel, claim: &Claim) -> Vec<Fingerprint> {
	let mut sequence = claim.prompt.clone();
	sequence.extend_from_slice(&claim.tokens[..claim.tokens.len() - 1]);
	let hidden = model.weights().forward(&mut model.weights().new_cache(), &sequence).unwrap();
	(0..claim.tokens.len())
		.filter(|i| is_checkpoint(*i))
		.map(|i| {
			let row = hidden.get(claim.prompt.len() - 1 + i).unwrap().to_vec1::<f32>().unwrap();
			Fingerprint::of(&row, i as u32)
		})
		.collect()
}

#[test]
fn sampled_generations_replay_with_their_seed_only() {
	let Some(smollm2) = model("smollm2") else { return };
	let sampling = SamplingParams { temperature: 0.8, top_p: 0.95, top_k: 40, seed: 5 };
	let sampled = claims(&smollm2.chat, &QUESTIONS[1..3], sampling);
	let honest: Vec<_> =
		sampled.iter().map(|c| verdict(&smollm2.chat, &c.prompt, &c.tokens, c)).collect();
	assert_eq!(accepted("sampled (T 0.8, top-p 0.95, top-k 40), same seed", &honest), 2);
	let reseeded: Vec<_> = sampled
		.iter()
		.map(|c| {
			let other = Claim { sampling: SamplingParams { seed: 6, ..sampling }, ..c.clone() };
			verdict(&smollm2.chat, &c.prompt, &c.tokens, &other)
		})
		.collect();
	assert_eq!(accepted("sampled, claimed with another seed", &reseeded), 0);
	// Greedy tokens (each more likely than the one drawn) passed off as the sampled answer,
	// with fingerprints forged to match them: refused.
	let greedy = claims(&smollm2.chat, &QUESTIONS[1..3], SamplingParams::default());
	let passed_off: Vec<_> = greedy
		.iter()
		.map(|c| {
			let forged = Claim { sampling, fingerprints: forge(&smollm2.chat, c), ..c.clone() };
			verdict(&smollm2.chat, &c.prompt, &c.tokens, &forged)
		})
		.collect();
	assert_eq!(accepted("greedy tokens claimed as a sampled answer", &passed_off), 0);
}

#[test]
fn fingerprints_that_do_not_cover_the_claim_are_refused() {
	let Some(smollm2) = model("smollm2") else { return };
	let greedy = SamplingParams::default();
	let claim = claims(&smollm2.chat, &QUESTIONS[..1], greedy).remove(0);
	let weights = smollm2.chat.weights();
	let missing = &claim.fingerprints[1..];
	assert!(check(weights, &claim.prompt, &claim.tokens, missing, greedy, TOLERANCE).is_err());
	let mut short = claim.fingerprints.clone();
	short[0].indices.pop();
	assert!(check(weights, &claim.prompt, &claim.tokens, &short, greedy, TOLERANCE).is_err());
	assert!(check(weights, &claim.prompt, &[], &[], greedy, TOLERANCE).is_err());
}

/// A chat answer's whole claim, as a check of an on-chain result re-executes it: the honest
/// one is accepted with the text it gave; a changed token, a truncated or extended token
/// list, a wrong prompt count, another request and a stop sequence the text ignored are
/// rejected with a reason.
#[test]
fn whole_claims_replay_to_their_text_and_are_rejected_when_altered() {
	let Some(model) = model("smollm2") else { return };
	let chat = &model.chat;
	let context = chat.hparams().context_length;
	let request =
		|json: serde_json::Value| ChatRequest::from_json(json.to_string().as_bytes()).unwrap();
	let asked = request(json!({"messages": [{"role": "user", "content": "Name three colours."}],
		"max_tokens": 24, "temperature": 0.7, "seed": 5}));
	let outcome = chat.chat(&asked, &mut |_| ControlFlow::Continue(())).unwrap();
	let generation = &outcome.generation;
	let prompt_tokens = outcome.usage.prompt_tokens;
	let check = |request: &ChatRequest, prompt_tokens: u32, tokens: &[u32]| {
		chat.check_generation(request, context, prompt_tokens, tokens, &generation.fingerprints)
			.unwrap()
	};
	match check(&asked, prompt_tokens, &generation.tokens) {
		ClaimVerdict::Accepted { text, report } => {
			assert_eq!(text, outcome.text);
			eprintln!("figure: honest whole claim: {report:?}");
		},
		ClaimVerdict::Rejected(why) => panic!("the honest claim was rejected: {why}"),
	}
	let rejected = |label: &str, verdict: ClaimVerdict| match verdict {
		ClaimVerdict::Rejected(why) => eprintln!("{label}: rejected: {why}"),
		ClaimVerdict::Accepted { .. } => panic!("{label}: accepted"),
	};
	let mut changed = generation.tokens.clone();
	changed[1] = changed[1].wrapping_add(1);
	rejected("a changed token", check(&asked, prompt_tokens, &changed));
	let tokens = &generation.tokens;
	rejected("one token short", check(&asked, prompt_tokens, &tokens[..tokens.len() - 1]));
	let mut longer = tokens.clone();
	longer.push(tokens[0]);
	rejected("a token after the end", check(&asked, prompt_tokens, &longer));
	rejected("a wrong prompt count", check(&asked, prompt_tokens + 1, tokens));
	let other = request(json!({"messages": [{"role": "user", "content": "Name three colors."}],
		"max_tokens": 24, "temperature": 0.7, "seed": 5}));
	let other_prompt = chat.prompt(&other).unwrap().len() as u32;
	rejected("another request", check(&other, other_prompt, tokens));
	let stopped = request(json!({"messages": [{"role": "user", "content": "Name three colours."}],
		"max_tokens": 24, "temperature": 0.7, "seed": 5, "stop": [outcome.text[..2].to_string()]}));
	rejected("a stop sequence ignored", check(&stopped, prompt_tokens, tokens));
}
