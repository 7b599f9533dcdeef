//! `pallet_grandpa`: finality, with equivocation reports proven through historical sessions
//! and punished through the offences pallet.

use super::validator_set::{SessionPeriod, HISTORY_DEPTH};
use super::*;
use crate::{Historical, Offences};

parameter_types! {
	/// A report stays valid in the pool as long as its session's history is kept.
	pub ReportLongevity: u64 = HISTORY_DEPTH as u64 * SessionPeriod::get() as u64;
}

impl pallet_grandpa::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type WeightInfo = ();
	type MaxAuthorities = ConstU32<32>;
	type MaxNominators = ConstU32<0>;
	/// A set id per session at most, for the sessions whose history is kept.
	type MaxSetIdSessionEntries = ConstU64<{ HISTORY_DEPTH as u64 }>;
	type KeyOwnerProof = super::validator_set::KeyOwnerProof;
	type EquivocationReportSystem =
		pallet_grandpa::EquivocationReportSystem<Self, Offences, Historical, ReportLongevity>;
}
