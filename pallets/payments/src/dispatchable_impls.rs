//! The calls' work, and pruning.

use crate::{
	pallet::*,
	types::{AddressMapper, BUCKET_SECONDS},
	WeightInfo,
};
use frame_support::{
	pallet_prelude::*,
	traits::{fungible::Mutate, tokens::Preservation, UnixTime},
};
use verity_primitives::x402::{
	recover_signer, SignatureError, TransferAuthorization, Window, WindowError,
};

impl<T: Config> From<WindowError> for Error<T> {
	fn from(error: WindowError) -> Self {
		match error {
			WindowError::NotYetValid => Error::NotYetValid,
			WindowError::Expired => Error::Expired,
			WindowError::TooLong => Error::ValidityTooLong,
		}
	}
}

impl<T: Config> From<SignatureError> for Error<T> {
	fn from(error: SignatureError) -> Self {
		match error {
			SignatureError::BadRecoveryId => Error::BadRecoveryId,
			SignatureError::HighS => Error::HighS,
			SignatureError::Unrecoverable => Error::BadSignature,
		}
	}
}

impl<T: Config> Pallet<T> {
	/// Checks the window, the nonce and the signature, records the nonce for pruning, and
	/// transfers (all or nothing: a failed transfer records nothing).
	pub(crate) fn do_settle(
		facilitator: T::AccountId,
		authorization: TransferAuthorization,
		signature: [u8; 65],
	) -> DispatchResult {
		let now = T::Time::now().as_secs();
		Window { now, max_validity: T::MaxValidity::get() }
			.check(&authorization)
			.map_err(Error::<T>::from)?;
		ensure!(authorization.value > 0, Error::<T>::ZeroValue);
		let TransferAuthorization { from, to, value, valid_before, nonce, .. } = authorization;
		ensure!(!UsedNonces::<T>::contains_key(from, nonce), Error::<T>::NonceUsed);
		let signer = Self::signer(&authorization, &signature)?;
		ensure!(signer == from, Error::<T>::WrongSigner);
		let amount: BalanceOf<T> = value.try_into().map_err(|_| Error::<T>::ValueTooLarge)?;
		Expiring::<T>::try_mutate(valid_before / BUCKET_SECONDS, |bucket| {
			bucket.try_push((from, nonce)).map_err(|_| Error::<T>::TooManyExpiring)
		})?;
		UsedNonces::<T>::insert(from, nonce, valid_before);
		if PruneCursor::<T>::get() == 0 {
			PruneCursor::<T>::put(now / BUCKET_SECONDS);
		}
		let payer = T::AddressMapper::to_account(&from);
		let payee = T::AddressMapper::to_account(&to);
		T::Currency::transfer(&payer, &payee, amount, Preservation::Preserve)?;
		Self::deposit_event(Event::Settled {
			from,
			to,
			payer,
			payee,
			value: amount,
			nonce,
			facilitator,
		});
		Ok(())
	}

	/// The address that signed `authorization` under the chain's domain.
	pub fn signer(
		authorization: &TransferAuthorization,
		signature: &[u8; 65],
	) -> Result<verity_primitives::x402::EthAddress, Error<T>> {
		let digest = authorization.signing_hash(&T::Domain::get().separator());
		let recover = |signature: &[u8; 65], digest: &[u8; 32]| {
			sp_io::crypto::secp256k1_ecdsa_recover(signature, digest).ok()
		};
		Ok(recover_signer(&digest, signature, recover)?)
	}

	/// Prunes expired buckets from the cursor while `limit` allows; the weight used.
	pub(crate) fn prune_expired(limit: Weight) -> Weight {
		let cursor_weight = T::DbWeight::get().reads_writes(1, 1);
		let mut used = T::DbWeight::get().reads(1);
		let mut cursor = PruneCursor::<T>::get();
		if cursor == 0 {
			return used;
		}
		let now_bucket = T::Time::now().as_secs() / BUCKET_SECONDS;
		let worst = T::WeightInfo::prune_bucket(T::MaxPerBucket::get());
		let start = cursor;
		// A bucket is expired once every `validBefore` in it passed: before `now`'s bucket.
		while cursor < now_bucket && used.saturating_add(worst).all_lte(limit) {
			let bucket = Expiring::<T>::take(cursor);
			for (payer, nonce) in &bucket {
				UsedNonces::<T>::remove(payer, nonce);
			}
			used.saturating_accrue(T::WeightInfo::prune_bucket(bucket.len() as u32));
			cursor += 1;
		}
		if cursor != start {
			PruneCursor::<T>::put(cursor);
			used.saturating_accrue(cursor_weight);
		}
		used
	}
}
