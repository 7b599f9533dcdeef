//! Benchmarks: `settle` (signed in the runtime with a key from the keystore) beside others'
//! nonces in its bucket; pruning of an expired bucket of `n` nonces of `n` payers.

use super::*;
use crate::types::{AddressMapper, BenchmarkHelper, BUCKET_SECONDS};
use frame_benchmarking::v2::*;
use frame_support::{
	traits::{fungible::Mutate, Get},
	weights::Weight,
};
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

/// Records `count` used nonces expiring in `bucket`, each of another payer (the worst case:
/// no two share a trie path).
fn fill<T: Config>(bucket: u64, count: u32, valid_before: u64) {
	for i in 0..count {
		let payer: EthAddress =
			sp_io::hashing::blake2_256(&i.to_le_bytes())[..20].try_into().expect("20 bytes");
		let nonce = sp_io::hashing::keccak_256(&i.to_le_bytes());
		Expiring::<T>::insert(bucket, (payer, nonce), ());
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
		let valid_before = NOW + T::MaxValidity::get();
		// Others' nonces in the same bucket.
		fill::<T>(valid_before / BUCKET_SECONDS, 100, valid_before);
		PruneCursor::<T>::put(NOW / BUCKET_SECONDS);
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

	/// Draining one expired bucket of `n` entries.
	#[benchmark]
	fn prune(n: Linear<0, 1_000>) {
		T::BenchmarkHelper::set_time(NOW);
		let bucket = NOW / BUCKET_SECONDS - 1;
		fill::<T>(bucket, n, bucket * BUCKET_SECONDS);
		PruneCursor::<T>::put(bucket);

		#[block]
		{
			Pallet::<T>::prune_expired(Weight::MAX);
		}

		assert_eq!(Expiring::<T>::iter_prefix(bucket).count(), 0);
		assert_eq!(PruneCursor::<T>::get(), Some(bucket + 1));
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
