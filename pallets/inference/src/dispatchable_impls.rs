//! The `do_*` functions behind the calls, hooks and the authorization of results.

use crate::*;
use alloc::vec::Vec;
use codec::Encode;
use frame_support::{
	pallet_prelude::*,
	traits::{
		fungible::{InspectHold, MutateHold},
		tokens::{Fortitude, Precision, Restriction},
		Randomness,
	},
};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::{
	traits::{CheckedAdd, CheckedMul, Saturating, Zero},
	transaction_validity::{
		InvalidTransaction, TransactionValidityError, TransactionValidityWithRefund,
		ValidTransaction,
	},
	SaturatedConversion,
};
use verity_primitives::{
	chat_output_limit, decline_payload, generation::MAX_EVIDENCE_TOKENS, key_possession_payload,
	tensors_encoded_len, ArtifactFormat, CheckVerdict, DeclineReason, ExpectedReceipt,
	GenerationEvidence, HardwareClass, IoSchema, ModelVersionRef, Receipt, ReceiptContext,
	ReceiptSignature, RequestId, RequestInput, ResultOutput, SigningKey, VerificationMode,
	VerificationModes, MAX_CHAT_INPUT, MAX_INLINE_OUTPUT,
};

/// Priority of result transactions: above ordinary transfers, so that results beat deadlines.
const RESULT_PRIORITY: u64 = 1 << 20;

/// Most deadline buckets tried for an answered ZKML request's proof window.
pub const ZK_WINDOW_PROBES: u32 = 16;

/// A result as submitted and checked: what settlement records.
struct Answer<AccountId> {
	receipt: Receipt<AccountId>,
	signing_key: SigningKey,
	signature: ReceiptSignature,
	output: ResultOutput,
	generation: Option<GenerationEvidence>,
}

impl<T: Config> Pallet<T> {
	#[allow(clippy::too_many_arguments)]
	pub(crate) fn do_register_worker(
		who: T::AccountId,
		signing_key: SigningKey,
		key_proof: ReceiptSignature,
		endpoint: Endpoint,
		hardware: HardwareClass,
		modes: VerificationModes,
		models: BoundedVec<ModelVersionRef, T::MaxModelsPerWorker>,
		fee_per_inference: BalanceOf<T>,
		stake: BalanceOf<T>,
	) -> DispatchResult {
		ensure!(!Workers::<T>::contains_key(&who), Error::<T>::AlreadyRegistered);
		ensure!(!WorkerBySigningKey::<T>::contains_key(signing_key), Error::<T>::SigningKeyInUse);
		let possessed = sp_io::crypto::sr25519_verify(
			&sp_core::sr25519::Signature::from_raw(key_proof),
			&key_possession_payload(&Self::genesis_hash(), &who, &signing_key),
			&sp_core::sr25519::Public::from_raw(signing_key),
		);
		ensure!(possessed, Error::<T>::KeyNotPossessed);
		Self::check_offer(&endpoint, modes, &models)?;
		ensure!(stake >= T::MinWorkerStake::get(), Error::<T>::StakeTooLow);
		ActiveWorkers::<T>::try_append(&who).map_err(|_| Error::<T>::TooManyWorkers)?;
		T::Currency::hold(&HoldReason::WorkerStake.into(), &who, stake)
			.map_err(|_| Error::<T>::InsufficientBalance)?;
		WorkerBySigningKey::<T>::insert(signing_key, &who);
		Workers::<T>::insert(
			&who,
			WorkerInfo {
				signing_key,
				endpoint,
				hardware,
				modes,
				models,
				fee_per_inference,
				stake,
				status: WorkerStatus::Active,
				open_requests: 0,
				missed: 0,
				delivered: 0,
				min_deadline: Zero::zero(),
			},
		);
		Self::deposit_event(Event::WorkerRegistered { worker: who, signing_key, stake });
		Ok(())
	}

	pub(crate) fn do_update_worker(
		who: T::AccountId,
		endpoint: Endpoint,
		hardware: HardwareClass,
		modes: VerificationModes,
		models: BoundedVec<ModelVersionRef, T::MaxModelsPerWorker>,
		fee_per_inference: BalanceOf<T>,
	) -> DispatchResult {
		Self::check_offer(&endpoint, modes, &models)?;
		Workers::<T>::try_mutate(&who, |worker| {
			let worker = worker.as_mut().ok_or(Error::<T>::NotRegistered)?;
			ensure!(worker.status == WorkerStatus::Active, Error::<T>::NotActive);
			worker.endpoint = endpoint;
			worker.hardware = hardware;
			worker.modes = modes;
			worker.models = models;
			worker.fee_per_inference = fee_per_inference;
			Ok::<_, DispatchError>(())
		})?;
		Self::deposit_event(Event::WorkerUpdated { worker: who });
		Ok(())
	}

	pub(crate) fn do_set_min_deadline(
		who: T::AccountId,
		blocks: BlockNumberFor<T>,
	) -> DispatchResult {
		ensure!(blocks <= T::MaxDeadline::get(), Error::<T>::BadDeadline);
		Workers::<T>::try_mutate(&who, |worker| {
			let worker = worker.as_mut().ok_or(Error::<T>::NotRegistered)?;
			ensure!(worker.status == WorkerStatus::Active, Error::<T>::NotActive);
			worker.min_deadline = blocks;
			Ok::<_, DispatchError>(())
		})?;
		Self::deposit_event(Event::WorkerMinDeadlineSet { worker: who, blocks });
		Ok(())
	}

	pub(crate) fn do_bond_extra(who: T::AccountId, amount: BalanceOf<T>) -> DispatchResult {
		let total = Workers::<T>::try_mutate(&who, |worker| {
			let worker = worker.as_mut().ok_or(Error::<T>::NotRegistered)?;
			ensure!(worker.status == WorkerStatus::Active, Error::<T>::NotActive);
			worker.stake = worker.stake.checked_add(&amount).ok_or(Error::<T>::Overflow)?;
			T::Currency::hold(&HoldReason::WorkerStake.into(), &who, amount)
				.map_err(|_| Error::<T>::InsufficientBalance)?;
			Ok::<_, DispatchError>(worker.stake)
		})?;
		Self::deposit_event(Event::StakeBonded { worker: who, amount, total });
		Ok(())
	}

