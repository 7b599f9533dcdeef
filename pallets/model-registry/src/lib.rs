#![doc = include_str!("../README.md")]
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;

#[cfg(feature = "runtime-benchmarks")]
pub mod benchmarking;
mod dispatchable_impls;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;
pub mod types;
pub mod weights;

pub use types::*;
pub use weights::WeightInfo;

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use alloc::boxed::Box;
	use frame_support::{
		pallet_prelude::*,
		traits::fungible::{Inspect, Mutate, MutateHold},
	};
	use frame_system::pallet_prelude::*;
	use verity_primitives::{
		Description, Licence, ModelId, ModelName, Tags, TakeDownReason, Task, VersionNumber,
		VersionSpec, ZkKeys, MAX_ZK_VERIFYING_KEY_LEN,
	};

	extern crate alloc;

	#[pallet::pallet]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config<RuntimeEvent: From<Event<Self>>> {
		/// The currency deposits are held in.
		type Currency: Inspect<Self::AccountId>
			+ Mutate<Self::AccountId>
			+ MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>;

		/// The overarching hold reason.
		type RuntimeHoldReason: From<HoldReason>;

		/// The origin that may take a version down (governance).
		type TakeDownOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// Deposit per record, whatever its size.
		#[pallet::constant]
		type DepositBase: Get<BalanceOf<Self>>;

		/// Deposit per byte of a record.
		#[pallet::constant]
		type DepositPerByte: Get<BalanceOf<Self>>;

		/// Largest artifact, in bytes.
		#[pallet::constant]
		type MaxArtifactSize: Get<u64>;

		/// Most version records one model keeps at once.
		#[pallet::constant]
		type MaxVersionsPerModel: Get<u32>;

		/// Most elements in one tensor of a schema.
		#[pallet::constant]
		type MaxTensorElements: Get<u64>;

		/// Largest context (prompt plus completion tokens) of a chat schema.
		#[pallet::constant]
		type MaxContextTokens: Get<u32>;

		/// Checks an uploaded ZK verifying key (the runtime implements it with Verity's Groth16
		/// verifier, so this pallet needs no curve arithmetic).
		type ZkKeyChecker: ZkKeyChecker;

		/// Weights of this pallet's calls.
		type WeightInfo: WeightInfo;
	}

	/// Why this pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// The storage deposit of a model or version record.
		#[codec(index = 0)]
		Deposit,
	}

	/// The id the next model gets.
	#[pallet::storage]
	pub type NextModelId<T> = StorageValue<_, ModelId, ValueQuery>;

	/// Models by id.
	#[pallet::storage]
	pub type Models<T: Config> = StorageMap<_, Blake2_128Concat, ModelId, ModelInfoOf<T>>;

	/// Model ids by owner and name (a name is unique per owner).
	#[pallet::storage]
	pub type ModelIdByName<T: Config> =
		StorageDoubleMap<_, Blake2_128Concat, T::AccountId, Blake2_128Concat, ModelName, ModelId>;

	/// Version records by model and version.
	#[pallet::storage]
	pub type Versions<T: Config> = StorageDoubleMap<
		_,
		Blake2_128Concat,
		ModelId,
		Blake2_128Concat,
		VersionNumber,
		ModelVersionOf<T>,
	>;

	/// Verifying keys of versions whose owner uploaded their ZK keys (one upload per version: a
	/// version's verifying-key digest is fixed when it is published). Read by the proofs path.
	#[pallet::storage]
	pub type ZkVerifyingKeys<T: Config> = StorageDoubleMap<
		_,
		Blake2_128Concat,
		ModelId,
		Blake2_128Concat,
		VersionNumber,
		BoundedVec<u8, ConstU32<MAX_ZK_VERIFYING_KEY_LEN>>,
	>;

	/// Digests of the proving keys of those versions, kept apart from the verifying keys so
	/// that every request reads a few bytes, not a 16 KiB key.
	#[pallet::storage]
	pub type ZkProvingKeys<T: Config> = StorageDoubleMap<
		_,
		Blake2_128Concat,
		ModelId,
		Blake2_128Concat,
		VersionNumber,
		verity_primitives::ArtifactDigest,
	>;

	/// Pending ownership offers: model -> the account that may accept it.
	#[pallet::storage]
	pub type OwnershipOffers<T: Config> = StorageMap<_, Blake2_128Concat, ModelId, T::AccountId>;

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A model was created.
		ModelCreated {
			/// The new model's id.
			model: ModelId,
			/// Its owner.
			owner: T::AccountId,
			/// Its name.
			name: ModelName,
			/// Deposit held from the owner for the record.
			deposit: BalanceOf<T>,
		},
		/// A version was published.
		VersionPublished {
			/// The model.
			model: ModelId,
			/// The new version.
			version: VersionNumber,
			/// BLAKE2b-256 digest of the artifact.
			artifact: [u8; 32],
			/// Deposit held from the owner for the record.
			deposit: BalanceOf<T>,
		},
		/// The owner deprecated a version: kept for audits, not served to new requests.
		VersionDeprecated {
			/// The model.
			model: ModelId,
			/// The deprecated version.
			version: VersionNumber,
		},
		/// Governance took a version down: kept for audits, not served to new requests.
		VersionTakenDown {
			/// The model.
			model: ModelId,
			/// The version taken down.
			version: VersionNumber,
			/// Why.
			reason: TakeDownReason,
		},
		/// The owner removed a version record; its number stays used.
		VersionRemoved {
			/// The model.
			model: ModelId,
			/// The removed version.
			version: VersionNumber,
			/// Deposit released to the owner.
			deposit_released: BalanceOf<T>,
		},
		/// The owner uploaded a version's ZKML keys: requests may now ask for ZKML.
		ZkKeysSet {
			/// The model.
			model: ModelId,
			/// The version.
			version: VersionNumber,
			/// BLAKE2b-256 of the verifying key (the version's `zk_verifying_key`).
			verifying_key: [u8; 32],
			/// BLAKE2b-256 of the proving key workers fetch.
			proving_key: [u8; 32],
			/// Deposit held from the owner for the keys, added to the version's deposit.
			deposit: BalanceOf<T>,
		},
		/// The owner removed a model (it had no version records left).
		ModelRemoved {
			/// The removed model.
			model: ModelId,
			/// Deposit released to the owner.
			deposit_released: BalanceOf<T>,
		},
		/// The owner offered the model to another account.
		OwnershipOffered {
			/// The model.
			model: ModelId,
			/// The current owner.
			owner: T::AccountId,
			/// The account that may accept.
			to: T::AccountId,
		},
		/// The owner withdrew an ownership offer.
		OwnershipOfferCancelled {
			/// The model.
			model: ModelId,
		},
		/// An ownership offer was accepted; the deposits moved with the model.
		OwnershipTransferred {
			/// The model.
			model: ModelId,
			/// The previous owner, whose deposits were released.
			from: T::AccountId,
			/// The new owner, from whom the deposits are now held.
			to: T::AccountId,
			/// Total deposit moved (model record plus version records).
			deposit: BalanceOf<T>,
		},
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The name is empty or not UTF-8.
		InvalidName,
		/// The owner already has a model with this name.
		NameTaken,
		/// A description, licence, tag or reason is not UTF-8, or a tag is empty.
		InvalidText,
		/// No model has this id.
		ModelNotFound,
		/// Only the model's owner may do this.
		NotOwner,
		/// The model has no record of this version.
		VersionNotFound,
		/// This version number was already published for the model (versions are immutable).
		VersionAlreadyPublished,
		/// A new version must be higher than every version published before it.
		VersionNotIncreasing,
		/// The model keeps as many version records as allowed; remove old ones first.
		TooManyVersions,
		/// The artifact is larger than `MaxArtifactSize`.
		ArtifactTooLarge,
		/// The artifact is empty.
		EmptyArtifact,
		/// No verification mode was given.
		NoVerificationModes,
		/// A verification-mode bit names no known mode.
		UnknownVerificationMode,
		/// ZKML is among the modes but no verifying-key digest was given.
		MissingVerifyingKey,
		/// No storage location was given.
		NoLocations,
		/// A storage location is malformed (wrong URL scheme, no host, bad characters).
		MalformedLocation,
		/// A tensor schema without inputs or without outputs.
		NoTensors,
		/// A tensor without a name.
		EmptyTensorName,
		/// Two tensors on the same side share a name.
		DuplicateTensorName,
		/// A tensor dimension is zero.
		ZeroDimension,
		/// A tensor has more elements than `MaxTensorElements`.
		TensorTooLarge,
		/// A chat schema's context is zero or above `MaxContextTokens`.
		BadContextLength,
		/// A chat schema needs a GGUF artifact (the format workers run chat models from).
		ChatNeedsGguf,
		/// The version is not active (already deprecated or taken down).
		VersionNotActive,
		/// The version is already taken down.
		AlreadyTakenDown,
		/// An active version cannot be removed; deprecate it first.
		VersionStillActive,
		/// A model with version records cannot be removed.
		ModelHasVersions,
		/// The account already owns the model.
		AlreadyOwner,
		/// The model has no pending ownership offer.
		NoOwnershipOffer,
		/// The ownership offer is for another account.
		NotOfferedAccount,
		/// The account cannot cover the deposit.
		InsufficientBalanceForDeposit,
		/// The version does not offer ZKML, so it takes no ZK keys.
		ZkmlNotOffered,
		/// The verifying key's digest is not the version's `zk_verifying_key`.
		VerifyingKeyMismatch,
		/// The verifying key is not a Groth16 key over BLS12-381 with as many public inputs as
		/// the version's schema needs.
		MalformedVerifyingKey,
		/// The version's ZK keys were already uploaded (they never change).
		ZkKeysAlreadySet,
		/// The proving key's size is zero or above `MaxArtifactSize`.
		BadProvingKey,
		/// ZK keys need a Verity int8 model whose schema's tensors are all int8 (the request's
		/// and the result's bytes are the proof's public inputs).
		ZkmlNeedsInt8Model,
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Creates a model owned by the caller; holds the record's deposit.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::create_model())]
		pub fn create_model(
			origin: OriginFor<T>,
			name: ModelName,
			description: Description,
			task: Task,
			licence: Licence,
			tags: Tags,
		) -> DispatchResult {
			let owner = ensure_signed(origin)?;
			Self::do_create_model(owner, name, description, task, licence, tags)
		}

		/// Publishes a new version of the caller's model; holds the record's deposit.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::publish_version())]
		pub fn publish_version(
			origin: OriginFor<T>,
			model: ModelId,
			version: VersionNumber,
			spec: Box<VersionSpec<BalanceOf<T>>>,
		) -> DispatchResult {
			let owner = ensure_signed(origin)?;
			Self::do_publish_version(owner, model, version, *spec)
		}

		/// Deprecates an active version of the caller's model.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::deprecate_version())]
		pub fn deprecate_version(
			origin: OriginFor<T>,
			model: ModelId,
			version: VersionNumber,
		) -> DispatchResult {
			let owner = ensure_signed(origin)?;
			Self::do_deprecate_version(owner, model, version)
		}

		/// Takes a version down, for the given reason (governance only).
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::take_down_version())]
		pub fn take_down_version(
			origin: OriginFor<T>,
			model: ModelId,
			version: VersionNumber,
			reason: TakeDownReason,
		) -> DispatchResult {
			T::TakeDownOrigin::ensure_origin(origin)?;
			Self::do_take_down_version(model, version, reason)
		}

		/// Removes a deprecated or taken-down version record; releases its deposit.
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::remove_version())]
		pub fn remove_version(
			origin: OriginFor<T>,
			model: ModelId,
			version: VersionNumber,
		) -> DispatchResult {
			let owner = ensure_signed(origin)?;
			Self::do_remove_version(owner, model, version)
		}

		/// Removes a model without version records; releases its deposit.
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::remove_model())]
		pub fn remove_model(origin: OriginFor<T>, model: ModelId) -> DispatchResult {
			let owner = ensure_signed(origin)?;
			Self::do_remove_model(owner, model)
		}

		/// Offers the caller's model to `to`, replacing any earlier offer.
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::offer_ownership())]
		pub fn offer_ownership(
			origin: OriginFor<T>,
			model: ModelId,
			to: T::AccountId,
		) -> DispatchResult {
			let owner = ensure_signed(origin)?;
			Self::do_offer_ownership(owner, model, to)
		}

		/// Withdraws the pending ownership offer of the caller's model.
		#[pallet::call_index(7)]
		#[pallet::weight(T::WeightInfo::cancel_ownership_offer())]
		pub fn cancel_ownership_offer(origin: OriginFor<T>, model: ModelId) -> DispatchResult {
			let owner = ensure_signed(origin)?;
			Self::do_cancel_ownership_offer(owner, model)
		}

		/// Accepts an ownership offer made to the caller: the model's deposits are held from the
		/// caller and released to the previous owner.
		#[pallet::call_index(8)]
		#[pallet::weight(T::WeightInfo::accept_ownership())]
		pub fn accept_ownership(origin: OriginFor<T>, model: ModelId) -> DispatchResult {
			let new_owner = ensure_signed(origin)?;
			Self::do_accept_ownership(new_owner, model)
		}

		/// Uploads the ZKML keys of a version of the caller's model that offers ZKML: the
		/// verifying key (its digest must be the version's `zk_verifying_key`) and the digests of
		/// the proving key. Holds a deposit for the bytes; the keys never change afterwards.
		#[pallet::call_index(9)]
		#[pallet::weight(T::WeightInfo::set_zk_keys())]
		pub fn set_zk_keys(
			origin: OriginFor<T>,
			model: ModelId,
			version: VersionNumber,
			keys: Box<ZkKeys>,
		) -> DispatchResult {
			let owner = ensure_signed(origin)?;
			Self::do_set_zk_keys(owner, model, version, *keys)
		}
	}
}
