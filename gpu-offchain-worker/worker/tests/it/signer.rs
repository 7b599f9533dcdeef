//! The worker's key file and signatures.

use std::{fs, os::unix::fs::PermissionsExt};
use verity_artifact_store::secret_file::SecretFileError;
use verity_client::receipts::verify;
use verity_primitives::Receipt;
use verity_primitives::{ModelVersionRef, VerificationMode, VersionNumber};
use verity_worker::signer::*;

fn receipt() -> Receipt<[u8; 32]> {
	Receipt {
		genesis_hash: [1; 32],
		context: verity_primitives::ReceiptContext::Direct,
		request_id: 7,
		model: ModelVersionRef { model: 1, version: VersionNumber { major: 1, minor: 0 } },
		spec_hash: [6; 32],
		model_digest: [2; 32],
		input_digest: [3; 32],
		output_digest: [4; 32],
		mode: VerificationMode::Vanilla,
		worker: [5; 32],
		usage: None,
		generation: None,
		timestamp_ms: 1,
	}
}

#[test]
fn a_key_file_is_created_private_and_loads_the_same_key() {
	let dir = tempfile::tempdir().unwrap();
	let path = dir.path().join("worker/key");
	let key = WorkerKey::load_or_create(&path).unwrap();
	assert_eq!(fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
	let again = WorkerKey::load_or_create(&path).unwrap();
	assert_eq!(key.public(), again.public());
	let signature = key.sign(&receipt());
	assert!(verify(&receipt(), &signature, &key.public()));
	let mut other = receipt();
	other.output_digest = [9; 32];
	assert!(!verify(&other, &signature, &key.public()));
}

#[test]
fn an_open_or_malformed_key_file_is_refused() {
	let dir = tempfile::tempdir().unwrap();
	let path = dir.path().join("key");
	fs::write(&path, "00".repeat(32)).unwrap();
	fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
	assert!(matches!(
		WorkerKey::load_or_create(&path),
		Err(KeyError::File(SecretFileError::TooOpen { .. }))
	));
	fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
	assert!(WorkerKey::load_or_create(&path).is_ok());
	fs::write(&path, "not hex").unwrap();
	assert!(matches!(
		WorkerKey::load_or_create(&path),
		Err(KeyError::File(SecretFileError::Malformed(_)))
	));
	assert_eq!(
		WorkerKey::from_uri("//Alice").unwrap().public(),
		WorkerKey::from_uri("//Alice").unwrap().public()
	);
}