	pub(crate) fn do_unbond(who: T::AccountId) -> DispatchResult {
		let until =
			frame_system::Pallet::<T>::block_number().saturating_add(T::UnbondingPeriod::get());
		Workers::<T>::try_mutate(&who, |worker| {
			let worker = worker.as_mut().ok_or(Error::<T>::NotRegistered)?;
			ensure!(worker.status == WorkerStatus::Active, Error::<T>::NotActive);
			worker.status = WorkerStatus::Unbonding { until };
			Ok::<_, DispatchError>(())
		})?;
		ActiveWorkers::<T>::mutate(|active| active.retain(|account| account != &who));
		Self::deposit_event(Event::WorkerUnbonding { worker: who, until });
		Ok(())
	}

	pub(crate) fn do_withdraw(who: T::AccountId) -> DispatchResult {
		let worker = Workers::<T>::get(&who).ok_or(Error::<T>::NotRegistered)?;
		let WorkerStatus::Unbonding { until } = worker.status else {
			return Err(Error::<T>::NotUnbonding.into());
		};
		ensure!(frame_system::Pallet::<T>::block_number() >= until, Error::<T>::UnbondingNotOver);
		ensure!(worker.open_requests == 0, Error::<T>::OpenRequests);
		ensure!(!T::Verification::holds_stake(&who), Error::<T>::StakeUnderReview);
		T::Currency::release(
			&HoldReason::WorkerStake.into(),
			&who,
			worker.stake,
			Precision::BestEffort,
		)?;
		Workers::<T>::remove(&who);
		WorkerBySigningKey::<T>::remove(worker.signing_key);
		Self::deposit_event(Event::WorkerWithdrawn { worker: who, stake: worker.stake });
		Ok(())
	}

	pub(crate) fn do_request_inference(
		who: T::AccountId,
		model: ModelVersionRef,
		input: RequestInput,
		mode: VerificationMode,
		max_fee: BalanceOf<T>,
		deadline_blocks: BlockNumberFor<T>,
	) -> DispatchResult {
		<Self as InferenceRequests<_, _, _>>::request(
			who,
			model,
			input,
			mode,
			max_fee,
			deadline_blocks,
		)
		.map(|_| ())
	}

	#[allow(clippy::too_many_arguments)]
	pub(crate) fn do_request_chat(
		who: T::AccountId,
		model: ModelVersionRef,
		input: RequestInput,
		mode: VerificationMode,
		max_tokens: u32,
		max_fee: BalanceOf<T>,
		deadline_blocks: BlockNumberFor<T>,
	) -> DispatchResult {
		<Self as InferenceRequests<_, _, _>>::request_chat(
			who,
			model,
			input,
			mode,
			max_tokens,
			max_fee,
			deadline_blocks,
		)
		.map(|_| ())
	}

	/// Opens a Vanilla request that re-executes `original`'s job (same model version, same
	/// input) on a worker not in `exclude`, with `payer` paying only the worker's fee (the
	/// model's owner is paid once, by the original). Checkers cost at most what the original's
	/// worker was paid, so an expensive worker is never picked to bill the payer, and at most
	/// `cap` in all when given. Its result is
	/// reported to [`Config::Observers`] with `check_of = Some(original)`. The version only
	/// needs to exist (a deprecated one can still be checked).
	pub fn open_check(
		payer: T::AccountId,
		original: RequestId,
		model: ModelVersionRef,
		input: RequestInput,
		exclude: &[T::AccountId],
		cap: Option<BalanceOf<T>>,
	) -> Result<(RequestId, T::AccountId), DispatchError> {
		let version = T::Models::artifact(&model).ok_or(Error::<T>::VersionNotServable)?;
		let original_fee =
			Results::<T>::get(original).ok_or(Error::<T>::UnknownRequest)?.paid.worker_fee;
		let max_fee = Self::fee_total(&Self::fee_split(Zero::zero(), original_fee, false)?)?;
		let max_fee = cap.map_or(max_fee, |cap| max_fee.min(cap));
		// Callers may swallow the error (sampling skips a check it cannot open), so a failure
		// must leave nothing behind: the storage layer reverts a half-opened request.
		let request = frame_support::storage::with_storage_layer(|| {
			Self::open_request(
				payer.clone(),
				model,
				version,
				Job { input, mode: VerificationMode::Vanilla, max_tokens: None },
				max_fee,
				T::MaxDeadline::get(),
				Some((original, exclude)),
			)
		})?;
		let worker =
			Requests::<T>::get(request).map(|r| r.worker).ok_or(Error::<T>::UnknownRequest)?;
		Self::deposit_event(Event::CheckRequested {
			request,
			original,
			worker: worker.clone(),
			payer,
		});
		Ok((request, worker))
	}

	/// Validates a request against the version, holds its fee, assigns a worker and records it.
	#[allow(clippy::too_many_arguments)]
	fn open_request(
		who: T::AccountId,
		model: ModelVersionRef,
		version: ServableModel<T::AccountId, BalanceOf<T>>,
		job: Job,
		max_fee: BalanceOf<T>,
		deadline_blocks: BlockNumberFor<T>,
		check: Option<(RequestId, &[T::AccountId])>,
	) -> Result<RequestId, DispatchError> {
		let Job { input, mode, max_tokens } = job;
		let (output_len, chat) =
			Self::check_job(&version, &input, mode, max_tokens, check.is_some())?;
		ensure!(
			deadline_blocks >= T::MinDeadline::get() && deadline_blocks <= T::MaxDeadline::get(),
			Error::<T>::BadDeadline
		);
		let now = frame_system::Pallet::<T>::block_number();
		let deadline = now.saturating_add(deadline_blocks);

		let request = NextRequestId::<T>::get();
		let exclude = check.map(|(_, exclude)| exclude).unwrap_or_default();
		// Integer models only (a chat schema is never one: the Model Hub takes chat models as
		// GGUF only; a chat result's check is a verdict on its evidence, not its output).
		let deterministic = version.format == ArtifactFormat::VerityInt8 && chat.is_none();
		// A check pays the worker only: the model's owner was paid by the original. A chat
		// request holds the price of every token it pays for.
		let price = match (&check, &chat) {
			(Some(_), _) => Zero::zero(),
			(None, None) => version.price,
			(None, Some(terms)) => terms
				.price_per_token
				.checked_mul(&terms.max_tokens.into())
				.and_then(|tokens| tokens.checked_add(&version.price))
				.ok_or(Error::<T>::Overflow)?,
		};
		// Results that may be sampled (deterministic or chat, unproved, not checks) fund their
		// checks.
		let premium =
			check.is_none() && (deterministic || chat.is_some()) && mode != VerificationMode::Zkml;
		let offer = Offer { mode, price, premium, max_fee, deadline_blocks };
		let (worker, worker_fee) = Self::assign(request, &model, &offer, exclude)?;
		let fee = if check.is_some() {
			FeeSplit {
				model_price: Zero::zero(),
				worker_fee,
				protocol_fee: Zero::zero(),
				sampling_premium: Zero::zero(),
			}
		} else {
			Self::fee_split(price, worker_fee, premium)?
		};
		let total = Self::fee_total(&fee)?;

		Deadlines::<T>::try_append(deadline, request).map_err(|_| Error::<T>::DeadlineBlockFull)?;
		T::Currency::hold(&HoldReason::RequestFee.into(), &who, total)
			.map_err(|_| Error::<T>::InsufficientBalance)?;
		Workers::<T>::mutate(&worker, |info| {
			if let Some(info) = info {
				info.open_requests.saturating_inc();
			}
		});
		NextRequestId::<T>::put(request.saturating_add(1));
		Assignments::<T>::insert(&worker, request, ());
		if let Some((original, _)) = check {
			OpenChecks::<T>::mutate(original, |open| *open = open.saturating_add(1));
		}
		Requests::<T>::insert(
			request,
			InferenceRequest {
				requester: who.clone(),
				model,
				spec_hash: version.spec_hash,
				model_digest: version.artifact.blake2_256,
				model_owner: version.owner,
				input_digest: input.digest(),
				input,
				output_len,
				mode,
				worker: worker.clone(),
				fee,
				submitted_at: now,
				deadline,
				check_of: check.map(|(original, _)| original),
				deterministic,
				chat,
			},
		);
		Self::deposit_event(Event::InferenceRequested {
			request,
			requester: who,
			model,
			mode,
			worker,
			fee: total,
			deadline,
		});
		Ok(request)
	}

