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

#[cfg(feature = "runtime-benchmarks")]
pub use types::BenchmarkHelper;
pub use types::{AddressMapper, FallbackAccounts, BUCKET_SECONDS};
pub use weights::WeightInfo;

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_support::{
		pallet_prelude::*,
		traits::{fungible, UnixTime},
	};
	use frame_system::pallet_prelude::*;
	use verity_primitives::x402::{Domain, EthAddress, TransferAuthorization};

	/// The balance type of the currency settled.
	pub type BalanceOf<T> = <<T as Config>::Currency as fungible::Inspect<
		<T as frame_system::Config>::AccountId,
	>>::Balance;

	#[pallet::pallet]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config<RuntimeEvent: From<Event<Self>>> {
		/// The token that authorizations transfer (the chain's native token).
		type Currency: fungible::Mutate<Self::AccountId, Balance: TryFrom<u128>>;

		/// The account an Ethereum address pays from and is paid to.
		type AddressMapper: AddressMapper<Self::AccountId>;

		/// The time authorizations' windows are checked against.
		type Time: UnixTime;

		/// The EIP-712 domain payers sign under: the token's name and version, the EVM chain
		/// id and the asset's address (x402's `extra.name`, `extra.version`, network and
		/// `asset`).
		#[pallet::constant]
		type Domain: Get<Domain>;

		/// The longest an authorization may still be valid for when settled (seconds): a used
		/// nonce is kept until its authorization's `validBefore`, so this bounds the storage.
		#[pallet::constant]
		type MaxValidity: Get<u64>;

		/// Weights of the calls and of pruning.
		type WeightInfo: WeightInfo;

		/// Sets the time the benchmarks run at (a benchmark's chain starts at time 0).
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: BenchmarkHelper;
	}

	/// Nonces used by each payer, with the `validBefore` of their authorization; pruned once
	/// it passed (an expired authorization cannot be settled again anyway).
	#[pallet::storage]
	pub type UsedNonces<T: Config> =
		StorageDoubleMap<_, Blake2_128Concat, EthAddress, Blake2_128Concat, [u8; 32], u64>;

	/// The used nonces to prune, by the bucket of their `validBefore`
	/// (`validBefore / BUCKET_SECONDS`). No bucket has a size limit of its own (one shared by
	/// all payers would let one payer fill it and block everyone's settlements): every entry
	/// was paid for by a settlement's fee, and lives at most `MaxValidity`.
	#[pallet::storage]
	pub type Expiring<T: Config> = StorageDoubleMap<
		_,
		Twox64Concat,
		u64,
		Blake2_128Concat,
		(EthAddress, [u8; 32]),
		(),
		OptionQuery,
	>;

	/// The next bucket to prune (`None`: nothing settled yet).
	#[pallet::storage]
	pub type PruneCursor<T: Config> = StorageValue<_, u64, OptionQuery>;

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// An authorization was settled: `value` moved from `payer` to `payee`.
		Settled {
			/// The Ethereum address that signed the authorization.
			from: EthAddress,
			/// The Ethereum address it pays.
			to: EthAddress,
			/// The account the value left (`from`'s).
			payer: T::AccountId,
			/// The account it reached (`to`'s).
			payee: T::AccountId,
			/// The amount moved.
			value: BalanceOf<T>,
			/// The authorization's nonce, now used.
			nonce: [u8; 32],
			/// Who submitted it (the x402 facilitator).
			facilitator: T::AccountId,
		},
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The authorization is not valid yet (`now <= validAfter`).
		NotYetValid,
		/// The authorization expired (`now >= validBefore`).
		Expired,
		/// `validBefore` is further ahead than `MaxValidity`.
		ValidityTooLong,
		/// The authorization moves nothing.
		ZeroValue,
		/// The payer already used this nonce.
		NonceUsed,
		/// The signature's `v` is none of 0, 1, 27, 28.
		BadRecoveryId,
		/// The signature's `s` is in the upper half of the curve order (its malleable form).
		HighS,
		/// No public key recovers from the signature.
		BadSignature,
		/// The signature is valid but not `from`'s: another key, or another authorization,
		/// domain, chain or asset than the one signed.
		WrongSigner,
		/// The value does not fit the chain's balance type.
		ValueTooLarge,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		/// Prunes the used nonces whose authorizations expired, bucket by bucket, within the
		/// block's spare weight.
		fn on_idle(_: BlockNumberFor<T>, limit: Weight) -> Weight {
			Self::prune_expired(limit)
		}

		fn integrity_test() {
			assert!(T::MaxValidity::get() > 0, "authorizations must be valid for a while");
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Settles an EIP-3009 `TransferWithAuthorization` that `authorization.from` signed
		/// (`signature`: `r ‖ s ‖ v`): moves `value` from its account to `to`'s, once. Anyone
		/// may submit it (the x402 facilitator, paying the transaction fee).
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::settle())]
		pub fn settle(
			origin: OriginFor<T>,
			authorization: TransferAuthorization,
			signature: [u8; 65],
		) -> DispatchResult {
			let facilitator = ensure_signed(origin)?;
			Self::do_settle(facilitator, authorization, signature)
		}
	}
}
