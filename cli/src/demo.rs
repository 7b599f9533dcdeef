//! `verity demo setup`: makes a fresh dev chain ready to serve inferences: publishes the demo
//! model and registers the node's worker (`verity-worker`) to serve it. Running it again
//! changes nothing.
//!
//! The demo model is a Verity int8 MLP (4 features -> 16 hidden -> 3 classes), converted by
//! the worker's own converter from a float ONNX model with seeded weights; it stands for any
//! small classifier and says nothing about flowers. Version 1.0 takes and returns f32 tensors
//! (the worker quantizes); version 1.1 is the same file with int8 tensors, offered in ZKML mode
//! too: the setup runs here (fresh OS randomness), the proving key goes to the artifact store
//! and the verifying key on chain.

use crate::{
	inference::{self, Offer, WorkerCommand},
	model::{self, CreateArgs, ModelCommand, PublishArgs},
	zk::{self, ZkCommand},
	Global, Output,
};
use serde_json::json;
use std::path::{Path, PathBuf};
use verity_client::{api, chain::account_of, signer, AccountId32, Chain, Static};
use verity_int8::{convert, testmodels};
use verity_primitives::{
	ArtifactFormat, HardwareClass, ModelVersionRef, Task, VerificationMode, VersionNumber,
};

/// Name of the demo model.
pub const DEMO_MODEL: &str = "verity-demo-mlp";
/// Name of the demo chat model.
pub const DEMO_CHAT_MODEL: &str = "verity-demo-chat";
/// The demo chat version's context, in tokens.
const DEMO_CHAT_CONTEXT: u32 = 2048;
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
		/// Where to write an example int8 input for `verity infer --mode zkml` on version 1.1.
		#[arg(long, default_value = "demo-zk-input.json")]
		write_zk_input: PathBuf,
		/// A GGUF chat model (e.g. SmolLM2-135M-Instruct, which `scripts/fetch-models.sh`
		/// caches) to publish as the demo chat model, served by the same worker.
		#[arg(long)]
		chat_model: Option<PathBuf>,
	},
}

/// The demo model's artifact (a Verity int8 file), the same bytes every time.
pub fn demo_artifact() -> Vec<u8> {
	let onnx = testmodels::mlp_onnx(2026, &[4, 16, 3]);
	convert::convert_to_file(&onnx, &testmodels::random_inputs(2027, 64, 4))
		.expect("the demo MLP converts")
}

/// Runs `verity demo setup`: publishes the demo model and registers the node's worker.
pub async fn run(command: DemoCommand, global: &Global) -> Result<Output, String> {
	let DemoCommand::Setup { store_url, worker_url, write_input, write_zk_input, chat_model } =
		command;
	let signer = signer(global.suri.as_deref())?;
	let owner = account_of(&signer);
	let chain = Chain::connect(&global.url).await?;
	let mut done = Vec::new();

	let model_id = demo_model(&chain, global, owner.0, DEMO_MODEL, &mut done).await?;
	let version = VersionNumber { major: 1, minor: 0 };
	let reference = ModelVersionRef { model: model_id, version };
	let zk_reference =
		ModelVersionRef { model: model_id, version: VersionNumber { major: 1, minor: 1 } };
	let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
	let file = dir.path().join("demo.vi8");
	std::fs::write(&file, demo_artifact()).map_err(|e| e.to_string())?;
	let publisher = Publisher { global, dir: dir.path(), file: &file, store_url: &store_url };
	publish_versions(&chain, &publisher, reference, zk_reference, &mut done).await?;
	let mut models = vec![reference, zk_reference];
	let chat = match &chat_model {
		Some(gguf) => {
			let chat = publish_chat(&chain, global, owner.0, gguf, &store_url, &mut done).await?;
			models.push(chat);
			Some(chat)
		},
		None => None,
	};
	register_worker(&chain, global, owner.0, worker_url, models, &mut done).await?;
	write_inputs(&write_input, &write_zk_input)?;
	if let Some(chat) = chat {
		done.push(format!(
			"Chat model {chat} ready: verity --suri //Bob chat {chat} \"What is 2+2?\""
		));
	}
	let next = format!("verity infer {reference} --input {} --suri //Bob", write_input.display());
	let zk_next = format!(
		"verity infer {zk_reference} --mode zkml --input {} --suri //Bob",
		write_zk_input.display()
	);
	done.push(format!(
		"Demo ready: model {reference}. Run an inference with:\n  {next}\nor a proved one \
		 (answered at once, verified on chain when the proof lands):\n  {zk_next}"
	));
	Ok(Output {
		text: done.join("\n"),
		json: json!({
			"model": reference.to_string(),
			"input": write_input,
			"command": next,
			"zk_model": zk_reference.to_string(),
			"zk_input": write_zk_input,
			"zk_command": zk_next,
			"chat_model": chat.map(|chat| chat.to_string()),
		}),
	})
}

