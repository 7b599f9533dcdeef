//! Published JavaScript clients (pinned by `tests/js/package-lock.json`) against the built node
//! in `--dev`, run as node.js scripts: polkadot-js (npm `@polkadot/api`) doing what a
//! validator operator does, and the x402 client (npm `@x402/fetch`, `@x402/evm`) paying with
//! an Ethereum key, settled on chain.

use std::{
	path::Path,
	str::FromStr,
	time::{Duration, Instant},
};

use subxt::utils::AccountId32;
use verity_client::{api, Chain};
use verity_node_harness::{run_to_exit, NodeBuilder};

const NODE: &str = env!("CARGO_BIN_EXE_verity-node");
/// One token: 18 decimals (the runtime's `KeyDeposit`).
const UNIT: u128 = 1_000_000_000_000_000_000;

/// Runs `tests/js/<script>` with node.js and `args` (the node's URL first) and returns the JSON
/// line it prints last.
fn run_script(script: &str, args: &[&str]) -> serde_json::Value {
	let dir = Path::new(
		&std::env::var_os("CARGO_MANIFEST_DIR")
			.expect("cargo sets CARGO_MANIFEST_DIR when it runs a test"),
	)
	.join("tests/js");
	assert!(
		dir.join("node_modules/@polkadot/api").is_dir(),
		"polkadot-js is not installed in {}: run scripts/setup.sh",
		dir.display()
	);
	let path = dir.join(script);
	let path = path.to_str().expect("a UTF-8 path");
	let args: Vec<&str> = std::iter::once(path).chain(args.iter().copied()).collect();
	let output =
		run_to_exit("node", &args, Duration::from_secs(180)).unwrap_or_else(|e| panic!("{e}"));
	let stdout = String::from_utf8_lossy(&output.stdout);
	assert!(
		output.status.success(),
		"{script} failed ({}):\n{stdout}\n{}",
		output.status,
		String::from_utf8_lossy(&output.stderr)
	);
	let last = stdout.lines().rev().find(|line| !line.trim().is_empty()).unwrap_or_default();
	serde_json::from_str(last).unwrap_or_else(|e| panic!("{script} printed {last:?}: {e}"))
}

/// `author_rotateKeys` + `session.setKeys` without a proof, and the operator's proof sent by
/// another account, are refused (`InvalidProof`); `author_rotateKeysWithOwner` +
/// `session.setKeys` with the proof registers the keys, which the node holds, and the key
/// deposit is held. The registered keys are read back here too, through the client library.
#[tokio::test(flavor = "multi_thread")]
async fn an_operator_rotates_and_sets_session_keys_from_polkadot_js() {
	let node = NodeBuilder::new(NODE)
		.name("polkadot-js")
		.arg("--dev")
		.spawn()
		.unwrap_or_else(|e| panic!("{e}"));
	let url = node.ws_url();
	let seen = tokio::task::spawn_blocking(move || run_script("session-keys.mjs", &[&url]))
		.await
		.expect("the script's runner");
	assert_eq!(seen["refusedWithoutProof"], "session.InvalidProof", "{seen}");
	assert_eq!(seen["refusedForAnotherAccount"], "session.InvalidProof", "{seen}");
	assert_eq!(seen["keyDepositHeld"], UNIT.to_string(), "{seen}");
	assert_eq!(seen["holdReason"], serde_json::json!({ "session": "Keys" }), "{seen}");

	let operator = seen["operator"].as_str().expect("the operator's address");
	let operator = AccountId32::from_str(operator).expect("an SS58 address");
	let chain = Chain::connect(&node.ws_url()).await.unwrap_or_else(|e| panic!("{e}"));
	// The client reads finalized blocks; polkadot-js saw the keys in the best block.
	let deadline = Instant::now() + Duration::from_secs(60);
	let next = loop {
		let address = api::storage().session().next_keys();
		let next = chain.fetch(address, (operator,)).await;
		if let Some(keys) = next.unwrap_or_else(|e| panic!("{e}")) {
			break keys.0;
		}
		assert!(Instant::now() < deadline, "the operator's keys are not finalized within 60 s");
		tokio::time::sleep(Duration::from_secs(1)).await;
	};
	let hex: String =
		next.aura.iter().chain(&next.grandpa).map(|byte| format!("{byte:02x}")).collect();
	assert_eq!(seen["keys"], format!("0x{hex}"), "the keys on chain are the keys polkadot-js set");
}

/// An unmodified x402 client pays a resource in Verity's native token: it signs the EIP-3009
/// authorization (EIP-712, Ethereum key from viem) that the resource's 402 asks for, and the
/// resource settles it with `payments.settle` (polkadot-js, Bob as facilitator). The value
/// moves from the key's account to the payee's, once: a replay is refused.
#[tokio::test(flavor = "multi_thread")]
async fn an_x402_client_pays_with_an_ethereum_key_and_the_chain_settles_it_once() {
	let node = NodeBuilder::new(NODE)
		.name("x402")
		.args(["--dev", "--sealing", "instant"])
		.spawn()
		.unwrap_or_else(|e| panic!("{e}"));
	let url = node.ws_url();
	let chain_id = verity_runtime::configs::EVM_CHAIN_ID.to_string();
	let asset = format!("0x{}", hex::encode(verity_runtime::configs::NATIVE_ASSET));
	let seen =
		tokio::task::spawn_blocking(move || run_script("x402-pay.mjs", &[&url, &chain_id, &asset]))
			.await
			.expect("the script's runner");
	assert_eq!(seen["status"], 200, "{seen}");
	assert_eq!(seen["body"]["answer"], 42, "{seen}");
	assert_eq!(seen["payment_response"], true, "{seen}");
	let amount = "10000000000000000";
	assert_eq!(seen["paid"], amount, "{seen}");
	assert_eq!(seen["spent"], amount, "{seen}");
	let payer = seen["payer"].as_str().unwrap().to_lowercase();
	assert_eq!(seen["settled"]["event"]["from"], payer, "{seen}");
	assert_eq!(seen["settled"]["replay"], "payments.NonceUsed", "{seen}");
}
