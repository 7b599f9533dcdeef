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

/// Storage version 2: receipts carry the digest of an LLM result's generation evidence
/// (`Receipt::generation`, `None` for every receipt recorded before). Settled results and ZKML
/// answers awaiting their proof hold a receipt; without it they would no longer decode: never
/// disputable, never pruned, a proof never accepted.
pub type MigrateToV2<T> = VersionedMigration<
	1,
	2,
	v2::AddGenerationDigest<T>,
	Pallet<T>,
	<T as frame_system::Config>::DbWeight,
>;

pub mod v2 {
	use super::*;
	use frame_system::pallet_prelude::BlockNumberFor;
	use verity_primitives::{
		Digest32, FeeSplit, ModelVersionRef, Receipt, ReceiptContext, ReceiptSignature, RequestId,
		RequestInput, ResultOutput, SigningKey, TokenUsage, VerificationMode, MAX_INLINE_OUTPUT,
	};

	/// A receipt as version 1 stored it: without `generation`.
	#[derive(Encode, Decode)]
	pub struct OldReceipt<AccountId> {
		pub genesis_hash: [u8; 32],
		pub context: ReceiptContext,
		pub request_id: RequestId,
		pub model: ModelVersionRef,
		pub spec_hash: Digest32,
		pub model_digest: Digest32,
		pub input_digest: Digest32,
		pub output_digest: Digest32,
		pub mode: VerificationMode,
		pub worker: AccountId,
		pub usage: Option<TokenUsage>,
		pub timestamp_ms: u64,
	}

	impl<AccountId> From<OldReceipt<AccountId>> for Receipt<AccountId> {
		fn from(old: OldReceipt<AccountId>) -> Self {
			Receipt {
				genesis_hash: old.genesis_hash,
				context: old.context,
				request_id: old.request_id,
				model: old.model,
				spec_hash: old.spec_hash,
				model_digest: old.model_digest,
				input_digest: old.input_digest,
				output_digest: old.output_digest,
				mode: old.mode,
				worker: old.worker,
				usage: old.usage,
				generation: None,
				timestamp_ms: old.timestamp_ms,
			}
		}
	}

	/// A settled result as version 1 stored it.
	#[derive(Encode, Decode)]
	pub struct OldSettledResult<AccountId, Balance, BlockNumber> {
		pub requester: AccountId,
		pub receipt: OldReceipt<AccountId>,
		pub signing_key: SigningKey,
		pub signature: ReceiptSignature,
		pub input: RequestInput,
		pub output: ResultOutput,
		pub paid: FeeSplit<Balance>,
		pub settled_at: BlockNumber,
		pub check_of: Option<RequestId>,
	}

	/// A ZKML answer as version 1 stored it.
	#[derive(Encode, Decode)]
	pub struct OldAnsweredResult<AccountId, BlockNumber> {
		pub receipt: OldReceipt<AccountId>,
		pub signing_key: SigningKey,
		pub signature: ReceiptSignature,
		pub output: BoundedVec<u8, ConstU32<MAX_INLINE_OUTPUT>>,
		pub answered_at: BlockNumber,
	}

	/// Re-encodes every settled result and every answer awaiting its proof with
	/// `generation: None` in its receipt. Settled results are bounded by `ResultRetention`
	/// (pruned in order), answers by the open requests.
	pub struct AddGenerationDigest<T>(core::marker::PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for AddGenerationDigest<T> {
		fn on_runtime_upgrade() -> Weight {
			let mut count = 0u64;
			Results::<T>::translate::<
				OldSettledResult<T::AccountId, BalanceOf<T>, BlockNumberFor<T>>,
				_,
			>(|_, old| {
				count += 1;
				Some(SettledResult {
					requester: old.requester,
					receipt: old.receipt.into(),
					signing_key: old.signing_key,
					signature: old.signature,
					input: old.input,
					output: old.output,
					paid: old.paid,
					settled_at: old.settled_at,
					check_of: old.check_of,
				})
			});
			AwaitingProof::<T>::translate::<OldAnsweredResult<T::AccountId, BlockNumberFor<T>>, _>(
				|_, old| {
					count += 1;
					Some(AnsweredResult {
						receipt: old.receipt.into(),
						signing_key: old.signing_key,
						signature: old.signature,
						output: old.output,
						answered_at: old.answered_at,
					})
				},
			);
			T::DbWeight::get().reads_writes(count, count)
		}
	}
}
