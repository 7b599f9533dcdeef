//! Receipt checks: whether a worker's key signed a receipt (or any payload the chain defines,
//! e.g. a decline or a batch root).

use codec::Encode;
use sp_core::{crypto::Pair as _, sr25519};
use verity_primitives::{Receipt, ReceiptSignature, SigningKey};

/// Whether `signature` is `key`'s signature over `receipt`.
pub fn verify<AccountId: Encode>(
	receipt: &Receipt<AccountId>,
	signature: &ReceiptSignature,
	key: &SigningKey,
) -> bool {
	verify_payload(&receipt.signing_payload(), signature, key)
}

/// Whether `signature` is `key`'s sr25519 signature over `payload`.
pub fn verify_payload(payload: &[u8], signature: &ReceiptSignature, key: &SigningKey) -> bool {
	sr25519::Pair::verify(
		&sr25519::Signature::from_raw(*signature),
		payload,
		&sr25519::Public::from_raw(*key),
	)
}
