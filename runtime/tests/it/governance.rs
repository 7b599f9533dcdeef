//! Governance at the runtime level: a referendum on the `root` track authorizes a runtime
//! upgrade, anyone applies the code, and a code with a wrong version is rejected with an event
//! while the old code stays. A `parameter_admin` referendum changes a governable parameter; a
//! `root` referendum adds a validator.
//!
//! `TestExternalities` has no WASM executor, so the version of an upgrade "code" is read by a
//! stand-in for the node's `ReadRuntimeVersion` that knows the test blobs; the node-level test
//! (`node/tests/it/runtime_upgrade.rs`) upgrades to a real WASM.

use super::preset_storage;
use codec::Encode;
use frame_support::{
	assert_ok,
	traits::{schedule::DispatchTime, Get, Hooks, StorePreimage},
};
use pallet_conviction_voting::{AccountVote, Conviction, Vote};
use pallet_referenda::TracksInfo;
use sp_core::traits::{ReadRuntimeVersion, ReadRuntimeVersionExt};
use sp_genesis_builder::DEV_RUNTIME_PRESET;
use sp_keyring::Sr25519Keyring;
use verity_runtime::{
	governance::{
		parameters::{dynamic_params::model_hub, RuntimeParameters},
		tracks,
	},
	ConvictionVoting, OriginCaller, Preimage, Referenda, Runtime, RuntimeCall, RuntimeEvent,
	RuntimeOrigin, Scheduler, System, UNIT, VERSION,
};

/// Reads the version of the test blobs: `good` reports `spec_version + 1`, `renamed` another
/// `spec_name`; anything else is not a runtime.
struct TestBlobs;

const GOOD: &[u8] = b"\0asm verity runtime, next version";
const RENAMED: &[u8] = b"\0asm another chain's runtime";

impl ReadRuntimeVersion for TestBlobs {
	fn read_runtime_version(
		&self,
		code: &[u8],
		_: &mut dyn sp_core::traits::Externalities,
	) -> Result<Vec<u8>, String> {
		let mut version = VERSION;
		version.spec_version += 1;
		match code {
			GOOD => Ok(version.encode()),
			RENAMED => {
				version.spec_name = "not-verity".into();
				Ok(version.encode())
			},
			_ => Err("not a runtime".into()),
		}
	}
}

fn governance_ext() -> sp_io::TestExternalities {
	let mut ext = preset_storage(DEV_RUNTIME_PRESET);
	ext.register_extension(ReadRuntimeVersionExt::new(TestBlobs));
	ext.execute_with(|| System::set_block_number(1));
	ext
}

fn next_block() {
	let number = System::block_number() + 1;
	System::set_block_number(number);
	Scheduler::on_initialize(number);
}

/// Submits `call` as a referendum dispatched by `origin`, and has Alice (40% of the supply)
/// vote aye with all but a little of her balance. Returns the referendum index.
fn pass(call: RuntimeCall, origin: OriginCaller) -> u32 {
	let alice = Sr25519Keyring::Alice.to_account_id();
	let index = pallet_referenda::ReferendumCount::<Runtime>::get();
	assert_ok!(Referenda::submit(
		RuntimeOrigin::signed(alice.clone()),
		Box::new(origin),
		Preimage::bound(call).unwrap(),
		DispatchTime::After(0),
	));
	assert_ok!(Referenda::place_decision_deposit(RuntimeOrigin::signed(alice.clone()), index));
	let vote = Vote { aye: true, conviction: Conviction::None };
	assert_ok!(ConvictionVoting::vote(
		RuntimeOrigin::signed(alice),
		index,
		AccountVote::Standard { vote, balance: 390_000_000 * UNIT },
	));
	index
}

