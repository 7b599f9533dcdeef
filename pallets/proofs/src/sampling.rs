//! Sampling re-execution and disputes: which settled results are re-executed, and how the
//! outputs of two or three workers decide who is slashed.
//!
//! Every random choice here (is a result sampled, which worker checks, which arbitrates) is
//! made in a block *after* the one holding the transaction that caused it ([`Draw`],
//! [`PendingDraws`]), from that later block's parent hash, which did not exist when the
//! transaction was submitted: a worker cannot hold its result back until the draw suits it,
//! and a disputer cannot time a dispute to get a checker it controls. What a block author can
//! still bias is described in the crate docs.

use crate::*;
use codec::Encode;
use frame_support::{
	pallet_prelude::*,
	traits::{
		fungible::MutateHold,
		tokens::{Fortitude, Precision, Restriction},
		Randomness,
	},
};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::traits::Saturating;
use verity_primitives::{blake2_256, Digest32, RequestId, SettledInfo};

/// A settled result, as the inference pallet reports it.
pub type SettledInfoOf<T> = SettledInfo<<T as frame_system::Config>::AccountId>;

impl<T: Config> Pallet<T> {
	/// Whether the result of `request` is picked for re-execution:
	/// `H(randomness, request) mod 10^9 < SampleRate` (in parts per billion). Called when the
	/// draw is made, a block after the result settled.
	pub fn is_sampled(request: RequestId) -> bool {
		let rate = T::SampleRate::get().deconstruct();
		if rate == 0 {
			return false;
		}
		let (seed, _) = T::Randomness::random(&(b"verity/sample", request).encode());
		let pick = blake2_256(&(seed, request).encode());
		let draw = u64::from_le_bytes([
			pick[0], pick[1], pick[2], pick[3], pick[4], pick[5], pick[6], pick[7],
		]) % 1_000_000_000;
		draw < u64::from(rate)
	}

	/// A result settled (called by the runtime's observer adapter): queue its sampling draw,
	/// or judge the check it is.
	// The draw is queued in the arm, not in a guard: a guard with effects hides them.
	#[allow(clippy::collapsible_match)]
	pub fn on_result(settled: SettledInfoOf<T>) {
		match settled.check_of {
			// Proved results are final; only checkable ones (integer and chat models) are
			// re-executed.
			None if settled.checkable && !settled.proved && !T::SampleRate::get().is_zero() => {
				// Queued, or skipped when every bucket up to `MaxDrawDelay` is full.
				if Self::queue_draw(Draw::Sample(settled.request)).is_err() {
					Self::deposit_event(Event::SampleSkipped { request: settled.request });
				}
			},
			None => {},
			Some(original) => Self::on_check_result(original, settled),
		}
	}

	/// Queues a draw for the first block after this one whose bucket has room, at most
	/// `MaxDrawDelay` blocks ahead: a flood of draws delays later ones (never into the past),
	/// and only a flood that fills every bucket of the window refuses one.
	fn queue_draw(draw: Draw) -> Result<(), Error<T>> {
		let now = frame_system::Pallet::<T>::block_number();
		let last = now.saturating_add(T::MaxDrawDelay::get().into());
		let mut at = DrawCursor::<T>::get().max(now.saturating_add(1u32.into()));
		while at <= last {
			if PendingDraws::<T>::try_append(at, draw.clone()).is_ok() {
				DrawCursor::<T>::put(at);
				return Ok(());
			}
			at = at.saturating_add(1u32.into());
		}
		Err(Error::<T>::DrawQueueFull)
	}

	/// Makes the draws of `now`'s bucket (at most `MaxDrawsPerBlock`, all queued in earlier
	/// blocks). Returns how many it made.
	pub(crate) fn do_make_draws(now: BlockNumberFor<T>) -> u32 {
		let ready = PendingDraws::<T>::take(now);
		for draw in &ready {
			match draw {
				Draw::Sample(request) => Self::draw_sample(*request),
				Draw::Checker(request) => Self::draw_checker(*request),
				Draw::Arbiter(request) => Self::draw_arbiter(*request),
			}
		}
		ready.len() as u32
	}

