//! The set's calls, its hand-over to the session pallet, offences and history pruning.

use crate::{mock::*, Error, Event, SetChanged, Validators};
use frame_support::{
	assert_noop, assert_ok,
	traits::{Get, KeyOwnerProofSystem},
};
use sp_runtime::{testing::UintAuthorityId, DispatchError, Perbill, RuntimeAppPublic};
use sp_staking::offence::{OffenceDetails, OnOffenceHandler};

fn set() -> Vec<u64> {
	Validators::<Test>::get().into_inner()
}

fn register_keys(who: u64) {
	assert_ok!(Session::set_keys(RuntimeOrigin::signed(who), keys(who), keys_proof(who)));
}

fn add(who: u64) {
	register_keys(who);
	assert_ok!(ValidatorSet::add_validator(RuntimeOrigin::root(), who));
}

fn last_event() -> Event<Test> {
	System::events()
		.into_iter()
		.rev()
		.find_map(|record| match record.event {
			RuntimeEvent::ValidatorSet(event) => Some(event),
			_ => None,
		})
		.expect("a validator-set event")
}

#[test]
fn genesis_validators_author_from_the_first_session() {
	new_test_ext().execute_with(|| {
		assert_eq!(set(), vec![1, 2, 3, 4]);
		assert_eq!(Session::validators(), vec![1, 2, 3, 4]);
		assert_eq!(Authorities::get(), vec![1, 2, 3, 4]);
		assert!(!SetChanged::<Test>::get());
	});
}

#[test]
fn an_added_validator_votes_from_the_session_after_the_next_plan() {
	new_test_ext().execute_with(|| {
		add(5);
		assert_eq!(last_event(), Event::ValidatorAdded { validator: 5 });
		assert_eq!(set(), vec![1, 2, 3, 4, 5]);
		// Planned at the end of session 0 for session 2; session 1 still runs the old set.
		run_to_session(1);
		assert_eq!(last_event(), Event::NewSetPlanned { session: 2, validators: 5 });
		assert_eq!(Authorities::get(), vec![1, 2, 3, 4]);
		run_to_session(2);
		assert_eq!(Authorities::get(), vec![1, 2, 3, 4, 5]);
		assert_eq!(Session::validators(), vec![1, 2, 3, 4, 5]);
	});
}

#[test]
fn unchanged_sets_are_not_planned_again() {
	new_test_ext().execute_with(|| {
		run_to_session(3);
		assert!(System::events()
			.iter()
			.all(|r| !matches!(r.event, RuntimeEvent::ValidatorSet(Event::NewSetPlanned { .. }))));
		assert_eq!(Authorities::get(), vec![1, 2, 3, 4]);
	});
}

#[test]
fn only_governance_changes_the_set() {
	new_test_ext().execute_with(|| {
		register_keys(5);
		assert_noop!(
			ValidatorSet::add_validator(RuntimeOrigin::signed(5), 5),
			DispatchError::BadOrigin
		);
		add(5);
		assert_noop!(
			ValidatorSet::remove_validator(RuntimeOrigin::signed(1), 1),
			DispatchError::BadOrigin
		);
		assert_eq!(set(), vec![1, 2, 3, 4, 5]);
	});
}

#[test]
fn adding_without_session_keys_is_refused() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			ValidatorSet::add_validator(RuntimeOrigin::root(), 5),
			Error::<Test>::NoSessionKeys
		);
		assert_eq!(set(), vec![1, 2, 3, 4]);
	});
}

#[test]
fn a_duplicate_add_is_refused() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			ValidatorSet::add_validator(RuntimeOrigin::root(), 3),
			Error::<Test>::AlreadyValidator
		);
		add(5);
		assert_noop!(
			ValidatorSet::add_validator(RuntimeOrigin::root(), 5),
			Error::<Test>::AlreadyValidator
		);
		assert_eq!(set(), vec![1, 2, 3, 4, 5]);
	});
}

#[test]
fn the_set_is_bounded() {
	new_test_ext().execute_with(|| {
		add(5);
		add(6);
		register_keys(7);
		assert_noop!(
			ValidatorSet::add_validator(RuntimeOrigin::root(), 7),
			Error::<Test>::TooManyValidators
		);
		assert_eq!(set().len() as u32, MAX_VALIDATORS);
	});
}

#[test]
fn removing_below_the_minimum_is_refused() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			ValidatorSet::remove_validator(RuntimeOrigin::root(), 4),
			Error::<Test>::TooFewValidators
		);
		assert_eq!(set(), vec![1, 2, 3, 4]);
		add(5);
		assert_ok!(ValidatorSet::remove_validator(RuntimeOrigin::root(), 2));
		assert_eq!(last_event(), Event::ValidatorRemoved { validator: 2 });
		assert_eq!(set(), vec![1, 3, 4, 5]);
		assert_noop!(
			ValidatorSet::remove_validator(RuntimeOrigin::root(), 3),
			Error::<Test>::TooFewValidators
		);
		run_to_session(2);
		assert_eq!(Authorities::get(), vec![1, 3, 4, 5]);
	});
}

#[test]
fn removing_a_non_validator_is_refused() {
	new_test_ext().execute_with(|| {
		add(5);
		assert_noop!(
			ValidatorSet::remove_validator(RuntimeOrigin::root(), 9),
			Error::<Test>::NotValidator
		);
		assert_eq!(set(), vec![1, 2, 3, 4, 5]);
	});
}

fn report(offender: u64, session: u32) -> frame_support::weights::Weight {
	let details = OffenceDetails { offender: (offender, ()), reporters: vec![1] };
	<ValidatorSet as OnOffenceHandler<u64, (u64, ()), _>>::on_offence(
		&[details],
		&[Perbill::from_percent(56)],
		session,
	)
}

#[test]
fn an_offender_is_disabled_at_once_and_removed_at_the_next_session() {
	new_test_ext().execute_with(|| {
		run_to_session(1);
		let db: frame_support::weights::RuntimeDbWeight =
			<Test as frame_system::Config>::DbWeight::get();
		assert_eq!(report(2, 1), db.reads_writes(4, 4));
		assert_eq!(Session::disabled_validators(), vec![1]);
		assert_eq!(last_event(), Event::OffenderRemoved { validator: 2, session: 1 });
		// Removed below the governance minimum: keeping a proven offender is worse.
		assert_eq!(set(), vec![1, 3, 4]);
		// The same offence reported again (a later reporter) changes nothing.
		let events = System::events().len();
		report(2, 1);
		assert_eq!(System::events().len(), events);
		assert_eq!(set(), vec![1, 3, 4]);
		run_to_session(3);
		assert_eq!(Authorities::get(), vec![1, 3, 4]);
		assert!(Session::disabled_validators().is_empty());
	});
}

#[test]
fn the_last_validator_is_never_removed() {
	new_test_ext().execute_with(|| {
		Validators::<Test>::put(frame_support::BoundedVec::truncate_from(vec![1]));
		report(1, 0);
		assert_eq!(set(), vec![1]);
	});
}

#[test]
fn key_ownership_proofs_expire_with_the_history_depth() {
	new_test_ext().execute_with(|| {
		run_to_session(1);
		let key = (UintAuthorityId::ID, UintAuthorityId(2).to_raw_vec());
		let proof = Historical::prove(key.clone()).expect("a validator of this session");
		assert_eq!(Historical::check_proof(key.clone(), proof.clone()), Some((2, ())));
		// Sessions older than HISTORY_DEPTH lose their roots: the old proof no longer checks.
		run_to_session(1 + HISTORY_DEPTH + 1);
		assert_eq!(Historical::check_proof(key, proof), None);
	});
}
