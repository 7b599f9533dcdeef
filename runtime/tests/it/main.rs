//! Runtime-level tests: genesis presets, the fixed supply, constants and extension order;
//! governance in `governance.rs`; the verification path in `proofs.rs` and `zkml.rs`; the
//! validator set, sessions and equivocation reports in `validators.rs`; x402 settlement in
//! `payments.rs`.

mod governance;
mod payments;
mod proofs;
mod validators;
mod zkml;

use frame_support::traits::fungible::Inspect;
use sp_genesis_builder::{PresetId, DEV_RUNTIME_PRESET, LOCAL_TESTNET_RUNTIME_PRESET};
use sp_keyring::Sr25519Keyring;
use verity_runtime::{
	genesis_config_presets::{self, GENESIS_ALLOCATION, PRODUCTION_RUNTIME_PRESET},
	Balances, BuildStorage, Runtime, RuntimeGenesisConfig, System, GENESIS_SUPPLY,
	MILLI_SECS_PER_BLOCK, UNIT,
};

/// `s` as a bounded text field of a pallet call.
fn text<S: frame_support::traits::Get<u32>>(s: &str) -> frame_support::BoundedVec<u8, S> {
	s.as_bytes().to_vec().try_into().unwrap()
}

/// Creates the next Model Hub model (`Classification`, MIT) from Alice; returns her origin.
fn create_model_as_alice(name: &str, description: &str) -> verity_runtime::RuntimeOrigin {
	let alice = verity_runtime::RuntimeOrigin::signed(Sr25519Keyring::Alice.to_account_id());
	frame_support::assert_ok!(verity_runtime::ModelRegistry::create_model(
		alice.clone(),
		text(name),
		text(description),
		verity_primitives::Task::Classification,
		text("MIT"),
		Default::default(),
	));
	alice
}

/// Builds the genesis state of a named preset exactly as the node does: the preset's JSON
/// patch merged (by the node's own `json_patch::merge`) onto the default
/// `RuntimeGenesisConfig`.
fn preset_storage(name: &str) -> sp_io::TestExternalities {
	let patch = genesis_config_presets::get_preset(&PresetId::from(name)).expect("known preset");
	let mut config = serde_json::to_value(RuntimeGenesisConfig::default()).unwrap();
	sc_chain_spec::json_patch::merge(&mut config, serde_json::from_slice(&patch).unwrap());
	let config: RuntimeGenesisConfig = serde_json::from_value(config).unwrap();
	config.build_storage().unwrap().into()
}

#[test]
fn allocation_shares_add_up_to_the_whole_supply() {
	let millionths: u32 = GENESIS_ALLOCATION.iter().map(|(_, share)| share).sum();
	assert_eq!(millionths, 1_000_000);
	let total: u128 = genesis_config_presets::genesis_balances().iter().map(|(_, b)| b).sum();
	assert_eq!(total, GENESIS_SUPPLY);
	assert_eq!(GENESIS_SUPPLY, 1_000_000_000 * 10u128.pow(18));
}

#[test]
fn every_preset_mints_exactly_the_genesis_supply() {
	for name in [DEV_RUNTIME_PRESET, LOCAL_TESTNET_RUNTIME_PRESET, PRODUCTION_RUNTIME_PRESET] {
		preset_storage(name).execute_with(|| {
			assert_eq!(Balances::total_issuance(), GENESIS_SUPPLY, "preset {name}");
			// Alice's 40% less the protocol treasury's and the sampling pot's endowments.
			assert_eq!(
				Balances::balance(&Sr25519Keyring::Alice.to_account_id()),
				400_000_000 * UNIT
					- genesis_config_presets::TREASURY_ENDOWMENT
					- genesis_config_presets::SAMPLING_POT_ENDOWMENT,
				"preset {name}"
			);
			assert_eq!(
				Balances::balance(&verity_runtime::configs::SamplingPot::get()),
				genesis_config_presets::SAMPLING_POT_ENDOWMENT,
				"preset {name}"
			);
			assert_eq!(
				Balances::balance(&verity_runtime::configs::TreasuryAccount::get()),
				genesis_config_presets::TREASURY_ENDOWMENT,
				"preset {name}"
			);
		});
	}
}

#[test]
fn presets_set_the_expected_validators() {
	preset_storage(DEV_RUNTIME_PRESET).execute_with(|| {
		assert_eq!(pallet_aura::Authorities::<Runtime>::get().len(), 1);
		assert_eq!(pallet_grandpa::Pallet::<Runtime>::grandpa_authorities().len(), 1);
		assert_eq!(pallet_sudo::Key::<Runtime>::get(), Some(Sr25519Keyring::Alice.to_account_id()));
	});
	preset_storage(LOCAL_TESTNET_RUNTIME_PRESET).execute_with(|| {
		let aura = pallet_aura::Authorities::<Runtime>::get();
		let expected: Vec<sp_consensus_aura::sr25519::AuthorityId> = [
			Sr25519Keyring::Alice,
			Sr25519Keyring::Bob,
			Sr25519Keyring::Charlie,
			Sr25519Keyring::Dave,
		]
		.iter()
		.map(|k| k.public().into())
		.collect();
		assert_eq!(aura.into_inner(), expected);
		assert_eq!(pallet_grandpa::Pallet::<Runtime>::grandpa_authorities().len(), 4);
		assert_eq!(pallet_validator_set::Validators::<Runtime>::get().len(), 4);
	});
}

