//! The validator set at the runtime level: the local testnet's four validators; a validator
//! that registered real session keys (with their ownership proof) joins by a Root call (what
//! a `root`-track referendum or a whitelisted call dispatches) and another leaves, both taking
//! effect at a session boundary in Aura and GRANDPA; bad changes are refused; a GRANDPA
//! equivocation reported with a key-ownership proof disables and removes the offender; a
//! stale, forged or duplicate report is refused, and the pool takes none from outside the
//! node. The node-level tests (`zombienet/`) run the same on a live network.

use super::preset_storage;
use codec::Encode;
use frame_support::{
	assert_noop, assert_ok,
	traits::{Hooks, KeyOwnerProofSystem},
};
use sp_consensus_aura::sr25519::AuthorityId as AuraId;
use sp_consensus_grandpa::{AuthorityId as GrandpaId, EquivocationProof, KEY_TYPE};
use sp_core::H256;
use sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET;
use sp_keyring::{Ed25519Keyring, Sr25519Keyring};
use sp_keystore::{testing::MemoryKeystore, KeystoreExt};
use sp_runtime::transaction_validity::{InvalidTransaction, TransactionSource};
use verity_runtime::{
	configs::{SessionPeriod, HISTORY_DEPTH},
	Executive, Grandpa, Historical, Runtime, RuntimeCall, RuntimeEvent, RuntimeOrigin, Session,
	SessionKeys, System, UncheckedExtrinsic, ValidatorSet,
};

type ValidatorSetError = pallet_validator_set::Error<Runtime>;

fn local_testnet() -> sp_io::TestExternalities {
	let mut ext = preset_storage(LOCAL_TESTNET_RUNTIME_PRESET);
	ext.register_extension(KeystoreExt::new(MemoryKeystore::new()));
	ext.execute_with(|| System::set_block_number(1));
	ext
}

/// Jumps from session boundary to session boundary (rotating sessions and applying GRANDPA's
/// scheduled changes) until session `index` has started.
fn run_to_session(index: u32) {
	let period = SessionPeriod::get();
	while Session::current_index() < index {
		let next = (System::block_number() / period + 1) * period;
		System::set_block_number(next);
		Session::on_initialize(next);
		Grandpa::on_finalize(next);
	}
}

fn account(who: Sr25519Keyring) -> verity_runtime::AccountId {
	who.to_account_id()
}

fn validators() -> Vec<verity_runtime::AccountId> {
	pallet_validator_set::Validators::<Runtime>::get().into_inner()
}

fn events() -> Vec<RuntimeEvent> {
	System::events().into_iter().map(|record| record.event).collect()
}

/// `who` generates session keys in the keystore (as `author_rotateKeysWithOwner` does on its
/// node) and registers them with their ownership proof; returns the keys.
fn register_session_keys(who: Sr25519Keyring) -> SessionKeys {
	let owner = account(who);
	let generated = SessionKeys::generate(&owner.encode(), None);
	assert_ok!(Session::set_keys(
		RuntimeOrigin::signed(owner),
		generated.keys.clone(),
		generated.proof.encode(),
	));
	generated.keys
}

#[test]
fn the_local_testnet_starts_with_four_validators_in_aura_and_grandpa() {
	local_testnet().execute_with(|| {
		let four = [
			Sr25519Keyring::Alice,
			Sr25519Keyring::Bob,
			Sr25519Keyring::Charlie,
			Sr25519Keyring::Dave,
		];
		assert_eq!(validators(), four.map(account).to_vec());
		assert_eq!(Session::validators(), four.map(account).to_vec());
		let aura: Vec<AuraId> = four.iter().map(|k| k.public().into()).collect();
		assert_eq!(pallet_aura::Authorities::<Runtime>::get().into_inner(), aura);
		let grandpa: Vec<GrandpaId> = [
			Ed25519Keyring::Alice,
			Ed25519Keyring::Bob,
			Ed25519Keyring::Charlie,
			Ed25519Keyring::Dave,
		]
		.iter()
		.map(|k| k.public().into())
		.collect();
		let voters: Vec<GrandpaId> =
			Grandpa::grandpa_authorities().into_iter().map(|(id, _)| id).collect();
		assert_eq!(voters, grandpa);
	});
}

