//! The evidence an LLM result carries, and the verdict a check of it returns.
//!
//! A chat result's receipt commits ([`crate::Receipt::generation`]) to its
//! [`GenerationEvidence`]: every token generated and, every [`FINGERPRINT_INTERVAL`] tokens, an
//! activation fingerprint (the [`FINGERPRINT_TOP_K`] largest values of the final hidden state
//! that produced the token, with their indices). The chain keeps the evidence beside the
//! result. A check of the result does not generate again (sampling may pick other tokens on
//! other hardware): the checker re-runs one prefill over the prompt and the claimed tokens,
//! compares the fingerprints within a tolerance and replays the sampler, and answers with a
//! [`CheckVerdict`]. Honest checkers return the same verdict bytes for the same claim (except
//! for a claim near the tolerance's edge, where checkers on different hardware may split), so
//! the sampling and dispute machinery compares verdicts as it compares integer outputs; since
//! a verdict is a judgment within a tolerance, a checker the arbiter overrules is not slashed
//! (only a result that both the checker and the arbiter reject is).

use crate::{blake2_256, Digest32, RequestId, TokenUsage};
use alloc::vec::Vec;
use bounded_collections::{BoundedVec, ConstU32};
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;

/// Tokens between fingerprints (a fingerprint for tokens 0, 8, 16, ...).
pub const FINGERPRINT_INTERVAL: u32 = 8;
/// Values kept per fingerprint.
pub const FINGERPRINT_TOP_K: usize = 16;
/// The most tokens a chat result may have (and so a chat request may pay for): its evidence
/// is kept on chain.
pub const MAX_EVIDENCE_TOKENS: u32 = 4096;
/// The most fingerprints evidence has: one per [`FINGERPRINT_INTERVAL`] tokens.
pub const MAX_FINGERPRINTS: u32 = MAX_EVIDENCE_TOKENS.div_ceil(FINGERPRINT_INTERVAL);
/// Prefix of a check verdict's bytes.
pub const CHECK_VERDICT_DOMAIN: &[u8; 27] = b"verity/llm-check-verdict/v1";

/// The largest values of one hidden state.
#[derive(
	Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen,
)]
pub struct FingerprintRecord {
	/// Index of the generated token this hidden state produced (0: the first).
	pub token: u32,
	/// Indices into the hidden state, largest magnitude first.
	pub indices: [u16; FINGERPRINT_TOP_K],
	/// The values at those indices (IEEE 754 single precision, as bits).
	pub values: [u32; FINGERPRINT_TOP_K],
}

/// What a chat result's worker claims it computed: its tokens and their fingerprints.
#[derive(
	Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen,
)]
pub struct GenerationEvidence {
	/// Every token generated, the end-of-generation token included.
	pub tokens: BoundedVec<u32, ConstU32<MAX_EVIDENCE_TOKENS>>,
	/// One fingerprint per [`FINGERPRINT_INTERVAL`] tokens, for tokens 0, 8, 16, ...
	pub fingerprints: BoundedVec<FingerprintRecord, ConstU32<MAX_FINGERPRINTS>>,
}

impl GenerationEvidence {
	/// BLAKE2b-256 of its SCALE encoding: what the receipt commits to.
	pub fn digest(&self) -> Digest32 {
		blake2_256(&self.encode())
	}

	/// At least one token, and exactly one fingerprint per checkpoint, in order.
	pub fn is_well_formed(&self) -> bool {
		let checkpoints = (self.tokens.len() as u32).div_ceil(FINGERPRINT_INTERVAL);
		!self.tokens.is_empty()
			&& self.fingerprints.len() as u32 == checkpoints
			&& self
				.fingerprints
				.iter()
				.enumerate()
				.all(|(n, f)| f.token == n as u32 * FINGERPRINT_INTERVAL)
	}
}

/// A chat result under check, as the checker's job carries it (built from chain state).
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo)]
pub struct GenerationClaim {
	/// The request whose result is checked.
	pub original: RequestId,
	/// The output digest its receipt signs (the text the tokens must give).
	pub output_digest: Digest32,
	/// The usage its receipt signs.
	pub usage: TokenUsage,
	/// Its evidence.
	pub evidence: GenerationEvidence,
}