#[test]
fn only_the_development_preset_has_a_sudo_key_and_all_have_a_technical_committee() {
	for (name, sudo) in [
		(DEV_RUNTIME_PRESET, Some(Sr25519Keyring::Alice.to_account_id())),
		(LOCAL_TESTNET_RUNTIME_PRESET, None),
		(PRODUCTION_RUNTIME_PRESET, None),
	] {
		preset_storage(name).execute_with(|| {
			assert_eq!(pallet_sudo::Key::<Runtime>::get(), sudo, "preset {name}");
			assert_eq!(
				pallet_collective::Members::<
					Runtime,
					verity_runtime::governance::TechnicalCollective,
				>::get()
				.len(),
				3,
				"preset {name}"
			);
		});
	}
}

#[test]
fn unknown_preset_is_refused() {
	assert!(genesis_config_presets::get_preset(&PresetId::from("mainnet")).is_none());
	assert_eq!(genesis_config_presets::preset_names().len(), 3);
}

#[test]
fn block_time_is_at_most_three_seconds() {
	const { assert!(MILLI_SECS_PER_BLOCK <= 3_000) };
	assert_eq!(pallet_aura::Pallet::<Runtime>::slot_duration(), MILLI_SECS_PER_BLOCK);
}

#[test]
fn authorize_call_is_the_first_transaction_extension() {
	use sp_runtime::traits::TransactionExtension;
	let names: Vec<&str> = <verity_runtime::TxExtension as TransactionExtension<
		verity_runtime::RuntimeCall,
	>>::metadata()
	.into_iter()
	.map(|m| m.identifier)
	.collect();
	assert_eq!(names.first(), Some(&"AuthorizeCall"));
	assert!(names.contains(&"ChargeTransactionPayment"));
}

#[test]
fn transfers_move_funds_and_keep_issuance() {
	preset_storage(DEV_RUNTIME_PRESET).execute_with(|| {
		System::set_block_number(1);
		let alice = Sr25519Keyring::Alice.to_account_id();
		let newcomer = Sr25519Keyring::One.to_account_id();
		assert_eq!(Balances::balance(&newcomer), 0);
		frame_support::assert_ok!(Balances::transfer_allow_death(
			verity_runtime::RuntimeOrigin::signed(alice.clone()),
			newcomer.clone().into(),
			5 * UNIT,
		));
		assert_eq!(Balances::balance(&newcomer), 5 * UNIT);
		assert_eq!(
			Balances::balance(&alice),
			400_000_000 * UNIT
				- genesis_config_presets::TREASURY_ENDOWMENT
				- genesis_config_presets::SAMPLING_POT_ENDOWMENT
				- 5 * UNIT
		);
		assert_eq!(Balances::total_issuance(), GENESIS_SUPPLY);
	});
}

#[test]
fn model_hub_records_hold_deposits_in_vrt_and_take_down_needs_root() {
	use verity_primitives::{Task, VersionNumber};
	use verity_runtime::{ModelRegistry, RuntimeOrigin};
	preset_storage(DEV_RUNTIME_PRESET).execute_with(|| {
		System::set_block_number(1);
		let alice = Sr25519Keyring::Alice.to_account_id();
		let free_before = Balances::balance(&alice);
		frame_support::assert_ok!(ModelRegistry::create_model(
			RuntimeOrigin::signed(alice.clone()),
			b"mnist-mlp".to_vec().try_into().unwrap(),
			Default::default(),
			Task::Classification,
			b"MIT".to_vec().try_into().unwrap(),
			Default::default(),
		));
		let info = pallet_model_registry::Models::<Runtime>::get(0).unwrap();
		// 0.1 VRT base plus 0.001 VRT per byte of the record.
		assert!(info.deposit > UNIT / 10 && info.deposit < UNIT);
		assert_eq!(Balances::balance(&alice), free_before - info.deposit);
		assert_eq!(Balances::total_issuance(), GENESIS_SUPPLY);
		frame_support::assert_noop!(
			ModelRegistry::take_down_version(
				RuntimeOrigin::signed(alice),
				0,
				VersionNumber::new(1, 0),
				Default::default()
			),
			sp_runtime::DispatchError::BadOrigin
		);
	});
}

/// How many Vanilla results fit in one block by weight (execution time and proof size, with
/// the authorization and the per-extrinsic base) and by length (with the largest inline
/// output). Prints the figure; the bound keeps a regression from going unnoticed.
#[test]
fn vanilla_results_per_block() {
	use frame_support::dispatch::DispatchClass;
	use pallet_inference::WeightInfo;
	type Weights = pallet_inference::weights::SubstrateWeight<Runtime>;
	let block = <Runtime as frame_system::Config>::BlockWeights::get();
	let normal = block.get(DispatchClass::Normal);
	let available = normal.max_total.unwrap_or(block.max_block) - block.base_block;
	// What a result uses once refunded: the call, its authorization, and the verification
	// path's bookkeeping when it opens no check (a check costs a request on top, for the 2% of
	// integer-model results that are sampled; blocks admit by the declared worst case but
	// count the refunded weight).
	let db = <Runtime as frame_system::Config>::DbWeight::get();
	let per_result = normal.base_extrinsic
		+ Weights::submit_result()
		+ Weights::authorize_submit_result()
		+ db.reads(3)
		+ db.reads_writes(8, 8);
	let by_time = available.ref_time() / per_result.ref_time();
	let by_proof = available.proof_size() / per_result.proof_size();
	let length = <Runtime as frame_system::Config>::BlockLength::get();
	let largest_result = 16 * 1024 + 400; // the largest inline output plus receipt and signature
	let by_length = u64::from(*length.max.get(DispatchClass::Normal)) / largest_result;
	println!(
		"figure: Vanilla results per block: {} (by execution time {by_time}, by proof size \
		 {by_proof}, by length with 16 KiB outputs {by_length}); per result {} ps, {} proof bytes",
		by_time.min(by_proof).min(by_length),
		per_result.ref_time(),
		per_result.proof_size()
	);
	assert!(by_time.min(by_proof).min(by_length) >= 20);
}
