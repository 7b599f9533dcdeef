//! Fee-less spam on a dev node with Aura blocks (issue 14): 10,000 random `submit_result`,
//! `submit_proof` and `decline_request` transactions, the kinds that pay no fee and need no
//! account, sent straight to the node's pool. Some name the registered demo worker (so they
//! reach the signature check), some nobody. Every one must be refused as invalid, none may
//! reach a block, and blocks must keep their 3 s pace while the pool validates them. Prints the
//! rate at which the pool refused them and the block intervals.

use codec::Encode;
use rand::{rngs::StdRng, Rng, SeedableRng};
use serde_json::json;
use std::{
	path::PathBuf,
	time::{Duration, Instant},
};
use verity_client::{api, Chain};
use verity_node_harness::{Node, NodeBuilder};
use verity_primitives::{
	DeclineReason, ModelVersionRef, Receipt, ReceiptContext, ResultOutput, VerificationMode,
	VersionNumber,
};

#[path = "it/common.rs"]
mod common;
use common::{call_index, demo_setup, general, VERITY};

const TRANSACTIONS: usize = 10_000;
/// The runtime's slot: `MILLI_SECS_PER_BLOCK`.
const SLOT_MS: u64 = 3_000;
/// A random fee-less call: half of them name Alice, who registers the demo worker.
fn random_call(rng: &mut StdRng, indices: &[[u8; 2]; 3]) -> Vec<u8> {
	let alice = subxt_signer::sr25519::dev::alice().public_key().0;
	let worker = if rng.gen_bool(0.5) { alice } else { rng.gen() };
	let mut signature = [0u8; 64];
	rng.fill(&mut signature[..]);
	match rng.gen_range(0..3) {
		0 => {
			let receipt = Receipt {
				genesis_hash: rng.gen(),
				context: ReceiptContext::OnChain,
				request_id: rng.gen_range(0..4),
				model: ModelVersionRef { model: 0, version: VersionNumber { major: 1, minor: 0 } },
				spec_hash: rng.gen(),
				model_digest: rng.gen(),
				input_digest: rng.gen(),
				output_digest: rng.gen(),
				mode: VerificationMode::Vanilla,
				worker,
				usage: None,
				generation: None,
				timestamp_ms: 0,
			};
			let output = ResultOutput::Inline(vec![rng.gen::<u8>(); 12].try_into().unwrap());
			let no_evidence: Option<verity_primitives::GenerationEvidence> = None;
			(indices[0], receipt, output, signature, no_evidence).encode()
		},
		1 => {
			let proof: Vec<u8> = (0..rng.gen_range(0..=384)).map(|_| rng.gen()).collect();
			(indices[1], rng.gen_range(0u64..4), proof, signature).encode()
		},
		_ => {
			let input: [u8; 32] = rng.gen();
			let evidence: [u8; 32] = rng.gen();
			let reason = DeclineReason::InputUnavailable;
			(indices[2], rng.gen_range(0u64..4), worker, input, reason, evidence, signature)
				.encode()
		},
	}
}

/// The timestamp of block `number` (unix ms, `Timestamp.Now` in that block).
async fn timestamp_at(chain: &Chain, number: u64) -> u64 {
	let at = chain.online().at_block(number).await.unwrap();
	let now = at.storage().try_fetch(api::storage().timestamp().now(), ()).await.unwrap();
	now.unwrap_or_else(|| panic!("no timestamp in block {number}")).decode().unwrap()
}

fn extrinsic_count(node: &Node, number: u64) -> usize {
	let hash = node.rpc("chain_getBlockHash", json!([number])).unwrap();
	let block = node.rpc("chain_getBlock", json!([hash])).unwrap();
	block["block"]["extrinsics"].as_array().unwrap().len()
}

#[test]
fn random_feeless_transactions_are_refused_and_blocks_keep_their_pace() {
	let binary = PathBuf::from(VERITY).with_file_name("verity-node");
	let node = NodeBuilder::new(binary)
		.name("spam")
		.args(["--dev", "--rpc-max-connections", "1000"])
		.worker::<_, &str>([])
		.spawn()
		.unwrap_or_else(|e| panic!("{e}"));
	let dir = tempfile::tempdir().unwrap();
	demo_setup(&node, &dir.path().join("input.json"));
	let runtime = tokio::runtime::Runtime::new().unwrap();
	let chain = runtime.block_on(Chain::connect(&node.ws_url())).unwrap();
	let metadata = runtime.block_on(common::metadata(&chain));
	let indices = [
		call_index(&metadata, "Inference", "submit_result"),
		call_index(&metadata, "Proofs", "submit_proof"),
		call_index(&metadata, "Inference", "decline_request"),
	];
	let mut rng = StdRng::seed_from_u64(14);
	let transactions: Vec<String> =
		(0..TRANSACTIONS).map(|_| general(random_call(&mut rng, &indices))).collect();

	let (first, _) = node.heights().unwrap();
	let quiet_extrinsics = extrinsic_count(&node, first);
	let started = Instant::now();
	for (index, xt) in transactions.iter().enumerate() {
		let error = node
			.rpc("author_submitExtrinsic", json!([xt]))
			.expect_err("every spam transaction is refused");
		// 1010: invalid (refused by the runtime's validation), never undecodable (1002) or
		// accepted.
		assert!(error.contains("1010"), "transaction {index}: {error}");
	}
	let elapsed = started.elapsed();
	// Blocks keep coming after the spam window (at least three since it began, however fast
	// the pool refused the spam), and those of the window are sealed.
	std::thread::sleep(Duration::from_millis(SLOT_MS));
	let (last, _) = node
		.wait_for_heights(Duration::from_millis(4 * SLOT_MS), |best, _| best > first + 2)
		.unwrap_or_else(|e| panic!("blocks stopped after the spam (from {first}): {e}"));

	let pending = node.rpc("author_pendingExtrinsics", json!([])).unwrap();
	assert_eq!(pending, json!([]), "nothing entered the pool");
	let mut longest = 0;
	let timestamp = |number| runtime.block_on(timestamp_at(&chain, number));
	let mut previous = timestamp(first);
	for number in first + 1..=last {
		assert_eq!(extrinsic_count(&node, number), quiet_extrinsics, "block {number}");
		let at = timestamp(number);
		longest = longest.max(at - previous);
		previous = at;
	}
	println!(
		"figure: {TRANSACTIONS} fee-less spam transactions refused in {:.2} s ({:.0}/s over \
		 HTTP RPC); blocks {first}..{last}, longest interval {longest} ms (slot {SLOT_MS} ms)",
		elapsed.as_secs_f64(),
		TRANSACTIONS as f64 / elapsed.as_secs_f64()
	);
	// Timestamps are the authors' clocks, a few ms off the slot; a missed slot would show 6 s.
	assert!(longest <= SLOT_MS + SLOT_MS / 2, "a slot was missed under spam: {longest} ms");
}
