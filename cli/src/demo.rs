//! `verity demo setup`: makes a fresh dev chain ready to serve inferences: publishes the demo
//! model and registers the node's embedded worker to serve it. Running it again changes nothing.
//!
//! The demo model is a Verity int8 MLP (4 features -> 16 hidden -> 3 classes), converted by
//! the worker's own converter from a float ONNX model with seeded weights; it stands for any
//! small classifier and says nothing about flowers.

use crate::{
	chain::{account_of, signer, Chain},
	inference::{self, Offer, WorkerCommand},
	model::{self, ModelCommand},
	Global, Output,
};
use serde_json::json;
use std::path::PathBuf;
use subxt::dynamic::Value;
use verity_gpu_offchain_worker::{convert, testmodels};
use verity_primitives::{
	ArtifactFormat, HardwareClass, ModelInfo, ModelVersionRef, Task, VerificationMode,
	VersionNumber,
};

/// Name of the demo model.
pub const DEMO_MODEL: &str = "verity-demo-mlp";
const UNIT: u128 = 10u128.pow(18);

#[derive(Debug, clap::Subcommand)]
pub enum DemoCommand {
	/// Publish the demo model and register the node's worker to serve it (idempotent).
	Setup {
		/// Base URL of the node's artifact store.
		#[arg(long, default_value = "http://127.0.0.1:9955")]
		store_url: String,
		/// Base URL of the node's inference worker.
		#[arg(long, default_value = "http://127.0.0.1:9956")]
		worker_url: String,
		/// Where to write an example input for `verity infer`.
		#[arg(long, default_value = "demo-input.json")]
		write_input: PathBuf,
	},
}

/// The demo model's artifact (a Verity int8 file), the same bytes every time.
pub fn demo_artifact() -> Vec<u8> {
	let onnx = testmodels::mlp_onnx(2026, &[4, 16, 3]);
	convert::convert_to_file(&onnx, &testmodels::random_inputs(2027, 64, 4))
		.expect("the demo MLP converts")
}

pub async fn run(command: DemoCommand, global: &Global) -> Result<Output, String> {
	let DemoCommand::Setup { store_url, worker_url, write_input } = command;
	let signer = signer(global.suri.as_deref())?;
	let owner = account_of(&signer);
	let chain = Chain::connect(&global.url).await?;
	let mut done = Vec::new();

	let models =
		chain.read_all::<ModelInfo<[u8; 32], u128>>("ModelRegistry", "Models", vec![]).await?;
	let existing = models.iter().find_map(|(key, info)| {
		let name_matches = info.owner == owner.0 && &info.name[..] == DEMO_MODEL.as_bytes();
		name_matches.then(|| key.last().and_then(|k| k.as_u128())).flatten()
	});
	let model_id = match existing {
		Some(id) => id as u64,
		None => {
			let created = model::run(
				ModelCommand::Create {
					name: DEMO_MODEL.into(),
					task: Task::Classification,
					licence: "Apache-2.0".into(),
					description: "Verity's demo classifier: an int8 MLP, 4 features to 3 classes"
						.into(),
					tags: vec!["demo".into()],
				},
				global,
			)
			.await?;
			done.push(created.text);
			created.json["model"].as_u64().ok_or("no model id")?
		},
	};
	let version = VersionNumber { major: 1, minor: 0 };
	let reference = ModelVersionRef { model: model_id, version };
	let published = chain
		.read::<verity_primitives::ModelVersion<u128, u32>>(
			"ModelRegistry",
			"Versions",
			vec![Value::u128(model_id.into()), model::version_key(version)],
		)
		.await?
		.is_some();
	if !published {
		let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
		let file = dir.path().join("demo.vi8");
		let schema = dir.path().join("schema.json");
		std::fs::write(&file, demo_artifact()).map_err(|e| e.to_string())?;
		std::fs::write(
			&schema,
			json!({
				"inputs": [{"name": "input", "dtype": "f32", "shape": [1, 4]}],
				"outputs": [{"name": "output", "dtype": "f32", "shape": [1, 3]}],
			})
			.to_string(),
		)
		.map_err(|e| e.to_string())?;
		let output = model::run(
			ModelCommand::Publish {
				file,
				model: model_id,
				version,
				format: ArtifactFormat::VerityInt8,
				schema,
				modes: vec![VerificationMode::Vanilla],
				price: UNIT / 100,
				price_per_token: 0,
				zk_verifying_key: None,
				store_url: store_url.clone(),
				no_upload: false,
				walrus_publisher: None,
				walrus_epochs: 1,
				ipfs_cid: None,
				https_url: None,
			},
			global,
		)
		.await?;
		done.push(output.text);
	}
	let registered = chain
		.read::<verity_primitives::WorkerInfo<u128, u32, bounded_collections::ConstU32<{ u32::MAX }>>>(
			"Inference",
			"Workers",
			vec![Value::from_bytes(owner.0)],
		)
		.await?
		.is_some();
	if !registered {
		let output = inference::worker(
			WorkerCommand::Register {
				offer: Offer {
					endpoint: worker_url,
					models: vec![reference],
					modes: vec![VerificationMode::Vanilla],
					hardware: HardwareClass::Cpu,
					fee: UNIT / 100,
				},
				signing_key: None,
				stake: 1_000 * UNIT,
			},
			global,
		)
		.await?;
		done.push(output.text);
	}
	let input = json!({"input": [[0.5, -1.25, 2.0, 0.75]]});
	std::fs::write(&write_input, format!("{input}\n"))
		.map_err(|e| format!("{}: {e}", write_input.display()))?;
	let next = format!("verity infer {reference} --input {} --suri //Bob", write_input.display());
	done.push(format!("Demo ready: model {reference}. Run an inference with:\n  {next}"));
	Ok(Output {
		text: done.join("\n"),
		json: json!({"model": reference.to_string(), "input": write_input, "command": next}),
	})
}
