//! `verity zk ...`: ZKML keys of a model version.
//!
//! - `setup`: the Groth16 setup of a Verity int8 model's circuit (`verity-zkml`): writes the
//!   proving key and the verifying key. The setup's randomness is toxic waste: whoever knows it
//!   can forge proofs for this circuit. `setup` draws it from the operating system and drops it;
//!   `--insecure-seed` makes it reproducible for tests and demos only. A production chain runs a
//!   multi-party ceremony instead (see `zkml/README.md`).
//! - `keys`: uploads the proving key to the artifact store and sends `set_zk_keys` (the
//!   verifying key goes on chain; its digest must be the one the version was published with).

use crate::{model::digest_file, Global, Output};
use serde_json::json;
use std::path::PathBuf;
use verity_artifact_store::{Fetcher, FetcherConfig};
use verity_client::{api, signer, Chain, Static};
use verity_int8 as int8;
use verity_primitives::{digest::to_hex, ArtifactDigest, ModelVersionRef, ZkKeys};

#[derive(Debug, clap::Subcommand)]
pub enum ZkCommand {
	/// Run the Groth16 setup of a Verity int8 model: writes `proving.key` and `verifying.key`.
	Setup {
		/// The model file (Verity int8 format).
		#[arg(long)]
		model: PathBuf,
		/// Directory to write the keys to.
		#[arg(long)]
		out: PathBuf,
		/// Derive the setup's randomness from this seed (reproducible, and therefore insecure:
		/// anyone who knows the seed can forge proofs). Tests and demos only.
		#[arg(long)]
		insecure_seed: Option<u64>,
	},
	/// Upload a version's ZK keys: the proving key to the artifact store, the verifying key to
	/// the chain (`set_zk_keys`, by the model's owner).
	Keys {
		/// The model version, `<model>@<major>.<minor>`.
		target: ModelVersionRef,
		/// The verifying key file (from `setup`).
		#[arg(long)]
		verifying_key: PathBuf,
		/// The proving key file (from `setup`).
		#[arg(long)]
		proving_key: PathBuf,
		/// Base URL of the artifact store to upload the proving key to (it must be one of the
		/// version's locations, where workers fetch from).
		#[arg(long, default_value = "http://127.0.0.1:9955")]
		store_url: String,
		/// Do not upload the proving key (it is already stored).
		#[arg(long)]
		no_upload: bool,
	},
}

/// Runs a `verity zk` subcommand.
pub async fn run(command: ZkCommand, global: &Global) -> Result<Output, String> {
	match command {
		ZkCommand::Setup { model, out, insecure_seed } => setup(model, out, insecure_seed).await,
		ZkCommand::Keys { target, verifying_key, proving_key, store_url, no_upload } => {
			set_keys(global, target, verifying_key, proving_key, store_url, no_upload).await
		},
	}
}

/// `zk setup`: runs the Groth16 setup of the model file and writes both keys to `out`.
async fn setup(model: PathBuf, out: PathBuf, insecure_seed: Option<u64>) -> Result<Output, String> {
	let bytes = std::fs::read(&model).map_err(|e| format!("{}: {e}", model.display()))?;
	let parsed = int8::decode_file(&bytes).map_err(|e| format!("{}: {e}", model.display()))?;
	let started = std::time::Instant::now();
	let (keys, info) = tokio::task::spawn_blocking(move || {
		let info = verity_zkml::circuit_info(&parsed)?;
		let keys = match insecure_seed {
			Some(seed) => {
				let mut bytes = [0u8; 32];
				bytes[..8].copy_from_slice(&seed.to_le_bytes());
				verity_zkml::setup_from_seed(&parsed, bytes)
			},
			None => verity_zkml::setup(&parsed, &mut rand::rngs::OsRng),
		}?;
		Ok::<_, verity_zkml::ProveError>((keys, info))
	})
	.await
	.map_err(|e| e.to_string())?
	.map_err(|e| format!("setup: {e}"))?;
	std::fs::create_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
	let (proving, verifying) = (out.join("proving.key"), out.join("verifying.key"));
	std::fs::write(&proving, &keys.proving_key)
		.map_err(|e| format!("{}: {e}", proving.display()))?;
	std::fs::write(&verifying, &keys.verifying_key)
		.map_err(|e| format!("{}: {e}", verifying.display()))?;
	let (pk, vk) = (ArtifactDigest::of(&keys.proving_key), ArtifactDigest::of(&keys.verifying_key));
	Ok(Output {
		text: format!(
			"Setup of {} ({} constraints, {} public inputs) in {:.1} s{}\n  verifying key \
			 {} ({} bytes, blake2-256 {})\n  proving key   {} ({} bytes, blake2-256 {})\n\
			 Publish the version with --zk-verifying-key {}, then run `verity zk keys`.",
			model.display(),
			info.constraints,
			info.public_inputs,
			started.elapsed().as_secs_f64(),
			if insecure_seed.is_some() { " (INSECURE: seeded)" } else { "" },
			verifying.display(),
			vk.size,
			to_hex(&vk.blake2_256),
			proving.display(),
			pk.size,
			to_hex(&pk.blake2_256),
			verifying.display(),
		),
		json: json!({
			"constraints": info.constraints,
			"public_inputs": info.public_inputs,
			"parameters": info.parameters,
			"verifying_key": {"path": verifying, "blake2_256": to_hex(&vk.blake2_256), "size": vk.size},
			"proving_key": {"path": proving, "blake2_256": to_hex(&pk.blake2_256), "size": pk.size},
			"insecure_seed": insecure_seed,
		}),
	})
}

/// `zk keys`: uploads the proving key and sets the version's ZK keys on chain.
async fn set_keys(
	global: &Global,
	target: ModelVersionRef,
	verifying_key: PathBuf,
	proving_key: PathBuf,
	store_url: String,
	no_upload: bool,
) -> Result<Output, String> {
	let chain = Chain::connect(&global.url).await?;
	let signer = signer(global.suri.as_deref())?;
	let key_bytes =
		std::fs::read(&verifying_key).map_err(|e| format!("{}: {e}", verifying_key.display()))?;
	let proving = digest_file(&proving_key).await?;
	if !no_upload {
		let fetcher = Fetcher::new(FetcherConfig::default()).map_err(|e| e.to_string())?;
		fetcher.upload_to_store(&store_url, &proving_key, &proving).await.map_err(|e| {
			format!("uploading {} to the artifact store: {e}", proving_key.display())
		})?;
	}
	let keys = ZkKeys {
		verifying_key: key_bytes.try_into().map_err(|bytes: Vec<u8>| {
			format!(
				"the verifying key is {} bytes; the chain keeps at most {}",
				bytes.len(),
				verity_primitives::MAX_ZK_VERIFYING_KEY_LEN
			)
		})?,
		proving_key: proving,
	};
	let verifying = ArtifactDigest::of(&keys.verifying_key);
	let call =
		api::tx().model_registry().set_zk_keys(target.model, Static(target.version), Static(keys));
	chain.submit(&call, &signer).await?;
	Ok(Output {
		text: format!(
			"ZK keys of {target} set: verifying key on chain, proving key {} in {store_url}",
			to_hex(&proving.blake2_256)
		),
		json: json!({
			"model": target.to_string(),
			"proving_key": to_hex(&proving.blake2_256),
			"verifying_key": to_hex(&verifying.blake2_256),
		}),
	})
}
