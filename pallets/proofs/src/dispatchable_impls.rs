//! The `do_*` functions behind the calls and hooks, and what other pallets ask of this one.

use crate::*;
use alloc::vec::Vec;
use codec::Encode;
use frame_support::{pallet_prelude::*, traits::UnixTime};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::traits::{Saturating, Zero};
use verity_nitro_attestation::{self as nitro, AttestationDoc, Policy};
use verity_primitives::{
	blake2_256, tee_nonce, verify_batch_proof, AttestedSpan, BatchProofError, Digest32,
	LeafContext, PcrSet, RequestId, SigningKey, StorageLocation, TeeKind, PCR_LEN,
};

impl<T: Config> Pallet<T> {
	pub(crate) fn do_approve_pcr_set(kind: TeeKind, pcrs: PcrSet) -> DispatchResult {
		ensure!(!pcrs.is_debug(), Error::<T>::DebugPcrSet);
		let id = pcrs.id();
		ensure!(!ApprovedPcrSets::<T>::contains_key(id), Error::<T>::PcrSetAlreadyApproved);
		ApprovedPcrSets::<T>::insert(id, (kind, pcrs));
		Self::deposit_event(Event::PcrSetApproved { pcr_set: id, kind });
		Ok(())
	}

	pub(crate) fn do_revoke_pcr_set(pcr_set: Digest32) -> DispatchResult {
		let (kind, _) = ApprovedPcrSets::<T>::take(pcr_set).ok_or(Error::<T>::UnknownPcrSet)?;
		Self::deposit_event(Event::PcrSetRevoked { pcr_set, kind });
		Ok(())
	}

	pub(crate) fn do_set_attestation_root(root: RootCertificate) -> DispatchResult {
		let root_sha256 = sp_io::hashing::sha2_256(&root);
		AttestationRoot::<T>::put(root);
		// Certificates cached under the old root no longer chain to the pinned one.
		CertificateCache::<T>::kill();
		Self::deposit_event(Event::AttestationRootSet { root_sha256 });
		Ok(())
	}

	/// The block's wall-clock time in unix ms.
	pub(crate) fn now_ms() -> u64 {
		T::Time::now().as_millis().try_into().unwrap_or(u64::MAX)
	}

	/// The chain's genesis hash as receipts and nonces bind it.
	pub fn genesis_hash() -> [u8; 32] {
		verity_primitives::hash32(
			frame_system::Pallet::<T>::block_hash(BlockNumberFor::<T>::zero()).as_ref(),
		)
	}

	/// The nonce `worker`'s next attestation document must carry.
	pub fn next_nonce(worker: &T::AccountId) -> Digest32 {
		tee_nonce(&Self::genesis_hash(), worker, AttestationCount::<T>::get(worker))
	}