	/// Checks a job against its version's schema and mode; returns the length a valid output
	/// has (exactly, for tensors and for the verdict of a chat result's `check`; at most, for
	/// chat) and a chat request's token terms.
	fn check_job(
		version: &ServableModel<T::AccountId, BalanceOf<T>>,
		input: &RequestInput,
		mode: VerificationMode,
		max_tokens: Option<u32>,
		check: bool,
	) -> Result<(u64, Option<ChatTermsOf<T>>), DispatchError> {
		if let RequestInput::Stored { location, .. } = input {
			ensure!(location.is_well_formed(), Error::<T>::MalformedInputLocation);
		}
		let (output_len, chat) = match (&version.schema, max_tokens) {
			(IoSchema::Tensors { inputs, outputs }, None) => {
				let expected_input = tensors_encoded_len(inputs).ok_or(Error::<T>::Overflow)?;
				ensure!(input.len() == expected_input, Error::<T>::InputSizeMismatch);
				(tensors_encoded_len(outputs).ok_or(Error::<T>::Overflow)?, None)
			},
			(IoSchema::Chat { .. }, None) if check => (CheckVerdict::LEN as u64, None),
			(IoSchema::Chat { max_context_tokens }, Some(max_tokens)) => {
				// At least one token of prompt must fit beside the answer, whose evidence the
				// chain keeps.
				ensure!(
					max_tokens >= 1
						&& max_tokens < *max_context_tokens
						&& max_tokens <= MAX_EVIDENCE_TOKENS,
					Error::<T>::BadMaxTokens
				);
				ensure!(
					!input.is_empty() && input.len() <= MAX_CHAT_INPUT,
					Error::<T>::BadChatInput
				);
				let terms = ChatTerms { max_tokens, price_per_token: version.price_per_token };
				(chat_output_limit(max_tokens), Some(terms))
			},
			_ => return Err(Error::<T>::UnsupportedSchema.into()),
		};
		if mode == VerificationMode::Zkml {
			ensure!(
				version.format == ArtifactFormat::VerityInt8 && chat.is_none(),
				Error::<T>::ZkmlNeedsIntegerModel
			);
			ensure!(version.zk_keys.is_some(), Error::<T>::ZkKeysMissing);
			ensure!(
				matches!(input, RequestInput::Inline(_))
					&& output_len <= u64::from(MAX_INLINE_OUTPUT),
				Error::<T>::ZkmlNeedsInlineData
			);
		}
		Ok((output_len, chat))
	}

	/// Picks the worker for `request`: `H(randomness, request) mod count` over the eligible
	/// workers in registration order (serving the version in the mode, attested for TEE,
	/// accepting the deadline, within the maximum fee). Returns it with its fee.
	pub(crate) fn assign(
		request: RequestId,
		model: &ModelVersionRef,
		offer: &Offer<BalanceOf<T>, BlockNumberFor<T>>,
		exclude: &[T::AccountId],
	) -> Result<(T::AccountId, BalanceOf<T>), DispatchError> {
		let Offer { mode, price, premium, max_fee, deadline_blocks } = *offer;
		let mut serving = 0u32;
		let mut attested = 0u32;
		let mut in_time = 0u32;
		let mut eligible: Vec<(T::AccountId, BalanceOf<T>)> = Vec::new();
		for account in ActiveWorkers::<T>::get() {
			let Some(info) = Workers::<T>::get(&account) else { continue };
			if info.status != WorkerStatus::Active
				|| !info.modes.contains(mode)
				|| !info.models.contains(model)
				|| info.stake < T::MinWorkerStake::get()
				|| exclude.contains(&account)
			{
				continue;
			}
			serving += 1;
			if mode == VerificationMode::Tee
				&& !T::Attestations::is_attested(&account, &info.signing_key)
			{
				continue;
			}
			attested += 1;
			if info.min_deadline > deadline_blocks {
				continue;
			}
			in_time += 1;
			let cost = Self::fee_split(price, info.fee_per_inference, premium)
				.and_then(|split| Self::fee_total(&split));
			if matches!(cost, Ok(cost) if cost <= max_fee) {
				eligible.push((account, info.fee_per_inference));
			}
		}
		ensure!(serving > 0, Error::<T>::NoWorkerServes);
		ensure!(attested > 0, Error::<T>::NoAttestedWorker);
		ensure!(in_time > 0, Error::<T>::DeadlineTooShortForWorkers);
		ensure!(!eligible.is_empty(), Error::<T>::MaxFeeTooLow);
		let (seed, _) = T::Randomness::random(&(b"verity/assign", request).encode());
		let pick = sp_io::hashing::blake2_256(&(seed, request).encode());
		let index = u64::from_le_bytes([
			pick[0], pick[1], pick[2], pick[3], pick[4], pick[5], pick[6], pick[7],
		]) % eligible.len() as u64;
		Ok(eligible.swap_remove(index as usize))
	}

