//! x402 payments settled on Verity's chain: the EIP-3009 `TransferWithAuthorization` that a
//! payer signs (EIP-712) with an ordinary Ethereum key, and the rules that settle it, shared by
//! the chain (`pallet-payments`) and the gateway's facilitator so that neither copies them.
//!
//! - [`TransferAuthorization::signing_hash`]: the EIP-712 digest the payer signs, under the
//!   domain `{name, version, chainId, verifyingContract = the asset's address}`.
//! - [`recover_signer`]: the Ethereum address that signed a digest (`v` 27/28 or 0/1; a high `s`
//!   is refused, so a signature has one form). The curve operation is the caller's (the
//!   runtime's host function, or a library off chain).
//! - [`Window::check`]: `validAfter < now < validBefore`, and no longer than the chain keeps
//!   used nonces.
//! - [`fallback_account`]: the account an Ethereum address pays from, as pallet-revive maps an
//!   address that has no native account bound to it (`address ‖ 0xEE × 12`).

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use sp_crypto_hashing::keccak_256;

/// A 20-byte Ethereum address.
pub type EthAddress = [u8; 20];

/// `keccak256` of the EIP-712 domain type.
pub const EIP712_DOMAIN_TYPE: &[u8] =
	b"EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)";

/// The EIP-3009 authorization type, as USDC and the x402 clients sign it.
pub const TRANSFER_WITH_AUTHORIZATION_TYPE: &[u8] = b"TransferWithAuthorization(address from,\
address to,uint256 value,uint256 validAfter,uint256 validBefore,bytes32 nonce)";

/// Half the order of secp256k1: a signature's `s` must not exceed it (EIP-2).
const HALF_ORDER: [u8; 32] = [
	0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
	0x5D, 0x57, 0x6E, 0x73, 0x57, 0xA4, 0x50, 0x1D, 0xDF, 0xE9, 0x2F, 0x46, 0x68, 0x1B, 0x20, 0xA0,
];

/// The EIP-712 domain of the token a payer authorizes transfers of.
#[derive(Clone, Encode, Decode, MaxEncodedLen, TypeInfo, PartialEq, Eq, Debug)]
pub struct Domain {
	/// The token's name (x402's `extra.name`).
	pub name: bounded_collections::BoundedVec<u8, bounded_collections::ConstU32<64>>,
	/// The token's version (x402's `extra.version`).
	pub version: bounded_collections::BoundedVec<u8, bounded_collections::ConstU32<16>>,
	/// The EVM chain id (the network is `eip155:<chain_id>`).
	pub chain_id: u64,
	/// The asset's address (x402's `asset`).
	pub verifying_contract: EthAddress,
}

impl Domain {
	/// The EIP-712 domain separator.
	pub fn separator(&self) -> [u8; 32] {
		let mut data = [0u8; 32 * 5];
		data[..32].copy_from_slice(&keccak_256(EIP712_DOMAIN_TYPE));
		data[32..64].copy_from_slice(&keccak_256(&self.name));
		data[64..96].copy_from_slice(&keccak_256(&self.version));
		data[96..128].copy_from_slice(&uint(self.chain_id.into()));
		data[128..].copy_from_slice(&address_word(&self.verifying_contract));
		keccak_256(&data)
	}

	/// The CAIP-2 network id, `eip155:<chain_id>`.
	#[cfg(feature = "std")]
	pub fn network(&self) -> String {
		format!("eip155:{}", self.chain_id)
	}
}

/// An EIP-3009 `TransferWithAuthorization`: `from` lets anyone move `value` to `to` once,
/// between `valid_after` and `valid_before` (UNIX seconds), under a nonce of its choosing.
/// (EIP-3009's `uint256` fields: a value or time that does not fit here cannot be settled.)
#[derive(
	Clone, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, PartialEq, Eq, Debug,
)]
pub struct TransferAuthorization {
	/// The payer.
	pub from: EthAddress,
	/// The payee.
	pub to: EthAddress,
	/// The amount, in the token's smallest unit.
	pub value: u128,
	/// Valid only after this time (UNIX seconds).
	pub valid_after: u64,
	/// Valid only before this time (UNIX seconds).
	pub valid_before: u64,
	/// The payer's unique nonce (x402 clients draw 32 random bytes).
	pub nonce: [u8; 32],
}

impl TransferAuthorization {
	/// The EIP-712 struct hash.
	pub fn struct_hash(&self) -> [u8; 32] {
		let mut data = [0u8; 32 * 7];
		data[..32].copy_from_slice(&keccak_256(TRANSFER_WITH_AUTHORIZATION_TYPE));
		data[32..64].copy_from_slice(&address_word(&self.from));
		data[64..96].copy_from_slice(&address_word(&self.to));
		data[96..128].copy_from_slice(&uint(self.value));
		data[128..160].copy_from_slice(&uint(self.valid_after.into()));
		data[160..192].copy_from_slice(&uint(self.valid_before.into()));
		data[192..].copy_from_slice(&self.nonce);
		keccak_256(&data)
	}