	/// Verifies `document` for `worker` and records it. Returns the ECDSA verifications done.
	pub(crate) fn do_attest(
		worker: T::AccountId,
		kind: TeeKind,
		document: AttestationDocument,
	) -> Result<u32, DispatchError> {
		let signing_key = T::Workers::signing_key(&worker).ok_or(Error::<T>::NotAWorker)?;
		let now_ms = Self::now_ms();
		let root = AttestationRoot::<T>::get();
		let mut cache =
			StorageCertCache::<T> { entries: CertificateCache::<T>::get(), now_ms, changed: false };
		let doc = nitro::verify_document(&document, &root, now_ms, &mut cache)
			.map_err(Self::attestation_error)?;

		// Policy: an approved, non-debug set of this kind; our nonce; fresh; our key.
		let pcrs = Self::pcr_set_of(&doc).ok_or(Error::<T>::PcrSetNotApproved)?;
		ensure!(!pcrs.is_debug(), Error::<T>::DebugModeEnclave);
		let pcr_set = pcrs.id();
		let approved_kind = ApprovedPcrSets::<T>::get(pcr_set)
			.map(|(kind, _)| kind)
			.ok_or(Error::<T>::PcrSetNotApproved)?;
		ensure!(approved_kind == kind, Error::<T>::PcrSetNotApproved);
		let nonce = Self::next_nonce(&worker);
		let expected_pcrs: [(u8, &[u8]); 3] = [(0, &pcrs.pcr0), (1, &pcrs.pcr1), (2, &pcrs.pcr2)];
		nitro::check_policy(
			&doc,
			&Policy {
				expected_pcrs: &expected_pcrs,
				expected_nonce: Some(&nonce),
				max_age_ms: T::MaxAttestationAge::get(),
				bound_key: &signing_key,
			},
			now_ms,
		)
		.map_err(Self::attestation_error)?;

		if cache.changed {
			CertificateCache::<T>::put(cache.entries);
		}
		// A document dated slightly ahead (clock skew) does not earn extra time.
		let live_until_ms = doc
			.timestamp_ms
			.min(now_ms)
			.saturating_add(T::AttestationValidity::get())
			.min(doc.chain_not_after_ms);
		let document_digest = blake2_256(&document);
		let mut module_id = doc.module_id.into_bytes();
		module_id.truncate(MAX_MODULE_ID_LEN as usize);
		Attestations::<T>::insert(
			&worker,
			TeeAttestation {
				kind,
				pcr_set,
				signing_key,
				module_id: BoundedVec::truncate_from(module_id),
				document_timestamp_ms: doc.timestamp_ms,
				live_until_ms,
				document_digest,
			},
		);
		AttestationCount::<T>::mutate(&worker, |count| count.saturating_inc());
		Self::record_span(&worker, signing_key, doc.timestamp_ms.min(now_ms), live_until_ms);
		Self::deposit_event(Event::WorkerAttested {
			worker,
			kind,
			pcr_set,
			live_until_ms,
			document_digest,
			signature_checks: doc.signature_checks,
		});
		Ok(doc.signature_checks)
	}

	/// Adds an attested span to `worker`'s history: merged into the last one when it continues
	/// it (same key, no gap), else appended, dropping the oldest when full.
	fn record_span(worker: &T::AccountId, signing_key: SigningKey, from_ms: u64, until_ms: u64) {
		AttestedSpans::<T>::mutate(worker, |spans| {
			if let Some(last) = spans.last_mut() {
				if last.signing_key == signing_key && from_ms <= last.until_ms {
					last.until_ms = last.until_ms.max(until_ms);
					return;
				}
			}
			if spans.is_full() {
				spans.remove(0);
			}
			let _ = spans.try_push(AttestedSpan { signing_key, from_ms, until_ms });
		});
	}

	/// PCR0..2 of a document as a set, if all three are present with SHA-384 length.
	fn pcr_set_of(doc: &AttestationDoc) -> Option<PcrSet> {
		let pcr = |index: u8| -> Option<[u8; PCR_LEN]> {
			doc.pcrs.get(&index)?.as_slice().try_into().ok()
		};
		Some(PcrSet { pcr0: pcr(0)?, pcr1: pcr(1)?, pcr2: pcr(2)? })
	}

	/// The pallet error for a verifier error.
	fn attestation_error(error: nitro::Error) -> DispatchError {
		use nitro::Error as E;
		match error {
			E::TooLarge
			| E::MalformedCose
			| E::MalformedPayload(_)
			| E::BundleTooLarge
			| E::EmptyBundle
			| E::BadPem => Error::<T>::MalformedAttestation,
			E::UnsupportedAlgorithm | E::UnsupportedDigest => {
				Error::<T>::UnsupportedAttestationAlgorithm
			},
			E::WrongRoot => Error::<T>::WrongAttestationRoot,
			E::MalformedCertificate
			| E::UnsupportedCriticalExtension
			| E::NameChainBroken
			| E::BadCertificateSignature { .. } => Error::<T>::BadCertificateChain,
			E::NotYetValid { .. } | E::Expired { .. } => Error::<T>::CertificateNotValidNow,
			E::NotACa | E::PathLengthExceeded | E::KeyUsageMissing | E::LeafIsCa => {
				Error::<T>::CertificateConstraintViolated
			},
			E::BadDocumentSignature => Error::<T>::BadAttestationSignature,
			E::DebugMode => Error::<T>::DebugModeEnclave,
			E::PcrMismatch { .. } => Error::<T>::PcrSetNotApproved,
			E::NonceMismatch => Error::<T>::WrongNonce,
			E::Stale | E::FromTheFuture => Error::<T>::StaleAttestation,
			E::KeyNotBound => Error::<T>::KeyNotBound,
		}
		.into()
	}

