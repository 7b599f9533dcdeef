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
	/// Settles a checked authorization: records its nonce (and its bucket, for pruning) and
	/// transfers, all or nothing (a failed transfer records nothing).
	pub(crate) fn do_settle(
		facilitator: T::AccountId,
		authorization: TransferAuthorization,
		signature: [u8; 65],
	) -> DispatchResult {
		let amount = Self::verify(&authorization, &signature)?;
		let TransferAuthorization { from, to, valid_before, nonce, .. } = authorization;
		UsedNonces::<T>::insert(from, nonce, valid_before);
		Expiring::<T>::insert(valid_before / BUCKET_SECONDS, (from, nonce), ());
		if PruneCursor::<T>::get().is_none() {
			PruneCursor::<T>::put(T::Time::now().as_secs() / BUCKET_SECONDS);
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

	/// Every check of `settle` but the transfer's own (the payer's balance), changing nothing:
	/// the window, the value, the nonce and the signature. Returns the amount. (An x402
	/// facilitator's `/verify` answers with these rules.)
	pub fn verify(
		authorization: &TransferAuthorization,
		signature: &[u8; 65],
	) -> Result<BalanceOf<T>, Error<T>> {
		let now = T::Time::now().as_secs();
		Window { now, max_validity: T::MaxValidity::get() }.check(authorization)?;
		ensure!(authorization.value > 0, Error::<T>::ZeroValue);
		let (from, nonce) = (authorization.from, authorization.nonce);
		ensure!(!UsedNonces::<T>::contains_key(from, nonce), Error::<T>::NonceUsed);
		ensure!(Self::signer(authorization, signature)? == from, Error::<T>::WrongSigner);
		authorization.value.try_into().map_err(|_| Error::<T>::ValueTooLarge)
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

	/// Prunes the used nonces of expired buckets, from the cursor, entry by entry while
	/// `limit` allows (a bucket left half done is finished next time); the weight used.
	pub(crate) fn prune_expired(limit: Weight) -> Weight {
		let mut used = T::DbWeight::get().reads(1);
		let Some(start) = PruneCursor::<T>::get() else { return used };
		let now_bucket = T::Time::now().as_secs() / BUCKET_SECONDS;
		let (visit, per_entry) = (T::WeightInfo::prune(0), Self::prune_entry_weight());
		let cursor_write = T::DbWeight::get().writes(1);
		let mut cursor = start;
		// A bucket is expired once every `validBefore` in it passed: before `now`'s bucket.
		'buckets: while cursor < now_bucket {
			if !used.saturating_add(visit).saturating_add(cursor_write).all_lte(limit) {
				break;
			}
			used.saturating_accrue(visit);
			let mut entries = Expiring::<T>::drain_prefix(cursor);
			loop {
				if !used.saturating_add(per_entry).saturating_add(cursor_write).all_lte(limit) {
					break 'buckets;
				}
				let Some(((payer, nonce), ())) = entries.next() else { break };
				UsedNonces::<T>::remove(payer, nonce);
				used.saturating_accrue(per_entry);
			}
			cursor += 1;
		}
		if cursor != start {
			PruneCursor::<T>::put(cursor);
			used.saturating_accrue(cursor_write);
		}
		used
	}

	/// The weight of pruning one entry of a bucket.
	fn prune_entry_weight() -> Weight {
		T::WeightInfo::prune(1).saturating_sub(T::WeightInfo::prune(0))
	}
}
