//! The attacks of issue 14 run against a dev node with manual sealing, where the test decides
//! what each block holds and when it is sealed (the order matters to every one of them). The
//! node's own offchain worker is off: the test plays every worker, honest or not, with keys it
//! holds, and the attacker's best timing under the old rules is computed exactly as the old
//! runtime drew (`BlakeTwo256(parent hash ‖ subject)` in the block that held the transaction).
//!
//! - **Schema forgery**: the direct receipt an honest worker signs for `NextRequestId` (the
//!   client names only model, input and mode; the worker takes the schema from the chain) is
//!   refused as the result of the on-chain request with that id, relabelled or not.
//! - **ZK front-run**: the node-only endpoints (`/v1/jobs`, `/v1/proofs`, `/v1/settlements`)
//!   answer strangers `401`, so nobody can make the worker prove another binding.
//! - **Sampling grind** (20 rounds): a worker holds each result back until the old rule says
//!   it will be sampled (its sybil being the only possible checker). The draw is made a block
//!   later from a hash that did not exist: at most the expected number is sampled, and the
//!   treasury never loses.
//! - **Dispute grind** (20 disputes) and **input substitution**: a disputer controlling two
//!   sybil workers times its dispute, and its sybil checker times its wrong answer, so that
//!   the old rule would make the sybils checker and arbiter of an honest worker. Every check
//!   re-executes the original request's own input; the honest worker is slashed only when
//!   chance alone picks both sybils.

use codec::{Decode, Encode};
use serde_json::json;
use std::{
	collections::BTreeMap,
	path::PathBuf,
	sync::atomic::{AtomicBool, Ordering},
	time::Duration,
};
use subxt::{
	events::{DecodeAsEvent, Events},
	storage::Address as StorageAddress,
	transactions::Payload,
	utils::MultiAddress,
	PolkadotConfig,
};
use subxt_signer::sr25519::{dev, Keypair};
use verity_client::{
	api::{
		self, inference::events as inference, proofs::events as proofs,
		runtime_types::sp_runtime::DispatchError, system::events::ExtrinsicFailed,
	},
	worker::http_call,
	AccountId32, Chain, Static, Worker,
};
use verity_node_harness::{Node, NodeBuilder};
use verity_primitives::{
	blake2_256, DirectAnswer, DirectJob, ModelVersionRef, Receipt, ReceiptContext, RequestId,
	RequestInput, ResultOutput, SettlementMode, VerificationMode,
};
use verity_worker::signer::WorkerKey;

use crate::common;
use crate::common::{call_index, general, succeeds, VERITY};

type Account = [u8; 32];
/// The events of one block.
type BlockEvents = Events<PolkadotConfig>;
const UNIT: u128 = 10u128.pow(18);
/// The runtime's `SampleRate` (2%), in parts per billion.
const SAMPLE_RATE_PPB: u64 = 20_000_000;
const ROUNDS: usize = 20;

/// Seals one block (empty or not) and returns its number.
fn seal(node: &Node) -> u64 {
	node.rpc("engine_createBlock", json!([true, true, null])).expect("a block is sealed");
	node.heights().unwrap().0
}

/// Sets its flag when dropped, even by a panic.
struct StopOnDrop<'a>(&'a AtomicBool);

impl Drop for StopOnDrop<'_> {
	fn drop(&mut self) {
		self.0.store(true, Ordering::Relaxed);
	}
}

/// Runs `work` (CLI commands that wait for their transaction) while sealing a block whenever
/// the pool holds one (and stops sealing if `work` panics).
fn sealing<R>(node: &Node, work: impl FnOnce() -> R) -> R {
	let stop = AtomicBool::new(false);
	std::thread::scope(|scope| {
		scope.spawn(|| {
			while !stop.load(Ordering::Relaxed) {
				let pending = node.rpc("author_pendingExtrinsics", json!([])).unwrap();
				if pending.as_array().is_some_and(|txs| !txs.is_empty()) {
					seal(node);
				}
				std::thread::sleep(Duration::from_millis(50));
			}
		});
		let _stop = StopOnDrop(&stop);
		work()
	})
}