	/// The digest the payer signs: `keccak256(0x19 0x01 ‖ domain separator ‖ struct hash)`.
	pub fn signing_hash(&self, domain_separator: &[u8; 32]) -> [u8; 32] {
		let mut data = [0u8; 2 + 32 + 32];
		data[..2].copy_from_slice(&[0x19, 0x01]);
		data[2..34].copy_from_slice(domain_separator);
		data[34..].copy_from_slice(&self.struct_hash());
		keccak_256(&data)
	}
}

/// Why a signature names no signer.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum SignatureError {
	/// `v` is none of 0, 1, 27, 28.
	BadRecoveryId,
	/// `s` is in the upper half of the curve order (the other form of a valid signature).
	HighS,
	/// No public key recovers from it.
	Unrecoverable,
}

/// The address that signed `digest` with `signature` (`r ‖ s ‖ v`). `recover` is the curve's
/// public-key recovery (`r ‖ s ‖ recovery id` and the digest, to the 64-byte uncompressed key):
/// `sp_io::crypto::secp256k1_ecdsa_recover` on chain.
pub fn recover_signer(
	digest: &[u8; 32],
	signature: &[u8; 65],
	recover: impl FnOnce(&[u8; 65], &[u8; 32]) -> Option<[u8; 64]>,
) -> Result<EthAddress, SignatureError> {
	let recovery_id = match signature[64] {
		v @ (0 | 1) => v,
		v @ (27 | 28) => v - 27,
		_ => return Err(SignatureError::BadRecoveryId),
	};
	let s: [u8; 32] = signature[32..64].try_into().expect("32 bytes");
	if s > HALF_ORDER {
		return Err(SignatureError::HighS);
	}
	let mut normalized = *signature;
	normalized[64] = recovery_id;
	let public = recover(&normalized, digest).ok_or(SignatureError::Unrecoverable)?;
	Ok(address_of(&public))
}

/// The Ethereum address of an uncompressed public key (without its `0x04` prefix).
pub fn address_of(public: &[u8; 64]) -> EthAddress {
	let hash = keccak_256(public);
	hash[12..].try_into().expect("20 bytes")
}

/// The account an Ethereum address holds funds in when no native account is bound to it: the
/// address followed by twelve `0xEE` bytes (pallet-revive's fallback account).
pub fn fallback_account(address: &EthAddress) -> [u8; 32] {
	let mut account = [0xEE; 32];
	account[..20].copy_from_slice(address);
	account
}

/// Why an authorization cannot be settled now.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum WindowError {
	/// `now <= valid_after`.
	NotYetValid,
	/// `now >= valid_before`.
	Expired,
	/// `valid_before` is further ahead than the chain keeps used nonces.
	TooLong,
}

/// The validity rules of an authorization at a time.
pub struct Window {
	/// Now (UNIX seconds).
	pub now: u64,
	/// The longest an authorization may still be valid for, from now (seconds): how long the
	/// chain keeps a used nonce at most.
	pub max_validity: u64,
}

impl Window {
	/// EIP-3009's window (`valid_after < now < valid_before`), and not valid for longer than
	/// [`Window::max_validity`].
	pub fn check(&self, authorization: &TransferAuthorization) -> Result<(), WindowError> {
		if self.now <= authorization.valid_after {
			return Err(WindowError::NotYetValid);
		}
		if self.now >= authorization.valid_before {
			return Err(WindowError::Expired);
		}
		if authorization.valid_before - self.now > self.max_validity {
			return Err(WindowError::TooLong);
		}
		Ok(())
	}
}

/// A `uint256` ABI word.
fn uint(value: u128) -> [u8; 32] {
	let mut word = [0u8; 32];
	word[16..].copy_from_slice(&value.to_be_bytes());
	word
}

/// An `address` ABI word.
fn address_word(address: &EthAddress) -> [u8; 32] {
	let mut word = [0u8; 32];
	word[12..].copy_from_slice(address);
	word
}

#[cfg(test)]
mod tests {
	use super::*;
	use k256::{ecdsa::SigningKey, elliptic_curve::PrimeField};

	fn domain() -> Domain {
		Domain {
			name: b"Verity".to_vec().try_into().unwrap(),
			version: b"1".to_vec().try_into().unwrap(),
			chain_id: 420_420,
			verifying_contract: [0x11; 20],
		}
	}

	fn key() -> SigningKey {
		SigningKey::from_slice(&[7u8; 32]).unwrap()
	}

	/// The payer's address, from its key by RustCrypto's own encoding.
	fn payer() -> EthAddress {
		let point = key().verifying_key().to_encoded_point(false);
		address_of(point.as_bytes()[1..].try_into().unwrap())
	}

	fn authorization() -> TransferAuthorization {
		TransferAuthorization {
			from: payer(),
			to: [0x22; 20],
			value: 10u128.pow(16),
			valid_after: 0,
			valid_before: 1_800_000_000,
			nonce: [0x33; 32],
		}
	}