#[test]
fn a_keyed_validator_joins_by_root_and_another_leaves_at_a_session_boundary() {
	local_testnet().execute_with(|| {
		let (eve, dave) = (account(Sr25519Keyring::Eve), account(Sr25519Keyring::Dave));
		// Only governance changes the set.
		let keys = register_session_keys(Sr25519Keyring::Eve);
		assert_noop!(
			ValidatorSet::add_validator(RuntimeOrigin::signed(eve.clone()), eve.clone()),
			sp_runtime::DispatchError::BadOrigin
		);
		assert_ok!(ValidatorSet::add_validator(RuntimeOrigin::root(), eve.clone()));
		assert_ok!(ValidatorSet::remove_validator(RuntimeOrigin::root(), dave.clone()));
		// Four stay: a fifth removal is refused, the set unchanged.
		assert_noop!(
			ValidatorSet::remove_validator(RuntimeOrigin::root(), account(Sr25519Keyring::Bob)),
			ValidatorSetError::TooFewValidators
		);
		// Planned when session 0 ends, in force from session 2.
		run_to_session(1);
		assert!(Session::validators().contains(&dave));
		run_to_session(2);
		assert!(Session::validators().contains(&eve));
		assert!(!Session::validators().contains(&dave));
		assert!(pallet_aura::Authorities::<Runtime>::get().contains(&keys.aura));
		assert!(Grandpa::grandpa_authorities().iter().any(|(id, _)| id == &keys.grandpa));
		assert_eq!(validators().len(), 4);
	});
}

#[test]
fn bad_validator_set_changes_are_refused_and_change_nothing() {
	local_testnet().execute_with(|| {
		let ferdie = account(Sr25519Keyring::Ferdie);
		assert_noop!(
			ValidatorSet::add_validator(RuntimeOrigin::root(), ferdie.clone()),
			ValidatorSetError::NoSessionKeys
		);
		assert_noop!(
			ValidatorSet::add_validator(RuntimeOrigin::root(), account(Sr25519Keyring::Bob)),
			ValidatorSetError::AlreadyValidator
		);
		assert_noop!(
			ValidatorSet::remove_validator(RuntimeOrigin::root(), account(Sr25519Keyring::Dave)),
			ValidatorSetError::TooFewValidators
		);
		assert_noop!(
			ValidatorSet::remove_validator(RuntimeOrigin::root(), ferdie),
			ValidatorSetError::NotValidator
		);
		// Keys whose ownership proof is not the owner's are refused by the session pallet.
		let eve = account(Sr25519Keyring::Eve);
		let generated = SessionKeys::generate(&eve.encode(), None);
		assert_noop!(
			Session::set_keys(
				RuntimeOrigin::signed(account(Sr25519Keyring::Ferdie)),
				generated.keys,
				generated.proof.encode(),
			),
			pallet_session::Error::<Runtime>::InvalidProof
		);
	});
}

/// `offender`'s two conflicting prevotes in round 1 of GRANDPA set `set_id`.
fn equivocation(set_id: u64, offender: Ed25519Keyring) -> EquivocationProof<H256, u32> {
	prevotes(set_id, offender, offender, [1, 2])
}

/// Two prevotes in round 1 of GRANDPA set `set_id`, for blocks `targets`, that claim to be
/// `identity`'s and are signed by `signer`.
fn prevotes(
	set_id: u64,
	identity: Ed25519Keyring,
	signer: Ed25519Keyring,
	targets: [u8; 2],
) -> EquivocationProof<H256, u32> {
	let round = 1;
	let prevote = |target: u8| {
		let vote =
			finality_grandpa::Prevote { target_hash: H256::repeat_byte(target), target_number: 1 };
		let message = finality_grandpa::Message::Prevote(vote.clone());
		let payload = sp_consensus_grandpa::localized_payload(round, set_id, &message);
		(vote, signer.sign(&payload).into())
	};
	EquivocationProof::new(
		set_id,
		sp_consensus_grandpa::Equivocation::Prevote(finality_grandpa::Equivocation {
			round_number: round,
			identity: identity.public().into(),
			first: prevote(targets[0]),
			second: prevote(targets[1]),
		}),
	)
}

/// The proof, from this session's history, that `offender`'s GRANDPA key is a validator's.
fn key_owner_proof(offender: Ed25519Keyring) -> sp_session::MembershipProof {
	let key: GrandpaId = offender.public().into();
	Historical::prove((KEY_TYPE, key)).expect("a validator of this session")
}

