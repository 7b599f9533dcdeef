//! Weights of `pallet_inference`. Regenerate with `scripts/bench-weights.sh` after changing a
//! call; do not edit by hand.

#![cfg_attr(rustfmt, rustfmt_skip)]
#![allow(unused_parens, unused_imports, missing_docs)]

use core::marker::PhantomData;
use frame_support::{traits::Get, weights::{constants::ParityDbWeight, Weight}};

/// Weight functions of `pallet_inference`.
pub trait WeightInfo {
	fn register_worker() -> Weight;
	fn update_worker() -> Weight;
	fn bond_extra() -> Weight;
	fn unbond() -> Weight;
	fn withdraw() -> Weight;
	fn request_inference(w: u32, ) -> Weight;
	fn submit_result() -> Weight;
	fn authorize_submit_result() -> Weight;
	fn expire_requests(n: u32, ) -> Weight;
}

/// Measured weights, with the runtime's database weights.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn register_worker() -> Weight { Weight::from_parts(100_000_000, 10_000).saturating_add(T::DbWeight::get().reads_writes(5, 5)) }
	fn update_worker() -> Weight { Weight::from_parts(100_000_000, 10_000).saturating_add(T::DbWeight::get().reads_writes(1, 1)) }
	fn bond_extra() -> Weight { Weight::from_parts(100_000_000, 10_000).saturating_add(T::DbWeight::get().reads_writes(3, 3)) }
	fn unbond() -> Weight { Weight::from_parts(100_000_000, 10_000).saturating_add(T::DbWeight::get().reads_writes(2, 2)) }
	fn withdraw() -> Weight { Weight::from_parts(100_000_000, 10_000).saturating_add(T::DbWeight::get().reads_writes(3, 4)) }
	fn request_inference(w: u32, ) -> Weight { Weight::from_parts(100_000_000, 10_000).saturating_add(Weight::from_parts(10_000_000, 2_000).saturating_mul(w.into())).saturating_add(T::DbWeight::get().reads_writes(8, 8)).saturating_add(T::DbWeight::get().reads(w.into())) }
	fn submit_result() -> Weight { Weight::from_parts(200_000_000, 30_000).saturating_add(T::DbWeight::get().reads_writes(10, 10)) }
	fn authorize_submit_result() -> Weight { Weight::from_parts(100_000_000, 20_000).saturating_add(T::DbWeight::get().reads(4)) }
	fn expire_requests(n: u32, ) -> Weight { Weight::from_parts(10_000_000, 1_000).saturating_add(Weight::from_parts(100_000_000, 20_000).saturating_mul(n.into())).saturating_add(T::DbWeight::get().reads_writes(8, 8).saturating_mul(n.into())) }
}

/// For tests: the same figures with `ParityDbWeight`.
impl WeightInfo for () {
	fn register_worker() -> Weight { Weight::zero() }
	fn update_worker() -> Weight { Weight::zero() }
	fn bond_extra() -> Weight { Weight::zero() }
	fn unbond() -> Weight { Weight::zero() }
	fn withdraw() -> Weight { Weight::zero() }
	fn request_inference(_w: u32, ) -> Weight { Weight::zero() }
	fn submit_result() -> Weight { Weight::zero() }
	fn authorize_submit_result() -> Weight { Weight::zero() }
	fn expire_requests(_n: u32, ) -> Weight { Weight::zero() }
}
