//! Benchmarks: `settle` into a bucket one short of full (its whole list is read and written),
//! signed in the runtime with a key from the keystore; pruning of a bucket of `n` nonces.

use super::*;
use crate::types::{AddressMapper, BenchmarkHelper, BUCKET_SECONDS};
use frame_benchmarking::v2::*;
use frame_support::traits::{fungible::Mutate, Get, UnixTime};
use frame_system::RawOrigin;
use sp_runtime::KeyTypeId;
use verity_primitives::x402::{address_of, EthAddress, TransferAuthorization};

const KEY_TYPE: KeyTypeId = KeyTypeId(*b"bpay");

/// A fresh secp256k1 key in the keystore and its Ethereum address.
fn payer() -> (sp_runtime::app_crypto::ecdsa::Public, EthAddress) {
	let public = sp_io::crypto::ecdsa_generate(KEY_TYPE, None);
	let probe = [1u8; 32];
	let signature =
		sp_io::crypto::ecdsa_sign_prehashed(KEY_TYPE, &public, &probe).expect("the key signs");
	let key = sp_io::crypto::secp256k1_ecdsa_recover(&signature.0, &probe).ok().expect("recovers");
	(public, address_of(&key))
}

/// The benchmarks' time (UNIX seconds).
const NOW: u64 = 1_800_000_000;

/// Fills `bucket` with `count` used nonces of `payer`.
fn fill<T: Config>(bucket: u64, payer: EthAddress, count: u32, valid_before: u64) {
	for i in 0..count {
		let nonce = sp_io::hashing::blake2_256(&i.to_le_bytes());
		Expiring::<T>::mutate(bucket, |list| list.try_push((payer, nonce)).expect("room"));
		UsedNonces::<T>::insert(payer, nonce, valid_before);
	}
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn settle() {
		T::BenchmarkHelper::set_time(NOW);
		let (public, from) = payer();
		let now = T::Time::now().as_secs();
		let valid_before = now + T::MaxValidity::get().min(BUCKET_SECONDS);
		fill::<T>(valid_before / BUCKET_SECONDS, from, T::MaxPerBucket::get() - 1, valid_before);
		let value = 1_000_000_000u128;
		let payer_account = T::AddressMapper::to_account(&from);
		let funds: BalanceOf<T> = (value * 1_000).try_into().ok().expect("fits");
		T::Currency::mint_into(&payer_account, funds).expect("minted");
		let authorization = TransferAuthorization {
			from,
			to: [0x22; 20],
			value,
			valid_after: 0,
			valid_before,
			nonce: [0x33; 32],
		};
		let digest = authorization.signing_hash(&T::Domain::get().separator());
		let signature =
			sp_io::crypto::ecdsa_sign_prehashed(KEY_TYPE, &public, &digest).expect("signed");
		let caller: T::AccountId = whitelisted_caller();

		#[extrinsic_call]
		_(RawOrigin::Signed(caller), authorization, signature.0);

		assert!(UsedNonces::<T>::contains_key(from, [0x33; 32]));
	}

	#[benchmark]
	fn prune_bucket(n: Linear<0, { T::MaxPerBucket::get() }>) {
		T::BenchmarkHelper::set_time(NOW);
		let now_bucket = T::Time::now().as_secs() / BUCKET_SECONDS;
		let bucket = now_bucket - 1;
		fill::<T>(bucket, [0x11; 20], n, bucket * BUCKET_SECONDS);
		PruneCursor::<T>::put(bucket);

		#[block]
		{
			Pallet::<T>::prune_expired(
				T::WeightInfo::prune_bucket(T::MaxPerBucket::get())
					.saturating_add(T::DbWeight::get().reads_writes(2, 1)),
			);
		}

		assert_eq!(
			Expiring::<T>::get(bucket).len(),
			0,
			"bucket {bucket}, cursor {}, now {}",
			PruneCursor::<T>::get(),
			T::Time::now().as_secs()
		);
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
