//! Settling authorizations signed by an independent implementation (RustCrypto's k256), and
//! every way one is refused with nothing moved.

use crate::{mock::*, pallet::*, types::BUCKET_SECONDS};
use frame_support::{
	assert_noop, assert_ok,
	traits::{fungible::Inspect, Hooks},
	weights::Weight,
};
use k256::{ecdsa::SigningKey, elliptic_curve::PrimeField};
use sp_runtime::AccountId32;
use verity_primitives::x402::{address_of, fallback_account, EthAddress, TransferAuthorization};

fn key(seed: u8) -> SigningKey {
	SigningKey::from_slice(&[seed; 32]).unwrap()
}

fn address(key: &SigningKey) -> EthAddress {
	let point = key.verifying_key().to_encoded_point(false);
	address_of(point.as_bytes()[1..].try_into().unwrap())
}

fn account(address: &EthAddress) -> AccountId32 {
	fallback_account(address).into()
}

fn facilitator() -> AccountId32 {
	AccountId32::new([9; 32])
}

/// An authorization from `payer` of `value` to address 0x22..., valid for five minutes.
fn authorization(payer: &SigningKey, value: u128, nonce: u8) -> TransferAuthorization {
	TransferAuthorization {
		from: address(payer),
		to: [0x22; 20],
		value,
		valid_after: 0,
		valid_before: START + 300,
		nonce: [nonce; 32],
	}
}

/// `payer`'s signature (`v` 27/28) of `authorization` under the test chain's domain.
fn sign(payer: &SigningKey, authorization: &TransferAuthorization) -> [u8; 65] {
	let digest = authorization.signing_hash(&TestDomain::get().separator());
	let (signature, id) = payer.sign_prehash_recoverable(&digest).unwrap();
	let mut out = [0u8; 65];
	out[..64].copy_from_slice(&signature.to_bytes());
	out[64] = 27 + id.to_byte();
	out
}

fn fund(address: &EthAddress, amount: u128) {
	let _ = <Balances as frame_support::traits::fungible::Mutate<_>>::mint_into(
		&account(address),
		amount,
	);
}

fn settle(
	authorization: &TransferAuthorization,
	signature: [u8; 65],
) -> sp_runtime::DispatchResult {
	Payments::settle(RuntimeOrigin::signed(facilitator()), authorization.clone(), signature)
}

fn balance(address: &EthAddress) -> u128 {
	Balances::balance(&account(address))
}

#[test]
fn a_signed_authorization_moves_its_value_once() {
	new_test_ext().execute_with(|| {
		let payer = key(1);
		fund(&address(&payer), 1_000);
		let auth = authorization(&payer, 300, 1);
		let signature = sign(&payer, &auth);
		assert_ok!(settle(&auth, signature));
		assert_eq!(balance(&auth.from), 700);
		assert_eq!(balance(&auth.to), 300);
		System::assert_last_event(
			Event::Settled {
				from: auth.from,
				to: auth.to,
				payer: account(&auth.from),
				payee: account(&auth.to),
				value: 300,
				nonce: auth.nonce,
				facilitator: facilitator(),
			}
			.into(),
		);
		// Replayed, by anyone: refused.
		assert_noop!(settle(&auth, signature), Error::<Test>::NonceUsed);
		// A second authorization with another nonce is its own payment.
		let again = authorization(&payer, 100, 2);
		assert_ok!(settle(&again, sign(&payer, &again)));
		assert_eq!(balance(&auth.from), 600);
	});
}

#[test]
fn anything_changed_after_signing_names_another_signer() {
	new_test_ext().execute_with(|| {
		let (payer, thief) = (key(1), key(2));
		fund(&address(&payer), 1_000);
		let auth = authorization(&payer, 300, 1);
		let signature = sign(&payer, &auth);
		let changed = [
			TransferAuthorization { value: 900, ..auth.clone() },
			TransferAuthorization { to: address(&thief), ..auth.clone() },
			TransferAuthorization { valid_before: START + 301, ..auth.clone() },
			TransferAuthorization { nonce: [7; 32], ..auth.clone() },
		];
		for changed in changed {
			assert_noop!(settle(&changed, signature), Error::<Test>::WrongSigner);
		}
		// Signed by another key, or for another chain or asset.
		assert_noop!(settle(&auth, sign(&thief, &auth)), Error::<Test>::WrongSigner);
		let elsewhere = verity_primitives::x402::Domain { chain_id: 1, ..TestDomain::get() };
		let digest = auth.signing_hash(&elsewhere.separator());
		let (foreign, id) = payer.sign_prehash_recoverable(&digest).unwrap();
		let mut foreign_sig = [0u8; 65];
		foreign_sig[..64].copy_from_slice(&foreign.to_bytes());
		foreign_sig[64] = id.to_byte();
		assert_noop!(settle(&auth, foreign_sig), Error::<Test>::WrongSigner);
		assert_eq!(balance(&auth.from), 1_000);
	});
}

#[test]
fn malleable_and_malformed_signatures_are_refused() {
	new_test_ext().execute_with(|| {
		let payer = key(1);
		fund(&address(&payer), 1_000);
		let auth = authorization(&payer, 300, 1);
		let signature = sign(&payer, &auth);
		// (r, n - s, other v): the host function recovers the payer from it, the pallet
		// refuses it (one signature, one form).
		let s = k256::Scalar::from_repr(*k256::FieldBytes::from_slice(&signature[32..64])).unwrap();
		let mut high = signature;
		high[32..64].copy_from_slice(&(-s).to_bytes());
		high[64] = 55 - signature[64];
		let digest = auth.signing_hash(&TestDomain::get().separator());
		let mut raw = high;
		raw[64] -= 27;
		let public = sp_io::crypto::secp256k1_ecdsa_recover(&raw, &digest).ok().unwrap();
		assert_eq!(address_of(&public), auth.from);
		assert_noop!(settle(&auth, high), Error::<Test>::HighS);
		let mut bad_v = signature;
		bad_v[64] = 30;
		assert_noop!(settle(&auth, bad_v), Error::<Test>::BadRecoveryId);
		assert_noop!(settle(&auth, [0u8; 65]), Error::<Test>::BadSignature);
		assert_ok!(settle(&auth, signature));
	});
}

