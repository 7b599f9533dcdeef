//! `verity chat` end to end on a dev node with its `verity-worker`: `verity demo setup
//! --chat-model` publishes SmolLM2-135M-Instruct (fetched by `scripts/fetch-models.sh`) as a
//! chat version with a price per token; a question goes through the chain (`request_chat`), the
//! answer streams from the assigned worker as it is produced, then settles and its receipt is
//! verified on chain; the owner is paid for the tokens used, the rest of the hold refunded.

use serde_json::Value;
use std::{path::PathBuf, process::Command};
use verity_node_harness::{Node, NodeBuilder};

use crate::common::{succeeds, VERITY};

const UNIT: u128 = 10u128.pow(18);

fn dev_node() -> Node {
	let binary = PathBuf::from(VERITY).with_file_name("verity-node");
	NodeBuilder::new(binary)
		.name("chat")
		.args(["--dev", "--sealing", "instant"])
		.worker::<_, &str>([])
		.spawn()
		.unwrap_or_else(|e| panic!("{e}"))
}

fn amount(value: &Value) -> u128 {
	value.as_str().and_then(|text| text.parse().ok()).unwrap_or_else(|| panic!("{value}"))
}

#[test]
fn chat_through_the_chain_streams_verifies_and_pays_per_token() {
	let gguf = match verity_llm::reference::fetch("smollm2") {
		Ok(path) => path,
		Err(why) => {
			eprintln!("skipped: SmolLM2 is not available here: {why}");
			return;
		},
	};
	let node = dev_node();
	let dir = tempfile::tempdir().unwrap();
	let input = dir.path().join("demo-input.json");
	let setup = succeeds(
		&node,
		"//Alice",
		&[
			"demo",
			"setup",
			"--store-url",
			&node.artifact_store_url(),
			"--worker-url",
			&node.worker_url(),
			"--write-input",
			input.to_str().unwrap(),
			"--write-zk-input",
			dir.path().join("zk.json").to_str().unwrap(),
			"--chat-model",
			gguf.to_str().unwrap(),
		],
	);
	let chat = setup["chat_model"].as_str().expect("the chat model is published").to_owned();

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
	let spent = amount(&paid["model_owner"]) + amount(&paid["worker"]) + amount(&paid["treasury"]);
	assert_eq!(held - spent, (24 - completion as u128) * per_token * 105 / 100, "{answer:#}");
	if completion >= 2 {
		assert!(answer["decode_tokens_per_s"].as_f64().unwrap() > 0.0, "{answer:#}");
	}
	println!(
		"verity chat: {completion} tokens, decode {} tokens/s, {} ms from request to verified \
		 result",
		answer["decode_tokens_per_s"], answer["latency_ms"]
	);

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
