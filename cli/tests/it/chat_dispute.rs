//! Chat results are disputed and re-executed by live workers (issue 17): two nodes of one Aura
//! chain, each with its own `verity-worker` serving SmolLM2-135M-Instruct under its own key
//! (Alice's on the first node, Ferdie's on the second).
//!
//! - **An honest answer disputed**: Bob's chat is answered by one worker; Charlie disputes it;
//!   the other worker is drawn as checker, re-executes the claim (one prefill over prompt and
//!   claimed tokens) and confirms it. Nobody is slashed.
//! - **A forged answer**: Dave registers a worker whose key the test holds and which only it
//!   answers for (the real workers take no short deadlines). It claims the honest tokens and
//!   fingerprints gave another text. Charlie disputes; the checker re-executes and rejects, the
//!   arbiter (the other real worker) rejects too, and Dave's worker loses half its stake.

use codec::Encode;
use std::{
	path::PathBuf,
	time::{Duration, Instant},
};
use subxt::{events::DecodeAsEvent, PolkadotConfig};
use subxt_signer::sr25519::{dev, Keypair};
use verity_client::{
	api::{self, inference::events as inference, proofs::events as proofs},
	AccountId32, Chain, Static,
};
use verity_node_harness::{Node, NodeBuilder};
use verity_primitives::{Receipt, ResultOutput, VerificationMode};
use verity_worker::signer::WorkerKey;

use crate::common::{self, call_index, demo_setup_with, general, succeeds, VERITY};

const UNIT: u128 = 10u128.pow(18);
/// The longest any one step (a block, a draw, a re-execution) may take.
const STEP: Duration = Duration::from_secs(180);

/// Reads events block by block, from where it last stopped to the best block.
struct Watch {
	runtime: tokio::runtime::Runtime,
	chain: Chain,
	node_rpc: u16,
	next_block: u64,
	seen: Vec<subxt::events::Events<PolkadotConfig>>,
}

impl Watch {
	fn new(node: &Node) -> Self {
		let runtime = tokio::runtime::Runtime::new().unwrap();
		let chain = runtime.block_on(Chain::connect(&node.ws_url())).unwrap();
		let next_block = node.heights().unwrap().0 + 1;
		Self { runtime, chain, node_rpc: node.rpc_port(), next_block, seen: Vec::new() }
	}

	/// Reads the blocks imported since the last call.
	fn read_new_blocks(&mut self) {
		let best =
			verity_node_harness::rpc_at(self.node_rpc, "chain_getHeader", serde_json::json!([]))
				.ok()
				.and_then(|header| header["number"].as_str().map(str::to_owned))
				.and_then(|number| u64::from_str_radix(number.trim_start_matches("0x"), 16).ok())
				.unwrap_or(0);
		while self.next_block <= best {
			let events = self.runtime.block_on(self.chain.events_at(self.next_block)).unwrap();
			self.seen.push(events);
			self.next_block += 1;
		}
	}

	/// The first `E` event (seen so far or in the next blocks) that `matches`.
	fn wait_for<E: DecodeAsEvent>(&mut self, matches: impl Fn(&E) -> bool) -> E {
		let deadline = Instant::now() + STEP;
		loop {
			if let Some(event) = self.first(&matches) {
				return event;
			}
			assert!(Instant::now() < deadline, "no {} in time", std::any::type_name::<E>());
			std::thread::sleep(Duration::from_millis(500));
		}
	}

	/// Whether an `E` event that `matches` was seen.
	fn saw<E: DecodeAsEvent>(&mut self, matches: impl Fn(&E) -> bool) -> bool {
		self.first(matches).is_some()
	}

	/// The first `E` event that `matches`, in the blocks imported so far.
	fn first<E: DecodeAsEvent>(&mut self, matches: impl Fn(&E) -> bool) -> Option<E> {
		self.read_new_blocks();
		let found = self.seen.iter().flat_map(|block| block.find::<E>()).map(Result::unwrap);
		found.into_iter().find(|event| matches(event))
	}

	/// Waits until `worker`'s stake, in the latest finalized block, is `expected`.
	fn wait_for_stake(&self, worker: &Keypair, expected: u128) {
		let deadline = Instant::now() + STEP;
		while self.stake(worker) != expected {
			assert!(Instant::now() < deadline, "stake {} is not {expected}", self.stake(worker));
			std::thread::sleep(Duration::from_millis(500));
		}
	}

