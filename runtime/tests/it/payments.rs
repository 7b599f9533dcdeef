//! x402 settlement in the real runtime: an Ethereum key (RustCrypto's k256, not the runtime's
//! code) signs an EIP-3009 authorization under the runtime's own domain; Alice funds the
//! key's account; anyone settles it once.

use super::*;
use frame_support::{assert_noop, assert_ok};
use k256::ecdsa::SigningKey;
use verity_primitives::x402::{address_of, fallback_account, TransferAuthorization};
use verity_runtime::{configs::PaymentDomain, Payments, RuntimeOrigin};

#[test]
fn an_ethereum_key_pays_through_the_runtime_once() {
	preset_storage(DEV_RUNTIME_PRESET).execute_with(|| {
		let now = 1_800_000_000u64;
		// The block's time, as `Timestamp.set` leaves it (without Aura's slot check).
		pallet_timestamp::Now::<Runtime>::put(now * 1000);
		let key = SigningKey::from_slice(&[5u8; 32]).unwrap();
		let point = key.verifying_key().to_encoded_point(false);
		let from = address_of(point.as_bytes()[1..].try_into().unwrap());
		let payer = sp_runtime::AccountId32::new(fallback_account(&from));
		let alice = RuntimeOrigin::signed(Sr25519Keyring::Alice.to_account_id());
		assert_ok!(Balances::transfer_keep_alive(alice, payer.clone().into(), 10 * UNIT));

		let authorization = TransferAuthorization {
			from,
			to: [0x42; 20],
			value: UNIT / 100,
			valid_after: 0,
			valid_before: now + 60,
			nonce: [9; 32],
		};
		let digest = authorization.signing_hash(&PaymentDomain::get().separator());
		let (signature, id) = key.sign_prehash_recoverable(&digest).unwrap();
		let mut signed = [0u8; 65];
		signed[..64].copy_from_slice(&signature.to_bytes());
		signed[64] = 27 + id.to_byte();

		let bob = RuntimeOrigin::signed(Sr25519Keyring::Bob.to_account_id());
		assert_ok!(Payments::settle(bob.clone(), authorization.clone(), signed));
		let payee = sp_runtime::AccountId32::new(fallback_account(&[0x42; 20]));
		assert_eq!(Balances::balance(&payee), UNIT / 100);
		assert_eq!(Balances::balance(&payer), 10 * UNIT - UNIT / 100);
		assert_noop!(
			Payments::settle(bob, authorization, signed),
			pallet_payments::Error::<Runtime>::NonceUsed
		);
	});
}
