//! Benchmarks of both calls on their worst case: a set one short of full (adding scans it for
//! duplicates) or full (removing scans it to the end).

use super::*;
use alloc::vec::Vec;
use codec::Decode;
use frame_benchmarking::v2::*;
use frame_support::{
	traits::{EnsureOrigin, Get},
	BoundedVec,
};
use pallet_session::SessionInterface;
use sp_runtime::traits::{BlakeTwo256, Hash, TrailingZeroInput};

/// Validator `index`, with session keys of its own registered.
fn keyed<T: Config>(index: u32) -> T::AccountId {
	let who: T::AccountId = account("validator", index, 0);
	// Distinct bytes for every key of every validator: session keys must not be shared.
	let seed: Vec<u8> = (0..8u32).flat_map(|part| BlakeTwo256::hash_of(&(index, part)).0).collect();
	let keys = <<T::Session as SessionInterface>::Keys as Decode>::decode(
		&mut TrailingZeroInput::new(&seed),
	)
	.expect("keys decode from any bytes");
	T::Session::set_keys(&who, keys).expect("fresh keys for a fresh account");
	who
}

/// Fills the set with `count` keyed validators.
fn fill<T: Config>(count: u32) -> Vec<T::AccountId> {
	let set: Vec<_> = (0..count).map(keyed::<T>).collect();
	Validators::<T>::put(BoundedVec::try_from(set.clone()).expect("within MaxValidators"));
	set
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn add_validator() {
		let max = T::MaxValidators::get();
		fill::<T>(max - 1);
		let new = keyed::<T>(max);
		let origin = T::UpdateOrigin::try_successful_origin().expect("a governance origin");

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, new.clone());

		assert!(Validators::<T>::get().contains(&new));
	}

	#[benchmark]
	fn remove_validator() {
		let set = fill::<T>(T::MaxValidators::get());
		let last = set.last().expect("a full set").clone();
		let origin = T::UpdateOrigin::try_successful_origin().expect("a governance origin");

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, last.clone());

		assert!(!Validators::<T>::get().contains(&last));
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
