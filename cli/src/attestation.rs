//! `verity attestation verify <file> [--at <unix-ms>] [--root <pem>]`: verifies an AWS Nitro
//! Enclaves attestation document on this machine, with the same code the chain runs
//! (`verity-nitro-attestation`): the COSE_Sign1 signature, the P-384 certificate chain up to
//! the pinned root and every certificate's validity at `--at` (default: now, by this machine's
//! clock). Prints what the document says as JSON; on failure, the specific reason.
//!
//! `verity attestation nonce` prints the nonce a worker's next document must carry, and
//! `verity attestation submit <file> --kind <kind>` submits a document for the signer (a
//! registered worker) to the chain, which verifies it in the runtime.

use crate::{Global, Output};
use serde_json::{json, Map, Value};
use std::{
	io::Read,
	path::PathBuf,
	time::{SystemTime, UNIX_EPOCH},
};
use verity_client::{api, chain::account_of, signer, AccountId32, Chain, Static};
use verity_nitro_attestation::{
	root_from_pem, verify_document, NoCache, AWS_NITRO_ROOT_G1_PEM, MAX_DOCUMENT_LEN,
};
use verity_primitives::{tee_nonce, TeeKind};

#[derive(Debug, clap::Subcommand)]
pub enum AttestationCommand {
	/// Verify an AWS Nitro Enclaves attestation document (raw COSE_Sign1 bytes): signature,
	/// certificate chain to the root, validity at `--at`. Prints its contents as JSON.
	Verify {
		/// The attestation document.
		file: PathBuf,
		/// "Now" for the certificates' validity, in unix milliseconds (default: this machine's
		/// clock).
		#[arg(long, value_name = "UNIX_MS")]
		at: Option<u64>,
		/// PEM file of the root certificate to pin (default: the AWS Nitro Enclaves root G1).
		#[arg(long, value_name = "PEM")]
		root: Option<PathBuf>,
	},
	/// Print the nonce the worker's next attestation document must carry (hex), for the
	/// enclave to put in its `nonce` field.
	Nonce {
		/// The worker (SS58); default: the `--suri` account.
		#[arg(long)]
		worker: Option<AccountId32>,
	},
	/// Submit an attestation document for the signer's worker (first time or heartbeat); the
	/// chain verifies it at the block's time.
	Submit {
		/// The attestation document.
		file: PathBuf,
		/// What the enclave runs: llm-proxy, local-inference or data-node.
		#[arg(long)]
		kind: Kind,
	},
}

/// [`TeeKind`] on the command line.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Kind {
	/// Forwards chat requests to a hosted LLM provider.
	LlmProxy,
	/// Runs models itself.
	LocalInference,
	/// Serves data (memories, embeddings).
	DataNode,
}

impl From<Kind> for TeeKind {
	fn from(kind: Kind) -> Self {
		match kind {
			Kind::LlmProxy => TeeKind::LlmProxy,
			Kind::LocalInference => TeeKind::LocalInference,
			Kind::DataNode => TeeKind::DataNode,
		}
	}
}

fn hex_or_null(bytes: &Option<Vec<u8>>) -> Value {
	bytes.as_ref().map_or(Value::Null, |b| Value::String(hex::encode(b)))
}

fn read_document(file: &PathBuf) -> Result<Vec<u8>, String> {
	// Read at most one byte more than a document may have: the verifier rejects it then.
	let mut document = Vec::new();
	std::fs::File::open(file)
		.and_then(|f| f.take(MAX_DOCUMENT_LEN as u64 + 1).read_to_end(&mut document))
		.map_err(|e| format!("cannot read {}: {e}", file.display()))?;
	Ok(document)
}

pub async fn run(command: AttestationCommand, global: &Global) -> Result<Output, String> {
	match command {
		AttestationCommand::Verify { file, at, root } => verify(file, at, root),
		AttestationCommand::Nonce { worker } => {
			let chain = Chain::connect(&global.url).await?;
			let worker = match worker {
				Some(worker) => worker,
				None => account_of(&signer(global.suri.as_deref())?),
			};
			let count = chain
				.fetch(api::storage().proofs().attestation_count(), (worker,))
				.await?
				.unwrap_or_default();
			let nonce = tee_nonce(&chain.genesis_hash(), &worker.0, count);
			Ok(Output {
				text: hex::encode(nonce),
				json: json!({"worker": worker.to_string(), "nonce": hex::encode(nonce), "count": count}),
			})
		},
		AttestationCommand::Submit { file, kind } => {
			let chain = Chain::connect(&global.url).await?;
			let signer = signer(global.suri.as_deref())?;
			let document = read_document(&file)?;
			if document.len() > MAX_DOCUMENT_LEN {
				return Err(format!("the document is larger than {MAX_DOCUMENT_LEN} bytes"));
			}
			let call = api::tx().proofs().attest(Static(TeeKind::from(kind)), document);
			let included = chain.submit(&call, &signer).await?;
			Ok(Output {
				text: format!("Attestation of {} accepted", account_of(&signer)),
				json: json!({"worker": account_of(&signer).to_string(), "block": included.block}),
			})
		},
	}
}

fn verify(file: PathBuf, at: Option<u64>, root: Option<PathBuf>) -> Result<Output, String> {
	let root_pem = match &root {
		Some(path) => std::fs::read_to_string(path)
			.map_err(|e| format!("cannot read {}: {e}", path.display()))?,
		None => AWS_NITRO_ROOT_G1_PEM.to_string(),
	};
	let root_der = root_from_pem(&root_pem).map_err(|e| format!("root certificate: {e}"))?;
	let document = read_document(&file)?;
	let now_ms = match at {
		Some(ms) => ms,
		None => SystemTime::now()
			.duration_since(UNIX_EPOCH)
			.map_err(|e| format!("system clock: {e}"))?
			.as_millis() as u64,
	};
	let doc = verify_document(&document, &root_der, now_ms, &mut NoCache)
		.map_err(|e| format!("attestation document rejected: {e}"))?;

	let pcrs: Map<String, Value> =
		doc.pcrs.iter().map(|(i, v)| (i.to_string(), Value::String(hex::encode(v)))).collect();
	let json = json!({
		"module_id": doc.module_id,
		"digest": doc.digest,
		"timestamp": doc.timestamp_ms,
		"pcrs": pcrs,
		"public_key": hex_or_null(&doc.public_key),
		"user_data": hex_or_null(&doc.user_data),
		"nonce": hex_or_null(&doc.nonce),
		"valid_until": doc.chain_not_after_ms,
	});
	let text = serde_json::to_string_pretty(&json).map_err(|e| e.to_string())?;
	Ok(Output { text, json })
}
