//! Direct (off-chain) requests end to end on a dev node with its `verity-worker`: receipts
//! settled individually, in batches (posted by the worker's operator, then re-checked leaf by
//! leaf from the artifact store), or privately; and a real AWS attestation document checked by
//! the runtime.

use std::{path::PathBuf, process::Command};
use verity_node_harness::NodeBuilder;

use crate::common;
use crate::common::{demo_setup, succeeds as verity, VERITY};

#[test]
fn direct_requests_settle_individually_by_batch_and_privately() {
	let binary = PathBuf::from(VERITY).with_file_name("verity-node");
	let node = NodeBuilder::new(binary)
		.name("settlement")
		.args(["--dev", "--sealing", "instant"])
		// Alice registers the node's worker in `demo setup`.
		.worker([
			"--batch-leaves",
			"3",
			"--account",
			"5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY",
		])
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
	let secret = node.secret_file();
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
	let real = common::nitro_testdata("real-2025-09-09.cose");
	let output = Command::new(VERITY)
		.args(["attestation", "submit", &real, "--kind", "llm-proxy"])
		.args(["--url", &node.ws_url(), "--suri", "//Alice"])
		.output()
		.unwrap();
	let stderr = String::from_utf8_lossy(&output.stderr);
	assert!(!output.status.success());
	assert!(stderr.contains("CertificateNotValidNow"), "{stderr}");
}

/// Anyone can challenge a batch (issue 14): a worker whose operator holds its key posts a batch
/// of leaves signed for another chain; a second node, which shares nothing with the first but
/// the chain, finds the leaves where the batch's record says they are, checks them by the
/// chain's rule and proves one bad leaf through its own RPC. The worker loses half its stake.
#[test]
fn a_second_node_fetches_a_batch_and_challenges_a_bad_leaf() {
	use codec::Encode;
	use verity_primitives::{
		batch_root, ArtifactDigest, BatchLeaf, Receipt, ReceiptContext, StorageLocation,
	};
	use verity_worker::{settlement::Leaf, signer::WorkerKey};

	let binary = PathBuf::from(VERITY).with_file_name("verity-node");
	// Aura blocks, so that a second node can import them; the worker's key is known to the test
	// (its operator), which signs leaves with it behind the worker's back.
	let node = NodeBuilder::new(&binary)
		.name("cheater")
		.arg("--dev")
		.worker(["--dev-key", "//Cheater"])
		.spawn()
		.unwrap_or_else(|e| panic!("{e}"));
	// A full node of the same chain, knowing only where to find the first one's peers. It
	// follows from the start (a node that syncs many blocks at once was seen to lose its
	// transaction pool's background task: see the issue 14 note).
	let peer = node.rpc("system_localPeerId", serde_json::json!([])).unwrap();
	let bootnode = format!("/ip4/127.0.0.1/tcp/{}/p2p/{}", node.p2p_port(), peer.as_str().unwrap());
	let second = NodeBuilder::new(&binary)
		.name("challenger")
		.args(["--chain", "dev", "--bootnodes", &bootnode])
		.spawn()
		.unwrap_or_else(|e| panic!("{e}"));
	let dir = tempfile::tempdir().unwrap();
	let model = demo_setup(&node, &dir.path().join("input.json"));
	let stake = |node: &verity_node_harness::Node| -> u128 {
		verity(node, "//Alice", &["worker", "show"])["stake"].as_str().unwrap().parse().unwrap()
	};
	let staked = stake(&node);

	let key = WorkerKey::from_uri("//Cheater").unwrap();
	let alice = subxt_signer::sr25519::dev::alice();

	// Key squatting (issue 14, hole 5), with the real CLI: Bob registers a key he does not
	// hold, with the proof of possession its owner made for Alice. Refused.
	let genesis = node.rpc("chain_getBlockHash", serde_json::json!([0])).unwrap();
	let genesis: [u8; 32] = hex::decode(genesis.as_str().unwrap().trim_start_matches("0x"))
		.unwrap()
		.try_into()
		.unwrap();
	let owned = WorkerKey::from_uri("//SomeoneElsesWorker").unwrap();
	let proof = owned.key_proof(&genesis, &alice.public_key().0);
	common::fails(
		&node,
		"//Bob",
		&[
			"worker",
			"register",
			"--endpoint",
			&node.worker_url(),
			"--model",
			&model,
			"--signing-key",
			&hex::encode(owned.public()),
			"--key-proof",
			&hex::encode(proof),
			"--stake",
			"1000000000000000000000",
		],
		"KeyNotPossessed",
	);
	let leaves: Vec<Leaf> = (0..3u8)
		.map(|i| {
			let receipt = Receipt {
				genesis_hash: [7; 32], // another chain's
				context: ReceiptContext::Direct,
				request_id: u64::from(i),
				model: model.parse().unwrap(),
				spec_hash: [1; 32],
				model_digest: [2; 32],
				input_digest: [i; 32],
				output_digest: [3; 32],
				mode: verity_primitives::VerificationMode::Vanilla,
				worker: alice.public_key().0,
				usage: None,
				generation: None,
				timestamp_ms: 1,
			};
			BatchLeaf { signature: key.sign(&receipt), receipt }
		})
		.collect();
	let encoded: Vec<Vec<u8>> = leaves.iter().map(Encode::encode).collect();
	let file = leaves.encode();
	let path = dir.path().join("leaves");
	std::fs::write(&path, &file).unwrap();
	let runtime = tokio::runtime::Runtime::new().unwrap();
	runtime.block_on(async {
		let fetcher =
			verity_artifact_store::Fetcher::new(verity_artifact_store::FetcherConfig::default())
				.unwrap();
		let digest = ArtifactDigest::of(&file);
		fetcher.upload_to_store(&node.artifact_store_url(), &path, &digest).await.unwrap();
		let chain = verity_client::Chain::connect(&node.ws_url()).await.unwrap();
		let store = node.artifact_store_url().into_bytes();
		let call = verity_client::api::tx().proofs().submit_batch(
			batch_root(&encoded),
			leaves.len() as u32,
			digest.blake2_256,
			verity_client::Static(StorageLocation::ArtifactStore(store.try_into().unwrap())),
		);
		chain.submit(&call, &alice).await.unwrap();
	});
	let (posted_at, _) = node.heights().unwrap();

	// The challenger's node has caught up (it signs against its finalized block).
	let wait = std::time::Duration::from_secs(120);
	second.wait_for_heights(wait, |_, finalized| finalized >= posted_at).unwrap();
	let (head, _) = node.heights().unwrap();
	second.wait_for_heights(wait, |best, finalized| best >= head && finalized + 2 >= head).unwrap();
	let checked = verity(&second, "//Charlie", &["batch", "check", "0", "--challenge"]);
	assert_eq!(checked["leaves"], 3, "{checked}");
	assert_eq!(checked["invalid"].as_array().unwrap().len(), 3, "{checked}");
	assert_eq!(checked["challenged"], 0, "{checked}");
	assert_eq!(stake(&node), staked - staked / 2, "FaultSlash is half the stake");
}
