//! Records the inference pallet keeps, and the trait through which it reads the Model Hub.

use frame_support::{pallet_prelude::*, traits::fungible::Inspect};
use frame_system::pallet_prelude::BlockNumberFor;
/// The records, shared with off-chain readers (CLI, worker), live in `verity-primitives`.
pub use verity_primitives::{
	AnsweredResult, ChatTerms, Endpoint, FeeSplit, InferenceRequest, SettledInfo, SettledResult,
	WorkerInfo, WorkerStatus,
};
use verity_primitives::{
	ArtifactDigest, ArtifactFormat, DeclineReason, Digest32, IoSchema, Locations, ModelVersionRef,
	ReceiptSignature, RequestId, RequestInput, VerificationMode, VerificationModes,
};

/// The balance type of the pallet's currency.
pub type BalanceOf<T> =
	<<T as crate::Config>::Currency as Inspect<<T as frame_system::Config>::AccountId>>::Balance;

/// What the inference pallet needs to know about a model version it may serve.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ServableModel<AccountId, Balance> {
	/// The model's owner, paid the version's price for every inference.
	pub owner: AccountId,
	/// Digests and size of the artifact.
	pub artifact: ArtifactDigest,
	/// The artifact's format.
	pub format: ArtifactFormat,
	/// What the model takes and returns.
	pub schema: IoSchema,
	/// Verification modes the version may be served with.
	pub modes: VerificationModes,
	/// Price per inference, paid to the owner.
	pub price: Balance,
	/// Price per generated token, paid to the owner (chat models; zero otherwise).
	pub price_per_token: Balance,
	/// Where the artifact can be fetched.
	pub locations: Locations,
	/// The digests of the version's ZK keys, once its owner uploaded them (ZKML requests need
	/// them).
	pub zk_keys: Option<verity_primitives::ZkKeyDigests>,
	/// The version's [`verity_primitives::VersionSpec::spec_hash`] (receipts bind it).
	pub spec_hash: verity_primitives::Digest32,
}

/// Read access to the Model Hub, declared here and implemented by the runtime.
pub trait ModelProvider<AccountId, Balance> {
	/// The version, if it exists and is active (may be served to new requests).
	fn servable(model: &ModelVersionRef) -> Option<ServableModel<AccountId, Balance>>;
	/// The version's artifact facts, whatever its status (for requests already accepted).
	fn artifact(model: &ModelVersionRef) -> Option<ServableModel<AccountId, Balance>>;
}

/// Whether a worker may serve TEE-mode requests, declared here and implemented by the runtime
/// (over the proofs pallet's attestations).
pub trait AttestationProvider<AccountId> {
	/// `worker` holds a live TEE attestation that binds `signing_key`.
	fn is_attested(worker: &AccountId, signing_key: &verity_primitives::SigningKey) -> bool;
}

/// No attestations: TEE requests find no worker.
impl<AccountId> AttestationProvider<AccountId> for () {
	fn is_attested(_: &AccountId, _: &verity_primitives::SigningKey) -> bool {
		false
	}
}

/// Someone told when a result settles and is paid: the verification path (through the
/// runtime), and pallets that opened requests through [`InferenceRequests`] (MemSync,
/// Twin.fun, the EVM precompile). A tuple fans out to each, in order.
pub trait ResultObserver<AccountId> {
	/// A result settled and was paid. Returns the weight it used (at most
	/// [`Self::on_result_weight`]).
	fn on_result(settled: &SettledInfo<AccountId>) -> Weight;
	/// Upper bound of the weight of one `on_result` call (it may open a check request).
	fn on_result_weight() -> Weight;
}

