#![doc = include_str!("../README.md")]
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;

#[cfg(feature = "runtime-benchmarks")]
pub mod benchmarking;
mod dispatchable_impls;
#[cfg(test)]
mod mock;
mod session;
#[cfg(test)]
mod tests;
pub mod weights;

pub use session::FullIdentificationOf;
pub use weights::WeightInfo;

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use alloc::vec::Vec;
	use frame_support::{pallet_prelude::*, traits::ValidatorRegistration};
	use frame_system::pallet_prelude::*;
	use pallet_session::SessionInterface;
	use sp_staking::SessionIndex;

	#[pallet::pallet]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config<RuntimeEvent: From<Event<Self>>> {
		/// The origin that adds and removes validators (governance).
		type UpdateOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// The session pallet: who has registered session keys, disabling an offender for the
		/// rest of the running session, and pruning of old sessions' key-ownership roots.
		type Session: SessionInterface<ValidatorId = Self::AccountId, AccountId = Self::AccountId>
			+ ValidatorRegistration<Self::AccountId>;

		/// The fewest validators governance may leave in the set (a proven offender is removed
		/// even below it; never the last validator).
		#[pallet::constant]
		type MinValidators: Get<u32>;

		/// The most validators the set may hold.
		#[pallet::constant]
		type MaxValidators: Get<u32>;

		/// How many past sessions' key-ownership roots are kept: equivocation reports about
		/// older sessions cannot be proven any more and are refused.
		#[pallet::constant]
		type HistoryDepth: Get<SessionIndex>;

		/// Weights of the calls.
		type WeightInfo: WeightInfo;
	}

	/// The validators of the next planned session. Changes show here at once and reach
	/// consensus when the session pallet plans a session: the set planned at the end of
	/// session `n` is the one that authors and votes from session `n + 2`.
	#[pallet::storage]
	pub type Validators<T: Config> =
		StorageValue<_, BoundedVec<T::AccountId, T::MaxValidators>, ValueQuery>;

	/// Whether [`Validators`] changed since the session pallet last planned a session.
	#[pallet::storage]
	pub type SetChanged<T: Config> = StorageValue<_, bool, ValueQuery>;

	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// The first validators, without duplicates; each needs session keys in the session
		/// pallet's genesis. There may be fewer than `MinValidators` (a dev chain has one).
		pub validators: Vec<T::AccountId>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			Pallet::<T>::initialize(&self.validators);
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// Governance added a validator; it authors and votes from the session after the next
		/// planned one.
		ValidatorAdded {
			/// The new validator's account (its session keys are in the session pallet).
			validator: T::AccountId,
		},
		/// Governance removed a validator; it stops at the same session boundary.
		ValidatorRemoved {
			/// The removed validator's account.
			validator: T::AccountId,
		},
		/// A validator was proven to have committed an offence (e.g. a GRANDPA equivocation):
		/// it is disabled for the rest of the running session and removed from the set.
		OffenderRemoved {
			/// The offender's account.
			validator: T::AccountId,
			/// The session in which the offence happened.
			session: SessionIndex,
		},
		/// The session pallet planned a session with a changed set.
		NewSetPlanned {
			/// The session from which the set authors and votes.
			session: SessionIndex,
			/// How many validators it has.
			validators: u32,
		},
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The account is in the validator set already.
		AlreadyValidator,
		/// The account is not in the validator set.
		NotValidator,
		/// The account has no session keys: it must call `session.set_keys` first.
		NoSessionKeys,
		/// The set holds `MaxValidators` already.
		TooManyValidators,
		/// Removing it would leave fewer than `MinValidators`.
		TooFewValidators,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn integrity_test() {
			assert!(T::MaxValidators::get() > 0, "a set needs room for a validator");
			assert!(
				T::MinValidators::get() <= T::MaxValidators::get(),
				"the minimum set size must fit the maximum"
			);
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Adds `validator` to the set from the next planned session. It must have registered
		/// its session keys (`session.set_keys`, with keys from `author_rotateKeys`).
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::add_validator())]
		pub fn add_validator(origin: OriginFor<T>, validator: T::AccountId) -> DispatchResult {
			T::UpdateOrigin::ensure_origin(origin)?;
			Self::do_add_validator(validator)
		}

		/// Removes `validator` from the set from the next planned session, keeping at least
		/// `MinValidators`.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::remove_validator())]
		pub fn remove_validator(origin: OriginFor<T>, validator: T::AccountId) -> DispatchResult {
			T::UpdateOrigin::ensure_origin(origin)?;
			Self::do_remove_validator(validator)
		}
	}
}