impl GenerationClaim {
	/// The verdict on this claim.
	pub fn verdict(&self, accepted: bool) -> CheckVerdict {
		CheckVerdict {
			original: self.original,
			output_digest: self.output_digest,
			generation: self.evidence.digest(),
			accepted,
		}
	}
}

/// A checker's answer on a chat result: the output of a check request. Its bytes are
/// [`CHECK_VERDICT_DOMAIN`] followed by its SCALE encoding.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	TypeInfo,
	MaxEncodedLen,
)]
pub struct CheckVerdict {
	/// The request whose result was checked.
	pub original: RequestId,
	/// The output digest its receipt signs.
	pub output_digest: Digest32,
	/// The digest of its generation evidence.
	pub generation: Digest32,
	/// Whether the re-execution agreed with the claim (within the tolerance).
	pub accepted: bool,
}

impl CheckVerdict {
	/// Length of its bytes.
	pub const LEN: usize = CHECK_VERDICT_DOMAIN.len() + 8 + 32 + 32 + 1;

	/// Its bytes (the check's output).
	pub fn to_bytes(&self) -> Vec<u8> {
		let mut bytes = CHECK_VERDICT_DOMAIN.to_vec();
		self.encode_to(&mut bytes);
		bytes
	}

	/// Reads a verdict from a check's output; `None` unless it is exactly one.
	pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
		let mut rest = bytes.strip_prefix(&CHECK_VERDICT_DOMAIN[..])?;
		let verdict = Self::decode(&mut rest).ok()?;
		rest.is_empty().then_some(verdict)
	}

	/// The verdict that accepts the result `receipt` signs, if it is an LLM result (its
	/// receipt commits to generation evidence): what an agreeing check returns.
	pub fn accepting<AccountId>(receipt: &crate::Receipt<AccountId>) -> Option<Self> {
		Some(CheckVerdict {
			original: receipt.request_id,
			output_digest: receipt.output_digest,
			generation: receipt.generation?,
			accepted: true,
		})
	}

	/// BLAKE2b-256 of its bytes: the output digest of the check that returned it.
	pub fn digest(&self) -> Digest32 {
		blake2_256(&self.to_bytes())
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	fn evidence(tokens: u32) -> GenerationEvidence {
		let fingerprints = (0..tokens.div_ceil(FINGERPRINT_INTERVAL))
			.map(|n| FingerprintRecord {
				token: n * FINGERPRINT_INTERVAL,
				indices: [0; FINGERPRINT_TOP_K],
				values: [0; FINGERPRINT_TOP_K],
			})
			.collect::<Vec<_>>();
		GenerationEvidence {
			tokens: (0..tokens).collect::<Vec<_>>().try_into().unwrap(),
			fingerprints: fingerprints.try_into().unwrap(),
		}
	}

	#[test]
	fn evidence_needs_a_fingerprint_per_checkpoint() {
		for tokens in [1, 7, 8, 9, 17, MAX_EVIDENCE_TOKENS] {
			assert!(evidence(tokens).is_well_formed(), "{tokens} tokens");
		}
		assert!(!evidence(0).is_well_formed());
		let mut missing = evidence(9);
		missing.fingerprints.pop();
		assert!(!missing.is_well_formed());
		let mut shifted = evidence(9);
		shifted.fingerprints[1].token = 9;
		assert!(!shifted.is_well_formed());
		let mut extra = evidence(8);
		extra.fingerprints.try_push(extra.fingerprints[0].clone()).unwrap();
		assert!(!extra.is_well_formed());
	}

	#[test]
	fn verdicts_round_trip_and_refuse_other_bytes() {
		let verdict = evidence(3).clone();
		let claim = GenerationClaim {
			original: 7,
			output_digest: [1; 32],
			usage: TokenUsage { prompt_tokens: 5, completion_tokens: 3 },
			evidence: verdict,
		};
		let accepted = claim.verdict(true);
		let bytes = accepted.to_bytes();
		assert_eq!(bytes.len(), CheckVerdict::LEN);
		assert_eq!(CheckVerdict::from_bytes(&bytes), Some(accepted));
		assert_ne!(accepted.digest(), claim.verdict(false).digest());
		assert_eq!(CheckVerdict::from_bytes(&bytes[1..]), None);
		assert_eq!(CheckVerdict::from_bytes(&[&bytes[..], &[0]].concat()), None);
		assert_eq!(CheckVerdict::from_bytes(&bytes[..bytes.len() - 1]), None);
	}
}