	/// Whether `worker` holds a live attestation for `signing_key` now: accepted, not past its
	/// heartbeat period or chain expiry, and its PCR set still approved for its kind.
	pub fn is_attested(worker: &T::AccountId, signing_key: &SigningKey) -> bool {
		let Some(attestation) = Attestations::<T>::get(worker) else { return false };
		attestation.signing_key == *signing_key
			&& Self::now_ms() <= attestation.live_until_ms
			&& ApprovedPcrSets::<T>::get(attestation.pcr_set)
				.is_some_and(|(kind, _)| kind == attestation.kind)
	}

	pub(crate) fn do_set_max_check_fee(cap: Option<BalanceOf<T>>) -> DispatchResult {
		MaxCheckFee::<T>::set(cap);
		Self::deposit_event(Event::MaxCheckFeeSet { cap });
		Ok(())
	}

	pub(crate) fn do_submit_batch(
		worker: T::AccountId,
		root: Digest32,
		leaf_count: u32,
		leaves_digest: Digest32,
		leaves_at: StorageLocation,
	) -> DispatchResult {
		let signing_key = T::Workers::signing_key(&worker).ok_or(Error::<T>::NotAWorker)?;
		ensure!(T::Workers::is_active(&worker), Error::<T>::WorkerNotActive);
		ensure!(leaf_count > 0, Error::<T>::EmptyBatch);
		ensure!(leaf_count <= verity_primitives::MAX_BATCH_LEAVES, Error::<T>::BatchTooLarge);
		ensure!(leaves_at.is_well_formed(), Error::<T>::MalformedLeavesLocation);
		let now = frame_system::Pallet::<T>::block_number();
		ensure!(LastBatchAt::<T>::get(&worker) != Some(now), Error::<T>::OneBatchPerBlock);
		LastBatchAt::<T>::insert(&worker, now);
		Self::add_exposure(&worker);
		let challenge_until = now.saturating_add(T::ChallengePeriod::get());
		let batch = NextBatchId::<T>::get();
		BatchWindows::<T>::try_append(challenge_until, batch)
			.map_err(|_| Error::<T>::BatchWindowFull)?;
		NextBatchId::<T>::put(batch.saturating_add(1));
		Batches::<T>::insert(
			batch,
			BatchRecord {
				worker: worker.clone(),
				signing_key,
				tee_live: Self::is_attested(&worker, &signing_key),
				root,
				leaf_count,
				leaves_digest,
				leaves_at: leaves_at.clone(),
				submitted_at: now,
				challenge_until,
				status: BatchStatus::Open,
			},
		);
		Self::deposit_event(Event::BatchSubmitted {
			batch,
			worker,
			root,
			leaf_count,
			leaves_digest,
			leaves_at,
			challenge_until,
		});
		Ok(())
	}

	pub(crate) fn do_challenge_leaf(
		reporter: T::AccountId,
		batch_id: BatchId,
		index: u32,
		leaf: BatchLeaf<T::AccountId>,
		proof: Vec<Digest32>,
	) -> DispatchResult {
		let batch = Batches::<T>::get(batch_id).ok_or(Error::<T>::UnknownBatch)?;
		ensure!(batch.status == BatchStatus::Open, Error::<T>::BatchAlreadyFaulted);
		ensure!(reporter != batch.worker, Error::<T>::SelfChallenge);
		let encoded = leaf.encode();
		verify_batch_proof(&batch.root, batch.leaf_count, index, &encoded, &proof).map_err(
			|error| match error {
				BatchProofError::IndexOutOfRange => Error::<T>::LeafIndexOutOfRange,
				BatchProofError::WrongDepth => Error::<T>::WrongProofDepth,
				BatchProofError::RootMismatch => Error::<T>::BadMerkleProof,
			},
		)?;
		let fault = Self::leaf_fault(&batch.worker, &batch.signing_key, &leaf)
			.ok_or(Error::<T>::LeafValid)?;

		Batches::<T>::mutate(batch_id, |record| {
			if let Some(record) = record {
				record.status = BatchStatus::Faulted;
			}
		});
		Self::deposit_event(Event::BatchFaulted { batch: batch_id, index, fault });
		Self::slash(&batch.worker, fault, blake2_256(&encoded), reporter);
		Ok(())
	}

