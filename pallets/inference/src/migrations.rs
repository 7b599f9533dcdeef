//! Storage migrations of the inference pallet.

use crate::*;
use codec::Encode;
use frame_support::{
	migrations::VersionedMigration, pallet_prelude::*, traits::UncheckedOnRuntimeUpgrade,
};

/// Storage version 1: open requests carry their chat terms (`InferenceRequest::chat`, `None`
/// for every request opened before chat requests existed). Without it, requests open at the
/// upgrade would no longer decode: never settled, never expired, their fees held for good.
pub type MigrateToV1<T> =
	VersionedMigration<0, 1, v1::AddChatTerms<T>, Pallet<T>, <T as frame_system::Config>::DbWeight>;

pub mod v1 {
	use super::*;

	/// Rewrites every open request with `chat: None`. Version 0's encoding is version 1's
	/// without its last field, an `Option` whose `None` encodes as one zero byte: appending
	/// that byte to each stored value is the whole translation.
	pub struct AddChatTerms<T>(core::marker::PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for AddChatTerms<T> {
		fn on_runtime_upgrade() -> Weight {
			// Keys first: the map is not written while it is iterated. Open requests are
			// bounded by the deadline buckets (`MaxRequestsPerBlock` × `MaxDeadline`).
			let keys: alloc::vec::Vec<_> =
				Requests::<T>::iter_keys().map(Requests::<T>::hashed_key_for).collect();
			for key in &keys {
				if let Some(mut value) = frame_support::storage::unhashed::get_raw(key) {
					Option::<ChatTermsOf<T>>::None.encode_to(&mut value);
					frame_support::storage::unhashed::put_raw(key, &value);
				}
			}
			let count = keys.len() as u64;
			T::DbWeight::get().reads_writes(count, count)
		}
	}
}
