//! A runtime upgrade by on-chain vote, on a running dev chain (real Aura + GRANDPA, governance
//! periods of `fast-runtime`):
//!
//! 1. a referendum on the `root` track authorizes a code that is not a runtime; once enacted,
//!    applying that code is rejected with `RejectedInvalidAuthorizedUpgrade` and the chain keeps
//!    its runtime;
//! 2. a referendum authorizes the hash that `scripts/build-runtime.sh` prints for the same
//!    runtime with `spec_version` one higher (features `fast-runtime,spec-version-bump`), as a
//!    voter would check a proposal; Bob applies the script's WASM and the node reports the new
//!    `spec_version` over RPC while blocks keep being produced and finalized.
//!
//! `scripts/test.sh` runs the script beside the main build and passes its output in
//! `VERITY_UPGRADE_BUILD`; without it the test runs the script itself (minutes the first time).
//!
//! Prints the time from referendum submission to enactment.

use std::time::{Duration, Instant};
use subxt::{transactions::Payload, PolkadotConfig};
use subxt_signer::sr25519::{dev, Keypair};
use verity_client::{api, governance, Chain};
use verity_node_harness::{Node, NodeBuilder};

const NODE: &str = env!("CARGO_BIN_EXE_verity-node");
const UNIT: u128 = 1_000_000_000_000_000_000;

/// What `scripts/build-runtime.sh` built: the WASM (compressed, the on-chain code) and the
/// hash it printed.
struct RuntimeBuild {
	code: Vec<u8>,
	printed_hash: [u8; 32],
}

/// The upgrade's runtime from `scripts/build-runtime.sh --features fast-runtime,spec-version-bump`:
/// read from the output that `VERITY_UPGRADE_BUILD` names, or built now.
fn upgrade_runtime() -> RuntimeBuild {
	let output = match std::env::var_os("VERITY_UPGRADE_BUILD") {
		Some(file) => std::fs::read_to_string(&file)
			.unwrap_or_else(|e| panic!("VERITY_UPGRADE_BUILD={file:?}: {e}")),
		None => run_build_script(),
	};
	parse_build_output(&output)
}

fn run_build_script() -> String {
	let out = tempfile::Builder::new().suffix(".wasm").tempfile().unwrap().into_temp_path();
	let script = verity_node_harness::workspace_root().join("scripts/build-runtime.sh");
	eprintln!("building the upgrade's runtime with {}", script.display());
	let output = std::process::Command::new(&script)
		.args(["--features", "fast-runtime,spec-version-bump", "--out"])
		.arg(&out)
		.stderr(std::process::Stdio::inherit())
		.output()
		.unwrap_or_else(|e| panic!("{}: {e}", script.display()));
	assert!(output.status.success(), "{} failed: {}", script.display(), output.status);
	// The file outlives this function: the test reads it next.
	out.keep().unwrap();
	String::from_utf8(output.stdout).unwrap()
}

/// The script's `runtime: FILE` and `blake2b-256: 0x..` lines (other lines are progress).
fn parse_build_output(output: &str) -> RuntimeBuild {
	let line = |prefix: &str| {
		output
			.lines()
			.find_map(|line| line.strip_prefix(prefix))
			.unwrap_or_else(|| panic!("no `{prefix}` line in the build's output:\n{output}"))
	};
	let code = std::fs::read(line("runtime: ")).unwrap();
	let hex = line("blake2b-256: 0x");
	let printed_hash = <[u8; 32]>::try_from(hex::decode(hex).unwrap()).unwrap();
	RuntimeBuild { code, printed_hash }
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

/// Passes a `root` referendum that authorizes an upgrade to the code with `code_hash`; returns how long it took
/// from submission to enactment.
async fn authorize_by_referendum(
	node: &Node,
	chain: &Chain,
	code_hash: [u8; 32],
	index: u32,
) -> Duration {
	let alice = dev::alice();
	let authorize = api::tx().system().authorize_upgrade(code_hash.into());
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
	let upgrade = tokio::task::spawn_blocking(upgrade_runtime).await.unwrap();
	// The hash a voter compares is the one the chain checks the applied code against.
	assert_eq!(sp_io::hashing::blake2_256(&upgrade.code), upgrade.printed_hash);
	let node = NodeBuilder::new(NODE)
		.name("upgrade")
		.arg("--dev")
		.spawn()
		.unwrap_or_else(|e| panic!("{e}"));
	let chain = Chain::connect(&node.ws_url()).await.unwrap();
	let before = spec_version(&node);

	// 1. Not a runtime: authorized by vote, rejected when applied, the old runtime stays.
	let garbage = b"\0asm this is not a runtime".to_vec();
	authorize_by_referendum(&node, &chain, sp_io::hashing::blake2_256(&garbage), 0).await;
	let apply = api::tx().system().apply_authorized_upgrade(garbage.clone());
	let events = submit(&chain, &apply, &dev::bob()).await;
	let events = names(&events);
	assert!(events.contains(&"System.RejectedInvalidAuthorizedUpgrade".to_owned()), "{events:?}");
	assert!(!events.contains(&"System.CodeUpdated".to_owned()), "{events:?}");
	assert_eq!(spec_version(&node), before);

	// 2. The same runtime, one spec_version higher, authorized by the hash the script printed.
	let enactment = authorize_by_referendum(&node, &chain, upgrade.printed_hash, 1).await;
	let apply = api::tx().system().apply_authorized_upgrade(upgrade.code);
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