	pub(crate) fn do_record_receipt(leaf: BatchLeaf<T::AccountId>) -> DispatchResult {
		let worker = leaf.receipt.worker.clone();
		let signing_key = T::Workers::signing_key(&worker).ok_or(Error::<T>::InvalidReceipt)?;
		ensure!(
			Self::leaf_fault(&worker, &signing_key, &leaf).is_none(),
			Error::<T>::InvalidReceipt
		);
		Self::deposit_event(Event::ReceiptRecorded {
			worker,
			request_id: leaf.receipt.request_id,
			receipt_digest: blake2_256(&leaf.encode()),
			output_digest: leaf.receipt.output_digest,
		});
		Ok(())
	}

	/// What is wrong with a direct receipt `worker` answers for, if anything: the shared rule
	/// of [`BatchLeaf::fault`] (chain, direct context, the version's spec hash, worker,
	/// signature, and for TEE an attestation live when it was signed).
	fn leaf_fault(
		worker: &T::AccountId,
		signing_key: &SigningKey,
		leaf: &BatchLeaf<T::AccountId>,
	) -> Option<Fault> {
		let spec_hash = T::Executor::spec_hash(&leaf.receipt.model);
		let attested = AttestedSpans::<T>::get(worker);
		let context = LeafContext {
			worker,
			signing_key,
			genesis_hash: &Self::genesis_hash(),
			spec_hash: spec_hash.as_ref(),
			attested: &attested,
		};
		leaf.fault(&context, |signature, payload, key| {
			sp_io::crypto::sr25519_verify(
				&sp_core::sr25519::Signature::from_raw(*signature),
				payload,
				&sp_core::sr25519::Public::from_raw(*key),
			)
		})
		.map(Fault::from)
	}

	/// A ZKML answer's proof never came within its window: slash the worker like an invalid
	/// proof (the inference pallet already refunded the request).
	pub fn punish_missing_proof(request: RequestId, worker: &T::AccountId, evidence: Digest32) {
		let evidence = blake2_256(&(b"verity/missing-proof", request, evidence).encode());
		Self::slash(worker, Fault::MissingZkProof, evidence, T::TreasuryAccount::get());
	}

	/// Takes `FaultSlash` of the worker's stake: `ReporterShare` of it to the reporter, the
	/// rest to the treasury.
	pub(crate) fn slash(
		worker: &T::AccountId,
		fault: Fault,
		evidence: Digest32,
		reporter: T::AccountId,
	) {
		let amount = T::FaultSlash::get() * T::Workers::stake(worker);
		let reward = T::ReporterShare::get() * amount;
		let reporter_reward = T::Workers::slash(worker, reward, &reporter);
		let to_treasury = amount.saturating_sub(reward);
		let treasury = T::Workers::slash(worker, to_treasury, &T::TreasuryAccount::get());
		Self::deposit_event(Event::WorkerSlashed {
			worker: worker.clone(),
			fault,
			evidence,
			amount: reporter_reward.saturating_add(treasury),
			reporter,
			reporter_reward,
		});
	}

	/// One more open batch or check could slash `worker`.
	pub(crate) fn add_exposure(worker: &T::AccountId) {
		Exposure::<T>::mutate(worker, |open| *open = open.saturating_add(1));
	}

	/// One open batch or check that could slash `worker` ended.
	pub(crate) fn release_exposure(worker: &T::AccountId) {
		Exposure::<T>::mutate_exists(worker, |open| {
			let left = open.unwrap_or_default().saturating_sub(1);
			*open = (left > 0).then_some(left);
		});
	}

	/// The verification path may still slash `worker` (its stake must stay).
	pub fn holds_stake(worker: &T::AccountId) -> bool {
		Exposure::<T>::get(worker) > 0
	}

	/// Ends the challenge windows that closed in `block`: removes those batches (faulted ones
	/// silently). Returns how many it removed.
	pub(crate) fn do_finalize_batches(block: BlockNumberFor<T>) -> u32 {
		let ids = BatchWindows::<T>::take(block);
		let mut removed = 0;
		for batch in ids {
			let Some(record) = Batches::<T>::take(batch) else { continue };
			removed += 1;
			Self::release_exposure(&record.worker);
			if record.status == BatchStatus::Open {
				Self::deposit_event(Event::BatchFinalized { batch });
			}
		}
		removed
	}
}