	/// Decides whether a settled result is sampled, and opens its check at the sampling pot's
	/// expense if so.
	fn draw_sample(request: RequestId) {
		if !Self::is_sampled(request)
			|| Samples::<T>::contains_key(request)
			|| Judged::<T>::contains_key(request)
		{
			return;
		}
		let Some(result) = T::Executor::settled(request) else { return };
		let record = SampleRecord {
			worker: result.worker.clone(),
			output_digest: result.output_digest,
			evidence: result.evidence,
			disputer: None,
			stage: SampleStage::DrawingChecker,
			declined_by: Default::default(),
		};
		Self::add_exposure(&result.worker);
		Samples::<T>::insert(request, &record);
		if Self::open_first_check(request, &record).is_err() {
			Self::close_sample(request, &record, false);
			Self::deposit_event(Event::SampleSkipped { request });
		}
	}

	/// Draws the checker of a disputed result.
	fn draw_checker(request: RequestId) {
		let Some(record) = Samples::<T>::get(request) else { return };
		if record.stage != SampleStage::DrawingChecker {
			return;
		}
		if Self::open_first_check(request, &record).is_err() {
			Self::close_sample(request, &record, false);
			Self::deposit_event(Event::DisputeUnresolved { request });
		}
	}

	/// Who pays a check, and the most it may cost: a disputer pays its own dispute's checks
	/// (bounded by the original worker's fee); the sampling pot pays sampled ones, the first
	/// check also within governance's [`MaxCheckFee`] (an arbiter is never capped).
	fn check_payer(disputer: Option<&T::AccountId>) -> (T::AccountId, Option<BalanceOf<T>>) {
		match disputer {
			Some(disputer) => (disputer.clone(), None),
			None => (T::SamplingPot::get(), MaxCheckFee::<T>::get()),
		}
	}

	/// Opens the first check of a result under re-execution: same version, same input as the
	/// original, on another worker, paid by the disputer or the sampling pot.
	fn open_first_check(request: RequestId, record: &SampleRecord<T::AccountId>) -> DispatchResult {
		let result = T::Executor::settled(request).ok_or(Error::<T>::UnknownResult)?;
		let (payer, cap) = Self::check_payer(record.disputer.as_ref());
		let mut exclude = alloc::vec![record.worker.clone()];
		exclude.extend(record.declined_by.iter().cloned());
		let (check, checker) =
			T::Executor::open_check(&payer, request, result.model, result.input, &exclude, cap)?;
		Samples::<T>::mutate(request, |stored| {
			if let Some(stored) = stored {
				stored.stage = SampleStage::Checking { check, checker: checker.clone() };
			}
		});
		Self::deposit_event(Event::ResultSampled {
			request,
			check,
			checker,
			disputer: record.disputer.clone(),
		});
		Ok(())
	}

	/// Draws the arbiter of a disagreement and opens its check.
	fn draw_arbiter(original: RequestId) {
		let Some(sample) = Samples::<T>::get(original) else { return };
		let SampleStage::DrawingArbiter { checker, checker_output, checker_evidence } =
			sample.stage.clone()
		else {
			return;
		};
		let opened = T::Executor::settled(original)
			.ok_or_else(|| DispatchError::from(Error::<T>::UnknownResult))
			.and_then(|result| {
				// Once two workers disagree, the arbiter is drawn whatever the cap: one of them
				// is wrong, and a cap must not let it go unjudged.
				let (payer, _) = Self::check_payer(sample.disputer.as_ref());
				let mut exclude = alloc::vec![sample.worker.clone(), checker.clone()];
				exclude.extend(sample.declined_by.iter().cloned());
				let input = result.input;
				T::Executor::open_check(&payer, original, result.model, input, &exclude, None)
			});
		match opened {
			Ok((check, arbiter)) => {
				Samples::<T>::mutate(original, |record| {
					if let Some(record) = record {
						record.stage = SampleStage::Arbitrating {
							check,
							checker: checker.clone(),
							checker_output,
							checker_evidence,
							arbiter: arbiter.clone(),
						};
					}
				});
				Self::deposit_event(Event::ResultDisputed {
					request: original,
					checker,
					check,
					arbiter,
				});
			},
			Err(_) => {
				Self::close_sample(original, &sample, false);
				Self::deposit_event(Event::DisputeUnresolved { request: original });
			},
		}
	}

	/// A check expired unanswered (called by the runtime's observer adapter).
	pub fn on_check_expired(check: RequestId, original: RequestId) {
		// A result is re-executed once: a check that cannot be completed (its worker did not
		// answer) ends its scrutiny, so nobody can keep a worker's stake under review forever
		// by disputing a result whose input is gone, again and again.
		Self::end_check(check, original, true)
	}