/// The id of the signer's demo model, created first (and reported in `done`) if it is missing.
async fn demo_model(
	chain: &Chain,
	global: &Global,
	owner: [u8; 32],
	name: &str,
	done: &mut Vec<String>,
) -> Result<u64, String> {
	let models = chain.fetch_all(api::storage().model_registry().models(), ()).await?;
	let existing = models.iter().find_map(|((id,), info)| {
		let info = &info.0;
		let name_matches = info.owner == owner && &info.name[..] == name.as_bytes();
		name_matches.then_some(*id)
	});
	let model_id = match existing {
		Some(id) => id,
		None => {
			let (task, description) = if name == DEMO_CHAT_MODEL {
				(Task::TextGeneration, "Verity's demo chat model: SmolLM2-135M-Instruct, Q4_1")
			} else {
				(
					Task::Classification,
					"Verity's demo classifier: an int8 MLP, 4 features to 3 classes",
				)
			};
			let created = model::run(
				ModelCommand::Create(CreateArgs {
					name: name.into(),
					task,
					licence: "Apache-2.0".into(),
					description: description.into(),
					tags: vec!["demo".into()],
				}),
				global,
			)
			.await?;
			done.push(created.text);
			created.json["model"].as_u64().ok_or("no model id")?
		},
	};
	Ok(model_id)
}

/// What publishing a version of the demo model needs.
struct Publisher<'a> {
	/// The command's global options.
	global: &'a Global,
	/// The temporary directory the artifact, the schemas and the ZK keys are written to.
	dir: &'a Path,
	/// The demo artifact.
	file: &'a Path,
	/// Base URL of the node's artifact store.
	store_url: &'a str,
}

impl Publisher<'_> {
	/// Publishes `reference` from the demo artifact with a `dtype` tensor schema.
	async fn publish(
		&self,
		reference: ModelVersionRef,
		dtype: &'static str,
		modes: Vec<VerificationMode>,
		zk: Option<PathBuf>,
	) -> Result<Output, String> {
		let schema = self.dir.join(format!("schema-{dtype}.json"));
		std::fs::write(
			&schema,
			json!({
				"inputs": [{"name": "input", "dtype": dtype, "shape": [1, 4]}],
				"outputs": [{"name": "output", "dtype": dtype, "shape": [1, 3]}],
			})
			.to_string(),
		)
		.map_err(|e| e.to_string())?;
		model::run(
			ModelCommand::Publish(PublishArgs {
				file: self.file.to_path_buf(),
				model: reference.model,
				version: reference.version,
				format: ArtifactFormat::VerityInt8,
				schema,
				modes,
				price: UNIT / 100,
				price_per_token: 0,
				zk_verifying_key: zk,
				store_url: self.store_url.to_owned(),
				no_upload: false,
				walrus_publisher: None,
				walrus_epochs: 1,
				ipfs_cid: None,
				https_url: None,
			}),
			self.global,
		)
		.await
	}
}

/// Publishes version 1.0 and version 1.1 (with its ZK setup and keys), each unless on chain.
async fn publish_versions(
	chain: &Chain,
	publisher: &Publisher<'_>,
	reference: ModelVersionRef,
	zk_reference: ModelVersionRef,
	done: &mut Vec<String>,
) -> Result<(), String> {
	if !published(chain, reference).await? {
		let vanilla = vec![VerificationMode::Vanilla];
		done.push(publisher.publish(reference, "f32", vanilla, None).await?.text);
	}
	if published(chain, zk_reference).await? {
		return Ok(());
	}
	let keys = publisher.dir.join("zk");
	zk::run(
		ZkCommand::Setup {
			model: publisher.file.to_path_buf(),
			out: keys.clone(),
			insecure_seed: None,
		},
		publisher.global,
	)
	.await?;
	let modes = vec![VerificationMode::Vanilla, VerificationMode::Zkml];
	let verifying_key = keys.join("verifying.key");
	done.push(
		publisher.publish(zk_reference, "i8", modes, Some(verifying_key.clone())).await?.text,
	);
	let set = zk::run(
		ZkCommand::Keys {
			target: zk_reference,
			verifying_key,
			proving_key: keys.join("proving.key"),
			store_url: publisher.store_url.to_owned(),
			no_upload: false,
		},
		publisher.global,
	)
	.await?;
	done.push(set.text);
	Ok(())
}