#[impl_trait_for_tuples::impl_for_tuples(8)]
impl<AccountId> ResultObserver<AccountId> for Tuple {
	fn on_result(settled: &SettledInfo<AccountId>) -> Weight {
		let mut weight = Weight::zero();
		for_tuples!( #( weight = weight.saturating_add(Tuple::on_result(settled)); )* );
		weight
	}
	fn on_result_weight() -> Weight {
		let mut weight = Weight::zero();
		for_tuples!( #( weight = weight.saturating_add(Tuple::on_result_weight()); )* );
		weight
	}
}

/// What only the verification path needs from the inference pallet's life cycle: checks
/// that ended without a result, proofs that never came, and whose stake it may still slash.
/// Declared here and implemented by the runtime over the proofs pallet.
pub trait Verification<AccountId> {
	/// A check request expired without a result (its worker was penalized).
	fn on_check_expired(check: RequestId, original: RequestId);
	/// A check request was declined: its worker could not fetch the input, through no fault
	/// of its own (or claims so: a decliner is not judged, so neither is the result).
	fn on_check_declined(check: RequestId, original: RequestId);
	/// A ZKML answer's proof never came by its deadline (the worker had the proof window): a
	/// fault, punished like an invalid proof. `evidence` names the signed answer.
	fn on_proof_missing(
		request: RequestId,
		worker: &AccountId,
		evidence: verity_primitives::Digest32,
	);
	/// The verification path may still slash this worker (a batch in its challenge window, a
	/// check or dispute naming it): its stake cannot be withdrawn yet.
	fn holds_stake(worker: &AccountId) -> bool;
}

/// No verification path: nothing is checked, no stake is held back.
impl<AccountId> Verification<AccountId> for () {
	fn on_check_expired(_: RequestId, _: RequestId) {}
	fn on_check_declined(_: RequestId, _: RequestId) {}
	fn on_proof_missing(_: RequestId, _: &AccountId, _: verity_primitives::Digest32) {}
	fn holds_stake(_: &AccountId) -> bool {
		false
	}
}

/// Where a request stands, as [`InferenceRequests::status`] reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RequestStatus<AccountId, Balance, BlockNumber> {
	/// Waiting for its worker's result until `deadline`.
	Open {
		/// The worker assigned.
		worker: AccountId,
		/// Last block in which a result is accepted.
		deadline: BlockNumber,
	},
	/// Settled: its result (receipt, signature, output, payouts), kept until pruned; it was
	/// reported to the observers when it settled.
	Settled(SettledResult<AccountId, Balance, BlockNumber>),
	/// Not open and no result kept: expired, declined, pruned, or never opened.
	Closed,
}

/// The inference pallet's request API for other pallets (MemSync, Twin.fun, the EVM
/// precompile): open a request on someone's behalf, under exactly the rules of the
/// `request_inference` call (servable version, offered mode, fee held from `who` within
/// `max_fee`, deadline bounds, a worker assigned), and read where it stands. Results are
/// delivered through [`Config::Observers`](crate::Config::Observers).
pub trait InferenceRequests<AccountId, Balance, BlockNumber> {
	/// Opens a request of a tensor model paid by `who`; returns its id.
	fn request(
		who: AccountId,
		model: ModelVersionRef,
		input: RequestInput,
		mode: VerificationMode,
		max_fee: Balance,
		deadline_blocks: BlockNumber,
	) -> Result<RequestId, DispatchError>;
	/// Opens a request of a chat model paid by `who`, under the rules of `request_chat`:
	/// `input` is the chat request's JSON and `max_tokens` the tokens paid for; returns its id.
	fn request_chat(
		who: AccountId,
		model: ModelVersionRef,
		input: RequestInput,
		mode: VerificationMode,
		max_tokens: u32,
		max_fee: Balance,
		deadline_blocks: BlockNumber,
	) -> Result<RequestId, DispatchError>;
	/// Where `request` stands.
	fn status(request: RequestId) -> RequestStatus<AccountId, Balance, BlockNumber>;
	/// The weight [`Self::request`] may use (charge it before calling).
	fn request_weight() -> Weight;
	/// The weight [`Self::request_chat`] may use.
	fn request_chat_weight() -> Weight;
}

/// A worker record of a runtime.
pub type WorkerInfoOf<T> =
	WorkerInfo<BalanceOf<T>, BlockNumberFor<T>, <T as crate::Config>::MaxModelsPerWorker>;

/// A request record of a runtime.
pub type InferenceRequestOf<T> =
	InferenceRequest<<T as frame_system::Config>::AccountId, BalanceOf<T>, BlockNumberFor<T>>;

/// A chat request's token terms in a runtime.
pub type ChatTermsOf<T> = ChatTerms<BalanceOf<T>>;

/// A settled result of a runtime.
pub type SettledResultOf<T> =
	SettledResult<<T as frame_system::Config>::AccountId, BalanceOf<T>, BlockNumberFor<T>>;

/// A ZKML answer of a runtime, awaiting its proof.
pub type AnsweredResultOf<T> =
	AnsweredResult<<T as frame_system::Config>::AccountId, BlockNumberFor<T>>;

/// Why a result transaction is invalid, as `InvalidTransaction::Custom` codes (validation runs
/// before dispatch, so the pool never takes such a transaction).
#[repr(u8)]
pub enum ResultRejection {
	/// No open request has this id (never existed, or already settled or expired).
	UnknownRequest = 1,
	/// The receipt does not match the request (chain, model, digests, mode or worker).
	ReceiptMismatch = 2,
	/// The signature is not by the assigned worker's registered key.
	BadSignature = 3,
	/// The output's digest or length does not match the receipt and the schema.
	BadOutput = 4,
	/// The request's deadline has passed.
	PastDeadline = 5,
	/// A TEE-mode result, but the worker holds no live attestation for its key.
	NotAttested = 6,
	/// A decline the request does not allow: an unavailable input for an inline one (nothing
	/// to fetch).
	NotDeclinable = 7,
	/// A chat result without its token usage or with more completion tokens than were paid
	/// for, or a tensor result with a usage.
	BadUsage = 8,
	/// A chat result without its generation evidence, or with evidence that is malformed, not
	/// the one its receipt signs, or not of the tokens it reports; or evidence where none
	/// belongs (tensor results and checks).
	BadEvidence = 9,
}

/// Sets up what the benchmarks need from the rest of the runtime.
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper {
	/// Publishes a servable model version offered in every mode whose schema takes the largest
	/// inline input and returns the largest inline output, and returns it.
	fn servable_model() -> ModelVersionRef;
	/// Publishes a servable chat model version (Vanilla and TEE, with a price per token) and
	/// returns it.
	fn servable_chat_model() -> ModelVersionRef;
}

/// A worker's signed decline of a request, as `decline_request` carries it.
pub struct SignedDecline<'a, AccountId> {
	/// The request declined.
	pub request: RequestId,
	/// The worker assigned to it, whose key signed.
	pub worker: &'a AccountId,
	/// The digest of the request's input (signed: a decline is for one input).
	pub input_digest: &'a Digest32,
	/// Why.
	pub reason: DeclineReason,
	/// BLAKE2b-256 of what the worker observed.
	pub evidence: &'a Digest32,
	/// The worker key's signature over [`verity_primitives::decline_payload`].
	pub signature: &'a ReceiptSignature,
}

/// What a request offers a worker, as assignment weighs it.
#[derive(Clone, Copy, Debug)]
pub struct Offer<Balance, BlockNumber> {
	/// The verification mode asked for.
	pub mode: VerificationMode,
	/// The model's price (zero for checks).
	pub price: Balance,
	/// Whether the request pays the sampling premium.
	pub premium: bool,
	/// The most the requester pays in all.
	pub max_fee: Balance,
	/// The deadline, in blocks ahead.
	pub deadline_blocks: BlockNumber,
}