	/// A check was declined: its worker says it could not fetch the input. Another worker
	/// (never a decliner) is drawn in its place, so a decliner that is the worker's sybil
	/// shields nothing; after [`MAX_DECLINES`] declines the input is taken as gone and the
	/// sample ends with a verdict, so a requester that took its input down cannot keep the
	/// worker's stake under review by disputing again and again.
	pub fn on_check_declined(check: RequestId, original: RequestId) {
		let Some(mut sample) = Samples::<T>::get(original) else { return };
		let (decliner, redraw, stage) = match sample.stage.clone() {
			SampleStage::Checking { check: current, checker } if current == check => {
				(checker, Draw::Checker(original), SampleStage::DrawingChecker)
			},
			SampleStage::Arbitrating {
				check: current,
				checker,
				checker_output,
				checker_evidence,
				arbiter,
			} if current == check => (
				arbiter,
				Draw::Arbiter(original),
				SampleStage::DrawingArbiter { checker, checker_output, checker_evidence },
			),
			_ => return,
		};
		if sample.declined_by.try_push(decliner.clone()).is_err() {
			return Self::end_check(check, original, true);
		}
		if Self::queue_draw(redraw).is_err() {
			return Self::end_check(check, original, false);
		}
		sample.stage = stage;
		Samples::<T>::insert(original, sample);
		Self::deposit_event(Event::CheckRedrawn { request: original, check, decliner });
	}

	/// Ends the sample of `original` if `check` is its current check; `judged` records a
	/// verdict so the result is never re-executed again.
	fn end_check(check: RequestId, original: RequestId, judged: bool) {
		let Some(sample) = Samples::<T>::get(original) else { return };
		let current = match &sample.stage {
			SampleStage::Checking { check, .. } | SampleStage::Arbitrating { check, .. } => *check,
			SampleStage::DrawingChecker | SampleStage::DrawingArbiter { .. } => return,
		};
		if current != check {
			return;
		}
		Self::close_sample(original, &sample, judged);
		match sample.stage {
			SampleStage::Arbitrating { .. } => {
				Self::deposit_event(Event::DisputeUnresolved { request: original })
			},
			_ => Self::deposit_event(Event::SampleAbandoned { request: original, check }),
		}
	}

	/// A check of `original` settled: confirm, queue the arbiter's draw, or slash the minority.
	fn on_check_result(original: RequestId, check: SettledInfoOf<T>) {
		let Some(sample) = Samples::<T>::get(original) else { return };
		match sample.stage.clone() {
			SampleStage::Checking { check: expected, checker } if expected == check.request => {
				if check.output_digest == sample.output_digest {
					Self::pay_bond(original, &sample.worker);
					Self::close_sample(original, &sample, true);
					Self::deposit_event(Event::ResultConfirmed { request: original, checker });
					return;
				}
				// The checker now answers for its output too, until the arbiter decides.
				Self::add_exposure(&checker);
				let drawing = SampleStage::DrawingArbiter {
					checker: checker.clone(),
					checker_output: check.output_digest,
					checker_evidence: check.evidence,
				};
				let queued = Self::queue_draw(Draw::Arbiter(original));
				Samples::<T>::mutate(original, |record| {
					if let Some(record) = record {
						record.stage = drawing.clone();
					}
				});
				if queued.is_err() {
					let sample = SampleRecord { stage: drawing, ..sample };
					Self::close_sample(original, &sample, false);
					Self::deposit_event(Event::DisputeUnresolved { request: original });
				}
			},
			SampleStage::Arbitrating {
				check: expected,
				checker,
				checker_output,
				checker_evidence,
				arbiter,
			} if expected == check.request => {
				if check.output_digest == sample.output_digest {
					Self::pay_bond(original, &sample.worker);
				}
				Self::close_sample(original, &sample, true);
				let evidence = |minority: Digest32, majority: Digest32| {
					blake2_256(&(minority, majority, check.evidence).encode())
				};
				// A verdict within a tolerance is not proof of fault against a checker: honest
				// checkers on different hardware may split near its edge, and a requester or
				// worker could aim a claim there to frame one. Such a result stands, unslashed.
				let exact = T::Executor::settled(original).is_none_or(|result| result.exact);
				if check.output_digest == sample.output_digest && !exact {
					Self::deposit_event(Event::ResultConfirmed {
						request: original,
						checker: arbiter,
					});
				} else if check.output_digest == sample.output_digest {
					// The checker was wrong; the original worker reports it.
					Self::slash(
						&checker,
						Fault::WrongOutput,
						evidence(checker_evidence, sample.evidence),
						sample.worker,
					);
				} else if check.output_digest == checker_output {
					let reporter = sample.disputer.unwrap_or(checker);
					Self::slash(
						&sample.worker,
						Fault::WrongOutput,
						evidence(sample.evidence, checker_evidence),
						reporter,
					);
				} else {
					Self::deposit_event(Event::DisputeUnresolved { request: original });
				}
			},
			// A result for a check this record no longer waits for.
			_ => {},
		}
	}