/// The hash of the best block (the parent of the next one).
fn head(node: &Node) -> [u8; 32] {
	block_hash(node, node.heights().unwrap().0)
}

fn block_hash(node: &Node, number: u64) -> [u8; 32] {
	let hash = node.rpc("chain_getBlockHash", json!([number])).unwrap();
	hex::decode(hash.as_str().unwrap().trim_start_matches("0x")).unwrap().try_into().unwrap()
}

/// `H(BlakeTwo256(parent ‖ subject), id) mod m`: the runtime's draws (`ParentHashRandomness`,
/// then `is_sampled` / `assign`), as the old runtime made them in the block that held the
/// deciding transaction.
fn old_draw(parent: &[u8; 32], tag: &[u8], id: RequestId, modulus: u64) -> u64 {
	let subject = [tag, &id.to_le_bytes()[..]].concat();
	let seed = blake2_256(&[&parent[..], &subject[..]].concat());
	let pick = blake2_256(&(seed, id).encode());
	u64::from_le_bytes(pick[..8].try_into().unwrap()) % modulus
}

/// The demo model's input and what an honest worker answers for it.
struct Honest {
	input: Vec<u8>,
	template: Receipt<Account>,
	output: ResultOutput,
}

/// The attack scene: a node whose worker key the test holds, the chain, and the workers.
struct Scene {
	node: Node,
	chain: Chain,
	runtime: tokio::runtime::Runtime,
	model: ModelVersionRef,
	genesis: [u8; 32],
	submit_result: [u8; 2],
	/// Every registered worker's key, by account.
	keys: BTreeMap<Account, WorkerKey>,
	/// Blocks whose events have been read.
	read_up_to: u64,
}

impl Scene {
	fn block_on<F: std::future::Future>(&self, future: F) -> F::Output {
		self.runtime.block_on(future)
	}

	/// Seals a block (and more while the pool still holds transactions the block missed: a
	/// transaction just accepted may not be ready for the very next block) and returns the
	/// events of the blocks sealed, block by block.
	fn seal(&mut self) -> Vec<BlockEvents> {
		self.seal_blocks().into_iter().map(|(_, events)| events).collect()
	}

	/// As [`Scene::seal`], each block's events with the block's hash.
	fn seal_blocks(&mut self) -> Vec<([u8; 32], BlockEvents)> {
		let mut number = seal(&self.node);
		for _ in 0..5 {
			let pending = self.node.rpc("author_pendingExtrinsics", json!([])).unwrap();
			if pending.as_array().is_none_or(|txs| txs.is_empty()) {
				break;
			}
			std::thread::sleep(Duration::from_millis(50));
			number = seal(&self.node);
		}
		let mut blocks = Vec::new();
		for block in self.read_up_to + 1..=number {
			let events = self.block_on(self.chain.events_at(block)).unwrap();
			// Every event decodes (a search by type passes over one that does not).
			for event in events.iter() {
				if let Err(e) = event {
					panic!("an event of block {block}: {e}");
				}
			}
			blocks.push((block_hash(&self.node, block), events));
		}
		self.read_up_to = number;
		blocks
	}

	/// The value at `address` under `keys` in the latest block.
	fn fetch<A: StorageAddress>(&self, address: A, keys: A::KeyParts) -> Option<A::Value> {
		self.block_on(self.chain.fetch(address, keys)).unwrap()
	}

	fn next_request(&self) -> RequestId {
		self.fetch(api::storage().inference().next_request_id(), ()).unwrap_or_default()
	}

	fn free(&self, who: &Account) -> u128 {
		let info = self.fetch(api::storage().system().account(), (AccountId32(*who),));
		info.map(|info| info.data.free).unwrap_or_default()
	}

	fn stake(&self, who: &Account) -> u128 {
		self.worker(who).stake
	}

	fn worker(&self, who: &Account) -> Worker {
		self.fetch(api::storage().inference().workers(), (AccountId32(*who),)).unwrap().0
	}