#[test]
fn a_grandpa_equivocation_disables_and_removes_the_offender() {
	local_testnet().execute_with(|| {
		run_to_session(1);
		let dave = account(Sr25519Keyring::Dave);
		let proof = equivocation(Grandpa::current_set_id(), Ed25519Keyring::Dave);
		let owner = key_owner_proof(Ed25519Keyring::Dave);
		assert_ok!(Grandpa::report_equivocation_unsigned(
			RuntimeOrigin::none(),
			Box::new(proof.clone()),
			owner.clone(),
		));
		assert!(events()
			.iter()
			.any(|e| matches!(e, RuntimeEvent::Offences(pallet_offences::Event::Offence { .. }))));
		assert!(events().contains(&RuntimeEvent::ValidatorSet(
			pallet_validator_set::Event::OffenderRemoved { validator: dave.clone(), session: 1 }
		)));
		let index = Session::validators().iter().position(|v| v == &dave).unwrap() as u32;
		assert_eq!(Session::disabled_validators(), vec![index]);
		// The same offence is reported once.
		assert_noop!(
			Grandpa::report_equivocation_unsigned(RuntimeOrigin::none(), Box::new(proof), owner),
			pallet_grandpa::Error::<Runtime>::DuplicateOffenceReport
		);
		run_to_session(3);
		assert!(!Session::validators().contains(&dave));
		assert_eq!(Grandpa::grandpa_authorities().len(), 3);
	});
}

#[test]
fn a_stale_equivocation_proof_is_refused() {
	local_testnet().execute_with(|| {
		run_to_session(1);
		let proof = equivocation(Grandpa::current_set_id(), Ed25519Keyring::Dave);
		let owner = key_owner_proof(Ed25519Keyring::Dave);
		// The session's key-ownership root is pruned after HISTORY_DEPTH sessions.
		run_to_session(2 + HISTORY_DEPTH);
		assert_noop!(
			Grandpa::report_equivocation_unsigned(RuntimeOrigin::none(), Box::new(proof), owner),
			pallet_grandpa::Error::<Runtime>::InvalidKeyOwnershipProof
		);
		assert_eq!(validators().len(), 4);
		assert!(Session::disabled_validators().is_empty());
	});
}

#[test]
fn a_forged_equivocation_proof_cannot_remove_an_honest_validator() {
	local_testnet().execute_with(|| {
		run_to_session(1);
		let set_id = Grandpa::current_set_id();
		let owner = key_owner_proof(Ed25519Keyring::Dave);
		// Votes that claim to be Dave's but are signed by Eve; and two identical votes of Dave,
		// which are no equivocation.
		for proof in [
			prevotes(set_id, Ed25519Keyring::Dave, Ed25519Keyring::Eve, [1, 2]),
			prevotes(set_id, Ed25519Keyring::Dave, Ed25519Keyring::Dave, [1, 1]),
		] {
			assert_noop!(
				Grandpa::report_equivocation_unsigned(
					RuntimeOrigin::none(),
					Box::new(proof),
					owner.clone()
				),
				pallet_grandpa::Error::<Runtime>::InvalidEquivocationProof
			);
		}
		assert_eq!(validators().len(), 4);
		assert!(Session::disabled_validators().is_empty());
	});
}

/// A report pays no fee, so the pool takes one only from the node itself (its GRANDPA voter):
/// a stranger who sends even a valid report from outside (RPC, gossip) is refused before it
/// can cost validators any work, and nothing changes; the same report made locally is valid.
#[test]
fn an_equivocation_report_from_outside_the_node_is_refused_by_the_pool() {
	local_testnet().execute_with(|| {
		run_to_session(1);
		let call = RuntimeCall::Grandpa(pallet_grandpa::Call::report_equivocation_unsigned {
			equivocation_proof: Box::new(equivocation(
				Grandpa::current_set_id(),
				Ed25519Keyring::Dave,
			)),
			key_owner_proof: key_owner_proof(Ed25519Keyring::Dave),
		});
		let report = UncheckedExtrinsic::new_bare(call);
		let parent = System::parent_hash();
		assert_eq!(
			Executive::validate_transaction(TransactionSource::External, report.clone(), parent),
			Err(InvalidTransaction::Call.into())
		);
		assert!(Executive::validate_transaction(TransactionSource::Local, report, parent).is_ok());
		assert_eq!(validators().len(), 4);
		assert!(Session::disabled_validators().is_empty());
	});
}