	/// `worker`'s stake in the latest finalized block.
	fn stake(&self, worker: &Keypair) -> u128 {
		let account = AccountId32(worker.public_key().0);
		let info = self.chain.fetch(api::storage().inference().workers(), (account,));
		self.runtime.block_on(info).unwrap().expect("a registered worker").0.stake
	}
}

/// `disputer` disputes `request`'s result. A random sample may have opened a check of it
/// first (chat results are sampled): the same re-execution then judges it.
fn dispute(node: &Node, disputer: &str, request: u64) {
	let run = common::verity(node, disputer, &["receipt", "dispute", &request.to_string()]);
	let sampled = run.stderr.contains("AlreadyUnderCheck") || run.stderr.contains("AlreadyJudged");
	assert!(run.ok || sampled, "dispute of {request}: {}", run.stderr);
}

#[test]
fn live_workers_re_execute_disputed_chat_results_and_a_forger_is_slashed() {
	let gguf = match verity_llm::reference::fetch("smollm2") {
		Ok(path) => path,
		Err(why) => return eprintln!("skipped: SmolLM2 is not available here: {why}"),
	};
	let binary = PathBuf::from(VERITY).with_file_name("verity-node");
	let first = NodeBuilder::new(&binary)
		.name("chat-first")
		.arg("--dev")
		.worker::<_, &str>([])
		.spawn()
		.unwrap_or_else(|e| panic!("{e}"));
	// The second node follows from the start (see `a_second_node_fetches_a_batch...`).
	let peer = first.rpc("system_localPeerId", serde_json::json!([])).unwrap();
	let bootnode =
		format!("/ip4/127.0.0.1/tcp/{}/p2p/{}", first.p2p_port(), peer.as_str().unwrap());
	let ferdie = AccountId32(dev::ferdie().public_key().0).to_string();
	let second = NodeBuilder::new(&binary)
		.name("chat-second")
		// Not an authority: its offchain worker (which relays jobs to the worker) runs only
		// when asked.
		.args(["--chain", "dev", "--bootnodes", &bootnode, "--offchain-worker", "always"])
		.worker(["--dev-key", "//ChatWorker", "--account", &ferdie])
		.spawn()
		.unwrap_or_else(|e| panic!("{e}"));
	let dir = tempfile::tempdir().unwrap();
	let setup = demo_setup_with(
		&first,
		&dir.path().join("demo-input.json"),
		&["--chat-model", gguf.to_str().unwrap()],
	);
	let chat = setup["chat_model"].as_str().expect("the chat model is published").to_owned();
	let (stake, fee) = ((1_000 * UNIT).to_string(), (UNIT / 100).to_string());
	let endpoint = second.worker_url();
	let register = ["worker", "register", "--endpoint", &endpoint, "--model", &chat];
	let register = [&register[..], &["--stake", &stake, "--fee", &fee]].concat();
	succeeds(&second, "//Ferdie", &register);
	let real = [dev::alice(), dev::ferdie()];
	let mut watch = Watch::new(&first);

	// An honest answer, disputed: the other worker re-executes it and confirms it.
	let answer = succeeds(&first, "//Bob", &["chat", &chat, "What is 2+2?", "--max-tokens", "24"]);
	assert_eq!(answer["verified"], true, "{answer:#}");
	let original = answer["receipt"]["request"].as_u64().unwrap();
	let answered_by = answer["receipt"]["worker"].as_str().unwrap().to_owned();
	let stakes: Vec<u128> = real.iter().map(|worker| watch.stake(worker)).collect();
	let started = Instant::now();
	dispute(&first, "//Charlie", original);
	let sampled = watch.wait_for::<proofs::ResultSampled>(|e| e.request == original);
	assert_ne!(sampled.checker.to_string(), answered_by, "a worker never checks itself");
	let confirmed = watch.wait_for::<proofs::ResultConfirmed>(|e| e.request == original);
	assert_eq!(confirmed.checker, sampled.checker);
	println!(
		"figure: a disputed chat result confirmed by live re-execution {:.1} s after the dispute",
		started.elapsed().as_secs_f64()
	);
	assert!(!watch.saw::<proofs::WorkerSlashed>(|_| true), "nobody is slashed");
	let after: Vec<u128> = real.iter().map(|worker| watch.stake(worker)).collect();
	assert_eq!(after, stakes);

	// A forged answer: the real workers take only deadlines of 200 blocks or more, so Dave's
	// request (50 blocks) goes to his worker, whose key the test holds.
	succeeds(&first, "//Alice", &["worker", "min-deadline", "200"]);
	succeeds(&second, "//Ferdie", &["worker", "min-deadline", "200"]);
	let dave = dev::dave();
	let forger = WorkerKey::from_uri("//Forger").unwrap();
	let proof = forger.key_proof(&watch.chain.genesis_hash(), &dave.public_key().0);
	let (key, proof) = (hex::encode(forger.public()), hex::encode(proof));
	let register = ["worker", "register", "--endpoint", "http://127.0.0.1:9/", "--model", &chat];
	let keys = ["--signing-key", &key, "--key-proof", &proof, "--stake", &stake, "--fee", &fee];
	succeeds(&first, "//Dave", &[&register[..], &keys[..]].concat());
	let forged = forge(&first, &mut watch, original, &dave, &forger);

	let staked = watch.stake(&dave);
	let started = Instant::now();
	dispute(&first, "//Charlie", forged);
	let sampled = watch.wait_for::<proofs::ResultSampled>(|e| e.request == forged);
	let disputed = watch.wait_for::<proofs::ResultDisputed>(|e| e.request == forged);
	let mut judges = [sampled.checker.0, disputed.arbiter.0];
	let mut expected = [&real[0], &real[1]].map(|worker| worker.public_key().0);
	expected.sort();
	judges.sort();
	assert_eq!(judges, expected, "both real workers re-executed the forged claim");
	let dave_account = AccountId32(dave.public_key().0);
	let slashed = watch.wait_for::<proofs::WorkerSlashed>(|e| e.worker == dave_account);
	assert_eq!(slashed.amount, staked / 2, "FaultSlash is half the stake");
	watch.wait_for_stake(&dave, staked - slashed.amount);
	println!(
		"figure: a forged chat result rejected by two live re-executions, its worker slashed, \
		 {:.1} s after the dispute",
		started.elapsed().as_secs_f64()
	);
	let after: Vec<u128> = real.iter().map(|worker| watch.stake(worker)).collect();
	assert_eq!(after, stakes, "the real workers lose nothing");
	// What the workers found (their logs).
	let logs = [&first, &second].map(|node| std::fs::read_to_string(node.worker_log_path()));
	let logs = logs.map(Result::unwrap).concat();
	let verdict =
		|request: u64, verdict: &str| format!("checked request {request}'s result: {verdict}");
	assert!(logs.contains(&verdict(original, "accepted")), "{logs}");
	let rejected = verdict(forged, "rejected (the tokens do not give the signed output)");
	assert_eq!(logs.matches(&rejected).count(), 2, "{logs}");
}