	/// Signs and pools `call` from `signer` (sealed by the caller).
	fn submit<C: Payload>(&self, signer: &Keypair, call: C) {
		self.block_on(self.chain.submit_unwatched(&call, signer)).unwrap();
	}

	/// Bob asks for the demo model on the demo input; returns (request, assigned worker).
	fn request(&mut self, input: &[u8], deadline: u32) -> (RequestId, Account) {
		let input = RequestInput::Inline(input.to_vec().try_into().unwrap());
		let call = api::tx().inference().request_inference(
			Static(self.model),
			Static(input),
			Static(VerificationMode::Vanilla),
			10 * UNIT,
			deadline,
		);
		self.submit(&dev::bob(), call);
		let events = self.seal();
		// Bob's, not a check request a draw opened in the same block.
		let bob = dev::bob().public_key().0;
		all::<inference::InferenceRequested>(&events)
			.into_iter()
			.find(|requested| requested.requester.0 == bob)
			.map(|requested| (requested.request, requested.worker.0))
			.expect("Bob's request")
	}

	/// The fee-less `submit_result` `worker` signs for `request` with `output` (pooled, not
	/// sealed); the pool's answer.
	fn answer(
		&self,
		honest: &Honest,
		request: RequestId,
		worker: &Account,
		output: &ResultOutput,
	) -> Result<serde_json::Value, String> {
		let receipt = Receipt {
			genesis_hash: self.genesis,
			context: ReceiptContext::OnChain,
			request_id: request,
			worker: *worker,
			output_digest: output.digest(),
			generation: None,
			timestamp_ms: 0,
			..honest.template.clone()
		};
		let signature = self.keys[worker].sign(&receipt);
		self.pool_result(&receipt, output, &signature)
	}

	fn pool_result(
		&self,
		receipt: &Receipt<Account>,
		output: &ResultOutput,
		signature: &[u8; 64],
	) -> Result<serde_json::Value, String> {
		let no_evidence: Option<verity_primitives::GenerationEvidence> = None;
		let call = (self.submit_result, receipt, output, signature, no_evidence).encode();
		self.node.rpc("author_submitExtrinsic", json!([general(call)]))
	}

	/// Registers `suri`'s account as a worker of the demo model with signing key `key` and
	/// `stake`, at an endpoint nobody serves (the test answers for it), with the demo worker's
	/// fee.
	fn register(&mut self, suri: &str, key: &str, stake: u128) -> Account {
		let signer = Keypair::from_uri(&suri.parse().unwrap()).unwrap();
		let account = signer.public_key().0;
		let key = WorkerKey::from_uri(key).unwrap();
		let proof = key.key_proof(&self.genesis, &account);
		let model = self.model.to_string();
		let (stake, fee) = (stake.to_string(), (UNIT / 100).to_string());
		let args = [
			"worker",
			"register",
			"--endpoint",
			"http://127.0.0.1:9/",
			"--model",
			&model,
			"--signing-key",
			&hex::encode(key.public()),
			"--key-proof",
			&hex::encode(proof),
			"--stake",
			&stake,
			"--fee",
			&fee,
		];
		sealing(&self.node, || succeeds(&self.node, suri, &args));
		self.read_up_to = self.node.heights().unwrap().0;
		self.keys.insert(account, key);
		account
	}

	/// The workers that could be drawn to check a result of `exclude[0]`'s, in the order the
	/// runtime lists them.
	fn eligible(&self, exclude: &[Account]) -> Vec<Account> {
		let active = self.fetch(api::storage().inference().active_workers(), ()).unwrap();
		active
			.into_iter()
			.map(|who| who.0)
			.filter(|who| !exclude.contains(who))
			.filter(|who| {
				let info = self.worker(who);
				info.stake >= 100 * UNIT && info.models.contains(&self.model)
			})
			.collect()
	}

	/// The worker the old rule would have assigned the next request to, drawn in a block
	/// built on the current head.
	fn old_assignment(&self, exclude: &[Account]) -> Account {
		self.assignment(&head(&self.node), self.next_request(), exclude)
	}