	/// The fee of a request by payee: the protocol share is `TreasuryShare` of price plus fee;
	/// with `premium` (a result that may be sampled), `SamplingPremium` of the worker's fee
	/// goes to the sampling pot that pays for checks.
	pub fn fee_split(
		model_price: BalanceOf<T>,
		worker_fee: BalanceOf<T>,
		premium: bool,
	) -> Result<FeeSplit<BalanceOf<T>>, DispatchError> {
		let base = model_price.checked_add(&worker_fee).ok_or(Error::<T>::Overflow)?;
		let sampling_premium =
			if premium { T::SamplingPremium::get() * worker_fee } else { Zero::zero() };
		Ok(FeeSplit {
			model_price,
			worker_fee,
			protocol_fee: T::TreasuryShare::get() * base,
			sampling_premium,
		})
	}

	/// The sum of a fee split (what is held from the requester).
	pub fn fee_total(fee: &FeeSplit<BalanceOf<T>>) -> Result<BalanceOf<T>, DispatchError> {
		fee.model_price
			.checked_add(&fee.worker_fee)
			.and_then(|sum| sum.checked_add(&fee.protocol_fee))
			.and_then(|sum| sum.checked_add(&fee.sampling_premium))
			.ok_or_else(|| Error::<T>::Overflow.into())
	}

	/// The chain's genesis hash as receipts bind it.
	pub fn genesis_hash() -> [u8; 32] {
		verity_primitives::hash32(
			frame_system::Pallet::<T>::block_hash(BlockNumberFor::<T>::zero()).as_ref(),
		)
	}

	/// Checks a result against its open request; the same checks serve validation (in the
	/// pool) and dispatch (in the block). The signature comes first, by the key of the worker
	/// the receipt names (one small read), so fee-less spam is refused before the request, with
	/// its input of up to 64 KiB, is read.
	pub(crate) fn check_result(
		receipt: &Receipt<T::AccountId>,
		output: &ResultOutput,
		signature: &ReceiptSignature,
		generation: Option<&GenerationEvidence>,
	) -> Result<(InferenceRequestOf<T>, SigningKey), ResultRejection> {
		let worker = Workers::<T>::get(&receipt.worker).ok_or(ResultRejection::BadSignature)?;
		let valid = sp_io::crypto::sr25519_verify(
			&sp_core::sr25519::Signature::from_raw(*signature),
			&receipt.signing_payload(),
			&sp_core::sr25519::Public::from_raw(worker.signing_key),
		);
		if !valid {
			return Err(ResultRejection::BadSignature);
		}
		let request =
			Requests::<T>::get(receipt.request_id).ok_or(ResultRejection::UnknownRequest)?;
		// A ZKML request that was answered keeps its request open for the proof, but takes no
		// second answer.
		if AwaitingProof::<T>::contains_key(receipt.request_id) {
			return Err(ResultRejection::UnknownRequest);
		}
		if frame_system::Pallet::<T>::block_number() > request.deadline {
			return Err(ResultRejection::PastDeadline);
		}
		// A direct receipt (the worker's answer to a stranger's off-chain request) never settles
		// an on-chain request, and a receipt read with another schema binds another spec hash.
		let expected = ExpectedReceipt {
			genesis_hash: &Self::genesis_hash(),
			context: ReceiptContext::OnChain,
			spec_hash: Some(&request.spec_hash),
			worker: &request.worker,
		};
		if receipt.mismatch(&expected).is_some()
			|| receipt.model != request.model
			|| receipt.model_digest != request.model_digest
			|| receipt.input_digest != request.input_digest
			|| receipt.mode != request.mode
			|| receipt.timestamp_ms != 0
		{
			return Err(ResultRejection::ReceiptMismatch);
		}
		// A chat answer reports the tokens it used, never more than were paid for; a tensor
		// result reports none.
		// At least one token was generated, and the text is no longer than the tokens reported
		// can hold (a worker cannot charge for fewer tokens than its text needs).
		match (&request.chat, receipt.usage) {
			(None, None) => {},
			(Some(terms), Some(usage))
				if (1..=terms.max_tokens).contains(&usage.completion_tokens)
					&& output.len() <= chat_output_limit(usage.completion_tokens) => {},
			_ => return Err(ResultRejection::BadUsage),
		}
		if request.mode == VerificationMode::Tee
			&& !T::Attestations::is_attested(&request.worker, &worker.signing_key)
		{
			return Err(ResultRejection::NotAttested);
		}
		// A tensor output has exactly the schema's length; a chat output at most its bound.
		let length_fits = match request.chat {
			None => output.len() == request.output_len,
			Some(_) => output.len() <= request.output_len,
		};
		if output.digest() != receipt.output_digest || !length_fits {
			return Err(ResultRejection::BadOutput);
		}
		match output {
			ResultOutput::Stored { location, .. }
				if !location.is_well_formed() || request.mode == VerificationMode::Zkml =>
			{
				return Err(ResultRejection::BadOutput);
			},
			_ => {},
		}
		Self::check_evidence(&request, receipt, output, generation)?;
		Ok((request, worker.signing_key))
	}

	/// A chat result carries the generation evidence its receipt signs (well formed, of the
	/// tokens it reports); the check of a chat result answers with a verdict on exactly that
	/// result; nothing else carries evidence.
	fn check_evidence(
		request: &InferenceRequestOf<T>,
		receipt: &Receipt<T::AccountId>,
		output: &ResultOutput,
		generation: Option<&GenerationEvidence>,
	) -> Result<(), ResultRejection> {
		if let (Some(_), Some(usage)) = (&request.chat, receipt.usage) {
			let evidence = generation.ok_or(ResultRejection::BadEvidence)?;
			let fits = evidence.is_well_formed()
				&& receipt.generation == Some(evidence.digest())
				&& evidence.tokens.len() as u32 == usage.completion_tokens;
			return if fits { Ok(()) } else { Err(ResultRejection::BadEvidence) };
		}
		if receipt.generation.is_some() || generation.is_some() {
			return Err(ResultRejection::BadEvidence);
		}
		let Some(claim) = request.check_of.and_then(Self::claim_of) else { return Ok(()) };
		let verdict = match output {
			ResultOutput::Inline(bytes) => CheckVerdict::from_bytes(bytes),
			ResultOutput::Stored { .. } => None,
		};
		match verdict {
			Some(verdict) if verdict == CheckVerdict { accepted: verdict.accepted, ..claim } => {
				Ok(())
			},
			_ => Err(ResultRejection::BadOutput),
		}
	}

