//! The inference pipeline end to end on a real dev node with its `verity-worker`: the demo
//! setup, a float ONNX model and an int8 CNN published by the test, requests through the chain
//! (`verity infer`, which submits with subxt and waits for the result on chain), outputs
//! compared with running the same artifacts directly, receipts re-verified, and bad input.
//!
//! One test runs with instant seal, one with normal Aura blocks (where deadlines pass); both
//! print the request-to-result latency.

use serde_json::{json, Value};
use std::path::PathBuf;
use verity_int8::{convert, engine::Backend, testmodels};
use verity_node_harness::{Node, NodeBuilder};
use verity_primitives::{ArtifactDigest, ArtifactFormat, IoSchema};
use verity_worker::{exec::Executor, tensor};

use crate::common::{demo_setup, fails, succeeds, VERITY};

fn node_binary() -> PathBuf {
	let path = PathBuf::from(VERITY).with_file_name("verity-node");
	assert!(path.is_file(), "{} is missing: build the workspace first", path.display());
	path
}

fn dev_node(name: &str, sealing: &str) -> Node {
	NodeBuilder::new(node_binary())
		.name(name)
		.args(["--dev", "--sealing", sealing])
		.worker::<_, &str>([])
		.spawn()
		.unwrap_or_else(|e| panic!("{e}"))
}

/// A published model: its reference, artifact, format and schema.
struct Published {
	reference: String,
	bytes: Vec<u8>,
	format: ArtifactFormat,
	schema: IoSchema,
}

fn publish(
	node: &Node,
	dir: &std::path::Path,
	name: &str,
	bytes: Vec<u8>,
	format: ArtifactFormat,
	input: &[u32],
	output: &[u32],
) -> Published {
	let created = succeeds(
		node,
		"//Alice",
		&["model", "create", "--name", name, "--task", "classification", "--licence", "MIT"],
	);
	let model = created["model"].as_u64().unwrap();
	let file = dir.join(format!("{name}.bin"));
	std::fs::write(&file, &bytes).unwrap();
	let schema_file = dir.join(format!("{name}.schema.json"));
	std::fs::write(
		&schema_file,
		json!({
			"inputs": [{"name": "input", "dtype": "f32", "shape": input}],
			"outputs": [{"name": "output", "dtype": "f32", "shape": output}],
		})
		.to_string(),
	)
	.unwrap();
	succeeds(
		node,
		"//Alice",
		&[
			"model",
			"publish",
			file.to_str().unwrap(),
			"--model",
			&model.to_string(),
			"--version",
			"1.0",
			"--format",
			format.name(),
			"--schema",
			schema_file.to_str().unwrap(),
			"--price",
			"1000000000000000",
			"--store-url",
			&node.artifact_store_url(),
		],
	);
	Published {
		reference: format!("{model}@1.0"),
		bytes,
		format,
		schema: testmodels::f32_schema(input, output),
	}
}

/// The output JSON of running `model` directly on the input in `input_file`.
fn direct(model: &Published, input_file: &std::path::Path) -> Value {
	let IoSchema::Tensors { inputs, outputs } = &model.schema else { unreachable!() };
	let value: Value = serde_json::from_str(&std::fs::read_to_string(input_file).unwrap()).unwrap();
	let input = tensor::json_to_bytes(inputs, &value).unwrap();
	let output = Executor::new(Backend::Cpu)
		.run(
			model.format,
			ArtifactDigest::of(&model.bytes).blake2_256,
			&model.bytes,
			&model.schema,
			&input,
		)
		.unwrap();
	tensor::bytes_to_json(outputs, &output).unwrap()
}

/// `values` nested by `shape` (outermost first) as a JSON array.
fn nest(values: &[f32], shape: &[usize]) -> Value {
	if shape.len() <= 1 {
		return json!(values);
	}
	let inner: usize = shape[1..].iter().product();
	Value::Array(values.chunks(inner).map(|chunk| nest(chunk, &shape[1..])).collect())
}

fn write_input(dir: &std::path::Path, name: &str, values: Vec<f32>, shape: &[usize]) -> PathBuf {
	let path = dir.join(format!("{name}.json"));
	std::fs::write(&path, json!({ "input": nest(&values, shape) }).to_string()).unwrap();
	path
}

fn infer(node: &Node, model: &str, input: &std::path::Path, extra: &[&str]) -> Value {
	let mut args = vec!["infer", model, "--input", input.to_str().unwrap()];
	args.extend_from_slice(extra);
	succeeds(node, "//Bob", &args)
}