	/// The worker the rule assigns `request` to in a block whose parent is `parent`.
	fn assignment(&self, parent: &[u8; 32], request: RequestId, exclude: &[Account]) -> Account {
		let eligible = self.eligible(exclude);
		eligible[old_draw(parent, b"verity/assign", request, eligible.len() as u64) as usize]
	}

	/// The parent of the block sealed last.
	fn last_parent(&self) -> [u8; 32] {
		block_hash(&self.node, self.read_up_to - 1)
	}

	/// Each event's `Pallet.Event` name, with the error of a failed call as `Pallet::Error`.
	fn names(&self, events: &[BlockEvents]) -> Vec<String> {
		let metadata = self.block_on(common::metadata(&self.chain));
		let events = events.iter().flat_map(|block| block.iter()).map(Result::unwrap);
		events
			.map(|event| {
				let name = format!("{}.{}", event.pallet_name(), event.event_name());
				let failed = event.decode_fields_as::<ExtrinsicFailed>().map(Result::unwrap);
				match failed.and_then(|failed| module_error(&failed.dispatch_error, &metadata)) {
					Some(error) => format!("{name} ({error})"),
					None => name,
				}
			})
			.collect()
	}
}

/// A module error named `Pallet::Error` from the metadata.
fn module_error(error: &DispatchError, metadata: &subxt::Metadata) -> Option<String> {
	let DispatchError::Module(module) = error else { return None };
	let pallet = metadata.pallet_by_error_index(module.index)?;
	let variant = pallet.error_variant_by_index(module.error[0])?;
	Some(format!("{}::{}", pallet.name(), variant.name))
}

/// The events about one request (their first field).
trait About: DecodeAsEvent {
	fn request(&self) -> RequestId;
}

macro_rules! about {
	($($event:ty),*) => {$(
		impl About for $event {
			fn request(&self) -> RequestId {
				self.request
			}
		}
	)*};
}

about!(
	inference::ResultRecorded,
	proofs::ResultSampled,
	proofs::DisputeAccepted,
	proofs::ResultConfirmed,
	proofs::ResultDisputed
);

/// The first `E` event about `request`.
fn find_for<E: About>(events: &[BlockEvents], request: RequestId) -> Option<E> {
	all::<E>(events).into_iter().find(|event| event.request() == request)
}

/// Every `E` event, in order.
fn all<E: DecodeAsEvent>(events: &[BlockEvents]) -> Vec<E> {
	let decoded = events.iter().flat_map(|block| block.find::<E>());
	decoded
		.map(|event| {
			event.unwrap_or_else(|e| panic!("decoding {}: {e}", std::any::type_name::<E>()))
		})
		.collect()
}

fn scene() -> (Scene, Honest) {
	let binary = PathBuf::from(VERITY).with_file_name("verity-node");
	let alice = dev::alice().public_key().0;
	let node = NodeBuilder::new(binary)
		.name("attacks")
		.args(["--dev", "--sealing", "manual", "--offchain-worker", "never"])
		// Alice registers the node's worker in `demo setup`; direct receipts name her.
		.worker(["--dev-key", "//Operator", "--account", &AccountId32(alice).to_string()])
		.spawn()
		.unwrap_or_else(|e| panic!("{e}"));
	seal(&node);
	let dir = tempfile::tempdir().unwrap();
	let model = sealing(&node, || common::demo_setup(&node, &dir.path().join("input.json")));
	let runtime = tokio::runtime::Runtime::new().unwrap();
	let chain = runtime.block_on(Chain::connect(&node.ws_url())).unwrap();
	let genesis = chain.genesis_hash();
	let metadata = runtime.block_on(common::metadata(&chain));
	let read_up_to = node.heights().unwrap().0;
	let mut scene = Scene {
		submit_result: call_index(&metadata, "Inference", "submit_result"),
		node,
		chain,
		runtime,
		model: model.parse().unwrap(),
		genesis,
		keys: BTreeMap::new(),
		read_up_to,
	};
	scene.keys.insert(alice, WorkerKey::from_uri("//Operator").unwrap());
	// The honest output, from the worker itself (a direct request anyone may make).
	let input: Vec<u8> = [0.5f32, -1.25, 2.0, 0.75].iter().flat_map(|v| v.to_le_bytes()).collect();
	let job = DirectJob {
		request_id: 0,
		model: scene.model,
		input: RequestInput::Inline(input.clone().try_into().unwrap()),
		mode: VerificationMode::Vanilla,
		settlement: SettlementMode::Private,
	};
	let answer = scene.direct(&job);
	let honest = Honest { input, template: answer.answer.receipt, output: answer.answer.output };
	(scene, honest)
}

