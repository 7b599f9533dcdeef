#![doc = include_str!("../README.md")]
#![cfg_attr(not(feature = "std"), no_std)]
// `#[pallet::call]` makes one `Call` variant per call with its arguments inline: `submit_result`
// carries a whole receipt and `register_worker` a worker's whole offer (8 arguments), as the
// chain's API; `RequestStatus::Settled` and the offchain `Reply` carry a receipt likewise.
#![allow(clippy::large_enum_variant, clippy::too_many_arguments)]

extern crate alloc;

pub use pallet::*;

#[cfg(feature = "runtime-benchmarks")]
pub mod benchmarking;
mod dispatchable_impls;
pub mod migrations;
#[cfg(test)]
mod mock;
pub mod offchain;
#[cfg(test)]
mod tests;
pub mod types;
pub mod weights;

pub use types::*;
pub use weights::WeightInfo;

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_support::{
		pallet_prelude::*,
		traits::{
			fungible::{Inspect, Mutate, MutateHold},
			Randomness,
		},
	};
	use frame_system::{offchain::CreateAuthorizedTransaction, pallet_prelude::*};
	use sp_runtime::{traits::One, Permill};
	use verity_primitives::{
		DeclineReason, Digest32, GenerationEvidence, HardwareClass, ModelVersionRef, Receipt,
		ReceiptSignature, RequestId, RequestInput, ResultOutput, SigningKey, VerificationMode,
		VerificationModes,
	};

	/// The storage version: 1 since open requests carry their chat terms
	/// ([`crate::migrations::MigrateToV1`]), 2 since receipts carry the digest of an LLM
	/// result's generation evidence ([`crate::migrations::MigrateToV2`]).
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(2);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config:
		frame_system::Config<RuntimeEvent: From<Event<Self>>>
		+ CreateAuthorizedTransaction<Call<Self>>
	{
		/// The currency fees and stake are held in.
		type Currency: Inspect<Self::AccountId>
			+ Mutate<Self::AccountId>
			+ MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>;

		/// The overarching hold reason.
		type RuntimeHoldReason: From<HoldReason>;

		/// The Model Hub.
		type Models: ModelProvider<Self::AccountId, BalanceOf<Self>>;

		/// Which workers hold a live TEE attestation (the proofs pallet).
		type Attestations: AttestationProvider<Self::AccountId>;

		/// Told of every settled result: the verification path (sampling re-execution and
		/// disputes, through the runtime) and the pallets that opened requests through
		/// [`InferenceRequests`]; a tuple fans out to each.
		type Observers: ResultObserver<Self::AccountId>;

		/// The verification path's other concerns: checks that ended without a result,
		/// proofs that never came, and stake it may still slash (the proofs pallet).
		type Verification: Verification<Self::AccountId>;

		/// Source of the randomness that assigns workers.
		type Randomness: Randomness<Self::Hash, BlockNumberFor<Self>>;

		/// Receives the protocol's share of fees and timeout penalties.
		#[pallet::constant]
		type TreasuryAccount: Get<Self::AccountId>;

		/// The protocol's share, on top of model price plus worker fee.
		#[pallet::constant]
		type TreasuryShare: Get<Permill>;

		/// The pot that pays for sampled re-execution checks (the proofs pallet's payer).
		#[pallet::constant]
		type SamplingPot: Get<Self::AccountId>;

		/// The share of the worker's fee that requests whose results may be sampled pay into
		/// [`Config::SamplingPot`], on top of everything else: at least what sampling costs on
		/// average (sample rate × up to two checks' worker fees).
		#[pallet::constant]
		type SamplingPremium: Get<Permill>;

		/// Least stake a worker needs to be assigned requests.
		#[pallet::constant]
		type MinWorkerStake: Get<BalanceOf<Self>>;

		/// Stake a worker loses for every request it lets expire.
		#[pallet::constant]
		type TimeoutPenalty: Get<BalanceOf<Self>>;

		/// Blocks between `unbond` and the stake's release.
		#[pallet::constant]
		type UnbondingPeriod: Get<BlockNumberFor<Self>>;

		/// Longest deadline a request may ask for, in blocks.
		#[pallet::constant]
		type MaxDeadline: Get<BlockNumberFor<Self>>;

		/// Blocks a settled result is kept (for receipts to be re-checked and results disputed);
		/// older ones are pruned, so `Results` holds at most this many blocks' worth.
		#[pallet::constant]
		type ResultRetention: Get<BlockNumberFor<Self>>;

		/// Most request ids the pruning of old results examines in one block.
		#[pallet::constant]
		type MaxPrunedPerBlock: Get<u32>;

		/// Shortest deadline a request may ask for, in blocks: enough for a worker to see the
		/// request, fetch and run it, and get its result into a block. A requester cannot make
		/// an honest worker miss a deadline (and pay the timeout penalty) by asking for less.
		#[pallet::constant]
		type MinDeadline: Get<BlockNumberFor<Self>>;

		/// Most registered workers that take requests at once.
		#[pallet::constant]
		type MaxWorkers: Get<u32>;

		/// Most model versions one worker serves.
		#[pallet::constant]
		type MaxModelsPerWorker: Get<u32>;

		/// Most requests whose deadline falls in one block.
		#[pallet::constant]
		type MaxRequestsPerBlock: Get<u32>;

		/// Blocks a ZKML worker has, after its answer is recorded, to submit the proof: an
		/// answered ZKML request's deadline moves to at least this far ahead, so a short
		/// deadline never turns an honest prover's answer into a timeout.
		#[pallet::constant]
		type ZkProofWindow: Get<BlockNumberFor<Self>>;

		/// Weights of the calls, measured by the benchmarks.
		type WeightInfo: WeightInfo;

		/// Sets up a servable model for the benchmarks.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: BenchmarkHelper;
	}

	/// Why the pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// A worker's stake.
		WorkerStake,
		/// A request's fee, until it is paid out or refunded.
		RequestFee,
	}

	/// Registered workers.
	#[pallet::storage]
	pub type Workers<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, WorkerInfoOf<T>>;

	/// The worker account of each registered signing key (keys are unique).
	#[pallet::storage]
	pub type WorkerBySigningKey<T: Config> =
		StorageMap<_, Blake2_128Concat, SigningKey, T::AccountId>;

	/// Workers that take new requests, in registration order.
	#[pallet::storage]
	pub type ActiveWorkers<T: Config> =
		StorageValue<_, BoundedVec<T::AccountId, T::MaxWorkers>, ValueQuery>;

	/// Id of the next request.
	#[pallet::storage]
	pub type NextRequestId<T: Config> = StorageValue<_, RequestId, ValueQuery>;

	/// Open requests.
	#[pallet::storage]
	pub type Requests<T: Config> = StorageMap<_, Twox64Concat, RequestId, InferenceRequestOf<T>>;

	/// Open requests by assigned worker (what a worker's offchain worker scans).
	#[pallet::storage]
	pub type Assignments<T: Config> =
		StorageDoubleMap<_, Blake2_128Concat, T::AccountId, Twox64Concat, RequestId, ()>;

	/// Open requests by deadline block; expired in the following block.
	#[pallet::storage]
	pub type Deadlines<T: Config> = StorageMap<
		_,
		Twox64Concat,
		BlockNumberFor<T>,
		BoundedVec<RequestId, T::MaxRequestsPerBlock>,
		ValueQuery,
	>;

	/// Settled results.
	#[pallet::storage]
	pub type Results<T: Config> = StorageMap<_, Twox64Concat, RequestId, SettledResultOf<T>>;

	/// Settled results with a check open (original request id → open checks): kept from
	/// pruning until their checks close, so a check always finds the result it re-executes.
	/// At most one entry per open request.
	#[pallet::storage]
	pub type OpenChecks<T: Config> = StorageMap<_, Twox64Concat, RequestId, u32, ValueQuery>;

	/// The generation evidence of settled chat results (their tokens and activation
	/// fingerprints, which the receipt signs): what a check re-executes. Pruned with the result.
	#[pallet::storage]
	pub type Generations<T: Config> = StorageMap<_, Twox64Concat, RequestId, GenerationEvidence>;

	/// The lowest request id whose result may still need pruning (ids below it are pruned,
	/// expired or declined).
	#[pallet::storage]
	pub type PruneCursor<T: Config> = StorageValue<_, RequestId, ValueQuery>;

	/// ZKML answers recorded at once and awaiting their proof; each belongs to an open request
	/// (removed when the proof is judged or the request expires).
	#[pallet::storage]
	pub type AwaitingProof<T: Config> = StorageMap<_, Twox64Concat, RequestId, AnsweredResultOf<T>>;

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A worker registered and bonded stake.
		WorkerRegistered {
			/// The worker's account.
			worker: T::AccountId,
			/// Its receipt-signing key.
			signing_key: SigningKey,
			/// Stake held.
			stake: BalanceOf<T>,
		},
		/// A worker changed what it serves or charges.
		WorkerUpdated {
			/// The worker's account.
			worker: T::AccountId,
		},
		/// A worker set the shortest deadline it accepts.
		WorkerMinDeadlineSet {
			/// The worker's account.
			worker: T::AccountId,
			/// Blocks ahead; requests with a shorter deadline go to other workers.
			blocks: BlockNumberFor<T>,
		},
		/// A worker bonded more stake.
		StakeBonded {
			/// The worker's account.
			worker: T::AccountId,
			/// Stake added.
			amount: BalanceOf<T>,
			/// Its stake now.
			total: BalanceOf<T>,
		},
		/// A worker stopped taking requests; its stake is released from `until` on.
		WorkerUnbonding {
			/// The worker's account.
			worker: T::AccountId,
			/// First block in which it can withdraw.
			until: BlockNumberFor<T>,
		},
		/// A worker left and its stake was released.
		WorkerWithdrawn {
			/// The worker's account.
			worker: T::AccountId,
			/// Stake released.
			stake: BalanceOf<T>,
		},
		/// A request was accepted, its fee held and a worker assigned.
		InferenceRequested {
			/// The request.
			request: RequestId,
			/// Who asked and paid.
			requester: T::AccountId,
			/// The model version.
			model: ModelVersionRef,
			/// The verification mode.
			mode: VerificationMode,
			/// The worker assigned.
			worker: T::AccountId,
			/// Fee held (model price + worker fee + protocol share).
			fee: BalanceOf<T>,
			/// Last block in which a result is accepted.
			deadline: BlockNumberFor<T>,
		},
		/// A valid result was recorded.
		ResultRecorded {
			/// The request.
			request: RequestId,
			/// The worker that answered.
			worker: T::AccountId,
			/// BLAKE2b-256 of the output.
			output_digest: Digest32,
		},
		/// A ZKML request was answered (the fast path): the output is recorded and its proof is
		/// awaited until the deadline; nothing is paid yet.
		ResultAnswered {
			/// The request.
			request: RequestId,
			/// The worker that answered and must prove.
			worker: T::AccountId,
			/// BLAKE2b-256 of the output.
			output_digest: Digest32,
			/// Last block in which the proof is accepted (the request's deadline, moved to at
			/// least `ZkProofWindow` blocks ahead).
			proof_deadline: BlockNumberFor<T>,
		},
		/// A ZKML answer's proof was rejected: the request was closed and its fee refunded in
		/// full (the proofs pallet slashes the worker).
		ResultRejected {
			/// The request.
			request: RequestId,
			/// Who asked and got the refund.
			requester: T::AccountId,
			/// Amount refunded.
			refunded: BalanceOf<T>,
		},
		/// A chat result used fewer tokens than were paid for: what the unused ones (and their
		/// protocol share) cost went back to the requester.
		UnusedTokensRefunded {
			/// The request.
			request: RequestId,
			/// Who asked and got the refund.
			requester: T::AccountId,
			/// Tokens paid for.
			max_tokens: u32,
			/// Tokens the answer used (the receipt's completion tokens).
			completion_tokens: u32,
			/// Amount refunded.
			refunded: BalanceOf<T>,
		},
		/// The model's owner was paid the version's price.
		ModelOwnerPaid {
			/// The request.
			request: RequestId,
			/// The model's owner.
			owner: T::AccountId,
			/// Amount paid.
			amount: BalanceOf<T>,
		},
		/// The worker was paid its fee.
		WorkerPaid {
			/// The request.
			request: RequestId,
			/// The worker.
			worker: T::AccountId,
			/// Amount paid.
			amount: BalanceOf<T>,
		},
		/// The treasury was paid the protocol's share (and the sampling pot its premium).
		TreasuryPaid {
			/// The request.
			request: RequestId,
			/// Amount paid to the treasury.
			amount: BalanceOf<T>,
			/// Amount paid to the sampling pot.
			sampling_premium: BalanceOf<T>,
		},
		/// A request passed its deadline without a result; its fee was refunded in full.
		RequestExpired {
			/// The request.
			request: RequestId,
			/// Who asked and got the refund.
			requester: T::AccountId,
			/// Amount refunded.
			refunded: BalanceOf<T>,
		},
		/// A request was opened to re-execute an earlier request's job and check its result.
		CheckRequested {
			/// The check request.
			request: RequestId,
			/// The request whose result it checks.
			original: RequestId,
			/// The worker assigned (never one that answered before).
			worker: T::AccountId,
			/// Who pays the check's worker fee.
			payer: T::AccountId,
		},
		/// The assigned worker declined a request it could not run through no fault of its own;
		/// the fee was refunded in full and nobody was penalized.
		RequestDeclined {
			/// The request.
			request: RequestId,
			/// The worker that declined it.
			worker: T::AccountId,
			/// Why.
			reason: DeclineReason,
			/// BLAKE2b-256 of what the worker observed (its fetch errors).
			evidence: Digest32,
			/// Amount refunded to the requester.
			refunded: BalanceOf<T>,
		},
		/// A worker lost stake for letting a request expire.
		WorkerPenalized {
			/// The worker.
			worker: T::AccountId,
			/// The request it let expire.
			request: RequestId,
			/// Stake moved to the treasury.
			amount: BalanceOf<T>,
		},
	}

	#[pallet::error]
	pub enum Error<T> {
		/// This account is already a registered worker.
		AlreadyRegistered,
		/// This account is not a registered worker.
		NotRegistered,
		/// The stake is below the minimum a worker needs.
		StakeTooLow,
		/// Another worker registered this signing key.
		SigningKeyInUse,
		/// The list of active workers is full.
		TooManyWorkers,
		/// A worker must support at least one verification mode, and only known ones.
		BadModes,
		/// A worker must serve at least one model version.
		NoModels,
		/// The endpoint is not a UTF-8 `http://` or `https://` URL.
		MalformedEndpoint,
		/// The worker is unbonding and takes no changes or requests.
		NotActive,
		/// The worker has not started unbonding.
		NotUnbonding,
		/// The unbonding period has not passed yet.
		UnbondingNotOver,
		/// The worker still has open requests.
		OpenRequests,
		/// The verification path may still slash this worker (a batch in its challenge window
		/// or a check naming it); withdraw after it ends.
		StakeUnderReview,
		/// The account cannot cover the hold (fee or stake).
		InsufficientBalance,
		/// The model version does not exist, or is deprecated or taken down.
		VersionNotServable,
		/// The model version is not offered with this verification mode.
		ModeNotOffered,
		/// ZKML needs the version's ZK keys, which its owner has not uploaded.
		ZkKeysMissing,
		/// ZKML needs a model in Verity's integer format (the circuit is built from it).
		ZkmlNeedsIntegerModel,
		/// ZKML needs an inline input and an output small enough to record inline (both are
		/// public inputs of the proof).
		ZkmlNeedsInlineData,
		/// No ZKML answer of this request awaits a proof.
		NotAwaitingProof,
		/// Workers serve this version in TEE mode, but none holds a live attestation.
		NoAttestedWorker,
		/// A TEE-mode result, but the worker holds no live attestation for its key.
		NotAttested,
		/// The model's schema does not fit the call: `request_inference` takes tensor models,
		/// `request_chat` chat models.
		UnsupportedSchema,
		/// `max_tokens` must be at least 1 and leave room for a prompt in the version's context.
		BadMaxTokens,
		/// A chat request's input is empty or larger than `MAX_CHAT_INPUT` bytes.
		BadChatInput,
		/// The input's size differs from what the schema's tensors take.
		InputSizeMismatch,
		/// The stored input's location is malformed.
		MalformedInputLocation,
		/// The deadline must be between `MinDeadline` and `MaxDeadline` blocks ahead.
		BadDeadline,
		/// `key_proof` is not the signing key's signature over the registering account and the
		/// chain (`verity_primitives::key_possession_payload`): only the key's holder may
		/// register it.
		KeyNotPossessed,
		/// Too many requests already have their deadline in that block; pick another deadline.
		DeadlineBlockFull,
		/// No active worker with enough stake serves this version in this mode.
		NoWorkerServes,
		/// Workers serve this version, but each costs more than the maximum fee.
		MaxFeeTooLow,
		/// Workers serve this version, but none accepts a deadline this short (each sets its
		/// own minimum with `set_min_deadline`).
		DeadlineTooShortForWorkers,
		/// An amount overflowed.
		Overflow,
		/// No open request has this id (never existed, or already settled or expired).
		UnknownRequest,
		/// The receipt does not match the request (chain, model, digests, mode or worker).
		ReceiptMismatch,
		/// The signature is not by the assigned worker's registered key.
		BadSignature,
		/// The output's digest or size does not match the receipt and the schema.
		BadOutput,
		/// The request's deadline has passed.
		PastDeadline,
		/// Only a request whose input is stored (fetched from a location the requester named)
		/// can be declined for an unavailable input.
		NotDeclinable,
		/// A chat result must report its token usage, within the tokens paid for; a tensor
		/// result reports none.
		BadUsage,
		/// A chat result must carry the generation evidence its receipt signs, well formed and
		/// of the tokens it reports; tensor results and checks carry none.
		BadEvidence,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn on_initialize(now: BlockNumberFor<T>) -> Weight {
			if now < One::one() {
				return Weight::zero();
			}
			let expired = Self::do_expire_requests(now - One::one());
			let examined = Self::do_prune_results(now);
			let db = T::DbWeight::get();
			T::WeightInfo::expire_requests(expired)
				.saturating_add(db.reads_writes(2, 2).saturating_mul(u64::from(expired)))
				.saturating_add(db.reads_writes(2, 1).saturating_mul(u64::from(examined)))
				.saturating_add(db.reads_writes(2, 1))
		}

		fn offchain_worker(now: BlockNumberFor<T>) {
			offchain::run::<T>(now);
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Register the caller as a worker and hold `stake` from it. `key_proof` is the signing
		/// key's signature over `verity_primitives::key_possession_payload` (chain, caller,
		/// key): proof that the caller holds the key it registers.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::register_worker())]
		#[allow(clippy::too_many_arguments)]
		pub fn register_worker(
			origin: OriginFor<T>,
			signing_key: SigningKey,
			key_proof: ReceiptSignature,
			endpoint: Endpoint,
			hardware: HardwareClass,
			modes: VerificationModes,
			models: BoundedVec<ModelVersionRef, T::MaxModelsPerWorker>,
			fee_per_inference: BalanceOf<T>,
			stake: BalanceOf<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_register_worker(
				who,
				signing_key,
				key_proof,
				endpoint,
				hardware,
				modes,
				models,
				fee_per_inference,
				stake,
			)
		}

		/// Change what an active worker serves, where it listens and what it charges.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::update_worker())]
		pub fn update_worker(
			origin: OriginFor<T>,
			endpoint: Endpoint,
			hardware: HardwareClass,
			modes: VerificationModes,
			models: BoundedVec<ModelVersionRef, T::MaxModelsPerWorker>,
			fee_per_inference: BalanceOf<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_update_worker(who, endpoint, hardware, modes, models, fee_per_inference)
		}

		/// Set the shortest deadline (blocks ahead) the caller, an active worker, accepts;
		/// requests with a shorter deadline are assigned to other workers. At most
		/// `MaxDeadline`; zero means the chain's `MinDeadline`.
		#[pallet::call_index(8)]
		#[pallet::weight(T::WeightInfo::set_min_deadline())]
		pub fn set_min_deadline(origin: OriginFor<T>, blocks: BlockNumberFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_set_min_deadline(who, blocks)
		}

		/// Hold more stake from an active worker.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::bond_extra())]
		pub fn bond_extra(origin: OriginFor<T>, amount: BalanceOf<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_bond_extra(who, amount)
		}

		/// Stop taking requests; the stake can be withdrawn after the unbonding period.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::unbond())]
		pub fn unbond(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_unbond(who)
		}

		/// Release an unbonded worker's stake and remove its record.
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::withdraw())]
		pub fn withdraw(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_withdraw(who)
		}

		/// Ask for an inference: hold the fee and assign a worker.
		#[pallet::call_index(5)]
		#[pallet::weight(Pallet::<T>::request_weight())]
		pub fn request_inference(
			origin: OriginFor<T>,
			model: ModelVersionRef,
			input: RequestInput,
			mode: VerificationMode,
			max_fee: BalanceOf<T>,
			deadline_blocks: BlockNumberFor<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_request_inference(who, model, input, mode, max_fee, deadline_blocks)
		}

		/// Ask a chat model (schema `chat`) for an answer: `input` is the chat request's
		/// canonical JSON (messages, tools, tool_choice, sampling parameters, its own
		/// `max_tokens`, which may not exceed the `max_tokens` paid for here). The fee held
		/// covers the version's price per inference, `max_tokens` × its price per token and the
		/// worker's fee; settlement pays for the tokens the answer used and refunds the rest.
		#[pallet::call_index(9)]
		#[pallet::weight(Pallet::<T>::request_chat_weight())]
		pub fn request_chat(
			origin: OriginFor<T>,
			model: ModelVersionRef,
			input: RequestInput,
			mode: VerificationMode,
			max_tokens: u32,
			max_fee: BalanceOf<T>,
			deadline_blocks: BlockNumberFor<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_request_chat(who, model, input, mode, max_tokens, max_fee, deadline_blocks)
		}

		/// Record a signed result and pay for it. Submitted by the assigned worker's offchain
		/// worker as an authorized general transaction: no fee, no signer; the receipt's
		/// signature is the authorization. A chat result carries its `generation` evidence
		/// (its receipt signs the digest), kept beside the result for checks; a check of a chat
		/// result answers with a [`verity_primitives::CheckVerdict`] on it.
		#[pallet::call_index(6)]
		// Plus the evidence's write, and the original result a check's verdict is read against.
		#[pallet::weight(T::WeightInfo::submit_result()
			.saturating_add(T::Observers::on_result_weight())
			.saturating_add(T::DbWeight::get().reads_writes(u64::from(crate::dispatchable_impls::ZK_WINDOW_PROBES) + 1, 3)))]
		#[pallet::authorize(|_source, receipt, output, signature, generation| {
			Pallet::<T>::authorize_submit_result(receipt, output, signature, generation.as_ref())
		})]
		#[pallet::weight_of_authorize(
			T::WeightInfo::authorize_submit_result().saturating_add(T::DbWeight::get().reads(4))
		)]
		pub fn submit_result(
			origin: OriginFor<T>,
			receipt: Receipt<T::AccountId>,
			output: ResultOutput,
			signature: ReceiptSignature,
			generation: Option<GenerationEvidence>,
		) -> DispatchResultWithPostInfo {
			frame_system::ensure_authorized(origin)?;
			let observed = Self::do_submit_result(receipt, output, signature, generation)?;
			// Charged for the observer's worst case (opening a check); refunded to what it used.
			Ok(Some(T::WeightInfo::submit_result().saturating_add(observed)).into())
		}

		/// Decline an open request the assigned worker cannot run through no fault of its own
		/// (its stored input cannot be fetched): refunded in full, nobody penalized, `evidence`
		/// recorded. Submitted by the worker's offchain worker as an authorized transaction; the
		/// worker key's signature over `verity_primitives::decline_payload` is the
		/// authorization. It names the assigned `worker` and the request's `input_digest` (both
		/// signed), so the signature is checked before the request is read. It conflicts with a
		/// result for the same request in the pool.
		#[pallet::call_index(7)]
		// Plus what a declined check's sample costs the observer: sample, bond, hold, account and
		// two workers' exposure.
		#[pallet::weight(T::WeightInfo::decline_request().saturating_add(T::DbWeight::get().reads_writes(6, 6)))]
		#[pallet::authorize(|_source, request, worker, input_digest, reason, evidence, signature| {
			let decline = SignedDecline { request: *request, worker, input_digest, reason: *reason, evidence, signature };
			Pallet::<T>::authorize_decline(&decline)
		})]
		#[pallet::weight_of_authorize(T::WeightInfo::authorize_submit_result())]
		pub fn decline_request(
			origin: OriginFor<T>,
			request: RequestId,
			worker: T::AccountId,
			input_digest: Digest32,
			reason: DeclineReason,
			evidence: Digest32,
			signature: ReceiptSignature,
		) -> DispatchResult {
			frame_system::ensure_authorized(origin)?;
			let decline = SignedDecline {
				request,
				worker: &worker,
				input_digest: &input_digest,
				reason,
				evidence: &evidence,
				signature: &signature,
			};
			Self::do_decline_request(&decline)
		}
	}
}