	/// What a check of `original` rules on, if it is a settled chat result: its accepting
	/// verdict (a rejecting one differs only in `accepted`).
	pub fn claim_of(original: RequestId) -> Option<CheckVerdict> {
		CheckVerdict::accepting(&Results::<T>::get(original)?.receipt)
	}

	/// The `#[pallet::authorize]` rule of `submit_result`.
	pub(crate) fn authorize_submit_result(
		receipt: &Receipt<T::AccountId>,
		output: &ResultOutput,
		signature: &ReceiptSignature,
		generation: Option<&GenerationEvidence>,
	) -> TransactionValidityWithRefund {
		let checked = Self::check_result(receipt, output, signature, generation);
		let (request, _) = checked.map_err(|rejection| {
			TransactionValidityError::Invalid(match rejection {
				ResultRejection::UnknownRequest | ResultRejection::PastDeadline => {
					InvalidTransaction::Stale
				},
				other => InvalidTransaction::Custom(other as u8),
			})
		})?;
		Ok((Self::answer_validity(receipt.request_id, request.deadline)?, Weight::zero()))
	}

	/// The pool validity of a request's answer (a result or a decline): one per request (they
	/// share the `provides` tag), valid until the deadline.
	fn answer_validity(
		request_id: RequestId,
		deadline: BlockNumberFor<T>,
	) -> sp_runtime::transaction_validity::TransactionValidity {
		let now = frame_system::Pallet::<T>::block_number();
		let longevity: u64 =
			deadline.saturating_sub(now).saturating_add(1u32.into()).saturated_into();
		ValidTransaction::with_tag_prefix("VerityInferenceResult")
			.and_provides(request_id)
			.priority(RESULT_PRIORITY)
			.longevity(longevity)
			.propagate(true)
			.build()
	}

	pub(crate) fn do_submit_result(
		receipt: Receipt<T::AccountId>,
		output: ResultOutput,
		signature: ReceiptSignature,
		generation: Option<GenerationEvidence>,
	) -> Result<Weight, DispatchError> {
		let request_id = receipt.request_id;
		let checked = Self::check_result(&receipt, &output, &signature, generation.as_ref());
		let (request, signing_key) = checked.map_err(|rejection| match rejection {
			ResultRejection::UnknownRequest => Error::<T>::UnknownRequest,
			ResultRejection::ReceiptMismatch => Error::<T>::ReceiptMismatch,
			ResultRejection::BadSignature => Error::<T>::BadSignature,
			ResultRejection::BadOutput => Error::<T>::BadOutput,
			ResultRejection::PastDeadline => Error::<T>::PastDeadline,
			ResultRejection::NotAttested => Error::<T>::NotAttested,
			ResultRejection::NotDeclinable => Error::<T>::NotDeclinable,
			ResultRejection::BadUsage => Error::<T>::BadUsage,
			ResultRejection::BadEvidence => Error::<T>::BadEvidence,
		})?;
		if request.mode == VerificationMode::Zkml {
			let ResultOutput::Inline(output) = output else {
				return Err(Error::<T>::BadOutput.into());
			};
			let output_digest = receipt.output_digest;
			let proof_deadline = Self::extend_for_proof(request_id, &request);
			AwaitingProof::<T>::insert(
				request_id,
				AnsweredResult {
					receipt,
					signing_key,
					signature,
					output: output.into_inner().try_into().map_err(|_| Error::<T>::BadOutput)?,
					answered_at: frame_system::Pallet::<T>::block_number(),
				},
			);
			Self::deposit_event(Event::ResultAnswered {
				request: request_id,
				worker: request.worker,
				output_digest,
				proof_deadline,
			});
			return Ok(Weight::zero());
		}
		let answer = Answer { receipt, signing_key, signature, output, generation };
		let settled = Self::settle(request_id, request, answer)?;
		Ok(T::Observers::on_result(&settled))
	}

	/// Checks a decline against its open request. The signature comes first, by the key of
	/// the worker the decline names (one small read) over the input digest it names; then the
	/// request (up to 64 KiB of input) must be that worker's, for that input.
	pub(crate) fn check_decline(
		decline: &SignedDecline<'_, T::AccountId>,
	) -> Result<InferenceRequestOf<T>, Error<T>> {
		let key = Workers::<T>::get(decline.worker)
			.map(|worker| worker.signing_key)
			.ok_or(Error::<T>::BadSignature)?;
		let payload = decline_payload(
			&Self::genesis_hash(),
			decline.request,
			decline.input_digest,
			decline.reason,
			decline.evidence,
		);
		let signed = sp_io::crypto::sr25519_verify(
			&sp_core::sr25519::Signature::from_raw(*decline.signature),
			&payload,
			&sp_core::sr25519::Public::from_raw(key),
		);
		ensure!(signed, Error::<T>::BadSignature);
		let request = Requests::<T>::get(decline.request).ok_or(Error::<T>::UnknownRequest)?;
		// Signed by another worker, or for another input under this id (a request that had the
		// id before a reorg): it declines nothing here.
		ensure!(
			&request.worker == decline.worker && &request.input_digest == decline.input_digest,
			Error::<T>::BadSignature
		);
		ensure!(!AwaitingProof::<T>::contains_key(decline.request), Error::<T>::UnknownRequest);
		ensure!(
			frame_system::Pallet::<T>::block_number() <= request.deadline,
			Error::<T>::PastDeadline
		);
		// Only a stored input can be unavailable; any input can be invalid (a chat request the
		// worker cannot run: anyone can re-check that from the input and this record).
		let declinable = match decline.reason {
			DeclineReason::InputUnavailable => matches!(request.input, RequestInput::Stored { .. }),
			DeclineReason::InvalidInput => request.chat.is_some(),
		};
		ensure!(declinable, Error::<T>::NotDeclinable);
		Ok(request)
	}

	/// The `#[pallet::authorize]` rule of `decline_request`: it shares the result's `provides`
	/// tag, so a result and a decline of one request never both enter the pool.
	pub(crate) fn authorize_decline(
		decline: &SignedDecline<'_, T::AccountId>,
	) -> TransactionValidityWithRefund {
		let request = Self::check_decline(decline).map_err(|error| {
			TransactionValidityError::Invalid(match error {
				Error::<T>::UnknownRequest | Error::<T>::PastDeadline => InvalidTransaction::Stale,
				Error::<T>::BadSignature => {
					InvalidTransaction::Custom(ResultRejection::BadSignature as u8)
				},
				_ => InvalidTransaction::Custom(ResultRejection::NotDeclinable as u8),
			})
		})?;
		Ok((Self::answer_validity(decline.request, request.deadline)?, Weight::zero()))
	}

