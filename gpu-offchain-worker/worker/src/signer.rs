//! The worker's receipt-signing key (sr25519) and receipt signatures (checked by
//! `verity_client::receipts`).
//!
//! The key lives in a file holding its 32-byte seed as hex, created with mode 0600 and refused
//! when others can read it. A development key can come from a secret URI (`//Alice`) instead.

use codec::Encode;
use sp_core::{crypto::Pair as _, sr25519};
use std::path::Path;
use verity_artifact_store::secret_file::{self, SecretFileError};
use verity_primitives::{Receipt, ReceiptSignature, SigningKey};

/// What can go wrong loading a key.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
	/// The key file cannot be used.
	#[error(transparent)]
	File(#[from] SecretFileError),
	/// The secret URI is not valid.
	#[error("invalid secret URI: {0}")]
	BadUri(String),
}

/// A receipt-signing key.
#[derive(Clone)]
pub struct WorkerKey {
	pair: sr25519::Pair,
}

impl WorkerKey {
	/// Loads the key from `path`, or creates a new random one there (mode 0600).
	pub fn load_or_create(path: &Path) -> Result<Self, KeyError> {
		let seed = secret_file::load_or_create(path)?;
		Ok(Self { pair: sr25519::Pair::from_seed(&seed) })
	}

	/// A key from a secret URI such as `//Alice` (development only).
	pub fn from_uri(uri: &str) -> Result<Self, KeyError> {
		sr25519::Pair::from_string(uri, None)
			.map(|pair| Self { pair })
			.map_err(|e| KeyError::BadUri(format!("{e:?}")))
	}

	/// The public key, as workers register it on chain.
	pub fn public(&self) -> SigningKey {
		self.pair.public().0
	}

	/// Signs a receipt's payload.
	pub fn sign<AccountId: Encode>(&self, receipt: &Receipt<AccountId>) -> ReceiptSignature {
		self.pair.sign(&receipt.signing_payload()).0
	}

	/// Signs the submission of a ZK proof for the answer with `binding`
	/// ([`verity_primitives::zk_proof_payload`]).
	pub fn sign_proof(
		&self,
		genesis_hash: &[u8; 32],
		request_id: verity_primitives::RequestId,
		binding: &[u8; 32],
		proof: &[u8],
	) -> ReceiptSignature {
		self.pair
			.sign(&verity_primitives::zk_proof_payload(genesis_hash, request_id, binding, proof))
			.0
	}

	/// Signs a decline of an on-chain request ([`verity_primitives::decline_payload`]).
	pub fn sign_decline(
		&self,
		genesis_hash: &[u8; 32],
		request_id: verity_primitives::RequestId,
		input_digest: &[u8; 32],
		reason: verity_primitives::DeclineReason,
		evidence: &[u8; 32],
	) -> ReceiptSignature {
		let payload = verity_primitives::decline_payload(
			genesis_hash,
			request_id,
			input_digest,
			reason,
			evidence,
		);
		self.pair.sign(&payload).0
	}

	/// Proves that `account` holds this key, as `register_worker` takes it
	/// ([`verity_primitives::key_possession_payload`]).
	pub fn key_proof(&self, genesis_hash: &[u8; 32], account: &[u8; 32]) -> ReceiptSignature {
		let payload =
			verity_primitives::key_possession_payload(genesis_hash, account, &self.public());
		self.pair.sign(&payload).0
	}
}
