#![doc = include_str!("../README.md")]
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
mod dispatchable_impls;
#[cfg(test)]
mod mock;
pub mod offchain;
pub mod sampling;
#[cfg(test)]
mod tests;
pub mod types;
pub mod weights;
pub mod zk;
#[cfg(test)]
mod zk_tests;

pub use types::*;
pub use weights::WeightInfo;

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use alloc::vec::Vec;
	use frame_support::{
		pallet_prelude::*,
		traits::{
			fungible::{Inspect, MutateHold},
			UnixTime,
		},
	};
	use frame_system::pallet_prelude::*;
	use sp_runtime::{Perbill, Permill};
	use verity_primitives::{
		AttestedSpan, Digest32, PcrSet, ReceiptSignature, RequestId, StorageLocation, TeeKind,
		ZkProofBytes, MAX_ATTESTED_SPANS,
	};

	#[pallet::pallet]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config:
		frame_system::Config<RuntimeEvent: From<Event<Self>>>
		+ frame_system::offchain::CreateAuthorizedTransaction<Call<Self>>
	{
		/// The currency stake is counted in and dispute bonds are held in.
		type Currency: Inspect<Self::AccountId>
			+ MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>;

		/// The overarching hold reason.
		type RuntimeHoldReason: From<HoldReason>;

		/// The workers' stake (the inference pallet).
		type Workers: WorkerStakes<Self::AccountId, BalanceOf<Self>>;

		/// Wall-clock time of the block (the timestamp pallet): certificates and documents are
		/// checked against it, never against a system clock.
		type Time: UnixTime;

		/// Who approves and revokes PCR sets, sets the attestation root and caps what a
		/// sampled check may cost the sampling pot (governance).
		type ApproveOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// Receives the slashed stake that does not go to the reporter.
		#[pallet::constant]
		type TreasuryAccount: Get<Self::AccountId>;

		/// How long an accepted attestation counts (the heartbeat period), in ms.
		#[pallet::constant]
		type AttestationValidity: Get<u64>;

		/// Oldest document accepted, by its timestamp, in ms.
		#[pallet::constant]
		type MaxAttestationAge: Get<u64>;

		/// Most verified certificates cached at once.
		#[pallet::constant]
		type MaxCachedCertificates: Get<u32>;

		/// Blocks during which a batch's leaves can be challenged.
		#[pallet::constant]
		type ChallengePeriod: Get<BlockNumberFor<Self>>;

		/// Most batches whose challenge window ends in one block.
		#[pallet::constant]
		type MaxBatchesPerBlock: Get<u32>;

		/// Share of a worker's stake a proven fault costs.
		#[pallet::constant]
		type FaultSlash: Get<Perbill>;

		/// Share of a slash paid to whoever submitted the evidence; the rest goes to the
		/// treasury.
		#[pallet::constant]
		type ReporterShare: Get<Permill>;

		/// Re-executes jobs on other workers (the inference pallet).
		type Executor: ReExecutor<Self::AccountId, BalanceOf<Self>>;

		/// Source of the randomness that samples results.
		type Randomness: frame_support::traits::Randomness<Self::Hash, BlockNumberFor<Self>>;

		/// Share of settled deterministic results re-executed by another worker.
		#[pallet::constant]
		type SampleRate: Get<Perbill>;

		/// Pays the checks of sampled results (funded by the inference pallet's sampling
		/// premium). A check it cannot cover is skipped; the treasury never pays for sampling.
		#[pallet::constant]
		type SamplingPot: Get<Self::AccountId>;

		/// Held from whoever disputes a result: paid to the disputed worker when the
		/// re-execution confirms the result, released otherwise.
		#[pallet::constant]
		type DisputeBond: Get<BalanceOf<Self>>;

		/// Most draws (sampling, checker, arbiter) made in one block (each may open a check
		/// request).
		#[pallet::constant]
		type MaxDrawsPerBlock: Get<u32>;

		/// How many blocks ahead a draw may be pushed when the next blocks' draws are full.
		#[pallet::constant]
		type MaxDrawDelay: Get<u32>;

		/// ZKML answers awaiting their proof (the inference pallet, with the Model Hub's keys).
		type ZkResults: ZkResults<Self::AccountId>;

		/// Weights of the calls, measured by the benchmarks.
		type WeightInfo: WeightInfo;

		/// Sets up workers for the benchmarks.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: BenchmarkHelper<Self::AccountId>;
	}

	/// The pinned root certificate (DER) of attestation chains (AWS Nitro Enclaves root G1 on
	/// Verity chains).
	#[pallet::storage]
	pub type AttestationRoot<T: Config> = StorageValue<_, RootCertificate, ValueQuery>;

	/// The most one sampled check (or arbitration) may cost the sampling pot, set by
	/// governance ([`Pallet::set_max_check_fee`]); none: the original worker's fee bounds it.
	/// A sample whose check would cost more is skipped. Disputers' checks are not capped.
	#[pallet::storage]
	pub type MaxCheckFee<T: Config> = StorageValue<_, BalanceOf<T>, OptionQuery>;

	/// Approved enclave measurements by set id, with the kind of worker they are for.
	#[pallet::storage]
	pub type ApprovedPcrSets<T: Config> = StorageMap<_, Identity, Digest32, (TeeKind, PcrSet)>;

	/// Each TEE worker's latest accepted attestation.
	#[pallet::storage]
	pub type Attestations<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, TeeAttestation>;

	/// How many attestations each worker has had accepted (the counter in its next nonce).
	#[pallet::storage]
	pub type AttestationCount<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, u64, ValueQuery>;

	/// Certificates (SHA-256 of the DER) whose chain to the root verified, with their notAfter
	/// (unix ms).
	#[pallet::storage]
	pub type CertificateCache<T: Config> =
		StorageValue<_, BoundedVec<(Digest32, u64), T::MaxCachedCertificates>, ValueQuery>;

	/// Id of the next batch.
	#[pallet::storage]
	pub type NextBatchId<T: Config> = StorageValue<_, BatchId, ValueQuery>;

	/// Batches inside their challenge window.
	#[pallet::storage]
	pub type Batches<T: Config> = StorageMap<_, Twox64Concat, BatchId, BatchRecordOf<T>>;

	/// Batches by the last block of their challenge window; finalized in the following block.
	#[pallet::storage]
	pub type BatchWindows<T: Config> = StorageMap<
		_,
		Twox64Concat,
		BlockNumberFor<T>,
		BoundedVec<BatchId, T::MaxBatchesPerBlock>,
		ValueQuery,
	>;

	/// Results under re-execution, by original request.
	#[pallet::storage]
	pub type Samples<T: Config> =
		StorageMap<_, Twox64Concat, RequestId, SampleRecord<T::AccountId>>;

	/// How many open batches and checks may still slash each worker (its stake cannot be
	/// withdrawn while this is above zero).
	#[pallet::storage]
	pub type Exposure<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, u32, ValueQuery>;

	/// Results whose re-execution reached a verdict (confirmed, slashed or unresolved); they
	/// cannot be disputed again.
	#[pallet::storage]
	pub type Judged<T: Config> = StorageMap<_, Twox64Concat, RequestId, ()>;

	/// The bond each open dispute holds: (disputer, amount), by disputed request.
	#[pallet::storage]
	pub type DisputeBonds<T: Config> =
		StorageMap<_, Twox64Concat, RequestId, (T::AccountId, BalanceOf<T>)>;

	/// Draws waiting for a later block's randomness, by the block in whose `on_initialize` they
	/// are made (always after the block that queued them).
	#[pallet::storage]
	pub type PendingDraws<T: Config> = StorageMap<
		_,
		Twox64Concat,
		BlockNumberFor<T>,
		BoundedVec<Draw, T::MaxDrawsPerBlock>,
		ValueQuery,
	>;

	/// The earliest block whose draw bucket may still have room.
	#[pallet::storage]
	pub type DrawCursor<T: Config> = StorageValue<_, BlockNumberFor<T>, ValueQuery>;

	/// Each worker's recent attested spans (contiguous heartbeats merged, the oldest dropped
	/// beyond `MAX_ATTESTED_SPANS`): TEE leaves are judged by the span their time falls in.
	#[pallet::storage]
	pub type AttestedSpans<T: Config> = StorageMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		BoundedVec<AttestedSpan, ConstU32<MAX_ATTESTED_SPANS>>,
		ValueQuery,
	>;

	/// The last block in which each worker posted a batch (one batch per worker per block, so
	/// that one worker cannot fill every challenge-window slot).
	#[pallet::storage]
	pub type LastBatchAt<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, BlockNumberFor<T>>;

	/// Why the pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// A disputer's bond, until the dispute ends.
		DisputeBond,
	}

	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// The attestation root certificate (DER). PCR sets are approved by governance.
		pub attestation_root: Vec<u8>,
		#[serde(skip)]
		pub _config: core::marker::PhantomData<T>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			let root = RootCertificate::try_from(self.attestation_root.clone())
				.expect("genesis attestation root fits MAX_ROOT_LEN");
			AttestationRoot::<T>::put(root);
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// Governance approved enclave measurements for a kind of worker.
		PcrSetApproved {
			/// The set's id (BLAKE2b-256 of PCR0 ‖ PCR1 ‖ PCR2).
			pcr_set: Digest32,
			/// The kind of worker it is for.
			kind: TeeKind,
		},
		/// Governance revoked enclave measurements; every worker attested with them is no
		/// longer live.
		PcrSetRevoked {
			/// The set's id.
			pcr_set: Digest32,
			/// The kind of worker it was for.
			kind: TeeKind,
		},
		/// Governance replaced the attestation root certificate.
		AttestationRootSet {
			/// SHA-256 of the new root's DER.
			root_sha256: Digest32,
		},
		/// A worker's attestation was verified and accepted (first time or heartbeat).
		WorkerAttested {
			/// The worker.
			worker: T::AccountId,
			/// What its enclave runs.
			kind: TeeKind,
			/// The approved set its measurements matched.
			pcr_set: Digest32,
			/// The attestation counts until then (unix ms).
			live_until_ms: u64,
			/// BLAKE2b-256 of the document.
			document_digest: Digest32,
			/// ECDSA P-384 verifications it took (fewer when certificates were cached).
			signature_checks: u32,
		},
		/// A worker posted a batch of receipts.
		BatchSubmitted {
			/// The batch.
			batch: BatchId,
			/// The worker.
			worker: T::AccountId,
			/// Merkle root over the leaves.
			root: Digest32,
			/// Number of leaves.
			leaf_count: u32,
			/// BLAKE2b-256 of the leaves file in the artifact store.
			leaves_digest: Digest32,
			/// Where anyone can fetch the leaves file.
			leaves_at: StorageLocation,
			/// Last block in which a leaf can be challenged.
			challenge_until: BlockNumberFor<T>,
		},
		/// A batch's challenge window ended without a proven fault: its receipts are final.
		BatchFinalized {
			/// The batch.
			batch: BatchId,
		},
		/// A challenged leaf was proven invalid.
		BatchFaulted {
			/// The batch.
			batch: BatchId,
			/// The leaf's index.
			index: u32,
			/// What was wrong with it.
			fault: Fault,
		},
		/// A settled result was picked for re-execution (or disputed) and a check opened.
		ResultSampled {
			/// The original request.
			request: RequestId,
			/// The check request.
			check: RequestId,
			/// The worker re-executing it.
			checker: T::AccountId,
			/// Who disputed it (`None`: sampled at random).
			disputer: Option<T::AccountId>,
		},
		/// A dispute was accepted and its bond held; its checker is drawn in a later block.
		DisputeAccepted {
			/// The disputed request.
			request: RequestId,
			/// Who disputed it (pays the re-executions).
			disputer: T::AccountId,
			/// The bond held from the disputer.
			bond: BalanceOf<T>,
			/// The first block in which the checker can be drawn.
			draw_after: BlockNumberFor<T>,
		},
		/// A dispute ended and its bond was settled.
		DisputeBondSettled {
			/// The disputed request.
			request: RequestId,
			/// Who posted the bond.
			disputer: T::AccountId,
			/// The bond.
			amount: BalanceOf<T>,
			/// `Some(worker)`: the result was confirmed and the bond paid to its worker;
			/// `None`: released to the disputer.
			paid_to: Option<T::AccountId>,
		},
		/// A picked result could not be checked: no other worker serves the version, or the
		/// payer cannot cover the check.
		SampleSkipped {
			/// The original request.
			request: RequestId,
		},
		/// Governance changed the cap on what one sampled check may cost the sampling pot.
		MaxCheckFeeSet {
			/// The new cap; none: the original worker's fee bounds each check.
			cap: Option<BalanceOf<T>>,
		},
		/// The re-execution agreed: the result stands.
		ResultConfirmed {
			/// The original request.
			request: RequestId,
			/// The worker that re-executed it.
			checker: T::AccountId,
		},
		/// The re-execution disagreed; a third worker decides.
		ResultDisputed {
			/// The original request.
			request: RequestId,
			/// The worker whose re-execution disagreed.
			checker: T::AccountId,
			/// The arbiter's request.
			check: RequestId,
			/// The arbiter.
			arbiter: T::AccountId,
		},
		/// A dispute ended without a majority (three different outputs, no arbiter available,
		/// or the arbiter did not answer): nobody is slashed.
		DisputeUnresolved {
			/// The original request.
			request: RequestId,
		},
		/// A check was declined (its worker could not fetch the input); another worker is
		/// drawn in a later block.
		CheckRedrawn {
			/// The original request.
			request: RequestId,
			/// The declined check.
			check: RequestId,
			/// The worker that declined it (never drawn again for this result).
			decliner: T::AccountId,
		},
		/// A check expired unanswered (its worker pays the timeout penalty), or
		/// `MAX_DECLINES` workers declined it; the sample is dropped.
		SampleAbandoned {
			/// The original request.
			request: RequestId,
			/// The expired check.
			check: RequestId,
		},
		/// A receipt of an off-chain request was checked and recorded individually.
		ReceiptRecorded {
			/// The worker that signed it.
			worker: T::AccountId,
			/// The worker's number for the off-chain request.
			request_id: RequestId,
			/// BLAKE2b-256 of the SCALE-encoded leaf (receipt and signature).
			receipt_digest: Digest32,
			/// BLAKE2b-256 of the output.
			output_digest: Digest32,
		},
		/// A ZK proof verified: the request settled and was paid.
		ZkProofVerified {
			/// The request proved.
			request: RequestId,
			/// The worker that proved it.
			worker: T::AccountId,
		},
		/// A ZK proof was rejected: the request was refunded (and the worker slashed, unless
		/// the reason is `KeyUnusable`).
		ZkProofRejected {
			/// The request.
			request: RequestId,
			/// The worker that submitted the proof.
			worker: T::AccountId,
			/// Why.
			reason: ZkRejection,
		},
		WorkerSlashed {
			/// The worker.
			worker: T::AccountId,
			/// What it did.
			fault: Fault,
			/// BLAKE2b-256 of the evidence (the SCALE-encoded leaf).
			evidence: Digest32,
			/// Stake taken in all.
			amount: BalanceOf<T>,
			/// Who submitted the evidence.
			reporter: T::AccountId,
			/// The part of `amount` paid to the reporter (the rest went to the treasury).
			reporter_reward: BalanceOf<T>,
		},
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The PCR set is all zeros (debug mode) and cannot be approved.
		DebugPcrSet,
		/// The PCR set is already approved.
		PcrSetAlreadyApproved,
		/// No approved PCR set has this id.
		UnknownPcrSet,
		/// The root certificate is longer than `MAX_ROOT_LEN`.
		RootTooLong,
		/// The account is not a registered worker.
		NotAWorker,
		/// The document is not a well-formed COSE_Sign1 attestation (bad CBOR, missing or
		/// mistyped fields, too large, or too many certificates).
		MalformedAttestation,
		/// The document is not signed with ES384 or does not use SHA-384 PCRs.
		UnsupportedAttestationAlgorithm,
		/// The certificate chain does not start at the pinned root.
		WrongAttestationRoot,
		/// A certificate of the chain is malformed or not issued by the one above it.
		BadCertificateChain,
		/// A certificate of the chain is not valid at the block timestamp (expired or not yet
		/// valid).
		CertificateNotValidNow,
		/// A certificate breaks its CA constraints (basic constraints, path length or key
		/// usage).
		CertificateConstraintViolated,
		/// The document's signature does not verify with the leaf certificate's key.
		BadAttestationSignature,
		/// The enclave runs in debug mode (all-zero PCRs).
		DebugModeEnclave,
		/// The enclave's PCR0..2 are not an approved set for this kind of worker.
		PcrSetNotApproved,
		/// The document's nonce is not the worker's current challenge (replayed, or for
		/// another chain or worker).
		WrongNonce,
		/// The document is older than `MaxAttestationAge` or dated in the future.
		StaleAttestation,
		/// Neither the document's `public_key` nor its `user_data` is the worker's signing key.
		KeyNotBound,
		/// A batch needs at least one leaf.
		EmptyBatch,
		/// A batch has at most `verity_primitives::MAX_BATCH_LEAVES` leaves, so that every
		/// challenger can fetch its leaves file whole.
		BatchTooLarge,
		/// The leaves file's location is not a well-formed URL or content id.
		MalformedLeavesLocation,
		/// Too many batches already end their challenge window in this block.
		BatchWindowFull,
		/// No batch with this id is inside its challenge window.
		UnknownBatch,
		/// The batch was already proven faulty.
		BatchAlreadyFaulted,
		/// The leaf index is not below the batch's leaf count.
		LeafIndexOutOfRange,
		/// The proof has more or fewer hashes than the tree's depth at that index.
		WrongProofDepth,
		/// The proof does not lead to the batch's root.
		BadMerkleProof,
		/// The leaf is valid: nothing to slash.
		LeafValid,
		/// No settled original result has this request id.
		UnknownResult,
		/// The result cannot be checked: its model is neither Verity's integer format (whose
		/// outputs are compared) nor a chat model (whose evidence is re-executed).
		ModelNotDeterministic,
		/// The result is already being re-executed.
		AlreadyUnderCheck,
		/// Every draw bucket of the next `MaxDrawDelay` blocks is full; try again later.
		DrawQueueFull,
		/// The disputer cannot cover the dispute bond.
		InsufficientBond,
		/// The result was proved (ZKML): it is final and cannot be disputed.
		ResultProved,
		/// The input's digest differs from the one the result's receipt binds.
		InputMismatch,
		/// The result's re-execution already reached a verdict.
		AlreadyJudged,
		/// The worker is unbonding (or not registered) and posts no more batches.
		WorkerNotActive,
		/// The worker already posted a batch in this block.
		OneBatchPerBlock,
		/// A worker cannot challenge its own batch.
		SelfChallenge,
		/// The receipt is not valid: another chain, an unregistered worker, a bad signature, or
		/// TEE mode without a live attestation.
		InvalidReceipt,
		/// No ZKML answer of this request awaits a proof (never answered, already judged or
		/// expired).
		NotAwaitingProof,
		/// The proof submission is not signed by the answering worker's key.
		BadProofSignature,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn on_initialize(now: BlockNumberFor<T>) -> Weight {
			use sp_runtime::traits::{One, Zero};
			if now.is_zero() {
				return Weight::zero();
			}
			let finalized = Self::do_finalize_batches(now - One::one());
			let drawn = Self::do_make_draws(now);
			let db = T::DbWeight::get();
			T::WeightInfo::finalize_batches(finalized)
				.saturating_add(db.reads_writes(1, 1))
				.saturating_add(
					T::Executor::open_check_weight()
						.saturating_add(db.reads_writes(8, 8))
						.saturating_mul(u64::from(drawn)),
				)
		}

		fn offchain_worker(now: BlockNumberFor<T>) {
			offchain::run::<T>(now);
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Approve enclave measurements for a kind of TEE worker.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::approve_pcr_set())]
		pub fn approve_pcr_set(
			origin: OriginFor<T>,
			kind: TeeKind,
			pcrs: PcrSet,
		) -> DispatchResult {
			T::ApproveOrigin::ensure_origin(origin)?;
			Self::do_approve_pcr_set(kind, pcrs)
		}

		/// Revoke approved measurements: every worker attested with them stops being live.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::revoke_pcr_set())]
		pub fn revoke_pcr_set(origin: OriginFor<T>, pcr_set: Digest32) -> DispatchResult {
			T::ApproveOrigin::ensure_origin(origin)?;
			Self::do_revoke_pcr_set(pcr_set)
		}

		/// Replace the pinned attestation root certificate (DER), e.g. when AWS rotates it.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::set_attestation_root())]
		pub fn set_attestation_root(origin: OriginFor<T>, root: RootCertificate) -> DispatchResult {
			T::ApproveOrigin::ensure_origin(origin)?;
			Self::do_set_attestation_root(root)
		}

		/// Submit the caller's attestation document (first registration and every heartbeat).
		/// Charged for the longest chain up front and refunded by the signatures it checked.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::attest(verity_nitro_attestation::MAX_CABUNDLE as u32 + 1))]
		pub fn attest(
			origin: OriginFor<T>,
			kind: TeeKind,
			document: AttestationDocument,
		) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			let checks = Self::do_attest(who, kind, document)?;
			// A heartbeat with a cached chain parses every certificate but verifies two.
			let used = if checks <= 2 {
				T::WeightInfo::attest(checks).max(T::WeightInfo::attest_cached())
			} else {
				T::WeightInfo::attest(checks)
			};
			Ok(Some(used).into())
		}

		/// Post the Merkle root of a batch of receipts the caller signed, with the digest of
		/// its leaves file and where anyone can fetch it.
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::submit_batch())]
		pub fn submit_batch(
			origin: OriginFor<T>,
			root: Digest32,
			leaf_count: u32,
			leaves_digest: Digest32,
			leaves_at: StorageLocation,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_submit_batch(who, root, leaf_count, leaves_digest, leaves_at)
		}

		/// Prove one leaf of an open batch invalid; the worker is slashed and the caller
		/// rewarded. A valid leaf or a bad proof is an error and changes nothing.
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::challenge_leaf(proof.len() as u32))]
		pub fn challenge_leaf(
			origin: OriginFor<T>,
			batch: BatchId,
			index: u32,
			leaf: BatchLeaf<T::AccountId>,
			proof: BoundedVec<Digest32, ConstU32<{ verity_primitives::MAX_BATCH_PROOF_DEPTH }>>,
		) -> DispatchResult {
			let reporter = ensure_signed(origin)?;
			Self::do_challenge_leaf(reporter, batch, index, leaf, proof.into_inner())
		}

		/// Dispute a settled result of a deterministic model: another worker, drawn in the next
		/// block, re-executes the job with the original request's input, paid by the caller; a
		/// disagreement goes to a third worker and the minority is slashed. Proved (ZKML)
		/// results cannot be disputed.
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::dispute_result())]
		pub fn dispute_result(origin: OriginFor<T>, request: RequestId) -> DispatchResult {
			let disputer = ensure_signed(origin)?;
			Self::do_dispute_result(disputer, request)
		}

		/// Record the receipt of an off-chain request individually (settlement mode
		/// `Individual`): the chain checks it now (chain, worker, signature, attestation for
		/// TEE) and records it in an event. Anyone may submit a receipt.
		#[pallet::call_index(7)]
		#[pallet::weight(T::WeightInfo::record_receipt())]
		pub fn record_receipt(
			origin: OriginFor<T>,
			leaf: BatchLeaf<T::AccountId>,
		) -> DispatchResult {
			ensure_signed(origin)?;
			Self::do_record_receipt(leaf)
		}

		/// Submits the ZK proof of a ZKML answer. Sent by the answering worker's node as an
		/// authorized general transaction (no fee, no account): the worker key's signature over
		/// [`verity_primitives::zk_proof_payload`] is the authorization. The proof is verified
		/// in dispatch: valid settles and pays the request, invalid slashes the worker and
		/// refunds the requester.
		#[pallet::call_index(8)]
		#[pallet::weight(T::WeightInfo::submit_proof().saturating_add(T::ZkResults::accept_weight()))]
		#[pallet::authorize(|_source, request, proof, signature| {
			Pallet::<T>::authorize_submit_proof(*request, proof, signature)
		})]
		#[pallet::weight_of_authorize(T::WeightInfo::authorize_submit_proof())]
		pub fn submit_proof(
			origin: OriginFor<T>,
			request: RequestId,
			proof: ZkProofBytes,
			signature: ReceiptSignature,
		) -> DispatchResult {
			frame_system::ensure_authorized(origin)?;
			Self::do_submit_proof(request, proof, signature)
		}

		/// Cap what one sampled check may cost the sampling pot (`None` lifts the cap).
		#[pallet::call_index(9)]
		#[pallet::weight(T::WeightInfo::set_max_check_fee())]
		pub fn set_max_check_fee(
			origin: OriginFor<T>,
			cap: Option<BalanceOf<T>>,
		) -> DispatchResult {
			T::ApproveOrigin::ensure_origin(origin)?;
			Self::do_set_max_check_fee(cap)
		}
	}
}
