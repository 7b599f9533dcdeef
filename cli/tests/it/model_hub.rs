//! The `verity model` commands against a real dev node (instant seal) with its artifact store:
//! create, publish, list, show, download, and each kind of bad input.
//!
//! The node binary is the one built beside `verity` in the same target directory
//! (`cargo test --workspace` builds both).

use serde_json::Value;
use std::{path::PathBuf, process::Command};
use verity_client::{api, AccountId32, Chain};
use verity_node_harness::{Node, NodeBuilder};
use verity_primitives::{digest::to_hex, ArtifactDigest};

const VERITY: &str = env!("CARGO_BIN_EXE_verity");
const STORE_LIMIT: usize = 3_000_000;

fn node_binary() -> PathBuf {
	let path = PathBuf::from(VERITY).with_file_name("verity-node");
	assert!(
		path.is_file(),
		"{} is missing: build it first (cargo build --release -p verity-node) or run the whole \
		 workspace's tests",
		path.display()
	);
	path
}

fn dev_node() -> Node {
	NodeBuilder::new(node_binary())
		.name("model-hub")
		.args([
			"--dev",
			"--sealing",
			"instant",
			"--artifact-store-max-size",
			&STORE_LIMIT.to_string(),
		])
		.spawn()
		.unwrap_or_else(|e| panic!("{e}"))
}

struct Run {
	ok: bool,
	json: Value,
	stderr: String,
}

fn verity(node: &Node, args: &[&str]) -> Run {
	verity_as(node, "//Alice", args)
}

fn verity_as(node: &Node, suri: &str, args: &[&str]) -> Run {
	let output = Command::new(VERITY)
		.args(args)
		.args(["--url", &node.ws_url(), "--suri", suri, "--json"])
		.output()
		.expect("verity runs");
	let stdout = String::from_utf8_lossy(&output.stdout);
	Run {
		ok: output.status.success(),
		json: serde_json::from_str(stdout.trim()).unwrap_or(Value::Null),
		stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
	}
}

fn succeeds(node: &Node, args: &[&str]) -> Value {
	let run = verity(node, args);
	assert!(run.ok, "verity {args:?} failed: {}", run.stderr);
	run.json
}

fn fails(node: &Node, args: &[&str], expected: &str) {
	let run = verity(node, args);
	assert!(!run.ok, "verity {args:?} should fail");
	assert!(
		run.stderr.contains(expected),
		"verity {args:?}: expected {expected:?} in {:?}",
		run.stderr
	);
}

fn bytes(len: usize, seed: u32) -> Vec<u8> {
	(0..len as u32).map(|i| (i.wrapping_mul(2654435761).wrapping_add(seed) >> 11) as u8).collect()
}

async fn reserved_by_alice(node: &Node) -> u128 {
	reserved_by(node, subxt_signer::sr25519::dev::alice().public_key().0).await
}

/// What `who` holds in reserve (an account the chain does not know holds nothing).
async fn reserved_by(node: &Node, who: [u8; 32]) -> u128 {
	let chain = Chain::connect(&node.ws_url()).await.unwrap();
	let account = chain.fetch(api::storage().system().account(), (AccountId32(who),)).await;
	account.unwrap().map_or(0, |info| info.data.reserved)
}

fn deposits(show: &Value) -> u128 {
	let amount = |key: &str| show[key].as_str().unwrap().parse::<u128>().unwrap();
	amount("deposit") + amount("versions_deposit")
}