#[test]
fn the_window_and_the_value_are_checked() {
	new_test_ext().execute_with(|| {
		let payer = key(1);
		fund(&address(&payer), 1_000);
		let signed = |auth: TransferAuthorization| {
			let signature = sign(&payer, &auth);
			(auth, signature)
		};
		let base = authorization(&payer, 300, 1);
		let cases = [
			(
				TransferAuthorization { valid_after: START, ..base.clone() },
				Error::<Test>::NotYetValid,
			),
			(TransferAuthorization { valid_before: START, ..base.clone() }, Error::<Test>::Expired),
			(
				TransferAuthorization { valid_before: START + MAX_VALIDITY + 1, ..base.clone() },
				Error::<Test>::ValidityTooLong,
			),
			(TransferAuthorization { value: 0, ..base.clone() }, Error::<Test>::ZeroValue),
		];
		for (auth, error) in cases {
			let (auth, signature) = signed(auth);
			assert_noop!(settle(&auth, signature), error);
		}
		// More than the payer holds, or all of it (its account would be reaped): refused by
		// the currency, the nonce still unused.
		let (all, signature) = signed(authorization(&payer, 1_000, 3));
		assert!(settle(&all, signature).is_err());
		assert!(!UsedNonces::<Test>::contains_key(all.from, all.nonce));
		assert_eq!(balance(&all.from), 1_000);
	});
}

#[test]
fn used_nonces_are_pruned_after_expiry() {
	new_test_ext().execute_with(|| {
		let payer = key(1);
		fund(&address(&payer), 1_000_000);
		for nonce in 0..3 {
			let auth = authorization(&payer, 10, nonce);
			assert_ok!(settle(&auth, sign(&payer, &auth)));
		}
		let later =
			TransferAuthorization { valid_before: START + 400, ..authorization(&payer, 10, 9) };
		assert_ok!(settle(&later, sign(&payer, &later)));
		let bucket = (START + 300) / BUCKET_SECONDS;
		assert_eq!(Expiring::<Test>::iter_prefix(bucket).count(), 3);

		// Before expiry, pruning keeps everything.
		Payments::on_idle(1, Weight::MAX);
		assert_eq!(UsedNonces::<Test>::iter().count(), 4);
		// Once `validBefore` passed, the nonces are dropped (the window refuses them anyway).
		Timestamp::set_timestamp((START + 500) * 1000);
		let used = Payments::on_idle(1, Weight::MAX);
		assert!(used.ref_time() > 0);
		assert_eq!(UsedNonces::<Test>::iter().count(), 0);
		assert_eq!(Expiring::<Test>::iter().count(), 0);
		assert_eq!(PruneCursor::<Test>::get(), Some((START + 500) / BUCKET_SECONDS));
		let replay = authorization(&payer, 10, 0);
		assert_noop!(settle(&replay, sign(&payer, &replay)), Error::<Test>::Expired);
	});
}

/// The attack a per-bucket limit allowed: one payer's many settlements expiring in one bucket
/// never stop another payer's.
#[test]
fn one_payer_cannot_crowd_others_out() {
	new_test_ext().execute_with(|| {
		let (attacker, victim) = (key(1), key(2));
		fund(&address(&attacker), 1_000_000);
		fund(&address(&victim), 1_000);
		for nonce in 0..200u8 {
			let spam = TransferAuthorization {
				to: address(&attacker),
				..authorization(&attacker, 1, nonce)
			};
			assert_ok!(settle(&spam, sign(&attacker, &spam)));
		}
		let payment = authorization(&victim, 300, 1);
		assert_ok!(settle(&payment, sign(&victim, &payment)));
		assert_eq!(balance(&payment.to), 300);
	});
}

#[test]
fn pruning_stays_within_the_weight_it_is_given_and_resumes() {
	new_test_ext().execute_with(|| {
		let payer = key(1);
		fund(&address(&payer), 1_000_000);
		for nonce in 0..5 {
			let auth = authorization(&payer, 10, nonce);
			assert_ok!(settle(&auth, sign(&payer, &auth)));
		}
		Timestamp::set_timestamp((START + 500) * 1000);
		let cursor = PruneCursor::<Test>::get();
		// Not enough weight for anything: nothing pruned.
		Payments::on_idle(1, Weight::from_parts(1, 1));
		assert_eq!(PruneCursor::<Test>::get(), cursor);
		assert_eq!(UsedNonces::<Test>::iter().count(), 5);
		// Room for a bucket's visit and two entries a time: the empty buckets before it are
		// walked, then it is drained over at least three calls, each within its limit.
		let entry = <() as crate::WeightInfo>::prune(1) - <() as crate::WeightInfo>::prune(0);
		let limit = <() as crate::WeightInfo>::prune(0) + entry * 2 + Weight::from_parts(1, 1);
		let mut calls = 0;
		while UsedNonces::<Test>::iter().count() > 0 {
			let used = Payments::on_idle(1, limit);
			assert!(used.all_lte(limit), "{used:?} > {limit:?}");
			calls += 1;
			assert!(calls <= 10, "pruning makes no progress");
		}
		assert!(calls >= 3, "{calls} calls pruned 5 entries, 2 at most each");
	});
}
