//! ZK proofs of ZKML answers: authorization of a submission and its verdict.
//!
//! The verifier is `verity-zkml`'s Groth16 check, run over
//! [`sp_crypto_ec_utils::bls12_381::Bls12_381`]: the curve whose pairing and multi-scalar
//! multiplication are host functions, so the WASM runtime hands the heavy arithmetic to the node.
//! The verifying key was validated when its owner uploaded it; the proof (untrusted) is decoded
//! with its points checked to be on the curve and in the prime-order subgroup.

use crate::*;
use codec::Encode;
use frame_support::pallet_prelude::*;
use sp_runtime::transaction_validity::{
	InvalidTransaction, TransactionValidityError, TransactionValidityWithRefund, ValidTransaction,
};
use verity_primitives::{zk_proof_payload, ReceiptSignature, RequestId, ZkProofBytes};
use verity_zkml::verifier::{self, ZkError};

/// The pairing the runtime verifies with: BLS12-381 through the node's host functions.
pub type RuntimeBls12_381 = sp_crypto_ec_utils::bls12_381::Bls12_381;

/// Priority of proof transactions: as high as results, so that proofs beat deadlines.
const PROOF_PRIORITY: u64 = 1 << 20;
/// Blocks a proof transaction stays valid in the pool.
const PROOF_LONGEVITY: u64 = 32;

/// Why a proof submission is refused in the pool (`InvalidTransaction::Custom`).
#[repr(u8)]
pub enum ProofSubmissionRejection {
	/// The signature is not by the answering worker's key.
	BadSignature = 1,
}

impl<T: Config> Pallet<T> {
	/// Whether `signature` by the answering worker's key covers this proof for the binding of
	/// the answer the chain recorded. Reads only the answer's signer and binding: the cheap
	/// check that fee-less spam fails before anything large (the verifying key, the input) is
	/// read.
	fn check_proof_signature(
		request: RequestId,
		proof: &[u8],
		signature: &ReceiptSignature,
	) -> Result<(), Error<T>> {
		let (signing_key, binding) =
			T::ZkResults::signer(request).ok_or(Error::<T>::NotAwaitingProof)?;
		let valid = sp_io::crypto::sr25519_verify(
			&sp_core::sr25519::Signature::from_raw(*signature),
			&zk_proof_payload(&Self::genesis_hash(), request, &binding, proof),
			&sp_core::sr25519::Public::from_raw(signing_key),
		);
		ensure!(valid, Error::<T>::BadProofSignature);
		Ok(())
	}

	/// The answer awaiting a proof, if `signature` by its worker's key covers this proof for
	/// that answer's binding (the signature is checked first).
	fn check_proof_submission(
		request: RequestId,
		proof: &[u8],
		signature: &ReceiptSignature,
	) -> Result<AwaitingZkProof<T::AccountId>, Error<T>> {
		Self::check_proof_signature(request, proof, signature)?;
		T::ZkResults::awaiting(request).ok_or(Error::<T>::NotAwaitingProof)
	}

	/// The `#[pallet::authorize]` rule of `submit_proof`: the answer awaits a proof and the
	/// submission is signed by its worker. Provides the request id, so one proof per request
	/// enters the pool.
	pub(crate) fn authorize_submit_proof(
		request: RequestId,
		proof: &[u8],
		signature: &ReceiptSignature,
	) -> TransactionValidityWithRefund {
		Self::check_proof_signature(request, proof, signature).map_err(|error| {
			TransactionValidityError::Invalid(match error {
				Error::<T>::BadProofSignature => {
					InvalidTransaction::Custom(ProofSubmissionRejection::BadSignature as u8)
				},
				_ => InvalidTransaction::Stale,
			})
		})?;
		let validity = ValidTransaction::with_tag_prefix("VerityZkProof")
			.and_provides(request)
			.priority(PROOF_PRIORITY)
			.longevity(PROOF_LONGEVITY)
			.propagate(true)
			.build()?;
		Ok((validity, Weight::zero()))
	}

	/// Verifies `proof` for an awaiting answer: its version's key, the answer's binding, the
	/// request's input and the answer's output (the same check in dispatch and offchain).
	pub fn check_proof(
		awaiting: &AwaitingZkProof<T::AccountId>,
		proof: &[u8],
	) -> Result<(), ZkError> {
		verifier::verify_bytes::<RuntimeBls12_381>(
			&awaiting.verifying_key,
			proof,
			&awaiting.binding,
			&awaiting.input,
			&awaiting.output,
		)
	}

	/// Verifies the proof and judges the answer: pay, or slash and refund.
	pub(crate) fn do_submit_proof(
		request: RequestId,
		proof: ZkProofBytes,
		signature: ReceiptSignature,
	) -> DispatchResult {
		let awaiting = Self::check_proof_submission(request, &proof, &signature)?;
		let verdict = Self::check_proof(&awaiting, &proof);
		let worker = awaiting.worker;
		let reason = match verdict {
			Ok(()) => {
				T::ZkResults::accept(request)?;
				Self::deposit_event(Event::ZkProofVerified { request, worker });
				return Ok(());
			},
			Err(ZkError::MalformedProof) => ZkRejection::MalformedProof,
			Err(ZkError::ProofRejected) => ZkRejection::ProofRejected,
			// MalformedKey, KeyTooLarge, WrongInputCount: the key, not the proof.
			Err(_) => ZkRejection::KeyUnusable,
		};
		T::ZkResults::reject(request)?;
		if reason != ZkRejection::KeyUnusable {
			// The evidence: the signed answer and the signed proof that fails for it.
			let evidence = verity_primitives::blake2_256(
				&(awaiting.evidence, request, &proof[..], signature).encode(),
			);
			Self::slash(&worker, Fault::InvalidZkProof, evidence, T::TreasuryAccount::get());
		}
		Self::deposit_event(Event::ZkProofRejected { request, worker, reason });
		Ok(())
	}
}
