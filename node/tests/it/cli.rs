//! The node's command line: subcommands, checked-in chain specs, and bad input that must
//! end the node with a one-line error and a non-zero exit code.

use std::{net::TcpListener, process::Output, time::Duration};

use verity_node_harness::{free_ports, workspace_root, NodeBuilder};

const NODE: &str = env!("CARGO_BIN_EXE_verity-node");

/// Runs the node with `args` until it exits.
fn run_to_exit(args: &[&str], timeout: Duration) -> Output {
	verity_node_harness::run_to_exit(NODE, args, timeout).unwrap_or_else(|e| panic!("{e}"))
}

/// Checks a failed start: non-zero exit, no panic, and exactly one line that starts with
/// `Error:` and contains `expected`.
fn assert_clean_failure(args: &[&str], expected: &str) {
	let output = run_to_exit(args, Duration::from_secs(60));
	let stderr = String::from_utf8_lossy(&output.stderr);
	assert!(!output.status.success(), "`{}` should fail; stderr:\n{stderr}", args.join(" "));
	assert!(!stderr.contains("panicked"), "no panic expected:\n{stderr}");
	assert!(!stderr.contains("stack backtrace"), "no backtrace expected:\n{stderr}");
	let errors: Vec<&str> = stderr.lines().filter(|l| l.starts_with("Error: ")).collect();
	assert_eq!(errors.len(), 1, "one error line expected:\n{stderr}");
	assert!(errors[0].contains(expected), "`{}` should mention `{expected}`", errors[0]);
}

/// The chain spec `export-chain-spec --chain <chain>` prints, as text.
fn exported_chain_spec_text(chain: &str) -> String {
	let output = run_to_exit(&["export-chain-spec", "--chain", chain], Duration::from_secs(60));
	assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
	String::from_utf8(output.stdout).expect("the export is UTF-8")
}

/// The exported chain spec as JSON (numbers above 2^64 lose precision).
fn export_chain_spec(chain: &str) -> serde_json::Value {
	serde_json::from_str(&exported_chain_spec_text(chain)).expect("the export is JSON")
}

/// Splits a pretty-printed chain spec into its text without the runtime code, and the code.
fn split_code(spec: &str) -> (String, Vec<u8>) {
	const KEY: &str = "\"code\": \"0x";
	let start = spec.find(KEY).expect("the spec embeds the runtime code") + KEY.len();
	let end = start + spec[start..].find('"').expect("the code string ends");
	let code = hex::decode(&spec[start..end]).expect("the code is hex");
	(format!("{}{}", &spec[..start], &spec[end..]), code)
}

/// A runtime version with its API list sorted (the WASM section and the native constant
/// list the same APIs in different orders).
fn normalized(mut version: sc_executor::RuntimeVersion) -> sc_executor::RuntimeVersion {
	let mut apis = version.apis.to_vec();
	apis.sort();
	version.apis = apis.into();
	version
}

fn runtime_version_of(code: &[u8]) -> sc_executor::RuntimeVersion {
	let blob = sc_executor_common::runtime_blob::RuntimeBlob::uncompress_if_needed(code)
		.expect("the code is a (compressed) WASM runtime");
	let version = sc_executor::read_embedded_version(&blob).unwrap();
	normalized(version.expect("the runtime embeds its version"))
}

/// The checked-in specs must be what the runtime's presets give: names, properties and
/// genesis text byte for byte (JSON values would round balances above 2^64), and runtime
/// code of the same version. The code's bytes themselves depend on the path the runtime
/// was built from (cargo hashes it into crate ids), so a clone elsewhere builds different
/// but equivalent bytes; they are not compared.
#[test]
fn checked_in_chain_specs_match_the_runtime_presets() {
	for (chain, file) in [("dev", "dev.json"), ("local", "local.json")] {
		let path = workspace_root().join("chain-specs").join(file);
		let checked_in =
			std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
		let generated = exported_chain_spec_text(chain);

		let (checked_in_text, checked_in_code) = split_code(&checked_in);
		let (generated_text, generated_code) = split_code(&generated);
		let stale = "run chain-specs/generate.sh and commit the result";
		assert!(
			checked_in_text.trim_end() == generated_text.trim_end(),
			"chain-specs/{file} differs from what the runtime presets generate; {stale}"
		);
		let (checked_in_version, generated_version) =
			(runtime_version_of(&checked_in_code), runtime_version_of(&generated_code));
		assert_eq!(generated_version, normalized(verity_runtime::VERSION));
		assert!(
			checked_in_version == generated_version,
			"chain-specs/{file} embeds runtime {checked_in_version:?}, the node has \
			 {generated_version:?}; {stale}"
		);
	}
}

