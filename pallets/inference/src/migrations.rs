//! Storage migrations of the inference pallet.

use crate::*;
use codec::{Decode, Encode};
use frame_support::{
	migrations::VersionedMigration, pallet_prelude::*, traits::UncheckedOnRuntimeUpgrade,
};
use frame_system::pallet_prelude::BlockNumberFor;
use verity_primitives::{Digest32, ModelVersionRef, RequestId, RequestInput, VerificationMode};

/// Storage version 1: open requests carry their chat terms (`InferenceRequest::chat`, `None`
/// for every request opened before chat requests existed). Without it, requests open at the
/// upgrade would no longer decode: never settled, never expired, their fees held for good.
pub type MigrateToV1<T> =
	VersionedMigration<0, 1, v1::AddChatTerms<T>, Pallet<T>, <T as frame_system::Config>::DbWeight>;

pub mod v1 {
	use super::*;

	/// An open request as storage version 0 encodes it.
	#[derive(Encode, Decode)]
	pub struct OldRequest<AccountId, Balance, BlockNumber> {
		pub requester: AccountId,
		pub model: ModelVersionRef,
		pub spec_hash: Digest32,
		pub model_digest: Digest32,
		pub model_owner: AccountId,
		pub input: RequestInput,
		pub input_digest: Digest32,
		pub output_len: u64,
		pub mode: VerificationMode,
		pub worker: AccountId,
		pub fee: FeeSplit<Balance>,
		pub submitted_at: BlockNumber,
		pub deadline: BlockNumber,
		pub check_of: Option<RequestId>,
		pub deterministic: bool,
	}

	/// Rewrites every open request with `chat: None`.
	pub struct AddChatTerms<T>(core::marker::PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for AddChatTerms<T> {
		fn on_runtime_upgrade() -> Weight {
			let mut count = 0u64;
			Requests::<T>::translate::<OldRequest<T::AccountId, BalanceOf<T>, BlockNumberFor<T>>, _>(
				|_, old| {
					count += 1;
					Some(InferenceRequest {
						requester: old.requester,
						model: old.model,
						spec_hash: old.spec_hash,
						model_digest: old.model_digest,
						model_owner: old.model_owner,
						input: old.input,
						input_digest: old.input_digest,
						output_len: old.output_len,
						mode: old.mode,
						worker: old.worker,
						fee: old.fee,
						submitted_at: old.submitted_at,
						deadline: old.deadline,
						check_of: old.check_of,
						deterministic: old.deterministic,
						chat: None,
					})
				},
			);
			T::DbWeight::get().reads_writes(count, count)
		}
	}
}
