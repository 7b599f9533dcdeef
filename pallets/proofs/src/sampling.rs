//! Sampling re-execution and disputes: which settled results are re-executed, and how the
//! outputs of two or three workers decide who is slashed.

use crate::*;
use codec::Encode;
use frame_support::{pallet_prelude::*, traits::Randomness};
use verity_primitives::{
	blake2_256, Digest32, ModelVersionRef, RequestId, RequestInput, SettledInfo,
};

/// A settled result, as the inference pallet reports it.
pub type SettledInfoOf<T> = SettledInfo<<T as frame_system::Config>::AccountId>;

impl<T: Config> Pallet<T> {
	/// Whether the result of `request` is picked for re-execution:
	/// `H(randomness, request) mod 10^9 < SampleRate` (in parts per billion).
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

	/// A result settled (called by the runtime's observer adapter). Returns whether it tried
	/// to open a check request (the expensive part of its weight).
	pub fn on_result(settled: SettledInfoOf<T>) -> bool {
		match settled.check_of {
			None if settled.deterministic && Self::is_sampled(settled.request) => {
				Self::start_check(settled);
				true
			},
			None => false,
			Some(original) => Self::on_check_result(original, settled),
		}
	}

	/// A check expired unanswered (called by the runtime's observer adapter).
	pub fn on_check_expired(check: RequestId, original: RequestId) {
		let Some(sample) = Samples::<T>::get(original) else { return };
		let current = match &sample.stage {
			SampleStage::Checking { check, .. } | SampleStage::Arbitrating { check, .. } => *check,
		};
		if current != check {
			return;
		}
		Self::close_sample(original, &sample, false);
		match sample.stage {
			SampleStage::Checking { .. } => {
				Self::deposit_event(Event::SampleAbandoned { request: original, check })
			},
			SampleStage::Arbitrating { .. } => {
				Self::deposit_event(Event::DisputeUnresolved { request: original })
			},
		}
	}

	/// Opens the first check of a settled result and records the sample: the original's
	/// worker (excluded from checking) may now be slashed. `disputer` pays, or the treasury when
	/// sampled.
	#[allow(clippy::too_many_arguments)]
	fn begin_sample(
		request: RequestId,
		worker: T::AccountId,
		model: ModelVersionRef,
		input: RequestInput,
		output_digest: Digest32,
		evidence: Digest32,
		disputer: Option<T::AccountId>,
	) -> DispatchResult {
		let payer = disputer.clone().unwrap_or_else(T::TreasuryAccount::get);
		let (check, checker) =
			T::Executor::open_check(&payer, request, model, input, &[worker.clone()])?;
		Self::add_exposure(&worker);
		Samples::<T>::insert(
			request,
			SampleRecord {
				worker,
				output_digest,
				evidence,
				disputer: disputer.clone(),
				stage: SampleStage::Checking { check, checker: checker.clone() },
			},
		);
		Self::deposit_event(Event::ResultSampled { request, check, checker, disputer });
		Ok(())
	}

	/// Samples a settled result at the treasury's expense, or records why it could not.
	fn start_check(original: SettledInfoOf<T>) {
		let request = original.request;
		let opened = Self::begin_sample(
			request,
			original.worker,
			original.model,
			original.input,
			original.output_digest,
			original.evidence,
			None,
		);
		if opened.is_err() {
			Self::deposit_event(Event::SampleSkipped { request });
		}
	}

	/// A check of `original` settled: confirm, escalate to an arbiter, or slash the minority.
	/// Returns whether it tried to open the arbiter's request.
	fn on_check_result(original: RequestId, check: SettledInfoOf<T>) -> bool {
		let Some(sample) = Samples::<T>::get(original) else { return false };
		match sample.stage.clone() {
			SampleStage::Checking { check: expected, checker } if expected == check.request => {
				if check.output_digest == sample.output_digest {
					Self::close_sample(original, &sample, true);
					Self::deposit_event(Event::ResultConfirmed { request: original, checker });
					return false;
				}
				let payer = sample.disputer.clone().unwrap_or_else(T::TreasuryAccount::get);
				let exclude = [sample.worker.clone(), checker.clone()];
				match T::Executor::open_check(&payer, original, check.model, check.input, &exclude)
				{
					Ok((arbiter_check, arbiter)) => {
						Self::add_exposure(&checker);
						Samples::<T>::mutate(original, |record| {
							if let Some(record) = record {
								record.stage = SampleStage::Arbitrating {
									check: arbiter_check,
									checker: checker.clone(),
									checker_output: check.output_digest,
									checker_evidence: check.evidence,
									arbiter: arbiter.clone(),
								};
							}
						});
						Self::deposit_event(Event::ResultDisputed {
							request: original,
							checker,
							check: arbiter_check,
							arbiter,
						});
					},
					Err(_) => {
						Self::close_sample(original, &sample, false);
						Self::deposit_event(Event::DisputeUnresolved { request: original });
					},
				}
				true
			},
			SampleStage::Arbitrating {
				check: expected,
				checker,
				checker_output,
				checker_evidence,
				..
			} if expected == check.request => {
				Self::close_sample(original, &sample, true);
				let evidence = |minority: Digest32, majority: Digest32| {
					blake2_256(&(minority, majority, check.evidence).encode())
				};
				if check.output_digest == sample.output_digest {
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
				false
			},
			// A result for a check this record no longer waits for.
			_ => false,
		}
	}

	/// Removes a sample, releases the exposure of the workers it named, and records a verdict
	/// when there is one (so the result cannot be disputed again).
	fn close_sample(original: RequestId, sample: &SampleRecord<T::AccountId>, verdict: bool) {
		Samples::<T>::remove(original);
		Self::release_exposure(&sample.worker);
		if let SampleStage::Arbitrating { checker, .. } = &sample.stage {
			Self::release_exposure(checker);
		}
		if verdict {
			Judged::<T>::insert(original, ());
		}
	}

	pub(crate) fn do_dispute_result(
		disputer: T::AccountId,
		request: RequestId,
		input: RequestInput,
	) -> DispatchResult {
		let result = T::Executor::settled(request).ok_or(Error::<T>::UnknownResult)?;
		ensure!(result.deterministic, Error::<T>::ModelNotDeterministic);
		ensure!(!Samples::<T>::contains_key(request), Error::<T>::AlreadyUnderCheck);
		ensure!(!Judged::<T>::contains_key(request), Error::<T>::AlreadyJudged);
		ensure!(input.digest() == result.input_digest, Error::<T>::InputMismatch);
		Self::begin_sample(
			request,
			result.worker,
			result.model,
			input,
			result.output_digest,
			result.evidence,
			Some(disputer),
		)
	}
}
