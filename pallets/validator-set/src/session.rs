//! The pallet as the session pallet's manager (which validators each session has, pruning of
//! old sessions) and as the offences pallet's handler (disable and remove proven offenders).

use super::*;
use alloc::vec::Vec;
use core::marker::PhantomData;
use frame_support::weights::Weight;
use pallet_session::SessionInterface;
use sp_runtime::{
	traits::{Convert, Get},
	Perbill,
};
use sp_staking::{
	offence::{OffenceDetails, OffenceSeverity, OnOffenceHandler},
	SessionIndex,
};

impl<T: Config> Pallet<T> {
	/// The set to plan for session `index`, if it changed since the last plan.
	fn plan_session(index: SessionIndex) -> Option<Vec<T::AccountId>> {
		if !SetChanged::<T>::take() {
			return None;
		}
		let set = Validators::<T>::get().into_inner();
		Self::deposit_event(Event::NewSetPlanned { session: index, validators: set.len() as u32 });
		Some(set)
	}

	/// The genesis set, if one was given (otherwise the session pallet's genesis keys decide).
	fn genesis_set() -> Option<Vec<T::AccountId>> {
		let set = Validators::<T>::get().into_inner();
		(!set.is_empty()).then_some(set)
	}

	/// Drops the key-ownership roots of sessions older than `HistoryDepth` before `index`.
	fn prune_history(index: SessionIndex) {
		if let Some(oldest_kept) = index.checked_sub(T::HistoryDepth::get()) {
			T::Session::prune_up_to(oldest_kept);
		}
	}

	/// Removes a proven offender from the set (never the last validator).
	fn remove_offender(validator: &T::AccountId, session: SessionIndex) {
		let removed = Validators::<T>::mutate(|set| {
			let index = set.iter().position(|v| v == validator)?;
			(set.len() > 1).then(|| set.remove(index))
		});
		if removed.is_some() {
			SetChanged::<T>::put(true);
			Self::deposit_event(Event::OffenderRemoved { validator: validator.clone(), session });
		}
	}
}

impl<T: Config> pallet_session::SessionManager<T::AccountId> for Pallet<T> {
	fn new_session(new_index: SessionIndex) -> Option<Vec<T::AccountId>> {
		Self::plan_session(new_index)
	}
	fn new_session_genesis(_: SessionIndex) -> Option<Vec<T::AccountId>> {
		Self::genesis_set()
	}
	fn start_session(start_index: SessionIndex) {
		Self::prune_history(start_index);
	}
	fn end_session(_: SessionIndex) {}
}

/// With historical sessions (needed to prove who owned a key when it equivocated): a validator
/// is identified by its account alone, there being no stake exposure on this chain.
impl<T: Config> pallet_session::historical::SessionManager<T::AccountId, ()> for Pallet<T> {
	fn new_session(new_index: SessionIndex) -> Option<Vec<(T::AccountId, ())>> {
		Self::plan_session(new_index).map(|set| set.into_iter().map(|v| (v, ())).collect())
	}
	fn new_session_genesis(_: SessionIndex) -> Option<Vec<(T::AccountId, ())>> {
		Self::genesis_set().map(|set| set.into_iter().map(|v| (v, ())).collect())
	}
	fn start_session(start_index: SessionIndex) {
		Self::prune_history(start_index);
	}
	fn end_session(_: SessionIndex) {}
}

/// A proven offender is disabled at once through the session pallet (its blocks and votes are
/// refused for the rest of the session, within the disabling strategy's limit) and removed
/// from the set, so the next planned session goes on without it. Reports of the same offence
/// arrive again with later reporters: handling one twice changes nothing.
impl<T: Config, FullIdentification>
	OnOffenceHandler<T::AccountId, (T::AccountId, FullIdentification), Weight> for Pallet<T>
{
	fn on_offence(
		offenders: &[OffenceDetails<T::AccountId, (T::AccountId, FullIdentification)>],
		slash_fraction: &[Perbill],
		session: SessionIndex,
	) -> Weight {
		let db = T::DbWeight::get();
		let mut weight = Weight::zero();
		for (details, fraction) in offenders.iter().zip(slash_fraction) {
			let validator = &details.offender.0;
			T::Session::report_offence(validator.clone(), OffenceSeverity(*fraction));
			Self::remove_offender(validator, session);
			// Disabling reads the session's validators and disabled list and writes the
			// latter; removal reads and writes the set and the change flag, and an event.
			weight.saturating_accrue(db.reads_writes(4, 4));
		}
		weight
	}
}

/// The full identification that historical sessions record for a validator: nothing beyond
/// its account.
pub struct FullIdentificationOf<T>(PhantomData<T>);

impl<T: Config> Convert<T::AccountId, Option<()>> for FullIdentificationOf<T> {
	fn convert(_: T::AccountId) -> Option<()> {
		Some(())
	}
}
