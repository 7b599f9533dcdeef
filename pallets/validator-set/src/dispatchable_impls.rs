//! The calls' logic, and the set's genesis.

use super::*;
use frame_support::{ensure, pallet_prelude::DispatchResult, traits::ValidatorRegistration};
use sp_runtime::traits::Get;

impl<T: Config> Pallet<T> {
	pub(crate) fn do_add_validator(validator: T::AccountId) -> DispatchResult {
		ensure!(T::Session::is_registered(&validator), Error::<T>::NoSessionKeys);
		Validators::<T>::try_mutate(|set| {
			ensure!(!set.contains(&validator), Error::<T>::AlreadyValidator);
			set.try_push(validator.clone()).map_err(|_| Error::<T>::TooManyValidators)
		})?;
		SetChanged::<T>::put(true);
		Self::deposit_event(Event::ValidatorAdded { validator });
		Ok(())
	}

	pub(crate) fn do_remove_validator(validator: T::AccountId) -> DispatchResult {
		Validators::<T>::try_mutate(|set| {
			let index = set.iter().position(|v| v == &validator).ok_or(Error::<T>::NotValidator)?;
			ensure!(set.len() as u32 > T::MinValidators::get(), Error::<T>::TooFewValidators);
			set.remove(index);
			Ok::<_, Error<T>>(())
		})?;
		SetChanged::<T>::put(true);
		Self::deposit_event(Event::ValidatorRemoved { validator });
		Ok(())
	}

	/// Stores the genesis set. A bad genesis is refused before the chain starts; an empty one
	/// leaves the session pallet's own genesis keys in charge.
	pub(crate) fn initialize(validators: &[T::AccountId]) {
		let mut set = alloc::vec::Vec::with_capacity(validators.len());
		for validator in validators {
			assert!(!set.contains(validator), "a genesis validator is listed twice");
			set.push(validator.clone());
		}
		let set: frame_support::BoundedVec<_, T::MaxValidators> =
			set.try_into().expect("the genesis validator set exceeds MaxValidators");
		Validators::<T>::put(set);
	}
}
