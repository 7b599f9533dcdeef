//! polkadot-js (npm `@polkadot/api`, pinned by `tests/js/package-lock.json`) against the built
//! node in `--dev`: what a validator operator does from polkadot-js, run as node.js scripts.

use std::{path::Path, time::Duration};

use verity_node_harness::{run_to_exit, NodeBuilder};

const NODE: &str = env!("CARGO_BIN_EXE_verity-node");
/// One token: 18 decimals (the runtime's `KeyDeposit`).
const UNIT: u128 = 1_000_000_000_000_000_000;

/// Runs `tests/js/<script>` with node.js against `url` and returns the JSON line it prints last.
fn run_script(script: &str, url: &str) -> serde_json::Value {
	let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/js");
	assert!(
		dir.join("node_modules/@polkadot/api").is_dir(),
		"polkadot-js is not installed in {}: run scripts/setup.sh",
		dir.display()
	);
	let path = dir.join(script);
	let path = path.to_str().expect("a UTF-8 path");
	let output = run_to_exit("node", &[path, url], Duration::from_secs(180))
		.unwrap_or_else(|e| panic!("{e}"));
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

/// `author_rotateKeys` + `session.setKeys` without a proof is refused (`InvalidProof`);
/// `author_rotateKeysWithOwner` + `session.setKeys` with the proof registers the keys, which
/// the node holds, and the key deposit is held.
#[test]
fn an_operator_rotates_and_sets_session_keys_from_polkadot_js() {
	let node = NodeBuilder::new(NODE)
		.name("polkadot-js")
		.arg("--dev")
		.spawn()
		.unwrap_or_else(|e| panic!("{e}"));
	let seen = run_script("session-keys.mjs", &node.ws_url());
	assert_eq!(seen["refusedWithoutProof"], "session.InvalidProof", "{seen}");
	let keys = seen["keys"].as_str().expect("the keys, in hex");
	assert_eq!(keys.len(), 2 + 2 * 64, "an Aura and a GRANDPA key, 32 bytes each: {keys}");
	assert_eq!(seen["keyDepositHeld"], UNIT.to_string(), "{seen}");
}