#[test]
fn chain_specs_carry_token_properties_and_presets() {
	let dev = export_chain_spec("dev");
	assert_eq!(dev["properties"]["tokenDecimals"], 18);
	assert_eq!(dev["properties"]["tokenSymbol"], "VRT");
	assert_eq!(dev["chainType"], "Development");
	let local = export_chain_spec("local");
	assert_eq!(local["chainType"], "Local");
	assert_eq!(local["id"], "verity_local");
}

#[test]
fn key_subcommand_generates_and_inspects() {
	let output = run_to_exit(
		&["key", "inspect", "//Alice", "--output-type", "json"],
		Duration::from_secs(30),
	);
	assert!(output.status.success());
	let key: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
	assert_eq!(key["ss58Address"], "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY");
	let output =
		run_to_exit(&["key", "generate", "--output-type", "json"], Duration::from_secs(30));
	assert!(output.status.success());
}

#[test]
fn chain_maintenance_subcommands_work_on_a_real_database() {
	let dir = tempfile::tempdir().unwrap();
	let base = dir.path().join("chain");
	let base_arg = base.to_str().unwrap();
	{
		let node = NodeBuilder::new(NODE)
			.name("maintenance")
			.arg("--dev")
			.base_path(&base)
			.spawn()
			.unwrap();
		node.wait_for_heights(Duration::from_secs(60), |best, _| best >= 3).unwrap();
	}
	let blocks = dir.path().join("blocks.json");
	let common = ["--chain", "dev", "--base-path", base_arg];
	let run = |args: &[&str]| {
		let mut all = args.to_vec();
		all.extend_from_slice(&common);
		let output = run_to_exit(&all, Duration::from_secs(120));
		assert!(
			output.status.success(),
			"`{}` failed:\n{}",
			all.join(" "),
			String::from_utf8_lossy(&output.stderr)
		);
		output
	};
	run(&["export-blocks", "--from", "0", "--to", "3", blocks.to_str().unwrap()]);
	let exported = std::fs::read_to_string(&blocks).unwrap();
	assert!(exported.contains("\"header\""), "exported blocks are JSON blocks");
	run(&["check-block", "1"]);
	let info = run(&["chain-info"]);
	assert!(String::from_utf8_lossy(&info.stdout).contains("best"));
	run(&["revert", "1"]);
	run(&["purge-chain", "-y"]);

	// The exported blocks import into a fresh database.
	let fresh = dir.path().join("fresh");
	let output = run_to_exit(
		&[
			"import-blocks",
			"--chain",
			"dev",
			"--base-path",
			fresh.to_str().unwrap(),
			blocks.to_str().unwrap(),
		],
		Duration::from_secs(120),
	);
	assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
}

#[test]
fn unknown_chain_name_is_a_clean_error() {
	assert_clean_failure(&["--chain", "no-such-chain", "--tmp"], "unknown chain `no-such-chain`");
	assert_clean_failure(&["export-chain-spec", "--chain", "mainnet"], "unknown chain `mainnet`");
}

#[test]
fn malformed_chain_spec_is_a_clean_error() {
	let dir = tempfile::tempdir().unwrap();
	let spec = dir.path().join("broken.json");
	std::fs::write(&spec, "{ \"name\": \"broken\", ").unwrap();
	assert_clean_failure(
		&["--chain", spec.to_str().unwrap(), "--tmp"],
		"is not a valid chain-spec JSON file",
	);

	// Valid JSON, but a genesis section this node does not know.
	let mut dev = export_chain_spec("dev");
	dev["genesis"]["runtimeGenesis"]["presetName"] = "development".into();
	dev["genesis"]["runtimeGenesis"].as_object_mut().unwrap().remove("patch");
	std::fs::write(&spec, dev.to_string()).unwrap();
	assert_clean_failure(
		&["--chain", spec.to_str().unwrap(), "--tmp", "--rpc-port", "0", "--prometheus-port", "0"],
		"export-chain-spec",
	);
}

#[test]
fn occupied_rpc_port_is_a_clean_error() {
	let taken = TcpListener::bind("127.0.0.1:0").unwrap();
	let port = taken.local_addr().unwrap().port().to_string();
	let others = free_ports(2).unwrap();
	assert_clean_failure(
		&[
			"--dev",
			"--tmp",
			"--rpc-port",
			&port,
			"--port",
			&others[0].to_string(),
			"--prometheus-port",
			&others[1].to_string(),
		],
		"--rpc-port",
	);
}

#[test]
fn unwritable_base_path_is_a_clean_error() {
	// A path below a regular file can never be created, not even by root.
	let file = tempfile::NamedTempFile::new().unwrap();
	let base = file.path().join("base");
	assert_clean_failure(&["--dev", "--base-path", base.to_str().unwrap()], "--base-path");
}

#[test]
fn instant_sealing_refuses_a_multi_validator_chain() {
	assert_clean_failure(&["--chain", "local", "--tmp", "--sealing", "instant"], "--dev");
}