/// Registers the signer as a worker serving `models` at `endpoint`, unless it already is one.
async fn register_worker(
	chain: &Chain,
	global: &Global,
	owner: [u8; 32],
	endpoint: String,
	models: Vec<ModelVersionRef>,
	done: &mut Vec<String>,
) -> Result<(), String> {
	let registered =
		chain.fetch(api::storage().inference().workers(), (AccountId32(owner),)).await?;
	if let Some(Static(info)) = registered {
		if models.iter().all(|model| info.models.contains(model)) {
			return Ok(());
		}
		// Registered before the chat model was published: serve it too.
		let served: Vec<_> = info.models.iter().filter(|m| !models.contains(m)).copied().collect();
		let mut offer = demo_offer(endpoint, models);
		offer.models.extend(served);
		let updated = inference::worker(WorkerCommand::Update { offer }, global).await?;
		done.push(updated.text);
		return Ok(());
	}
	let output = inference::worker(
		WorkerCommand::Register {
			offer: demo_offer(endpoint, models),
			signing_key: None,
			key_proof: None,
			stake: 1_000 * UNIT,
		},
		global,
	)
	.await?;
	done.push(output.text);
	Ok(())
}

/// What the demo worker offers: `models` at `endpoint`, Vanilla and ZKML, on CPU.
fn demo_offer(endpoint: String, models: Vec<ModelVersionRef>) -> Offer {
	Offer {
		endpoint,
		models,
		modes: vec![VerificationMode::Vanilla, VerificationMode::Zkml],
		hardware: HardwareClass::Cpu,
		fee: UNIT / 100,
	}
}

/// Publishes `gguf` as version 1.0 of the demo chat model (a chat schema of
/// `DEMO_CHAT_CONTEXT` tokens, priced per inference and per token), unless on chain.
async fn publish_chat(
	chain: &Chain,
	global: &Global,
	owner: [u8; 32],
	gguf: &Path,
	store_url: &str,
	done: &mut Vec<String>,
) -> Result<ModelVersionRef, String> {
	let model = demo_model(chain, global, owner, DEMO_CHAT_MODEL, done).await?;
	let reference = ModelVersionRef { model, version: VersionNumber { major: 1, minor: 0 } };
	if published(chain, reference).await? {
		return Ok(reference);
	}
	let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
	let schema = dir.path().join("chat-schema.json");
	std::fs::write(&schema, json!({"chat": {"max_context_tokens": DEMO_CHAT_CONTEXT}}).to_string())
		.map_err(|e| e.to_string())?;
	let published = model::run(
		ModelCommand::Publish(PublishArgs {
			file: gguf.to_path_buf(),
			model,
			version: reference.version,
			format: ArtifactFormat::Gguf,
			schema,
			modes: vec![VerificationMode::Vanilla],
			price: UNIT / 1000,
			price_per_token: UNIT / 100_000,
			zk_verifying_key: None,
			store_url: store_url.to_owned(),
			no_upload: false,
			walrus_publisher: None,
			walrus_epochs: 1,
			ipfs_cid: None,
			https_url: None,
		}),
		global,
	)
	.await?;
	done.push(published.text);
	Ok(reference)
}

/// Writes the example inputs for `verity infer`: f32 for version 1.0, int8 for 1.1 in ZKML.
fn write_inputs(write_input: &Path, write_zk_input: &Path) -> Result<(), String> {
	let input = json!({"input": [[0.5, -1.25, 2.0, 0.75]]});
	std::fs::write(write_input, format!("{input}\n"))
		.map_err(|e| format!("{}: {e}", write_input.display()))?;
	let zk_input = json!({"input": [[12, -40, 100, 7]]});
	std::fs::write(write_zk_input, format!("{zk_input}\n"))
		.map_err(|e| format!("{}: {e}", write_zk_input.display()))?;
	Ok(())
}

/// Whether the version has a record on chain.
async fn published(chain: &Chain, reference: ModelVersionRef) -> Result<bool, String> {
	let versions = api::storage().model_registry().versions();
	let keys = (reference.model, Static(reference.version));
	Ok(chain.fetch(versions, keys).await?.is_some())
}