#[test]
fn inference_end_to_end_with_instant_seal() {
	let node = dev_node("inference-instant", "instant");
	let dir = tempfile::tempdir().unwrap();
	let demo_input = dir.path().join("demo-input.json");
	let demo = demo_setup(&node, &demo_input);
	assert_eq!(demo_setup(&node, &demo_input), demo, "demo setup is idempotent");
	let answered = infer(&node, &demo, &demo_input, &[]);
	assert_eq!(answered["verified"], true, "{answered}");
	println!("figure: demo request-to-result latency, instant seal: {} ms", answered["latency_ms"]);

	// A float ONNX MLP and an int8 CNN built here, served by the same worker.
	let onnx = publish(
		&node,
		dir.path(),
		"mlp-onnx",
		testmodels::mlp_onnx(7, &[8, 16, 4]),
		ArtifactFormat::Onnx,
		&[1, 8],
		&[1, 4],
	);
	let cnn_onnx = testmodels::cnn_onnx(8, [1, 8, 8], 4, 3);
	let int8 = convert::convert_to_file(&cnn_onnx, &testmodels::random_inputs(9, 32, 64)).unwrap();
	let cnn = publish(
		&node,
		dir.path(),
		"cnn-int8",
		int8,
		ArtifactFormat::VerityInt8,
		&[1, 1, 8, 8],
		&[1, 3],
	);
	succeeds(
		&node,
		"//Alice",
		&[
			"worker",
			"update",
			"--endpoint",
			&node.worker_url(),
			"--model",
			&demo,
			"--model",
			&onnx.reference,
			"--model",
			&cnn.reference,
			"--fee",
			"10000000000000000",
		],
	);
	let mlp_input =
		write_input(dir.path(), "mlp-in", testmodels::random_inputs(10, 1, 8).remove(0), &[1, 8]);
	let cnn_input = write_input(
		dir.path(),
		"cnn-in",
		testmodels::random_inputs(11, 1, 64).remove(0),
		&[1, 1, 8, 8],
	);
	for (model, input) in [(&onnx, &mlp_input), (&cnn, &cnn_input)] {
		let answered = infer(&node, &model.reference, input, &[]);
		assert_eq!(answered["verified"], true, "{answered}");
		assert_eq!(
			answered["output"],
			direct(model, input),
			"{} on chain vs direct",
			model.reference
		);
		let request = answered["request"].as_u64().unwrap().to_string();
		let verified = succeeds(
			&node,
			"//Bob",
			&["receipt", "verify", &request, "--input", input.to_str().unwrap()],
		);
		assert_eq!(verified["verified"], true);
		assert_eq!(verified["receipt"]["model"], model.reference);
		println!(
			"figure: {} request-to-result latency, instant seal: {} ms",
			model.reference, answered["latency_ms"]
		);
	}
	let show = succeeds(&node, "//Alice", &["worker", "show"]);
	assert_eq!(show["delivered"], 3);
	assert_eq!(show["open_requests"], 0);

	// Bad input.
	let wrong_shape = dir.path().join("wrong.json");
	std::fs::write(&wrong_shape, json!({"input": [[1.0, 2.0]]}).to_string()).unwrap();
	fails(
		&node,
		"//Bob",
		&["infer", &onnx.reference, "--input", wrong_shape.to_str().unwrap()],
		"input",
	);
	fails(
		&node,
		"//Bob",
		&["infer", "99@1.0", "--input", mlp_input.to_str().unwrap()],
		"does not exist",
	);
	fails(
		&node,
		"//Bob",
		&["infer", &onnx.reference, "--input", mlp_input.to_str().unwrap(), "--mode", "zkml"],
		"ModeNotOffered",
	);
	fails(
		&node,
		"//Bob",
		&["infer", &onnx.reference, "--input", mlp_input.to_str().unwrap(), "--max-fee", "1"],
		"MaxFeeTooLow",
	);
	succeeds(&node, "//Alice", &["model", "deprecate", &onnx.reference]);
	fails(
		&node,
		"//Bob",
		&["infer", &onnx.reference, "--input", mlp_input.to_str().unwrap()],
		"VersionNotServable",
	);
	fails(&node, "//Bob", &["receipt", "verify", "999"], "no settled result");
}

#[test]
fn inference_with_normal_blocks_and_a_corrupt_artifact() {
	let node = dev_node("inference-aura", "aura");
	let dir = tempfile::tempdir().unwrap();
	let demo_input = dir.path().join("demo-input.json");
	let demo = demo_setup(&node, &demo_input);
	let answered = infer(&node, &demo, &demo_input, &[]);
	assert_eq!(answered["verified"], true, "{answered}");
	println!(
		"figure: demo request-to-result latency, 3 s Aura blocks: {} ms",
		answered["latency_ms"]
	);

	// An artifact whose stored bytes no longer match its digest: the worker refuses to run
	// it, the request expires, the fee comes back and the worker is penalized.
	let onnx = publish(
		&node,
		dir.path(),
		"corrupt",
		testmodels::mlp_onnx(21, &[4, 4, 3]),
		ArtifactFormat::Onnx,
		&[1, 4],
		&[1, 3],
	);
	let stored = node
		.base_path()
		.join("chains/verity_dev/artifacts")
		.join(hex::encode(ArtifactDigest::of(&onnx.bytes).blake2_256));
	let mut bytes = std::fs::read(&stored).unwrap();
	bytes[10] ^= 0xff;
	std::fs::write(&stored, bytes).unwrap();
	succeeds(
		&node,
		"//Alice",
		&[
			"worker",
			"update",
			"--endpoint",
			&node.worker_url(),
			"--model",
			&demo,
			"--model",
			&onnx.reference,
		],
	);
	let input = write_input(dir.path(), "corrupt-in", vec![0.5; 4], &[1, 4]);
	let before = succeeds(&node, "//Alice", &["worker", "show"]);
	fails(
		&node,
		"//Bob",
		&[
			"infer",
			&onnx.reference,
			"--input",
			input.to_str().unwrap(),
			"--deadline",
			"3",
			"--timeout",
			"90",
		],
		"expired without a result",
	);
	let after = succeeds(&node, "//Alice", &["worker", "show"]);
	assert_eq!(after["missed"], 1);
	let stake = |v: &Value| v["stake"].as_str().unwrap().parse::<u128>().unwrap();
	assert_eq!(stake(&before) - stake(&after), 10u128.pow(18), "one VRT penalty");
}
