//! `verity chat` end to end on a dev node with its `verity-worker`: `verity demo setup
//! --chat-model` publishes SmolLM2-135M-Instruct (fetched by `scripts/fetch-models.sh`) as a
//! chat version with a price per token; a question goes through the chain (`request_chat`), the
//! answer streams from the assigned worker as it is produced, then settles and its receipt is
//! verified on chain; the owner is paid for the tokens used, the rest of the hold refunded.

use serde_json::Value;
use std::{path::PathBuf, process::Command};
use verity_node_harness::{Node, NodeBuilder};

use crate::common::{demo_setup_with, succeeds, VERITY};

const UNIT: u128 = 10u128.pow(18);

fn dev_node(sealing: &str) -> Node {
	let binary = PathBuf::from(VERITY).with_file_name("verity-node");
	NodeBuilder::new(binary)
		.name("chat")
		.args(["--dev", "--sealing", sealing])
		.worker::<_, &str>([])
		.spawn()
		.unwrap_or_else(|e| panic!("{e}"))
}

fn amount_ms(answer: &Value) -> u64 {
	answer["latency_ms"].as_u64().unwrap()
}

fn amount(value: &Value) -> u128 {
	value.as_str().and_then(|text| text.parse().ok()).unwrap_or_else(|| panic!("{value}"))
}

/// A dev node (`sealing`: instant or aura) with its worker serving the demo chat model, and
/// the chat model's reference; `None` (with the reason printed) where SmolLM2 cannot be fetched.
fn chat_node(sealing: &str) -> Option<(Node, String, tempfile::TempDir)> {
	let gguf = match verity_llm::reference::fetch("smollm2") {
		Ok(path) => path,
		Err(why) => {
			eprintln!("skipped: SmolLM2 is not available here: {why}");
			return None;
		},
	};
	let node = dev_node(sealing);
	let dir = tempfile::tempdir().unwrap();
	let input = dir.path().join("demo-input.json");
	let setup = demo_setup_with(&node, &input, &["--chat-model", gguf.to_str().unwrap()]);
	let chat = setup["chat_model"].as_str().expect("the chat model is published").to_owned();
	Some((node, chat, dir))
}

#[test]
fn chat_through_the_chain_streams_verifies_and_pays_per_token() {
	let Some((node, chat, _dir)) = chat_node("instant") else { return };
	let answer = succeeds(&node, "//Bob", &["chat", &chat, "What is 2+2?", "--max-tokens", "24"]);
	assert_eq!(answer["verified"], true, "{answer:#}");
	assert_eq!(answer["streamed"], true, "the answer was followed live: {answer:#}");
	let text = answer["text"].as_str().unwrap();
	assert!(text.contains('4'), "{text:?}");
	let completion = answer["usage"]["completion_tokens"].as_u64().unwrap();
	assert!((1..=24).contains(&completion), "{answer:#}");
	assert_eq!(answer["receipt"]["usage"]["completion_tokens"], completion);
	// The owner is paid the price and the tokens used; the hold covered all 24.
	let paid = &answer["receipt"]["paid"];
	let per_token = UNIT / 100_000;
	assert_eq!(
		amount(&paid["model_owner"]),
		UNIT / 1000 + u128::from(completion as u32) * per_token
	);
	let held = amount(&answer["fee_held"]);
	let spent = amount(&paid["model_owner"])
		+ amount(&paid["worker"])
		+ amount(&paid["treasury"])
		+ amount(&paid["sampling_pot"]);
	assert_eq!(held - spent, (24 - completion as u128) * per_token * 105 / 100, "{answer:#}");
	// Chat results are sampled for re-execution: they fund the sampling pot, and the receipt
	// signs the generation's evidence (tokens and fingerprints) that a check re-executes.
	assert!(amount(&paid["sampling_pot"]) > 0, "{answer:#}");
	assert_eq!(answer["receipt"]["generation"].as_str().map(str::len), Some(64), "{answer:#}");
	if completion >= 2 {
		assert!(answer["decode_tokens_per_s"].as_f64().unwrap() > 0.0, "{answer:#}");
	}
	assert!(answer["time_to_first_token_ms"].as_u64().unwrap() <= amount_ms(&answer));
	println!(
		"verity chat (instant seal): {completion} tokens, first token {} ms after submission, \
		 decode {} tokens/s, {} ms from request to verified result",
		answer["time_to_first_token_ms"], answer["decode_tokens_per_s"], answer["latency_ms"]
	);

	// A long answer with instant seal: no next block comes to ask again in, so the node keeps
	// asking the worker within its run while the job runs.
	long_answer(&node, &chat, "instant seal");

	// For people: the answer as it streams, then the receipt's checks.
	let output = Command::new(VERITY)
		.args(["--url", &node.ws_url(), "--suri", "//Bob", "chat", &chat, "Say hello."])
		.args(["--max-tokens", "16", "--temperature", "0.8", "--seed", "7"])
		.output()
		.unwrap();
	let stdout = String::from_utf8_lossy(&output.stdout);
	assert!(output.status.success(), "{stdout}{}", String::from_utf8_lossy(&output.stderr));
	let (streamed, report) = stdout.split_once("\n---\n").expect("the answer, then the report");
	assert!(!streamed.trim().is_empty(), "{stdout}");
	assert!(report.contains("[ok] stream") && report.contains("[ok] usage"), "{stdout}");
	assert!(!report.contains("FAIL"), "{stdout}");
}

/// With Aura's blocks (the request and its result each wait for a block): the answer still
/// streams at once, and settles and verifies a block or two later; an answer that takes longer
/// than the node's wait for one reply settles too.
#[test]
fn chat_with_aura_blocks_streams_before_the_result_settles() {
	let Some((node, chat, _dir)) = chat_node("aura") else { return };
	let answer = succeeds(&node, "//Bob", &["chat", &chat, "What is 2+2?", "--max-tokens", "24"]);
	assert_eq!(answer["verified"], true, "{answer:#}");
	assert_eq!(answer["streamed"], true, "{answer:#}");
	println!(
		"verity chat (Aura blocks): first token {} ms after submission, decode {} tokens/s, {} \
		 ms from request to verified result",
		answer["time_to_first_token_ms"], answer["decode_tokens_per_s"], answer["latency_ms"]
	);
	long_answer(&node, &chat, "Aura blocks");
}

/// A long answer, settled and verified; where it takes longer than the worker makes the node
/// wait for one reply (`ANSWER_WAIT`), the node is told "running" and asks again (the worker's
/// log shows it), and the job is never started twice.
fn long_answer(node: &Node, chat: &str, sealing: &str) {
	let prompt = "Count from 1 to 200, one number per line.";
	let long = succeeds(node, "//Bob", &["chat", chat, prompt, "--max-tokens", "300"]);
	assert_eq!(long["verified"], true, "{long:#}");
	let tokens = long["usage"]["completion_tokens"].as_u64().unwrap();
	let generating = tokens as f64 / long["decode_tokens_per_s"].as_f64().unwrap_or(f64::MAX);
	if generating > verity_worker::jobs::ANSWER_WAIT.as_secs_f64() + 1.0 {
		let log = std::fs::read_to_string(node.worker_log_path()).unwrap();
		assert!(log.contains("still running"), "the node was never told to ask again: {log}");
	}
	println!(
		"verity chat ({sealing}, long): {tokens} tokens, decode {} tokens/s, {} ms from request \
		 to verified result",
		long["decode_tokens_per_s"], long["latency_ms"]
	);
}
