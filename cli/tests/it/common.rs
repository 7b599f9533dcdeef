//! What the CLI's end-to-end tests share: running `verity` against a node, and the demo setup.

#![allow(dead_code)]

use serde_json::Value;
use std::process::Command;
use verity_node_harness::Node;

/// The CLI binary under test.
pub const VERITY: &str = env!("CARGO_BIN_EXE_verity");

pub struct Run {
	pub ok: bool,
	pub json: Value,
	pub stderr: String,
}

/// A file of `../shared/testdata/nitro/`, found from the package's directory at run time (a
/// path fixed at compile time would name the checkout that built the test).
pub fn nitro_testdata(name: &str) -> String {
	let package = std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
	let path = std::path::Path::new(&package).join("../../shared/testdata/nitro").join(name);
	path.to_str().expect("a UTF-8 path").to_owned()
}

pub fn verity(node: &Node, suri: &str, args: &[&str]) -> Run {
	let output = Command::new(VERITY)
		.args(args)
		.args(["--url", &node.ws_url(), "--suri", suri, "--json"])
		.output()
		.expect("verity runs");
	Run {
		ok: output.status.success(),
		json: serde_json::from_str(String::from_utf8_lossy(&output.stdout).trim())
			.unwrap_or(Value::Null),
		stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
	}
}

pub fn succeeds(node: &Node, suri: &str, args: &[&str]) -> Value {
	let run = verity(node, suri, args);
	assert!(run.ok, "verity {args:?} failed: {}", run.stderr);
	run.json
}

pub fn fails(node: &Node, suri: &str, args: &[&str], expected: &str) {
	let run = verity(node, suri, args);
	assert!(!run.ok, "verity {args:?} should fail");
	assert!(
		run.stderr.contains(expected),
		"verity {args:?}: expected {expected:?} in {:?}",
		run.stderr
	);
}

/// `verity demo setup` against this node; returns the demo model's reference.
pub fn demo_setup(node: &Node, input: &std::path::Path) -> String {
	demo_setup_json(node, input)["model"].as_str().unwrap().to_owned()
}

/// `verity demo setup` against this node, writing the inputs next to `input`; returns its JSON
/// (`model`, `zk_model`, `input`, `zk_input`, ...).
pub fn demo_setup_json(node: &Node, input: &std::path::Path) -> Value {
	demo_setup_with(node, input, &[])
}

/// [`demo_setup_json`] with more arguments (e.g. `--chat-model <gguf>`).
pub fn demo_setup_with(node: &Node, input: &std::path::Path, extra: &[&str]) -> Value {
	let zk_input = input.with_file_name("demo-zk-input.json");
	let (store, worker) = (node.artifact_store_url(), node.worker_url());
	let mut args = vec![
		"demo",
		"setup",
		"--store-url",
		&store,
		"--worker-url",
		&worker,
		"--write-input",
		input.to_str().unwrap(),
		"--write-zk-input",
		zk_input.to_str().unwrap(),
	];
	args.extend_from_slice(extra);
	succeeds(node, "//Alice", &args)
}

/// The metadata of the node `chain` is connected to (for [`call_index`]).
pub async fn metadata(chain: &verity_client::Chain) -> subxt::ArcMetadata {
	chain.online().at_current_block().await.expect("the node's current block").metadata()
}

/// Pallet and call indices from the node's metadata.
pub fn call_index(metadata: &subxt::Metadata, pallet: &str, call: &str) -> [u8; 2] {
	let pallet = metadata.pallet_by_name(pallet).expect("pallet in metadata");
	let variant = pallet.call_variant_by_name(call).expect("call in metadata");
	[pallet.call_index(), variant.index]
}

/// A general (v5) extrinsic with the runtime's extension pipeline and nothing signed: the form
/// an offchain worker's authorized transaction takes. Explicit extension data: immortal era,
/// nonce 0, tip 0.
pub fn general(call: Vec<u8>) -> String {
	let mut body = vec![0b0100_0101, 0, 0, 0, 0];
	body.extend(call);
	let mut xt = codec::Encode::encode(&codec::Compact(body.len() as u32));
	xt.extend(body);
	format!("0x{}", hex::encode(xt))
}
