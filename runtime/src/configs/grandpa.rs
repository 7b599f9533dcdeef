//! `pallet_grandpa`: finality.

use super::*;

impl pallet_grandpa::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type WeightInfo = ();
	type MaxAuthorities = ConstU32<32>;
	type MaxNominators = ConstU32<0>;
	type MaxSetIdSessionEntries = ConstU64<0>;
	// No session pallet, so equivocations cannot be proven to an owner yet.
	type KeyOwnerProof = sp_core::Void;
	type EquivocationReportSystem = ();
}