#[tokio::test(flavor = "multi_thread")]
async fn publish_list_show_and_verified_download() {
	let node = dev_node();
	let dir = tempfile::tempdir().unwrap();
	let path = |name: &str| dir.path().join(name).display().to_string();
	let store = node.artifact_store_url();

	let created = succeeds(
		&node,
		&[
			"model",
			"create",
			"--name",
			"mnist-mlp",
			"--task",
			"classification",
			"--licence",
			"MIT",
			"--description",
			"784-32-10 MLP",
			"--tag",
			"vision",
		],
	);
	assert_eq!(created["model"], 0);
	fails(
		&node,
		&["model", "create", "--name", "mnist-mlp", "--task", "classification", "--licence", "MIT"],
		"ModelRegistry::NameTaken",
	);

	let artifact = bytes(2_000_000, 1);
	std::fs::write(path("model.onnx"), &artifact).unwrap();
	std::fs::write(
		path("schema.json"),
		r#"{"inputs":[{"name":"input","dtype":"f32","shape":[1,784]}],"outputs":[{"name":"logits","dtype":"f32","shape":[1,10]}]}"#,
	)
	.unwrap();
	let schema = path("schema.json");
	let publish_with = |file: &str, version: &str, schema: &str, extra: &[&str]| {
		let mut args = vec![
			"model",
			"publish",
			file,
			"--model",
			"0",
			"--version",
			version,
			"--format",
			"onnx",
			"--schema",
			schema,
			"--store-url",
			&store,
			"--price",
			"5",
		];
		args.extend(extra);
		verity(&node, &args)
	};
	let publish =
		|file: &str, version: &str, extra: &[&str]| publish_with(file, version, &schema, extra);
	let model_file = path("model.onnx");
	let published = publish(&model_file, "1.0", &[]);
	assert!(published.ok, "{}", published.stderr);
	let digest = ArtifactDigest::of(&artifact);
	assert_eq!(published.json["model"], 0);
	assert_eq!(published.json["version"], "1.0");
	assert_eq!(published.json["artifact"]["sha256"], to_hex(&digest.sha256));
	assert_eq!(published.json["artifact"]["blake2_256"], to_hex(&digest.blake2_256));

	let listed = succeeds(&node, &["model", "list"]);
	assert_eq!(listed.as_array().unwrap().len(), 1);
	assert_eq!(listed[0]["name"], "mnist-mlp");
	assert_eq!(listed[0]["latest_version"], "1.0");

	let shown = succeeds(&node, &["model", "show", "0"]);
	let version = &shown["versions"][0];
	assert_eq!(version["status"], "active");
	assert_eq!(version["format"], "onnx");
	assert_eq!(version["artifact"]["size"], 2_000_000);
	assert_eq!(version["schema"]["inputs"][0]["shape"], serde_json::json!([1, 784]));
	assert_eq!(version["modes"], serde_json::json!(["vanilla"]));
	assert_eq!(version["price_per_inference"], "5");
	assert_eq!(version["locations"][0]["artifact_store"], store);
	assert_eq!(
		reserved_by_alice(&node).await,
		deposits(&shown),
		"holds equal the records' deposits"
	);

	let downloaded =
		succeeds(&node, &["model", "download", "0@1.0", "-o", &path("downloaded.onnx")]);
	assert_eq!(downloaded["artifact"]["sha256"], to_hex(&digest.sha256));
	assert_eq!(std::fs::read(path("downloaded.onnx")).unwrap(), artifact);

	// Bad input: each has its own message, and the deposits stay exact.
	let other_file = path("other.onnx");
	std::fs::write(&other_file, bytes(1000, 2)).unwrap();
	let again = publish(&other_file, "1.0", &[]);
	assert!(
		!again.ok && again.stderr.contains("ModelRegistry::VersionAlreadyPublished"),
		"{}",
		again.stderr
	);
	let older = publish(&other_file, "0.9", &[]);
	assert!(
		!older.ok && older.stderr.contains("ModelRegistry::VersionNotIncreasing"),
		"{}",
		older.stderr
	);
	fails(
		&node,
		&[
			"model",
			"publish",
			&other_file,
			"--model",
			"0",
			"--version",
			"2.0",
			"--format",
			"pickle",
			"--schema",
			&path("schema.json"),
		],
		"unknown ArtifactFormat",
	);
	let zk = publish(&other_file, "2.0", &["--modes", "vanilla,zkml"]);
	assert!(!zk.ok && zk.stderr.contains("ModelRegistry::MissingVerifyingKey"), "{}", zk.stderr);

	std::fs::write(path("zero.json"), r#"{"inputs":[{"name":"x","dtype":"f32","shape":[1,0]}],"outputs":[{"name":"y","dtype":"f32","shape":[1]}]}"#).unwrap();
	let rejected = publish_with(&other_file, "2.0", &path("zero.json"), &[]);
	assert!(!rejected.ok && rejected.stderr.contains("ZeroDimension"), "{}", rejected.stderr);
	std::fs::write(path("absurd.json"), r#"{"inputs":[{"name":"x","dtype":"f32","shape":[65536,65536,65536]}],"outputs":[{"name":"y","dtype":"f32","shape":[1]}]}"#).unwrap();
	let rejected = publish_with(&other_file, "2.0", &path("absurd.json"), &[]);
	assert!(!rejected.ok && rejected.stderr.contains("TensorTooLarge"), "{}", rejected.stderr);

	let large_file = path("large.onnx");
	std::fs::write(&large_file, bytes(STORE_LIMIT + 1, 3)).unwrap();
	let large = publish(&large_file, "2.0", &[]);
	assert!(!large.ok && large.stderr.contains("larger than the limit"), "{}", large.stderr);
	let store_dir = node.base_path().join("chains/verity_dev/artifacts");
	let stored: Vec<_> =
		std::fs::read_dir(&store_dir).unwrap().map(|e| e.unwrap().file_name()).collect();
	assert!(
		stored.iter().all(|name| name == "tmp" || name.len() == 64),
		"only whole artifacts in the store: {stored:?}"
	);
	assert!(
		std::fs::read_dir(store_dir.join("tmp")).unwrap().next().is_none(),
		"no partial upload left"
	);

	let shown = succeeds(&node, &["model", "show", "0"]);
	assert_eq!(shown["version_count"], 1);
	assert_eq!(reserved_by_alice(&node).await, deposits(&shown));

	// A version whose only location does not hold the bytes: the download fails, no file.
	let missing_file = path("missing.onnx");
	std::fs::write(&missing_file, bytes(5000, 4)).unwrap();
	let registered = publish(&missing_file, "1.1", &["--no-upload"]);
	assert!(registered.ok, "{}", registered.stderr);
	fails(&node, &["model", "download", "0@1.1", "-o", &path("missing-out")], "not found (404)");
	assert!(!dir.path().join("missing-out").exists());

	// Bytes changed in the store: not served, nothing written.
	std::fs::write(store_dir.join(to_hex(&digest.blake2_256)), bytes(2_000_000, 9)).unwrap();
	fails(&node, &["model", "download", "0@1.0", "-o", &path("tampered-out")], "corrupt");
	assert!(!dir.path().join("tampered-out").exists());

	fails(&node, &["model", "download", "0@7.0", "-o", &path("x")], "no version 0@7.0");
	fails(&node, &["model", "download", "0-7", "-o", &path("x")], "<model-id>@<major>.<minor>");
	fails(&node, &["model", "show", "9"], "no model 9");
	let unsigned = Command::new(VERITY)
		.args(["model", "create", "--name", "x", "--task", "other", "--licence", "MIT"])
		.args(["--url", &node.ws_url()])
		.output()
		.unwrap();
	assert!(!unsigned.status.success());
	assert!(String::from_utf8_lossy(&unsigned.stderr).contains("pass --suri"));
	let shown = succeeds(&node, &["model", "show", "0"]);
	assert_eq!(reserved_by_alice(&node).await, deposits(&shown));

	// Life cycle: deprecate, remove (deposit released), hand over to Bob.
	fails(&node, &["model", "remove", "0@1.1"], "ModelRegistry::VersionStillActive");
	succeeds(&node, &["model", "deprecate", "0@1.1"]);
	fails(&node, &["model", "deprecate", "0@1.1"], "ModelRegistry::VersionNotActive");
	let shown = succeeds(&node, &["model", "show", "0"]);
	assert_eq!(shown["versions"][1]["status"], "deprecated");
	succeeds(&node, &["model", "remove", "0@1.1"]);
	let shown = succeeds(&node, &["model", "show", "0"]);
	assert_eq!(shown["version_count"], 1);
	assert_eq!(
		reserved_by_alice(&node).await,
		deposits(&shown),
		"the removed record's deposit is released"
	);
	fails(&node, &["model", "remove", "0"], "ModelRegistry::ModelHasVersions");

	let bob = subxt_signer::sr25519::dev::bob().public_key().0;
	let bob_ss58 = AccountId32(bob).to_string();
	fails(&node, &["model", "accept", "0"], "ModelRegistry::NoOwnershipOffer");
	succeeds(&node, &["model", "transfer", "0", "--to", &bob_ss58]);
	let accepted = verity_as(&node, "//Bob", &["model", "accept", "0"]);
	assert!(accepted.ok, "{}", accepted.stderr);
	let shown = succeeds(&node, &["model", "show", "0"]);
	assert_eq!(shown["owner"], bob_ss58);
	assert_eq!(reserved_by_alice(&node).await, 0);
	assert_eq!(reserved_by(&node, bob).await, deposits(&shown), "the deposits moved to Bob");
}

#[test]
fn an_unreachable_node_is_named() {
	let output =
		Command::new(VERITY).args(["model", "list", "--url", "ws://127.0.0.1:1"]).output().unwrap();
	assert!(!output.status.success());
	let stderr = String::from_utf8_lossy(&output.stderr);
	assert!(stderr.starts_with("Error: cannot connect to ws://127.0.0.1:1"), "{stderr}");
}
