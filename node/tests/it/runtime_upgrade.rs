//! A runtime upgrade by on-chain vote, on a running dev chain (real Aura + GRANDPA, governance
//! periods of `fast-runtime`):
//!
//! 1. a referendum on the `root` track authorizes a code that is not a runtime; once enacted,
//!    applying that code is rejected with `RejectedInvalidAuthorizedUpgrade` and the chain keeps
//!    its runtime;
//! 2. a referendum authorizes the same runtime built with `spec_version` one higher (feature
//!    `spec-version-bump`, the `verity-runtime-upgrade` crate's WASM); Bob applies it and
//!    the node reports the new `spec_version` over RPC while blocks keep being produced and
//!    finalized.
//!
//! Prints the time from referendum submission to enactment.

use std::time::{Duration, Instant};
use subxt::{transactions::Payload, PolkadotConfig};
use subxt_signer::sr25519::{dev, Keypair};
use verity_client::{api, governance, Chain};
use verity_node_harness::{Node, NodeBuilder};

const NODE: &str = env!("CARGO_BIN_EXE_verity-node");
const UNIT: u128 = 1_000_000_000_000_000_000;

/// The runtime with `spec-version-bump` (and `fast-runtime`, like the node under test),
/// compressed: built beside the runtime's own WASM by `verity-runtime-upgrade`.
fn bumped_runtime() -> Vec<u8> {
	verity_runtime_upgrade::WASM_BINARY
		.expect("the upgrade runtime is built (SKIP_WASM_BUILD was not set)")
		.to_vec()
}

fn spec_version(node: &Node) -> u64 {
	node.rpc("state_getRuntimeVersion", serde_json::json!([])).unwrap()["specVersion"]
		.as_u64()
		.unwrap()
}

/// Submits `call` and waits until it is finalized and succeeded; its events.
async fn submit<C: Payload>(
	chain: &Chain,
	call: &C,
	signer: &Keypair,
) -> subxt::extrinsics::ExtrinsicEvents<PolkadotConfig> {
	chain.submit(call, signer).await.unwrap_or_else(|e| panic!("{e}")).events
}

fn names(events: &subxt::extrinsics::ExtrinsicEvents<PolkadotConfig>) -> Vec<String> {
	events
		.iter()
		.map(|event| {
			let event = event.unwrap();
			format!("{}.{}", event.pallet_name(), event.event_name())
		})
		.collect()
}

/// Passes a `root` referendum that authorizes an upgrade to `code`; returns how long it took
/// from submission to enactment.
async fn authorize_by_referendum(node: &Node, chain: &Chain, code: &[u8], index: u32) -> Duration {
	let alice = dev::alice();
	let authorize = api::tx().system().authorize_upgrade(sp_io::hashing::blake2_256(code).into());
	let started = Instant::now();
	let proposed = governance::propose_root(chain, &authorize, &alice).await.unwrap();
	assert_eq!(proposed, index);
	// Aye with 39% of the supply.
	governance::vote_aye(chain, index, 390_000_000 * UNIT, &alice).await.unwrap();

	let deadline = Instant::now() + Duration::from_secs(180);
	loop {
		let authorized = chain.fetch(api::storage().system().authorized_upgrade(), ()).await;
		if authorized.unwrap().is_some() {
			return started.elapsed();
		}
		assert!(
			Instant::now() < deadline,
			"referendum {index} not enacted in 3 minutes:\n{}",
			node.log_tail(30)
		);
		tokio::time::sleep(Duration::from_millis(500)).await;
	}
}

#[tokio::test(flavor = "multi_thread")]
async fn a_referendum_upgrades_the_runtime_and_a_bad_code_is_rejected() {
	let code = tokio::task::spawn_blocking(bumped_runtime).await.unwrap();
	let node = NodeBuilder::new(NODE)
		.name("upgrade")
		.arg("--dev")
		.spawn()
		.unwrap_or_else(|e| panic!("{e}"));
	let chain = Chain::connect(&node.ws_url()).await.unwrap();
	let before = spec_version(&node);

	// 1. Not a runtime: authorized by vote, rejected when applied, the old runtime stays.
	let garbage = b"\0asm this is not a runtime".to_vec();
	authorize_by_referendum(&node, &chain, &garbage, 0).await;
	let apply = api::tx().system().apply_authorized_upgrade(garbage.clone());
	let events = submit(&chain, &apply, &dev::bob()).await;
	let events = names(&events);
	assert!(events.contains(&"System.RejectedInvalidAuthorizedUpgrade".to_owned()), "{events:?}");
	assert!(!events.contains(&"System.CodeUpdated".to_owned()), "{events:?}");
	assert_eq!(spec_version(&node), before);

	// 2. The same runtime, one spec_version higher.
	let enactment = authorize_by_referendum(&node, &chain, &code, 1).await;
	let apply = api::tx().system().apply_authorized_upgrade(code.clone());
	let events = submit(&chain, &apply, &dev::bob()).await;
	assert!(names(&events).contains(&"System.CodeUpdated".to_owned()));
	let deadline = Instant::now() + Duration::from_secs(60);
	while spec_version(&node) != before + 1 {
		assert!(
			Instant::now() < deadline,
			"the new runtime is not reported:\n{}",
			node.log_tail(30)
		);
		tokio::time::sleep(Duration::from_millis(500)).await;
	}
	// Blocks are still produced and finalized by the new runtime.
	let (best, finalized) = node.heights().unwrap();
	node.wait_for_heights(Duration::from_secs(60), |b, f| b >= best + 3 && f >= finalized + 3)
		.unwrap_or_else(|e| panic!("{e}"));
	eprintln!(
		"figure: referendum submission to enactment with fast-runtime: {:.1} s; new spec_version {}",
		enactment.as_secs_f64(),
		before + 1
	);
}