impl Scene {
	fn direct(&self, job: &DirectJob) -> DirectAnswer<Account> {
		let url = format!("{}/v1/direct", self.node.worker_url());
		let (status, body) = self.block_on(http_call("POST", &url, job.encode())).unwrap();
		assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
		DirectAnswer::decode(&mut &body[..]).unwrap()
	}
}

#[test]
fn receipts_cannot_be_forged_and_draws_cannot_be_ground() {
	let (mut scene, honest) = scene();
	schema_forgery(&mut scene, &honest);
	node_only_endpoints(&scene);
	sampling_grind(&mut scene, &honest);
	dispute_grind(&mut scene, &honest);
}

/// Hole 1: the direct receipt for the id the next on-chain request gets never settles it.
fn schema_forgery(scene: &mut Scene, honest: &Honest) {
	let next = scene.next_request();
	let job = DirectJob {
		request_id: next,
		model: scene.model,
		input: RequestInput::Inline(honest.input.clone().try_into().unwrap()),
		mode: VerificationMode::Vanilla,
		settlement: SettlementMode::Private,
	};
	let direct = scene.direct(&job).answer;
	assert_eq!(direct.receipt.context, ReceiptContext::Direct);
	let (request, worker) = scene.request(&honest.input, 20);
	assert_eq!(request, next);
	// The worker signed the version's spec as the chain records it, not a client's schema.
	let recorded = scene.fetch(api::storage().inference().requests(), (request,)).unwrap();
	assert_eq!(direct.receipt.spec_hash, recorded.spec_hash, "the chain's spec");
	let alice = dev::alice().public_key().0;
	assert_eq!(worker, alice, "the only worker");
	// As the worker signed it, and relabelled as an on-chain receipt: both refused by the pool
	// (1010: invalid), while the request is open and unanswered.
	let refused = scene.pool_result(&direct.receipt, &direct.output, &direct.signature);
	assert!(refused.as_ref().is_err_and(|e| e.contains("1010")), "{refused:?}");
	let relabelled =
		Receipt { context: ReceiptContext::OnChain, timestamp_ms: 0, ..direct.receipt };
	let refused = scene.pool_result(&relabelled, &direct.output, &direct.signature);
	assert!(refused.as_ref().is_err_and(|e| e.contains("1010")), "{refused:?}");
	assert_eq!(scene.node.rpc("author_pendingExtrinsics", json!([])).unwrap(), json!([]));
	// The worker's own on-chain answer settles it.
	scene.answer(honest, request, &worker, &honest.output).unwrap();
	let events = scene.seal();
	assert!(!all::<inference::ResultRecorded>(&events).is_empty(), "settled");
}

/// Hole 2: a stranger cannot post jobs, fetch proofs or touch settlements.
fn node_only_endpoints(scene: &Scene) {
	let base = scene.node.worker_url();
	let binding = hex::encode([7u8; 32]);
	for (method, path) in [
		("POST", "/v1/jobs".to_owned()),
		("GET", format!("/v1/proofs/0/{binding}")),
		("GET", "/v1/settlements".to_owned()),
		("POST", "/v1/settlements/posted".to_owned()),
	] {
		let url = format!("{base}{path}");
		let (status, _) = scene.block_on(http_call(method, &url, vec![0; 8])).unwrap();
		assert_eq!(status, 401, "{method} {path}");
	}
}

