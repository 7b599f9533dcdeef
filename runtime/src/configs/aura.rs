//! `pallet_aura`: block production by slot.

use super::*;

impl pallet_aura::Config for Runtime {
	type AuthorityId = AuraId;
	/// A validator disabled for an offence may not author for the rest of the session.
	type DisabledValidators = crate::Session;
	type MaxAuthorities = ConstU32<32>;
	type AllowMultipleBlocksPerSlot = ConstBool<false>;
	type SlotDuration = pallet_aura::MinimumPeriodTimesTwo<Runtime>;
}