	pub(crate) fn do_decline_request(decline: &SignedDecline<'_, T::AccountId>) -> DispatchResult {
		let request = Self::check_decline(decline)?;
		let request_id = decline.request;
		let refunded = Self::refund(&request);
		Self::close_request(request_id, &request);
		Self::deposit_event(Event::RequestDeclined {
			request: request_id,
			worker: request.worker,
			reason: decline.reason,
			evidence: *decline.evidence,
			refunded,
		});
		// A declined check ends its sample (the input is gone), without a verdict.
		if let Some(original) = request.check_of {
			T::Verification::on_check_declined(request_id, original);
		}
		Ok(())
	}

	/// Pays out a request's held fee for its result, records the result and closes the request.
	fn settle(
		request_id: RequestId,
		request: InferenceRequestOf<T>,
		answer: Answer<T::AccountId>,
	) -> Result<SettledInfo<T::AccountId>, DispatchError> {
		let Answer { receipt, signing_key, signature, output, generation } = answer;
		let reason = HoldReason::RequestFee.into();
		let pay = |dest: &T::AccountId, amount: BalanceOf<T>| -> DispatchResult {
			if !amount.is_zero() {
				T::Currency::transfer_on_hold(
					&reason,
					&request.requester,
					dest,
					amount,
					Precision::Exact,
					Restriction::Free,
					Fortitude::Polite,
				)?;
			}
			Ok(())
		};
		let paid = Self::fee_for_usage(&request, receipt.usage)?;
		pay(&request.model_owner, paid.model_price)?;
		pay(&request.worker, paid.worker_fee)?;
		pay(&T::TreasuryAccount::get(), paid.protocol_fee)?;
		pay(&T::SamplingPot::get(), paid.sampling_premium)?;
		// What the unused tokens would have cost stays with the requester.
		let unused = Self::fee_total(&request.fee)?.saturating_sub(Self::fee_total(&paid)?);
		let refunded = if unused.is_zero() {
			Zero::zero()
		} else {
			T::Currency::release(&reason, &request.requester, unused, Precision::Exact)?
		};
		if let (Some(terms), Some(usage)) = (&request.chat, receipt.usage) {
			Self::deposit_event(Event::UnusedTokensRefunded {
				request: request_id,
				requester: request.requester.clone(),
				max_tokens: terms.max_tokens,
				completion_tokens: usage.completion_tokens,
				refunded,
			});
		}

		Self::close_request(request_id, &request);
		Workers::<T>::mutate(&request.worker, |info| {
			if let Some(info) = info {
				info.delivered.saturating_inc();
			}
		});
		let output_digest = receipt.output_digest;
		let evidence = receipt.evidence(&signature);
		Results::<T>::insert(
			request_id,
			SettledResult {
				requester: request.requester.clone(),
				receipt,
				signing_key,
				signature,
				input: request.input.clone(),
				output,
				paid: paid.clone(),
				settled_at: frame_system::Pallet::<T>::block_number(),
				check_of: request.check_of,
			},
		);
		if let Some(evidence) = generation {
			Generations::<T>::insert(request_id, evidence);
		}
		Self::deposit_event(Event::ResultRecorded {
			request: request_id,
			worker: request.worker.clone(),
			output_digest,
		});
		Self::deposit_event(Event::ModelOwnerPaid {
			request: request_id,
			owner: request.model_owner,
			amount: paid.model_price,
		});
		Self::deposit_event(Event::WorkerPaid {
			request: request_id,
			worker: request.worker.clone(),
			amount: paid.worker_fee,
		});
		Self::deposit_event(Event::TreasuryPaid {
			request: request_id,
			amount: paid.protocol_fee,
			sampling_premium: paid.sampling_premium,
		});
		Ok(SettledInfo {
			request: request_id,
			check_of: request.check_of,
			worker: request.worker,
			model: request.model,
			input: request.input,
			output_digest,
			evidence,
			checkable: request.deterministic || request.chat.is_some(),
			proved: request.mode == VerificationMode::Zkml,
		})
	}

	/// What a result pays, by payee: the fee held, except that a chat answer pays the model's
	/// owner only for the tokens it used (`usage` was checked to be within those paid for), and
	/// the protocol its share of that.
	fn fee_for_usage(
		request: &InferenceRequestOf<T>,
		usage: Option<verity_primitives::TokenUsage>,
	) -> Result<FeeSplit<BalanceOf<T>>, DispatchError> {
		let (Some(terms), Some(usage)) = (&request.chat, usage) else {
			return Ok(request.fee.clone());
		};
		let unused = terms.max_tokens.saturating_sub(usage.completion_tokens);
		let unused_price =
			terms.price_per_token.checked_mul(&unused.into()).ok_or(Error::<T>::Overflow)?;
		let model_price = request.fee.model_price.saturating_sub(unused_price);
		let mut paid = Self::fee_split(model_price, request.fee.worker_fee, false)?;
		// A check's fee has no protocol share or premium; keep what was held for those.
		paid.protocol_fee = paid.protocol_fee.min(request.fee.protocol_fee);
		paid.sampling_premium = request.fee.sampling_premium;
		Ok(paid)
	}

	/// Moves an answered ZKML request's deadline to at least `ZkProofWindow` blocks ahead (if
	/// that block's deadline bucket has room; else it keeps its deadline). Returns the deadline.
	fn extend_for_proof(
		request_id: RequestId,
		request: &InferenceRequestOf<T>,
	) -> BlockNumberFor<T> {
		let mut window_end =
			frame_system::Pallet::<T>::block_number().saturating_add(T::ZkProofWindow::get());
		if window_end <= request.deadline {
			return request.deadline;
		}
		// A full bucket moves the deadline later, never earlier: the prover gets its whole
		// window (a missing proof is a fault, so the window must be real). The search is
		// bounded (and charged: `ZK_WINDOW_PROBES` reads and writes).
		let mut probes = ZK_WINDOW_PROBES;
		while Deadlines::<T>::try_append(window_end, request_id).is_err() {
			probes = probes.saturating_sub(1);
			if probes == 0 {
				return request.deadline;
			}
			window_end = window_end.saturating_add(1u32.into());
		}
		Self::unlist_deadline(request.deadline, request_id);
		Requests::<T>::mutate(request_id, |open| {
			if let Some(open) = open {
				open.deadline = window_end;
			}
		});
		window_end
	}