/// Hole 3 (sampling): the worker answers each of 20 requests only in a block where the old
/// rule samples it; its sybil is the only other worker, so every check would be its own.
fn sampling_grind(scene: &mut Scene, honest: &Honest) {
	let alice = dev::alice().public_key().0;
	// Sybils stake much, so that being outvoted (half the stake each time) never leaves
	// them too little to be drawn.
	let sybil = scene.register("//Charlie", "//Sybil", 50_000 * UNIT);
	let constants = api::constants().inference();
	let treasury = scene.block_on(scene.chain.constant(constants.treasury_account())).unwrap().0;
	let pot = scene.block_on(scene.chain.constant(constants.sampling_pot())).unwrap().0;
	let (treasury_before, pot_before) = (scene.free(&treasury), scene.free(&pot));

	let mut open: Vec<(RequestId, Account)> =
		(0..ROUNDS).map(|_| scene.request(&honest.input, 1_000)).collect();
	let mut events = Vec::new();
	let mut blocks = 0;
	// Each result and the hash of the block that holds it.
	let mut included = Vec::new();
	while !open.is_empty() {
		assert!(blocks < 900, "{} requests never drew a sample", open.len());
		let parent = head(&scene.node);
		let mut answered = Vec::new();
		open.retain(|(request, worker)| {
			if old_draw(&parent, b"verity/sample", *request, 1_000_000_000) >= SAMPLE_RATE_PPB {
				return true;
			}
			scene.answer(honest, *request, worker, &honest.output).unwrap();
			answered.push(*request);
			false
		});
		// Each result's own block (a result the pool had not readied for the first block
		// sealed lands in a later one).
		for (hash, block_events) in scene.seal_blocks() {
			let recorded = all::<inference::ResultRecorded>(std::slice::from_ref(&block_events));
			included.extend(
				answered
					.iter()
					.filter(|request| recorded.iter().any(|event| event.request == **request))
					.map(|request| (*request, hash)),
			);
			events.push(block_events);
		}
		blocks += 1;
	}
	// The draws of the last results, a block after them; the attacker's workers answer any
	// check they get (the sybil's fee comes from the sampling pot).
	for _ in 0..3 {
		events.extend(scene.seal());
	}
	let checks = all::<inference::CheckRequested>(&events);
	for check in &checks {
		let (check, worker) = (check.request, check.worker.0);
		assert!(worker == alice || worker == sybil);
		scene.answer(honest, check, &worker, &honest.output).unwrap();
		events.extend(scene.seal());
	}
	// The draw is the old rule, made a block later: from the hash of the result's own block,
	// which did not exist when the worker chose when to submit.
	assert_eq!(included.len(), ROUNDS, "every held-back result was recorded");
	for (request, block) in included {
		let drawn = old_draw(&block, b"verity/sample", request, 1_000_000_000) < SAMPLE_RATE_PPB;
		assert_eq!(drawn, find_for::<proofs::ResultSampled>(&events, request).is_some());
	}
	let recorded = all::<inference::ResultRecorded>(&events).len();
	assert_eq!(recorded, ROUNDS + checks.len(), "every answer and check settled");
	let sampled = all::<proofs::ResultSampled>(&events).len();
	let (treasury_after, pot_after) = (scene.free(&treasury), scene.free(&pot));
	println!(
		"figure: sampling grind: {ROUNDS} results each held back ({blocks} blocks) until the old \
		 rule sampled it; {sampled} sampled (old rule: {ROUNDS}; expected {:.1}); treasury \
		 {treasury_before} -> {treasury_after}, sampling pot {pot_before} -> {pot_after}",
		ROUNDS as f64 * SAMPLE_RATE_PPB as f64 / 1e9
	);
	// P(5 or more of 20 at 2%) < 3e-5.
	assert!(sampled <= 4, "{sampled} of {ROUNDS} sampled: the grind worked");
	assert!(treasury_after >= treasury_before, "the treasury never pays for checks");
}

