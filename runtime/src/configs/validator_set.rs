//! `pallet_validator_set`: the proof-of-authority set, changed by governance; with
//! `pallet_session` (and its historical sessions), `pallet_offences` and `pallet_authorship`,
//! which it works with.

use super::*;
use crate::{governance::period, Historical, Session, SessionKeys, ValidatorSet};
use currency::UNIT;
use frame_system::EnsureRoot;
use sp_runtime::traits::{ConvertInto, OpaqueKeys};
use time::HOURS;

/// Sessions of key-ownership history kept: equivocations are provable for this long (a week
/// of one-hour sessions; 20 sessions of 30 s with `fast-runtime`).
pub const HISTORY_DEPTH: u32 = period(7 * 24, 20);

parameter_types! {
	/// One hour (10 blocks, 30 s, with `fast-runtime`): validator-set changes take effect
	/// within two sessions.
	pub const SessionPeriod: BlockNumber = period(HOURS, 10);
	/// Sessions start at block 0.
	pub const SessionOffset: BlockNumber = 0;
}

impl pallet_validator_set::Config for Runtime {
	/// Root: a referendum on the `root` track, or the technical committee's whitelisted fast
	/// track (a whitelisted call dispatches as Root).
	type UpdateOrigin = EnsureRoot<AccountId>;
	type Session = Session;
	/// n >= 3f + 1 with one fault tolerated.
	type MinValidators = ConstU32<4>;
	/// Within Aura's and GRANDPA's `MaxAuthorities`.
	type MaxValidators = ConstU32<32>;
	type HistoryDepth = ConstU32<HISTORY_DEPTH>;
	type WeightInfo = pallet_validator_set::weights::SubstrateWeight<Runtime>;
}

type Sessions = pallet_session::PeriodicSessions<SessionPeriod, SessionOffset>;

impl pallet_session::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type ValidatorId = AccountId;
	/// Every account may register keys (it holds `KeyDeposit` for them); only governance makes
	/// it a validator.
	type ValidatorIdOf = ConvertInto;
	type ShouldEndSession = Sessions;
	type NextSessionRotation = Sessions;
	type SessionManager = pallet_session::historical::NoteHistoricalRoot<Runtime, ValidatorSet>;
	type SessionHandler = <SessionKeys as OpaqueKeys>::KeyTypeIdProviders;
	type Keys = SessionKeys;
	/// At most a third of the set disabled at once (GRANDPA's fault bound).
	type DisablingStrategy = pallet_session::disabling::UpToLimitDisablingStrategy;
	type WeightInfo = pallet_session::weights::SubstrateWeight<Runtime>;
	type Currency = Balances;
	/// 1 VRT held for a registration of session keys.
	type KeyDeposit = ConstU128<UNIT>;
}

impl pallet_session::historical::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type FullIdentification = ();
	type FullIdentificationOf = pallet_validator_set::FullIdentificationOf<Runtime>;
}

impl pallet_offences::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type IdentificationTuple = pallet_session::historical::IdentificationTuple<Self>;
	/// Offenders are disabled and removed from the set.
	type OnOffenceHandler = ValidatorSet;
}

impl pallet_authorship::Config for Runtime {
	/// The reporter of an offence is the author of the block that includes the report.
	type FindAuthor = pallet_session::FindAccountFromAuthorIndex<Self, Aura>;
	type EventHandler = ();
}

/// Historical sessions prove which validator owned a GRANDPA key when it signed.
pub type KeyOwnerProof = <Historical as frame_support::traits::KeyOwnerProofSystem<(
	sp_runtime::KeyTypeId,
	pallet_grandpa::AuthorityId,
)>>::Proof;