	/// Removes a sample, releases the exposure of the workers it named, and records a verdict
	/// when there is one (so the result cannot be disputed again). A dispute's bond is released
	/// (the confirmed case pays it out first, in [`Self::pay_bond`]).
	fn close_sample(original: RequestId, sample: &SampleRecord<T::AccountId>, verdict: bool) {
		Self::release_bond(original);
		Samples::<T>::remove(original);
		Self::release_exposure(&sample.worker);
		if let SampleStage::Arbitrating { checker, .. }
		| SampleStage::DrawingArbiter { checker, .. } = &sample.stage
		{
			Self::release_exposure(checker);
		}
		if verdict {
			Judged::<T>::insert(original, ());
		}
	}

	/// Accepts a dispute of a settled deterministic result: it will be re-executed with the
	/// original request's own input (nobody supplies another), by a checker drawn in the next
	/// block.
	pub(crate) fn do_dispute_result(disputer: T::AccountId, request: RequestId) -> DispatchResult {
		let result = T::Executor::settled(request).ok_or(Error::<T>::UnknownResult)?;
		ensure!(result.checkable, Error::<T>::ModelNotDeterministic);
		ensure!(!result.proved, Error::<T>::ResultProved);
		ensure!(!Samples::<T>::contains_key(request), Error::<T>::AlreadyUnderCheck);
		ensure!(!Judged::<T>::contains_key(request), Error::<T>::AlreadyJudged);
		let bond = T::DisputeBond::get();
		T::Currency::hold(&HoldReason::DisputeBond.into(), &disputer, bond)
			.map_err(|_| Error::<T>::InsufficientBond)?;
		DisputeBonds::<T>::insert(request, (disputer.clone(), bond));
		Self::queue_draw(Draw::Checker(request))?;
		Self::add_exposure(&result.worker);
		Samples::<T>::insert(
			request,
			SampleRecord {
				worker: result.worker,
				output_digest: result.output_digest,
				evidence: result.evidence,
				disputer: Some(disputer.clone()),
				stage: SampleStage::DrawingChecker,
				declined_by: Default::default(),
			},
		);
		Self::deposit_event(Event::DisputeAccepted {
			request,
			disputer,
			bond,
			draw_after: frame_system::Pallet::<T>::block_number().saturating_add(1u32.into()),
		});
		Ok(())
	}

	/// The re-execution confirmed the disputed result: the bond goes to its worker.
	fn pay_bond(request: RequestId, worker: &T::AccountId) {
		let Some((disputer, amount)) = DisputeBonds::<T>::take(request) else { return };
		let paid = T::Currency::transfer_on_hold(
			&HoldReason::DisputeBond.into(),
			&disputer,
			worker,
			amount,
			Precision::BestEffort,
			Restriction::Free,
			Fortitude::Force,
		);
		let paid_to = paid.is_ok().then(|| worker.clone());
		if paid_to.is_none() {
			// The worker's account cannot take it (it left): back to the disputer.
			let _ = T::Currency::release(
				&HoldReason::DisputeBond.into(),
				&disputer,
				amount,
				Precision::BestEffort,
			);
		}
		Self::deposit_event(Event::DisputeBondSettled { request, disputer, amount, paid_to });
	}

	/// The dispute ended without confirming the result: the bond goes back to the disputer.
	fn release_bond(request: RequestId) {
		let Some((disputer, amount)) = DisputeBonds::<T>::take(request) else { return };
		let _ = T::Currency::release(
			&HoldReason::DisputeBond.into(),
			&disputer,
			amount,
			Precision::BestEffort,
		);
		Self::deposit_event(Event::DisputeBondSettled { request, disputer, amount, paid_to: None });
	}
}