	/// Takes `request_id` off the deadline bucket of `block`.
	fn unlist_deadline(block: BlockNumberFor<T>, request_id: RequestId) {
		Deadlines::<T>::mutate_exists(block, |ids| {
			if let Some(list) = ids {
				list.retain(|id| *id != request_id);
				if list.is_empty() {
					*ids = None;
				}
			}
		});
	}

	/// A ZKML answer awaiting its proof, with its open request.
	pub fn awaiting_proof(
		request_id: RequestId,
	) -> Option<(InferenceRequestOf<T>, AnsweredResultOf<T>)> {
		Some((Requests::<T>::get(request_id)?, AwaitingProof::<T>::get(request_id)?))
	}

	/// The requests assigned to the worker with `signing_key` whose ZKML answer awaits its
	/// proof (for the offchain worker that fetches proofs).
	pub fn awaiting_proof_for(signing_key: &SigningKey) -> Vec<RequestId> {
		let Some(worker) = WorkerBySigningKey::<T>::get(signing_key) else { return Vec::new() };
		Assignments::<T>::iter_key_prefix(&worker)
			.filter(|request| AwaitingProof::<T>::contains_key(request))
			.collect()
	}

	/// The proof of a ZKML answer was verified: the result settles and is paid like any other.
	/// A proved result is never sampled for re-execution: the proof is the stronger check.
	pub fn accept_zk_result(request_id: RequestId) -> DispatchResult {
		let (request, answer) =
			Self::awaiting_proof(request_id).ok_or(Error::<T>::NotAwaitingProof)?;
		AwaitingProof::<T>::remove(request_id);
		let output = ResultOutput::Inline(
			answer.output.into_inner().try_into().map_err(|_| Error::<T>::BadOutput)?,
		);
		let answer = Answer {
			receipt: answer.receipt,
			signing_key: answer.signing_key,
			signature: answer.signature,
			output,
			generation: None,
		};
		Self::settle(request_id, request, answer).map(|_| ())
	}

	/// The proof of a ZKML answer was rejected: the request closes and its fee is refunded in
	/// full. Returns the amount refunded. (The caller slashes the worker.)
	pub fn reject_zk_result(request_id: RequestId) -> Result<BalanceOf<T>, DispatchError> {
		let (request, _) = Self::awaiting_proof(request_id).ok_or(Error::<T>::NotAwaitingProof)?;
		AwaitingProof::<T>::remove(request_id);
		let refunded = Self::refund(&request);
		Self::close_request(request_id, &request);
		Self::deposit_event(Event::ResultRejected {
			request: request_id,
			requester: request.requester,
			refunded,
		});
		Ok(refunded)
	}

	/// Releases a request's whole hold back to its requester; returns the amount.
	fn refund(request: &InferenceRequestOf<T>) -> BalanceOf<T> {
		let total = Self::fee_total(&request.fee).unwrap_or_else(|_| {
			T::Currency::balance_on_hold(&HoldReason::RequestFee.into(), &request.requester)
		});
		T::Currency::release(
			&HoldReason::RequestFee.into(),
			&request.requester,
			total,
			Precision::BestEffort,
		)
		.unwrap_or_else(|_| Zero::zero())
	}

	/// Removes an open request from every index and counts it off its worker.
	fn close_request(request_id: RequestId, request: &InferenceRequestOf<T>) {
		Requests::<T>::remove(request_id);
		if let Some(original) = request.check_of {
			OpenChecks::<T>::mutate_exists(original, |open| {
				*open = open.map(|n| n.saturating_sub(1)).filter(|n| *n > 0);
			});
		}
		Assignments::<T>::remove(&request.worker, request_id);
		Self::unlist_deadline(request.deadline, request_id);
		Workers::<T>::mutate(&request.worker, |info| {
			if let Some(info) = info {
				info.open_requests.saturating_dec();
			}
		});
	}

	/// Expires the requests whose deadline was `block`: refunds each in full and penalizes its
	/// worker (unless the version's record was removed meanwhile). Returns how many it expired.
	pub(crate) fn do_expire_requests(block: BlockNumberFor<T>) -> u32 {
		let ids = Deadlines::<T>::take(block);
		let mut expired = 0;
		for request_id in ids {
			let Some(request) = Requests::<T>::get(request_id) else { continue };
			expired += 1;
			let refunded = Self::refund(&request);
			// A ZKML answer whose proof never came is a fault, not a timeout: its output was
			// public meanwhile. The observer slashes it like an invalid proof.
			// (Unless the version's record, and so its verifying key, was removed meanwhile.)
			let unproved = AwaitingProof::<T>::take(request_id);
			Self::close_request(request_id, &request);
			if let Some(answer) = unproved {
				// It answered in time: never the timeout penalty. A fault only for a worker that
				// had its whole proof window and a version it could prove.
				let verifiable = T::Models::artifact(&request.model).is_some();
				let full_window =
					request.deadline >= answer.answered_at.saturating_add(T::ZkProofWindow::get());
				Self::deposit_event(Event::RequestExpired {
					request: request_id,
					requester: request.requester,
					refunded,
				});
				if verifiable && full_window {
					T::Verification::on_proof_missing(
						request_id,
						&request.worker,
						answer.receipt.evidence(&answer.signature),
					);
				}
				continue;
			}
			// A worker is penalized only for its own fault: if the version's record is gone (its
			// owner removed it), the worker could not have fetched the model.
			let servable_by_worker = T::Models::artifact(&request.model).is_some();
			let penalty = if servable_by_worker {
				Workers::<T>::mutate(&request.worker, |info| {
					if let Some(info) = info {
						info.missed.saturating_inc();
					}
				});
				Self::slash_stake(
					&request.worker,
					T::TimeoutPenalty::get(),
					&T::TreasuryAccount::get(),
				)
			} else {
				Zero::zero()
			};
			Self::deposit_event(Event::RequestExpired {
				request: request_id,
				requester: request.requester,
				refunded,
			});
			if let Some(original) = request.check_of {
				T::Verification::on_check_expired(request_id, original);
			}
			if !penalty.is_zero() {
				Self::deposit_event(Event::WorkerPenalized {
					worker: request.worker,
					request: request_id,
					amount: penalty,
				});
			}
		}
		expired
	}

