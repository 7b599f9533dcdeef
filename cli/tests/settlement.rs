//! Direct (off-chain) requests end to end on a dev node with its embedded worker: receipts
//! settled individually, in batches (posted by the worker's operator, then re-checked leaf by
//! leaf from the artifact store), or privately; and a real AWS attestation document checked by
//! the runtime.

use std::{path::PathBuf, process::Command};
use verity_node_harness::NodeBuilder;

mod common;
use common::{demo_setup, succeeds as verity, VERITY};

#[test]
fn direct_requests_settle_individually_by_batch_and_privately() {
	let binary = PathBuf::from(VERITY).with_file_name("verity-node");
	let node = NodeBuilder::new(binary)
		.name("settlement")
		.args(["--dev", "--sealing", "instant", "--worker-batch-leaves", "3"])
		// Alice registers the node's worker in `demo setup`.
		.args(["--worker-account", "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY"])
		.spawn()
		.unwrap_or_else(|e| panic!("{e}"));
	let dir = tempfile::tempdir().unwrap();
	let input = dir.path().join("input.json");
	let model = demo_setup(&node, &input);
	let worker =
		verity(&node, "//Alice", &["worker", "show"])["worker"].as_str().unwrap().to_owned();
	// The worker takes no request due in fewer than 5 blocks (direct requests have no
	// deadline).
	verity(&node, "//Alice", &["worker", "min-deadline", "5"]);
	assert_eq!(verity(&node, "//Alice", &["worker", "show"])["min_deadline"], 5);
	let direct = |request: u64, settlement: &str| {
		verity(
			&node,
			"//Bob",
			&[
				"direct",
				&model,
				"--input",
				input.to_str().unwrap(),
				"--worker",
				&worker,
				"--settlement",
				settlement,
				"--request-id",
				&request.to_string(),
			],
		)
	};

	let private = direct(1, "private");
	assert_eq!(private["verified"], true);
	assert!(private["batch"].is_null());
	direct(2, "individual");
	for request in 3..=5u64 {
		let answer = direct(request, "batch");
		assert_eq!(answer["batch"]["sequence"], 0);
		assert_eq!(answer["batch"]["index"], request - 3);
	}
	// The fourth batch receipt opens the next batch, which stays open.
	assert_eq!(direct(6, "batch")["batch"]["sequence"], 1);

	// Only the operator, with the node's secret, may read and clear the worker's settlements.
	let secret = node.base_path().join("chains/verity_dev/worker/node-secret");
	let secret = secret.to_str().unwrap().to_owned();
	let post = || {
		let args = ["batch", "post", "--worker-url", &node.worker_url(), "--worker-secret-file"];
		let mut args = args.to_vec();
		args.push(&secret);
		verity(&node, "//Alice", &args)
	};
	let stranger = dir.path().join("not-the-secret");
	std::fs::write(&stranger, hex::encode([1u8; 32])).unwrap();
	{
		use std::os::unix::fs::PermissionsExt;
		std::fs::set_permissions(&stranger, std::fs::Permissions::from_mode(0o600)).unwrap();
	}
	common::fails(
		&node,
		"//Alice",
		&[
			"batch",
			"post",
			"--worker-url",
			&node.worker_url(),
			"--worker-secret-file",
			stranger.to_str().unwrap(),
		],
		"401",
	);
	let posted = post();
	assert_eq!(posted["receipts"], 1, "{posted}");
	let batches = posted["batches"].as_array().unwrap();
	assert_eq!(batches.len(), 1, "{posted}");
	assert_eq!(batches[0]["leaves"], 3);
	let batch = batches[0]["batch"].as_u64().unwrap().to_string();

	// Anyone can check it: the leaves file is fetched from where the batch says it is (the
	// store's public URL, recorded on chain), without being told.
	let checked = verity(&node, "//Charlie", &["batch", "check", &batch, "--challenge"]);
	assert_eq!(checked["leaves"], 3);
	assert_eq!(checked["invalid"], serde_json::json!([]));
	assert!(checked["challenged"].is_null(), "nothing to challenge: {checked}");

	// Everything posted is forgotten by the worker; the private receipt was never queued.
	let again = post();
	assert_eq!(again["receipts"], 0);
	assert_eq!(again["batches"], serde_json::json!([]));

	// TEE: the worker's nonce, and the real AWS document submitted to the chain: the runtime
	// verifies its chain at the block's time and finds the leaf certificate long expired.
	let nonce = verity(&node, "//Alice", &["attestation", "nonce"]);
	assert_eq!(nonce["count"], 0);
	assert_eq!(nonce["nonce"].as_str().unwrap().len(), 64);
	let real =
		concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/testdata/nitro/real-2025-09-09.cose");
	let output = Command::new(VERITY)
		.args(["attestation", "submit", real, "--kind", "llm-proxy"])
		.args(["--url", &node.ws_url(), "--suri", "//Alice"])
		.output()
		.unwrap();
	let stderr = String::from_utf8_lossy(&output.stderr);
	assert!(!output.status.success());
	assert!(stderr.contains("CertificateNotValidNow"), "{stderr}");
}