/// Hole 3 (disputes) and 4 (input substitution): Bob disputes honest results at the moment
/// the old rule draws a sybil as checker; a sybil checker answers wrong at the moment the old
/// rule draws the other sybil as arbiter.
fn dispute_grind(scene: &mut Scene, honest: &Honest) {
	let charlie = dev::charlie().public_key().0;
	// Bob's second sybil, funded by him.
	let sybil2 = Keypair::from_uri(&"//Mallory".parse().unwrap()).unwrap().public_key().0;
	let destination = MultiAddress::Id(AccountId32(sybil2));
	scene.submit(&dev::bob(), api::tx().balances().transfer_keep_alive(destination, 60_000 * UNIT));
	scene.seal();
	let sybil2 = scene.register("//Mallory", "//Sybil2", 50_000 * UNIT);
	for (suri, key) in [("//Dave", "//Honest1"), ("//Eve", "//Honest2"), ("//Ferdie", "//Honest3")]
	{
		scene.register(suri, key, 1_000 * UNIT);
	}
	let sybils = [charlie, sybil2];
	let wrong = ResultOutput::Inline(vec![0xEE; 12].try_into().unwrap());

	let (mut disputed, mut sybil_checkers, mut framed) = (0, 0, 0);
	let mut rounds = 0;
	while disputed < ROUNDS {
		rounds += 1;
		assert!(rounds <= 4 * ROUNDS, "only {disputed} disputes in {rounds} rounds");
		let (original, worker) = scene.request(&honest.input, 20);
		scene.answer(honest, original, &worker, &honest.output).unwrap();
		let events = scene.seal();
		assert!(find_for::<inference::ResultRecorded>(&events, original).is_some());
		if sybils.contains(&worker) {
			continue; // only honest workers are framed
		}
		// Dispute in a block where the old rule would assign the check to a sybil.
		grind_until(scene, |scene| sybils.contains(&scene.old_assignment(&[worker])));
		scene.submit(&dev::bob(), api::tx().proofs().dispute_result(original));
		let events = scene.seal();
		if find_for::<proofs::DisputeAccepted>(&events, original).is_none() {
			// Only a result already under a random sample's check is refused.
			let sample = scene.fetch(api::storage().proofs().samples(), (original,));
			assert!(sample.is_some(), "dispute of {original} refused: {:?}", scene.names(&events));
			continue;
		}
		disputed += 1;
		let sampled = wait_for::<proofs::ResultSampled>(scene, events, original);
		let (check, checker) = (sampled.check, sampled.checker.0);
		// The old rule again, applied in a block after the dispute's.
		assert_eq!(scene.assignment(&scene.last_parent(), check, &[worker]), checker);
		assert_same_input(scene, original, check);
		if !sybils.contains(&checker) {
			scene.answer(honest, check, &checker, &honest.output).unwrap();
			assert!(find_for::<proofs::ResultConfirmed>(&scene.seal(), original).is_some());
			continue;
		}
		sybil_checkers += 1;
		let other = if checker == sybils[0] { sybils[1] } else { sybils[0] };
		grind_until(scene, |scene| scene.old_assignment(&[worker, checker]) == other);
		scene.answer(honest, check, &checker, &wrong).unwrap();
		let events = scene.seal();
		let disputed_event = wait_for::<proofs::ResultDisputed>(scene, events, original);
		let (arbitration, arbiter) = (disputed_event.check, disputed_event.arbiter.0);
		assert_eq!(
			scene.assignment(&scene.last_parent(), arbitration, &[worker, checker]),
			arbiter
		);
		assert_same_input(scene, original, arbitration);
		let output = if sybils.contains(&arbiter) { &wrong } else { &honest.output };
		let staked = scene.stake(&worker);
		scene.answer(honest, arbitration, &arbiter, output).unwrap();
		let slashed = all::<proofs::WorkerSlashed>(&scene.seal());
		let victim = slashed.iter().any(|slashed| slashed.worker.0 == worker);
		if victim {
			framed += 1;
			assert!(scene.stake(&worker) < staked);
		}
		assert_eq!(victim, sybils.contains(&arbiter), "only two sybils can frame it");
	}
	println!(
		"figure: dispute grind: {disputed} disputes timed for a sybil checker (old rule: all \
		 sybil, and every honest worker framed); {sybil_checkers} got one, {framed} honest \
		 workers framed (expected by chance: {:.1} and {:.1})",
		disputed as f64 * 2.0 / 5.0,
		disputed as f64 / 10.0
	);
	// By chance: P(sybil checker) = 2/5, then P(sybil arbiter) = 1/4. P(9+ framed of 20) < 1e-4.
	assert!(framed <= 8, "{framed} of {disputed} honest workers framed: the grind worked");
}