	/// `r ‖ s ‖ v` (v 27/28) by RustCrypto's k256.
	fn sign(digest: &[u8; 32]) -> [u8; 65] {
		let (signature, id) = key().sign_prehash_recoverable(digest).unwrap();
		let mut out = [0u8; 65];
		out[..64].copy_from_slice(&signature.to_bytes());
		out[64] = 27 + id.to_byte();
		out
	}

	/// Public-key recovery by k256.
	fn recover(signature: &[u8; 65], digest: &[u8; 32]) -> Option<[u8; 64]> {
		let sig = k256::ecdsa::Signature::from_slice(&signature[..64]).ok()?;
		let id = k256::ecdsa::RecoveryId::from_byte(signature[64])?;
		let key = k256::ecdsa::VerifyingKey::recover_from_prehash(digest, &sig, id).ok()?;
		key.to_encoded_point(false).as_bytes()[1..].try_into().ok()
	}

	#[test]
	fn type_hashes_are_the_published_ones() {
		// USDC's `TRANSFER_WITH_AUTHORIZATION_TYPEHASH` and EIP-712's domain type hash.
		assert_eq!(
			hex::encode(keccak_256(TRANSFER_WITH_AUTHORIZATION_TYPE)),
			"7c7c6cdb67a18743f49ec6fa9b35f50d52ed05cbed4cc592e13b44501c1a2267"
		);
		assert_eq!(
			hex::encode(keccak_256(EIP712_DOMAIN_TYPE)),
			"8b73c3c69bb8fe3d512ecc4cf759cc79239f7b179b0ffacaa9a75d522b39400f"
		);
	}

	#[test]
	fn the_signer_is_recovered_and_any_change_names_another() {
		let separator = domain().separator();
		let authorization = authorization();
		let digest = authorization.signing_hash(&separator);
		let signature = sign(&digest);
		assert_eq!(recover_signer(&digest, &signature, recover), Ok(payer()));
		let mut zero_one = signature;
		zero_one[64] -= 27;
		assert_eq!(recover_signer(&digest, &zero_one, recover), Ok(payer()));
		// Another value, payee, chain or asset: the same signature names someone else.
		let more =
			TransferAuthorization { value: authorization.value + 1, ..authorization.clone() };
		let elsewhere = Domain { chain_id: 1, ..domain() };
		let other_asset = Domain { verifying_contract: [0x12; 20], ..domain() };
		for digest in [
			more.signing_hash(&separator),
			TransferAuthorization { to: [0x23; 20], ..authorization.clone() }
				.signing_hash(&separator),
			authorization.signing_hash(&elsewhere.separator()),
			authorization.signing_hash(&other_asset.separator()),
		] {
			assert_ne!(recover_signer(&digest, &signature, recover), Ok(payer()));
		}
	}

	#[test]
	fn malleable_and_malformed_signatures_are_refused() {
		let digest = authorization().signing_hash(&domain().separator());
		let signature = sign(&digest);
		// (r, n - s, v ^ 1) is the same signature's other form (which the runtime's host
		// function recovers: `pallet-payments`' tests). Refused before any recovery.
		let s = k256::Scalar::from_repr(*k256::FieldBytes::from_slice(&signature[32..64])).unwrap();
		let mut high = signature;
		high[32..64].copy_from_slice(&(-s).to_bytes());
		high[64] = if signature[64] == 27 { 28 } else { 27 };
		let never = |_: &[u8; 65], _: &[u8; 32]| -> Option<[u8; 64]> { unreachable!() };
		assert_eq!(recover_signer(&digest, &high, never), Err(SignatureError::HighS));
		let mut bad_v = signature;
		bad_v[64] = 29;
		assert_eq!(recover_signer(&digest, &bad_v, recover), Err(SignatureError::BadRecoveryId));
		let zero = [0u8; 65];
		assert_eq!(recover_signer(&digest, &zero, recover), Err(SignatureError::Unrecoverable));
	}

	#[test]
	fn the_window_is_eip_3009s_and_bounded() {
		let authorization =
			TransferAuthorization { valid_after: 100, valid_before: 200, ..authorization() };
		let at = |now| Window { now, max_validity: 150 }.check(&authorization);
		assert_eq!(at(100), Err(WindowError::NotYetValid));
		assert_eq!(at(101), Ok(()));
		assert_eq!(at(199), Ok(()));
		assert_eq!(at(200), Err(WindowError::Expired));
		let short = Window { now: 101, max_validity: 98 };
		assert_eq!(short.check(&authorization), Err(WindowError::TooLong));
	}

	#[test]
	fn an_address_without_a_native_account_pays_from_revives_fallback() {
		let account = fallback_account(&[0xAB; 20]);
		assert_eq!(&account[..20], &[0xAB; 20]);
		assert_eq!(&account[20..], &[0xEE; 12]);
	}
}