/// Blocks until `done` holds, at most the track's periods plus a margin; returns how many.
fn run_until(track: u16, done: impl Fn() -> bool) -> u32 {
	let info = tracks::TracksInfo::info(track).unwrap();
	let bound = info.prepare_period
		+ info.decision_period
		+ info.confirm_period
		+ info.min_enactment_period
		+ 10;
	for blocks in 0..bound {
		if done() {
			return blocks;
		}
		next_block();
	}
	panic!("not done within {bound} blocks");
}

fn events() -> Vec<RuntimeEvent> {
	System::events().into_iter().map(|record| record.event).collect()
}

fn upgrade_authorized() -> bool {
	events().iter().any(|event| {
		matches!(event, RuntimeEvent::System(frame_system::Event::UpgradeAuthorized { .. }))
	})
}

fn code_updated() -> bool {
	events()
		.iter()
		.any(|event| matches!(event, RuntimeEvent::System(frame_system::Event::CodeUpdated { .. })))
}

fn authorize(code: &[u8]) -> RuntimeCall {
	RuntimeCall::System(frame_system::Call::authorize_upgrade {
		code_hash: sp_io::hashing::blake2_256(code).into(),
	})
}

#[test]
fn a_root_referendum_authorizes_an_upgrade_that_anyone_then_applies() {
	governance_ext().execute_with(|| {
		pass(authorize(GOOD), OriginCaller::system(frame_system::RawOrigin::Root));
		run_until(tracks::ROOT, upgrade_authorized);

		// Bob, not a governance origin, delivers the code.
		let bob = Sr25519Keyring::Bob.to_account_id();
		assert_ok!(System::apply_authorized_upgrade(RuntimeOrigin::signed(bob), GOOD.to_vec()));
		assert!(code_updated());
		assert_eq!(sp_io::storage::get(sp_core::storage::well_known_keys::CODE).unwrap(), GOOD);
	});
}

#[test]
fn an_upgrade_to_another_chains_runtime_or_to_no_runtime_is_rejected_and_the_code_stays() {
	for bad in [RENAMED, b"\0asm garbage".as_slice()] {
		governance_ext().execute_with(|| {
			let before = sp_io::storage::get(sp_core::storage::well_known_keys::CODE);
			pass(authorize(bad), OriginCaller::system(frame_system::RawOrigin::Root));
			run_until(tracks::ROOT, upgrade_authorized);

			let bob = Sr25519Keyring::Bob.to_account_id();
			assert_ok!(System::apply_authorized_upgrade(RuntimeOrigin::signed(bob), bad.to_vec()));
			let rejected = events().into_iter().any(|event| {
				matches!(
					event,
					RuntimeEvent::System(frame_system::Event::RejectedInvalidAuthorizedUpgrade {
						code_hash,
						..
					}) if code_hash == sp_io::hashing::blake2_256(bad).into()
				)
			});
			assert!(rejected, "a RejectedInvalidAuthorizedUpgrade event names the code");
			assert!(!code_updated());
			assert_eq!(sp_io::storage::get(sp_core::storage::well_known_keys::CODE), before);
		});
	}
}

#[test]
fn a_parameter_admin_referendum_changes_a_model_hub_deposit() {
	governance_ext().execute_with(|| {
		use verity_runtime::governance::origins::Origin;
		assert_eq!(<model_hub::DepositBase as Get<verity_runtime::Balance>>::get(), UNIT / 10);
		let call = RuntimeCall::Parameters(pallet_parameters::Call::set_parameter {
			key_value: RuntimeParameters::ModelHub(model_hub::Parameters::DepositBase(
				model_hub::DepositBase,
				Some(UNIT),
			)),
		});
		pass(call, OriginCaller::Origins(Origin::ParameterAdmin));
		let blocks = run_until(tracks::PARAMETER_ADMIN, || {
			<model_hub::DepositBase as Get<verity_runtime::Balance>>::get() == UNIT
		});
		let root = tracks::TracksInfo::info(tracks::ROOT).unwrap();
		let admin = tracks::TracksInfo::info(tracks::PARAMETER_ADMIN).unwrap();
		assert!(admin.confirm_period <= root.confirm_period, "the parameter track is not slower");
		assert!(blocks > 0);
		// A parameter change needs its track's origin: a plain account cannot.
		let alice = Sr25519Keyring::Alice.to_account_id();
		assert!(verity_runtime::Parameters::set_parameter(
			RuntimeOrigin::signed(alice),
			RuntimeParameters::ModelHub(model_hub::Parameters::DepositBase(
				model_hub::DepositBase,
				Some(0),
			)),
		)
		.is_err());
	});
}

