//! Content digests of model artifacts.
//!
//! An artifact is named by two digests of its bytes: BLAKE2b-256 (the chain's own hash, and the
//! key of the artifact store) and SHA-256 (what most other tools print, so a user can check a
//! file with `sha256sum`). Both must match before any byte is used.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use core::fmt;
use scale_info::TypeInfo;
use sha2::{Digest, Sha256};

/// The two digests of an artifact's bytes, plus its length.
#[derive(
	Encode, Decode, DecodeWithMemTracking, Clone, Copy, PartialEq, Eq, TypeInfo, MaxEncodedLen,
)]
pub struct ArtifactDigest {
	/// BLAKE2b with a 32-byte output (the same function as `sp_core::blake2_256`).
	pub blake2_256: [u8; 32],
	/// SHA-256.
	pub sha256: [u8; 32],
	/// Length of the artifact in bytes.
	pub size: u64,
}

impl ArtifactDigest {
	/// Digests of `bytes`.
	pub fn of(bytes: &[u8]) -> Self {
		let mut hasher = ArtifactHasher::new();
		hasher.update(bytes);
		hasher.finish()
	}

	/// The BLAKE2b-256 digest as lowercase hex: the artifact's key in the store.
	#[cfg(feature = "std")]
	pub fn key(&self) -> String {
		to_hex(&self.blake2_256)
	}
}

impl fmt::Debug for ArtifactDigest {
	fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
		write!(f, "ArtifactDigest {{ blake2_256: ")?;
		write_hex(f, &self.blake2_256)?;
		write!(f, ", sha256: ")?;
		write_hex(f, &self.sha256)?;
		write!(f, ", size: {} }}", self.size)
	}
}

/// Computes an [`ArtifactDigest`] over bytes fed in pieces (a stream, a file read in chunks).
/// BLAKE2b runs on `blake2b_simd` (AVX2 where the CPU has it), SHA-256 on `sha2` (SHA-NI where
/// the CPU has it).
#[derive(Clone)]
pub struct ArtifactHasher {
	blake2: blake2b_simd::State,
	sha256: Sha256,
	size: u64,
}

impl Default for ArtifactHasher {
	fn default() -> Self {
		Self {
			blake2: blake2b_simd::Params::new().hash_length(32).to_state(),
			sha256: Sha256::new(),
			size: 0,
		}
	}
}

impl ArtifactHasher {
	/// A hasher that has seen no bytes.
	pub fn new() -> Self {
		Self::default()
	}

	/// Feeds the next piece of the artifact.
	pub fn update(&mut self, bytes: &[u8]) {
		self.blake2.update(bytes);
		self.sha256.update(bytes);
		self.size += bytes.len() as u64;
	}

	/// Bytes fed so far.
	pub fn size(&self) -> u64 {
		self.size
	}

	/// The digests of everything fed.
	pub fn finish(self) -> ArtifactDigest {
		ArtifactDigest {
			blake2_256: self.blake2.finalize().as_bytes().try_into().expect("hash_length is 32"),
			sha256: self.sha256.finalize().into(),
			size: self.size,
		}
	}
}

/// Lowercase hex of `bytes`.
pub fn to_hex(bytes: &[u8]) -> alloc::string::String {
	use alloc::string::ToString;
	struct Hex<'a>(&'a [u8]);
	impl fmt::Display for Hex<'_> {
		fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
			write_hex(f, self.0)
		}
	}
	Hex(bytes).to_string()
}

/// Parses 32 bytes from 64 hex digits (an optional `0x` prefix is allowed).
pub fn parse_hash(text: &str) -> Option<[u8; 32]> {
	let text = text.strip_prefix("0x").unwrap_or(text).as_bytes();
	if text.len() != 64 {
		return None;
	}
	let mut out = [0u8; 32];
	for (byte, pair) in out.iter_mut().zip(text.chunks(2)) {
		let high = (pair[0] as char).to_digit(16)?;
		let low = (pair[1] as char).to_digit(16)?;
		*byte = (high * 16 + low) as u8;
	}
	Some(out)
}

fn write_hex(f: &mut fmt::Formatter, bytes: &[u8]) -> fmt::Result {
	bytes.iter().try_for_each(|byte| write!(f, "{byte:02x}"))
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn blake2_matches_the_chain_hash_and_sha256_matches_the_standard() {
		let bytes = b"verity model artifact";
		let digest = ArtifactDigest::of(bytes);
		assert_eq!(digest.blake2_256, sp_crypto_hashing::blake2_256(bytes));
		assert_eq!(digest.sha256, sp_crypto_hashing::sha2_256(bytes));
		assert_eq!(digest.size, bytes.len() as u64);
		// SHA-256 of the empty string, from FIPS 180-2 test vectors.
		assert_eq!(
			to_hex(&ArtifactDigest::of(b"").sha256),
			"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
		);
	}

	#[test]
	fn hashing_in_pieces_equals_hashing_at_once() {
		let bytes: Vec<u8> = (0..10_000u32).map(|i| (i * 7 % 251) as u8).collect();
		let mut hasher = ArtifactHasher::new();
		for piece in bytes.chunks(333) {
			hasher.update(piece);
		}
		assert_eq!(hasher.finish(), ArtifactDigest::of(&bytes));
	}

	#[test]
	fn hex_round_trips_and_rejects_bad_text() {
		let digest = ArtifactDigest::of(b"x");
		assert_eq!(parse_hash(&digest.key()), Some(digest.blake2_256));
		assert_eq!(parse_hash(&format!("0x{}", digest.key())), Some(digest.blake2_256));
		assert_eq!(parse_hash("abc"), None);
		assert_eq!(parse_hash(&"zz".repeat(32)), None);
	}
}
