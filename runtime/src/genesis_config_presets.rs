//! Genesis presets, served to the node through `sp-genesis-builder`:
//!
//! - `development`: Alice alone validates (Aura + GRANDPA) and holds the sudo key.
//! - `local_testnet`: Alice, Bob, Charlie and Dave validate (four, so that one may fail and
//!   GRANDPA still finalizes: n >= 3f + 1); no sudo key: governance only.
//! - `production`: the template of a live chain: no sudo key, governance only. Its validator
//!   keys and allocation are the well-known development ones: a team forking Verity replaces
//!   them before launch.
//!
//! All create the whole fixed supply, [`GENESIS_SUPPLY`], split by [`GENESIS_ALLOCATION`]; in
//! all, Alice, Bob and Charlie form the technical committee.

use crate::{
	configs::{SamplingPot, TreasuryAccount},
	AccountId, Balance, BalancesConfig, ProofsConfig, RuntimeGenesisConfig, SessionConfig,
	SessionKeys, SudoConfig, TechnicalCommitteeConfig, ValidatorSetConfig, GENESIS_SUPPLY,
};
use alloc::{string::String, vec, vec::Vec};
use frame_support::build_struct_json_patch;
use serde_json::Value;
use sp_consensus_aura::sr25519::AuthorityId as AuraId;
use sp_consensus_grandpa::AuthorityId as GrandpaId;
use sp_genesis_builder::{PresetId, DEV_RUNTIME_PRESET, LOCAL_TESTNET_RUNTIME_PRESET};
use sp_keyring::{Ed25519Keyring, Sr25519Keyring};

/// How the genesis supply is split among the well-known development accounts, in
/// millionths of [`GENESIS_SUPPLY`]. The shares add up to exactly one million.
pub const GENESIS_ALLOCATION: [(Sr25519Keyring, u32); 6] = [
	(Sr25519Keyring::Alice, 400_000),
	(Sr25519Keyring::Bob, 200_000),
	(Sr25519Keyring::Charlie, 100_000),
	(Sr25519Keyring::Dave, 100_000),
	(Sr25519Keyring::Eve, 100_000),
	(Sr25519Keyring::Ferdie, 100_000),
];

/// What the protocol treasury starts with, taken from the first account's share: it must exist
/// to receive fee shares smaller than the existential deposit.
pub const TREASURY_ENDOWMENT: Balance = 90_000 * crate::UNIT;

/// What the sampling pot starts with, taken from the first account's share: it must exist to
/// receive premiums smaller than the existential deposit, and it pays the first sampled checks
/// (10,000 VRT pays about a million checks at 0.01 VRT) until premiums take over.
pub const SAMPLING_POT_ENDOWMENT: Balance = 10_000 * crate::UNIT;

/// The genesis balances: every account of [`GENESIS_ALLOCATION`] with its share of the supply,
/// the protocol treasury with [`TREASURY_ENDOWMENT`] and the sampling pot with
/// [`SAMPLING_POT_ENDOWMENT`], both taken from the first account's share.
pub fn genesis_balances() -> Vec<(AccountId, Balance)> {
	let mut balances: Vec<(AccountId, Balance)> = GENESIS_ALLOCATION
		.iter()
		.map(|(who, millionths)| {
			(who.to_account_id(), GENESIS_SUPPLY / 1_000_000 * Balance::from(*millionths))
		})
		.collect();
	balances[0].1 -= TREASURY_ENDOWMENT + SAMPLING_POT_ENDOWMENT;
	balances.push((TreasuryAccount::get(), TREASURY_ENDOWMENT));
	balances.push((SamplingPot::get(), SAMPLING_POT_ENDOWMENT));
	balances
}

/// A validator's well-known keys: sr25519 for Aura, ed25519 for GRANDPA.
type ValidatorKeyring = (Sr25519Keyring, Ed25519Keyring);

const ALICE: ValidatorKeyring = (Sr25519Keyring::Alice, Ed25519Keyring::Alice);
const BOB: ValidatorKeyring = (Sr25519Keyring::Bob, Ed25519Keyring::Bob);
const CHARLIE: ValidatorKeyring = (Sr25519Keyring::Charlie, Ed25519Keyring::Charlie);
const DAVE: ValidatorKeyring = (Sr25519Keyring::Dave, Ed25519Keyring::Dave);

/// A validator's account (its sr25519 key's) and session keys.
fn session_keys((aura, grandpa): &ValidatorKeyring) -> (AccountId, AccountId, SessionKeys) {
	let keys = SessionKeys {
		aura: AuraId::from(aura.public()),
		grandpa: GrandpaId::from(grandpa.public()),
	};
	(aura.to_account_id(), aura.to_account_id(), keys)
}

/// The name of the `production` preset.
pub const PRODUCTION_RUNTIME_PRESET: &str = "production";

fn genesis(validators: &[ValidatorKeyring], sudo: Option<AccountId>) -> Value {
	// Aura's and GRANDPA's authorities come from the session pallet's genesis.
	build_struct_json_patch!(RuntimeGenesisConfig {
		balances: BalancesConfig { balances: genesis_balances() },
		validator_set: ValidatorSetConfig {
			validators: validators.iter().map(|(aura, _)| aura.to_account_id()).collect::<Vec<_>>(),
		},
		session: SessionConfig { keys: validators.iter().map(session_keys).collect::<Vec<_>>() },
		sudo: SudoConfig { key: sudo },
		// Attestation chains must start at the AWS Nitro Enclaves root G1.
		proofs: ProofsConfig {
			attestation_root: verity_nitro_attestation::root_from_pem(
				verity_nitro_attestation::AWS_NITRO_ROOT_G1_PEM
			)
			.expect("the embedded AWS Nitro root is valid PEM"),
		},
		technical_committee: TechnicalCommitteeConfig {
			members: [Sr25519Keyring::Alice, Sr25519Keyring::Bob, Sr25519Keyring::Charlie]
				.iter()
				.map(|who| who.to_account_id())
				.collect::<Vec<_>>(),
		},
	})
}

/// The `development` preset: one validator, Alice.
pub fn development_genesis() -> Value {
	genesis(&[ALICE], Some(Sr25519Keyring::Alice.to_account_id()))
}

/// The `local_testnet` preset: four validators, Alice, Bob, Charlie and Dave; no sudo.
pub fn local_testnet_genesis() -> Value {
	genesis(&[ALICE, BOB, CHARLIE, DAVE], None)
}

/// The `production` preset: like `local_testnet` (no sudo), as the template of a live chain.
pub fn production_genesis() -> Value {
	genesis(&[ALICE, BOB, CHARLIE, DAVE], None)
}

/// The JSON patch of the named preset, or `None` for an unknown name.
pub fn get_preset(id: &PresetId) -> Option<Vec<u8>> {
	let patch = match id.as_ref() {
		DEV_RUNTIME_PRESET => development_genesis(),
		LOCAL_TESTNET_RUNTIME_PRESET => local_testnet_genesis(),
		PRODUCTION_RUNTIME_PRESET => production_genesis(),
		_ => return None,
	};
	serde_json::to_string(&patch).ok().map(String::into_bytes)
}

/// The names of all presets.
pub fn preset_names() -> Vec<PresetId> {
	vec![
		PresetId::from(DEV_RUNTIME_PRESET),
		PresetId::from(LOCAL_TESTNET_RUNTIME_PRESET),
		PresetId::from(PRODUCTION_RUNTIME_PRESET),
	]
}