#[test]
fn the_technical_committee_fast_tracks_a_whitelisted_call() {
	governance_ext().execute_with(|| {
		use verity_runtime::TechnicalCommittee;
		let [alice, bob] = [Sr25519Keyring::Alice, Sr25519Keyring::Bob].map(|k| k.to_account_id());
		let upgrade = authorize(GOOD);
		let hash = sp_io::hashing::blake2_256(&upgrade.encode()).into();

		// Two of the three members whitelist the call.
		let whitelist: RuntimeCall =
			RuntimeCall::Whitelist(pallet_whitelist::Call::whitelist_call { call_hash: hash });
		let length = whitelist.encoded_size() as u32;
		assert_ok!(TechnicalCommittee::propose(
			RuntimeOrigin::signed(alice.clone()),
			2,
			Box::new(whitelist.clone()),
			length,
		));
		let proposal = sp_io::hashing::blake2_256(&whitelist.encode()).into();
		assert_ok!(TechnicalCommittee::vote(
			RuntimeOrigin::signed(alice.clone()),
			proposal,
			0,
			true
		));
		assert_ok!(TechnicalCommittee::vote(RuntimeOrigin::signed(bob.clone()), proposal, 0, true));
		assert_ok!(TechnicalCommittee::close(
			RuntimeOrigin::signed(bob),
			proposal,
			0,
			frame_support::weights::Weight::MAX / 4,
			length,
		));
		assert!(pallet_whitelist::WhitelistedCall::<Runtime>::contains_key(hash));

		// A referendum on the whitelisted-caller track dispatches it as Root, sooner than the
		// root track could.
		let dispatch = RuntimeCall::Whitelist(
			pallet_whitelist::Call::dispatch_whitelisted_call_with_preimage {
				call: Box::new(upgrade),
			},
		);
		use verity_runtime::governance::origins::Origin;
		pass(dispatch, OriginCaller::Origins(Origin::WhitelistedCaller));
		let blocks = run_until(tracks::WHITELISTED_CALLER, upgrade_authorized);
		let root = tracks::TracksInfo::info(tracks::ROOT).unwrap();
		assert!(blocks <= root.prepare_period + root.confirm_period + root.min_enactment_period);
	});
}

#[test]
fn a_root_referendum_adds_a_validator_that_registered_its_session_keys() {
	let mut ext = governance_ext();
	ext.register_extension(sp_keystore::KeystoreExt::new(
		sp_keystore::testing::MemoryKeystore::new(),
	));
	ext.execute_with(|| {
		let eve = Sr25519Keyring::Eve.to_account_id();
		let generated = verity_runtime::SessionKeys::generate(&eve.encode(), None);
		assert_ok!(verity_runtime::Session::set_keys(
			RuntimeOrigin::signed(eve.clone()),
			generated.keys,
			generated.proof.encode(),
		));
		let add = RuntimeCall::ValidatorSet(pallet_validator_set::Call::add_validator {
			validator: eve.clone(),
		});
		pass(add, OriginCaller::system(frame_system::RawOrigin::Root));
		run_until(tracks::ROOT, || {
			pallet_validator_set::Validators::<Runtime>::get().contains(&eve)
		});
		assert!(events().contains(&RuntimeEvent::ValidatorSet(
			pallet_validator_set::Event::ValidatorAdded { validator: eve }
		)));
	});
}