	/// Prunes settled results older than `ResultRetention`, in request-id order from
	/// [`PruneCursor`], examining at most `MaxPrunedPerBlock` ids; it stops at the first request
	/// still open, result still young (results settle roughly in id order, within a deadline)
	/// or result with a check open ([`OpenChecks`]: the check must find what it re-executes).
	/// Returns how many ids it examined.
	pub(crate) fn do_prune_results(now: BlockNumberFor<T>) -> u32 {
		let mut cursor = PruneCursor::<T>::get();
		let next = NextRequestId::<T>::get();
		let mut examined = 0;
		while examined < T::MaxPrunedPerBlock::get() && cursor < next {
			match Results::<T>::get(cursor) {
				Some(result) => {
					// Young, or under a check that re-executes it: wait for it.
					if result.settled_at.saturating_add(T::ResultRetention::get()) > now
						|| OpenChecks::<T>::contains_key(cursor)
					{
						break;
					}
					Results::<T>::remove(cursor);
					Generations::<T>::remove(cursor);
				},
				// Still open (or a ZKML answer awaiting its proof): wait for it.
				None if Requests::<T>::contains_key(cursor) => break,
				// Expired or declined: nothing to prune.
				None => {},
			}
			examined += 1;
			cursor = cursor.saturating_add(1);
		}
		PruneCursor::<T>::put(cursor);
		examined
	}

	/// Moves up to `amount` of `worker`'s stake to `to` and lowers its recorded stake to match;
	/// returns the amount moved (zero for an unknown worker). Used for timeouts here and, through
	/// the runtime, for faults the proofs pallet proves.
	pub fn slash_stake(
		worker: &T::AccountId,
		amount: BalanceOf<T>,
		to: &T::AccountId,
	) -> BalanceOf<T> {
		Workers::<T>::mutate(worker, |info| {
			let Some(info) = info.as_mut() else { return Zero::zero() };
			let moved = T::Currency::transfer_on_hold(
				&HoldReason::WorkerStake.into(),
				worker,
				to,
				amount.min(info.stake),
				Precision::BestEffort,
				Restriction::Free,
				Fortitude::Force,
			)
			.unwrap_or_else(|_| Zero::zero());
			info.stake = info.stake.saturating_sub(moved);
			moved
		})
	}

	/// The worker is registered and takes new requests (not unbonding).
	pub fn is_active_worker(worker: &T::AccountId) -> bool {
		Workers::<T>::get(worker).is_some_and(|info| info.status == WorkerStatus::Active)
	}

	/// A worker's registered signing key and stake, if registered.
	pub fn worker_key_and_stake(worker: &T::AccountId) -> Option<(SigningKey, BalanceOf<T>)> {
		Workers::<T>::get(worker).map(|info| (info.signing_key, info.stake))
	}

	/// The declared weight of `request_inference`: the measured worst case plus, for TEE
	/// requests, the attestation lookups of every active worker.
	pub fn request_weight() -> Weight {
		let workers = T::MaxWorkers::get();
		T::WeightInfo::request_inference(workers)
			.saturating_add(T::DbWeight::get().reads(2 * u64::from(workers) + 1))
	}

	/// The declared weight of `request_chat`, likewise.
	pub fn request_chat_weight() -> Weight {
		let workers = T::MaxWorkers::get();
		T::WeightInfo::request_chat(workers)
			.saturating_add(T::DbWeight::get().reads(2 * u64::from(workers) + 1))
	}

	/// Endpoint, modes and models of a worker's offer are well formed.
	fn check_offer(
		endpoint: &Endpoint,
		modes: VerificationModes,
		models: &[ModelVersionRef],
	) -> DispatchResult {
		let url = core::str::from_utf8(endpoint).map_err(|_| Error::<T>::MalformedEndpoint)?;
		let rest = url
			.strip_prefix("http://")
			.or_else(|| url.strip_prefix("https://"))
			.ok_or(Error::<T>::MalformedEndpoint)?;
		ensure!(
			!rest.is_empty() && !rest.contains(char::is_whitespace),
			Error::<T>::MalformedEndpoint
		);
		ensure!(!modes.is_empty() && modes.is_known(), Error::<T>::BadModes);
		ensure!(!models.is_empty(), Error::<T>::NoModels);
		Ok(())
	}
}

/// The request API other pallets use (wired by the runtime): the rules of `request_inference`.
impl<T: Config> InferenceRequests<T::AccountId, BalanceOf<T>, BlockNumberFor<T>> for Pallet<T> {
	fn request(
		who: T::AccountId,
		model: ModelVersionRef,
		input: RequestInput,
		mode: VerificationMode,
		max_fee: BalanceOf<T>,
		deadline_blocks: BlockNumberFor<T>,
	) -> Result<RequestId, DispatchError> {
		Self::open_servable(
			who,
			model,
			Job { input, mode, max_tokens: None },
			max_fee,
			deadline_blocks,
		)
	}

	fn request_chat(
		who: T::AccountId,
		model: ModelVersionRef,
		input: RequestInput,
		mode: VerificationMode,
		max_tokens: u32,
		max_fee: BalanceOf<T>,
		deadline_blocks: BlockNumberFor<T>,
	) -> Result<RequestId, DispatchError> {
		let job = Job { input, mode, max_tokens: Some(max_tokens) };
		Self::open_servable(who, model, job, max_fee, deadline_blocks)
	}

	fn status(request: RequestId) -> RequestStatus<T::AccountId, BalanceOf<T>, BlockNumberFor<T>> {
		if let Some(open) = Requests::<T>::get(request) {
			return RequestStatus::Open { worker: open.worker, deadline: open.deadline };
		}
		Results::<T>::get(request).map_or(RequestStatus::Closed, RequestStatus::Settled)
	}

	fn request_weight() -> Weight {
		Pallet::<T>::request_weight()
	}

	fn request_chat_weight() -> Weight {
		Pallet::<T>::request_chat_weight()
	}
}

impl<T: Config> Pallet<T> {
	/// Opens a request of a servable version offered in the job's mode (the rules shared by
	/// `request_inference` and `request_chat`), atomically: a caller outside a transactional
	/// dispatch (a hook) never keeps half a request.
	fn open_servable(
		who: T::AccountId,
		model: ModelVersionRef,
		job: Job,
		max_fee: BalanceOf<T>,
		deadline_blocks: BlockNumberFor<T>,
	) -> Result<RequestId, DispatchError> {
		let version = T::Models::servable(&model).ok_or(Error::<T>::VersionNotServable)?;
		ensure!(version.modes.contains(job.mode), Error::<T>::ModeNotOffered);
		frame_support::storage::with_storage_layer(|| {
			Self::open_request(who, model, version, job, max_fee, deadline_blocks, None)
		})
	}
}

/// What a request asks a worker to run, as `open_request` takes it.
struct Job {
	input: RequestInput,
	mode: VerificationMode,
	/// Tokens paid for, for a chat model; `None` for a tensor model.
	max_tokens: Option<u32>,
}
