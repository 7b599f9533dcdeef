//! ZKML end to end on a dev node with Aura blocks: `verity demo setup` runs the Groth16 setup of
//! the demo model, uploads the proving key to the node's artifact store and the verifying key to
//! the chain; a ZKML request is answered at once (the answer recorded, nothing paid), proved by
//! the node's `verity-worker` in the background, and settles when the runtime verified the proof
//! through the node's BLS12-381 host functions. The worker is paid and keeps its stake.

use serde_json::Value;
use std::path::PathBuf;
use verity_node_harness::NodeBuilder;

use crate::common::{demo_setup_json, fails, succeeds, VERITY};

#[test]
fn a_zkml_request_is_answered_at_once_and_settles_when_its_proof_verifies() {
	let node_binary = PathBuf::from(VERITY).with_file_name("verity-node");
	let node = NodeBuilder::new(node_binary)
		.name("zkml-aura")
		.args(["--dev", "--sealing", "aura"])
		.worker::<_, &str>([])
		.spawn()
		.unwrap_or_else(|e| panic!("{e}"));
	let dir = tempfile::tempdir().unwrap();
	let setup = demo_setup_json(&node, &dir.path().join("demo-input.json"));
	let zk_model = setup["zk_model"].as_str().unwrap().to_owned();
	let zk_input = setup["zk_input"].as_str().unwrap().to_owned();

	// The float version offers no ZKML.
	let model = setup["model"].as_str().unwrap();
	fails(
		&node,
		"//Bob",
		&["infer", model, "--mode", "zkml", "--input", setup["input"].as_str().unwrap()],
		"ModeNotOffered",
	);

	let stake_before = worker_stake(&node);
	let result = succeeds(
		&node,
		"//Bob",
		&["infer", &zk_model, "--mode", "zkml", "--input", &zk_input, "--timeout", "240"],
	);
	assert_eq!(result["verified"], Value::Bool(true), "{result}");
	assert_eq!(result["receipt"]["mode"], "zkml");
	let zk = &result["zk"];
	let (answered, verified) =
		(zk["answered_ms"].as_u64().unwrap(), zk["proof_verified_ms"].as_u64().unwrap());
	assert!(answered <= verified, "{zk}");
	let output = result["output"]["output"][0].as_array().unwrap();
	assert_eq!(output.len(), 3);
	assert!(output.iter().all(|v| (-128..=127).contains(&v.as_i64().unwrap())), "{output:?}");
	eprintln!(
		"ZKML demo request: answered after {answered} ms, proof verified after {verified} ms"
	);
	assert_eq!(worker_stake(&node), stake_before, "an honest prover keeps its stake");
	assert_ne!(result["receipt"]["paid"]["worker"], "0");
}

/// Alice's (the demo worker's) stake, from `verity worker show`.
fn worker_stake(node: &verity_node_harness::Node) -> String {
	let shown = succeeds(
		node,
		"//Alice",
		&["worker", "show", "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY"],
	);
	shown["stake"].as_str().map(str::to_owned).unwrap_or_else(|| shown["stake"].to_string())
}
