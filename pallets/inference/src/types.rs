//! Records the inference pallet keeps, and the trait through which it reads the Model Hub.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{pallet_prelude::*, traits::fungible::Inspect};
use frame_system::pallet_prelude::BlockNumberFor;
use scale_info::TypeInfo;
use verity_primitives::{
	ArtifactDigest, ArtifactFormat, Digest32, HardwareClass, IoSchema, Locations, ModelVersionRef,
	Receipt, ReceiptSignature, RequestInput, ResultOutput, SigningKey, VerificationMode,
	VerificationModes, MAX_ENDPOINT_LEN,
};

/// The balance type of the pallet's currency.
pub type BalanceOf<T> =
	<<T as crate::Config>::Currency as Inspect<<T as frame_system::Config>::AccountId>>::Balance;

/// A worker's HTTP endpoint (UTF-8 `http://` or `https://` URL).
pub type Endpoint = BoundedVec<u8, ConstU32<MAX_ENDPOINT_LEN>>;

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
	/// Where the artifact can be fetched.
	pub locations: Locations,
}

/// Read access to the Model Hub, declared here and implemented by the runtime.
pub trait ModelProvider<AccountId, Balance> {
	/// The version, if it exists and is active (may be served to new requests).
	fn servable(model: &ModelVersionRef) -> Option<ServableModel<AccountId, Balance>>;
	/// The version's artifact facts, whatever its status (for requests already accepted).
	fn artifact(model: &ModelVersionRef) -> Option<ServableModel<AccountId, Balance>>;
}

/// Where a worker is in its life cycle.
#[derive(
	Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen,
)]
pub enum WorkerStatus<BlockNumber> {
	/// Takes new requests.
	Active,
	/// Takes no new requests; its stake can be withdrawn from this block on, once it has no
	/// open requests.
	Unbonding {
		/// First block in which the stake can be withdrawn.
		until: BlockNumber,
	},
}

/// A registered worker.
#[derive(
	Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen,
)]
#[scale_info(skip_type_params(MaxModels))]
pub struct WorkerInfo<Balance, BlockNumber, MaxModels: Get<u32>> {
	/// sr25519 key that signs its receipts.
	pub signing_key: SigningKey,
	/// Where its inference service listens.
	pub endpoint: Endpoint,
	/// What it computes on.
	pub hardware: HardwareClass,
	/// Verification modes it supports.
	pub modes: VerificationModes,
	/// Model versions it serves.
	pub models: BoundedVec<ModelVersionRef, MaxModels>,
	/// Its fee per inference, on top of the model's price.
	pub fee_per_inference: Balance,
	/// Stake held from its account.
	pub stake: Balance,
	/// Life-cycle state.
	pub status: WorkerStatus<BlockNumber>,
	/// Requests assigned to it and not yet settled or expired.
	pub open_requests: u32,
	/// Requests it let expire.
	pub missed: u32,
	/// Results it delivered.
	pub delivered: u32,
}

/// A worker record of a runtime.
pub type WorkerInfoOf<T> =
	WorkerInfo<BalanceOf<T>, BlockNumberFor<T>, <T as crate::Config>::MaxModelsPerWorker>;

/// What a request costs, split by payee. The requester's hold is their sum.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	PartialEq,
	Eq,
	Debug,
	TypeInfo,
	MaxEncodedLen,
	Default,
)]
pub struct FeeSplit<Balance> {
	/// To the model's owner: the version's price.
	pub model_price: Balance,
	/// To the worker: its fee.
	pub worker_fee: Balance,
	/// To the treasury: the protocol's share of the two.
	pub protocol_fee: Balance,
}

/// An open request.
#[derive(
	Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen,
)]
pub struct InferenceRequest<AccountId, Balance, BlockNumber> {
	/// Who asked and paid.
	pub requester: AccountId,
	/// The model version to run.
	pub model: ModelVersionRef,
	/// BLAKE2b-256 of the model artifact.
	pub model_digest: Digest32,
	/// The model's owner when the request was accepted (paid on settlement).
	pub model_owner: AccountId,
	/// The input.
	pub input: RequestInput,
	/// BLAKE2b-256 of the input bytes.
	pub input_digest: Digest32,
	/// Length of a valid output, from the version's schema.
	pub output_len: u64,
	/// The verification mode asked for.
	pub mode: VerificationMode,
	/// The worker it is assigned to.
	pub worker: AccountId,
	/// The fee held from the requester, by payee.
	pub fee: FeeSplit<Balance>,
	/// Block in which it was accepted.
	pub submitted_at: BlockNumber,
	/// Last block in which a result is accepted.
	pub deadline: BlockNumber,
}

/// A request record of a runtime.
pub type InferenceRequestOf<T> =
	InferenceRequest<<T as frame_system::Config>::AccountId, BalanceOf<T>, BlockNumberFor<T>>;

/// A settled result: what anyone needs to re-check its receipt.
#[derive(
	Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen,
)]
pub struct SettledResult<AccountId, Balance, BlockNumber> {
	/// Who asked and paid.
	pub requester: AccountId,
	/// The receipt the worker signed.
	pub receipt: Receipt<AccountId>,
	/// The key that signed it.
	pub signing_key: SigningKey,
	/// The signature.
	pub signature: ReceiptSignature,
	/// The output.
	pub output: ResultOutput,
	/// What was paid, by payee.
	pub paid: FeeSplit<Balance>,
	/// Block in which it was settled.
	pub settled_at: BlockNumber,
}

/// A settled result of a runtime.
pub type SettledResultOf<T> =
	SettledResult<<T as frame_system::Config>::AccountId, BalanceOf<T>, BlockNumberFor<T>>;

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
}

/// Sets up what the benchmarks need from the rest of the runtime.
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper {
	/// Publishes a servable model version offered in every mode whose schema takes the largest
	/// inline input and returns the largest inline output, and returns it.
	fn servable_model() -> ModelVersionRef;
}
