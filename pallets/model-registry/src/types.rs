//! The pallet's type aliases over the shared records in `verity-primitives`.

use crate::Config;
use frame_support::traits::fungible::Inspect;
use frame_system::pallet_prelude::BlockNumberFor;
use verity_primitives::{ModelInfo, ModelVersion};

/// The balance type of the pallet's currency.
pub type BalanceOf<T> =
	<<T as Config>::Currency as Inspect<<T as frame_system::Config>::AccountId>>::Balance;

/// A model record.
pub type ModelInfoOf<T> = ModelInfo<<T as frame_system::Config>::AccountId, BalanceOf<T>>;

/// A version record.
pub type ModelVersionOf<T> = ModelVersion<BalanceOf<T>, BlockNumberFor<T>>;
