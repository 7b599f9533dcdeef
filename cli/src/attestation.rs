//! `verity attestation verify <file> [--at <unix-ms>] [--root <pem>]`: verifies an AWS Nitro
//! Enclaves attestation document on this machine, with the same code the chain runs
//! (`verity-nitro-attestation`): the COSE_Sign1 signature, the P-384 certificate chain up to
//! the pinned root and every certificate's validity at `--at` (default: now, by this machine's
//! clock). Prints what the document says as JSON; on failure, the specific reason.

use crate::Output;
use serde_json::{json, Map, Value};
use std::{
	io::Read,
	path::PathBuf,
	time::{SystemTime, UNIX_EPOCH},
};
use verity_nitro_attestation::{
	root_from_pem, verify_document, NoCache, AWS_NITRO_ROOT_G1_PEM, MAX_DOCUMENT_LEN,
};

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
}

fn hex_or_null(bytes: &Option<Vec<u8>>) -> Value {
	bytes.as_ref().map_or(Value::Null, |b| Value::String(hex::encode(b)))
}

pub fn run(command: AttestationCommand) -> Result<Output, String> {
	let AttestationCommand::Verify { file, at, root } = command;
	let root_pem = match &root {
		Some(path) => std::fs::read_to_string(path)
			.map_err(|e| format!("cannot read {}: {e}", path.display()))?,
		None => AWS_NITRO_ROOT_G1_PEM.to_string(),
	};
	let root_der = root_from_pem(&root_pem).map_err(|e| format!("root certificate: {e}"))?;
	// Read at most one byte more than a document may have: the verifier rejects it then.
	let mut document = Vec::new();
	std::fs::File::open(&file)
		.and_then(|f| f.take(MAX_DOCUMENT_LEN as u64 + 1).read_to_end(&mut document))
		.map_err(|e| format!("cannot read {}: {e}", file.display()))?;
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