/// Dave asks exactly Bob's chat of `original`; his worker (key `forger`) answers with
/// `original`'s tokens, usage and fingerprints but another text. Returns the forged result's
/// request, once recorded.
fn forge(node: &Node, watch: &mut Watch, original: u64, dave: &Keypair, forger: &WorkerKey) -> u64 {
	let (runtime, chain) = (&watch.runtime, &watch.chain);
	let settled = runtime.block_on(chain.fetch(api::storage().inference().results(), (original,)));
	let settled = settled.unwrap().expect("the honest result is on chain").0;
	let generation = chain.fetch(api::storage().inference().generations(), (original,));
	let evidence = runtime.block_on(generation).unwrap().expect("its evidence is on chain").0;
	let paid_for = 24;
	let call = api::tx().inference().request_chat(
		Static(settled.receipt.model),
		Static(settled.input.clone()),
		Static(VerificationMode::Vanilla),
		paid_for,
		10 * UNIT,
		50,
	);
	let included = runtime.block_on(chain.submit(&call, dave)).unwrap();
	let requested = included.event::<inference::InferenceRequested>().unwrap();
	assert_eq!(requested.worker.0, dave.public_key().0, "only Dave's worker takes it");
	let ResultOutput::Inline(text) = &settled.output else { panic!("a short answer is inline") };
	let text = String::from_utf8(text.to_vec()).unwrap();
	let lie = text.replace('4', "5");
	assert_ne!(lie, text, "the honest answer says 4: {text:?}");
	let output = ResultOutput::Inline(lie.into_bytes().try_into().unwrap());
	let receipt = Receipt {
		request_id: requested.request,
		worker: dave.public_key().0,
		output_digest: output.digest(),
		..settled.receipt
	};
	let signature = forger.sign(&receipt);
	let metadata = runtime.block_on(common::metadata(chain));
	let submit_result = call_index(&metadata, "Inference", "submit_result");
	let call = (submit_result, &receipt, &output, signature, Some(evidence)).encode();
	node.rpc("author_submitExtrinsic", serde_json::json!([general(call)])).unwrap();
	watch.wait_for::<inference::ResultRecorded>(|e| e.request == requested.request);
	requested.request
}