/// The `E` event about `request` in `events` or in the next blocks sealed (at most 10: the
/// draw is made a block after the transaction that caused it).
fn wait_for<E: About>(scene: &mut Scene, mut events: Vec<BlockEvents>, request: RequestId) -> E {
	for _ in 0..10 {
		if let Some(event) = find_for::<E>(&events, request) {
			return event;
		}
		events = scene.seal();
	}
	panic!("no {} for request {request} in 10 blocks", std::any::type_name::<E>());
}

/// Seals empty blocks until `ready` holds on the head (at most 200).
fn grind_until(scene: &mut Scene, ready: impl Fn(&Scene) -> bool) {
	for _ in 0..200 {
		if ready(scene) {
			return;
		}
		scene.seal();
	}
	panic!("the old rule never favoured the attacker in 200 blocks");
}

/// A check re-executes the original request's own input (nobody supplies another).
fn assert_same_input(scene: &Scene, original: RequestId, check: RequestId) {
	let settled = scene.fetch(api::storage().inference().results(), (original,)).unwrap();
	let request = scene.fetch(api::storage().inference().requests(), (check,)).unwrap();
	assert_eq!(request.input, settled.input, "check {check} of {original}");
	assert_eq!(request.check_of, Some(original));
}

/// Hole 4: a requester cannot make the (real, embedded) worker pay timeout penalties: a
/// deadline shorter than the chain's or the worker's minimum is refused, and a stored input
/// nobody serves (named with its right digest) is declined without penalty and refunded.
#[test]
fn requesters_cannot_force_timeouts_on_a_worker() {
	let binary = PathBuf::from(VERITY).with_file_name("verity-node");
	let node = NodeBuilder::new(binary)
		.name("timeouts")
		.args(["--dev", "--sealing", "instant"])
		.worker::<_, &str>([])
		.spawn()
		.unwrap_or_else(|e| panic!("{e}"));
	let dir = tempfile::tempdir().unwrap();
	let input = dir.path().join("input.json");
	let model = common::demo_setup(&node, &input);
	let input = input.to_str().unwrap();
	let worker = || succeeds(&node, "//Alice", &["worker", "show"]);
	let staked = worker()["stake"].clone();
	let infer = |extra: &[&str], expected: &str| {
		let mut args = vec!["infer", &model, "--input", input];
		args.extend(extra);
		common::fails(&node, "//Bob", &args, expected);
	};
	infer(&["--deadline", "1"], "BadDeadline");
	succeeds(&node, "//Alice", &["worker", "min-deadline", "5"]);
	infer(&["--deadline", "4"], "DeadlineTooShortForWorkers");
	let nowhere = ["--input-store", "http://127.0.0.1:9", "--no-upload", "--timeout", "60"];
	for _ in 0..3 {
		infer(&nowhere, "declined");
	}
	let after = worker();
	assert_eq!(after["stake"], staked, "no timeout penalty");
	assert_eq!(after["missed"], 0);
	assert_eq!(after["open_requests"], 0);
	let runtime = tokio::runtime::Runtime::new().unwrap();
	let chain = runtime.block_on(Chain::connect(&node.ws_url())).unwrap();
	let bob = AccountId32(dev::bob().public_key().0);
	let account =
		runtime.block_on(chain.fetch(api::storage().system().account(), (bob,))).unwrap().unwrap();
	assert_eq!(account.data.reserved, 0, "every fee held from Bob was refunded");
}
