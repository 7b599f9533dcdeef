//! Tests of the inference pallet on the mock runtime. Results go through the real authorization
//! path: an extrinsic built by `create_authorized_transaction`, validated and applied with the
//! `AuthorizeCall` extension.

use crate::{mock::*, *};
use codec::{Decode, Encode};
use frame_support::{
	assert_noop, assert_ok,
	dispatch::GetDispatchInfo,
	traits::{
		fungible::{Inspect, InspectHold},
		Hooks,
	},
};
use frame_system::offchain::CreateAuthorizedTransaction;
use sp_core::{sr25519, Pair};
use sp_runtime::{
	traits::{Applyable, Checkable},
	transaction_validity::{InvalidTransaction, TransactionSource, TransactionValidityError},
	ApplyExtrinsicResult,
};
use verity_primitives::{
	blake2_256, generation, HardwareClass, Receipt, ReceiptContext, RequestInput, ResultOutput,
	VerificationMode, VerificationModes, WorkerAnswer,
};

const FEE: u64 = 20;

fn key(seed: u8) -> sr25519::Pair {
	sr25519::Pair::from_seed(&[seed; 32])
}

/// A deterministic xorshift sequence for the random-sequence tests.
fn xorshift(mut state: u64) -> impl FnMut() -> u64 {
	move || {
		state ^= state << 13;
		state ^= state >> 7;
		state ^= state << 17;
		state
	}
}

/// Key `seed`'s proof that `who` holds it.
fn proof(who: u64, seed: u8) -> [u8; 64] {
	let payload = verity_primitives::key_possession_payload(
		&Inference::genesis_hash(),
		&who,
		&key(seed).public().0,
	);
	key(seed).sign(&payload).0
}

fn register(who: u64, seed: u8, fee: u64) {
	assert_ok!(Inference::register_worker(
		RuntimeOrigin::signed(who),
		key(seed).public().0,
		proof(who, seed),
		b"http://127.0.0.1:9956".to_vec().try_into().unwrap(),
		HardwareClass::Cpu,
		VerificationModes::of(&[VerificationMode::Vanilla]),
		vec![model_ref(0)].try_into().unwrap(),
		fee,
		MIN_STAKE,
	));
}

fn input() -> RequestInput {
	RequestInput::Inline(vec![1u8; 16].try_into().unwrap())
}

fn request(who: u64) -> u64 {
	let id = NextRequestId::<Test>::get();
	assert_ok!(Inference::request_inference(
		RuntimeOrigin::signed(who),
		model_ref(0),
		input(),
		VerificationMode::Vanilla,
		1_000,
		10,
	));
	id
}

/// The output a worker returns (8 bytes: two f32).
fn output() -> ResultOutput {
	ResultOutput::Inline(vec![9u8; 8].try_into().unwrap())
}

/// An answer for `request` signed by `signer`.
fn answer(request_id: u64, signer: &sr25519::Pair) -> WorkerAnswer<u64> {
	let request = Requests::<Test>::get(request_id).unwrap();
	let output = output();
	let receipt = Receipt {
		genesis_hash: Inference::genesis_hash(),
		context: ReceiptContext::OnChain,
		request_id,
		model: request.model,
		spec_hash: request.spec_hash,
		model_digest: request.model_digest,
		input_digest: request.input_digest,
		output_digest: output.digest(),
		mode: request.mode,
		worker: request.worker,
		usage: None,
		generation: None,
		timestamp_ms: 0,
	};
	let signature = signer.sign(&receipt.signing_payload()).0;
	WorkerAnswer { receipt, output, signature, generation: None }
}

fn result_xt(answer: WorkerAnswer<u64>) -> Extrinsic {
	let call = crate::Call::<Test>::submit_result {
		receipt: answer.receipt,
		output: answer.output,
		signature: answer.signature,
		generation: answer.generation,
	};
	<Test as CreateAuthorizedTransaction<crate::Call<Test>>>::create_authorized_transaction(
		call.into(),
	)
}

/// Validates the extrinsic as the pool would.
fn validate(xt: Extrinsic) -> sp_runtime::transaction_validity::TransactionValidity {
	let len = xt.encoded_size();
	let checked = xt.check(&frame_system::ChainContext::<Test>::default()).unwrap();
	let info = checked.function.get_dispatch_info();
	checked.validate::<Test>(TransactionSource::External, &info, len)
}

/// Applies the extrinsic as block building would.
fn apply(xt: Extrinsic) -> ApplyExtrinsicResult {
	let len = xt.encoded_size();
	let checked = xt.check(&frame_system::ChainContext::<Test>::default()).unwrap();
	let info = checked.function.get_dispatch_info();
	checked.apply::<Test>(&info, len).map(|outcome| outcome.map(|_| ()).map_err(|e| e.error))
}

fn fee_hold(who: u64) -> u64 {
	Balances::balance_on_hold(&HoldReason::RequestFee.into(), &who)
}

fn stake_hold(who: u64) -> u64 {
	Balances::balance_on_hold(&HoldReason::WorkerStake.into(), &who)
}

fn advance_to(block: u64) {
	while System::block_number() < block {
		let next = System::block_number() + 1;
		System::set_block_number(next);
		Inference::on_initialize(next);
	}
}

#[test]
fn registration_holds_stake_and_checks_the_offer() {
	new_test_ext().execute_with(|| {
		register(1, 1, FEE);
		assert_eq!(stake_hold(1), MIN_STAKE);
		assert_eq!(WorkerBySigningKey::<Test>::get(key(1).public().0), Some(1));
		assert_eq!(ActiveWorkers::<Test>::get().to_vec(), vec![1]);
		let endpoint = |url: &str| url.as_bytes().to_vec().try_into().unwrap();
		let models =
			|| -> frame_support::BoundedVec<_, _> { vec![model_ref(0)].try_into().unwrap() };
		let vanilla = VerificationModes::of(&[VerificationMode::Vanilla]);
		let try_register = |who, seed: u8, url: &str, modes, models, stake| {
			Inference::register_worker(
				RuntimeOrigin::signed(who),
				key(seed).public().0,
				proof(who, seed),
				endpoint(url),
				HardwareClass::CudaGpu,
				modes,
				models,
				FEE,
				stake,
			)
		};
		let ok_url = "https://worker.example";
		assert_noop!(
			try_register(1, 9, ok_url, vanilla, models(), MIN_STAKE),
			Error::<Test>::AlreadyRegistered
		);
		assert_noop!(
			try_register(2, 1, ok_url, vanilla, models(), MIN_STAKE),
			Error::<Test>::SigningKeyInUse
		);
		assert_noop!(
			try_register(2, 2, "ftp://x", vanilla, models(), MIN_STAKE),
			Error::<Test>::MalformedEndpoint
		);
		assert_noop!(
			try_register(2, 2, "http://", vanilla, models(), MIN_STAKE),
			Error::<Test>::MalformedEndpoint
		);
		assert_noop!(
			try_register(2, 2, ok_url, VerificationModes::of(&[]), models(), MIN_STAKE),
			Error::<Test>::BadModes
		);
		assert_noop!(
			try_register(2, 2, ok_url, vanilla, Default::default(), MIN_STAKE),
			Error::<Test>::NoModels
		);
		assert_noop!(
			try_register(2, 2, ok_url, vanilla, models(), MIN_STAKE - 1),
			Error::<Test>::StakeTooLow
		);
		assert_noop!(
			try_register(OWNER, 2, ok_url, vanilla, models(), MIN_STAKE),
			Error::<Test>::InsufficientBalance
		);
		assert_ok!(Inference::bond_extra(RuntimeOrigin::signed(1), 500));
		assert_eq!(stake_hold(1), MIN_STAKE + 500);
		assert_eq!(Workers::<Test>::get(1).unwrap().stake, MIN_STAKE + 500);
	});
}

#[test]
fn a_request_holds_price_fee_and_share_and_is_assigned() {
	new_test_ext().execute_with(|| {
		register(1, 1, FEE);
		let before = Balances::balance(&3);
		let id = request(3);
		let request = Requests::<Test>::get(id).unwrap();
		// 50 (model) + 20 (worker) + 10% of 70 (treasury) = 77.
		assert_eq!(fee_hold(3), 77);
		assert_eq!(Balances::balance(&3), before - 77);
		assert_eq!(request.worker, 1);
		// No sampling premium: an ONNX model is never re-executed.
		let fee =
			FeeSplit { model_price: 50, worker_fee: 20, protocol_fee: 7, sampling_premium: 0 };
		assert_eq!(request.fee, fee);
		assert_eq!(request.input_digest, blake2_256(&[1u8; 16]));
		assert_eq!(request.output_len, 8);
		assert_eq!(request.deadline, 11);
		assert!(Assignments::<Test>::contains_key(1, id));
		assert_eq!(Deadlines::<Test>::get(11).to_vec(), vec![id]);
		assert_eq!(Workers::<Test>::get(1).unwrap().open_requests, 1);
	});
}

#[test]
fn bad_requests_are_refused_and_hold_nothing() {
	new_test_ext().execute_with(|| {
		register(1, 1, FEE);
		add_model(model_ref(1), 50, false);
		let ask = |model, input, mode, max_fee, deadline| {
			Inference::request_inference(
				RuntimeOrigin::signed(3),
				model,
				input,
				mode,
				max_fee,
				deadline,
			)
		};
		let vanilla = VerificationMode::Vanilla;
		assert_noop!(
			ask(model_ref(1), input(), vanilla, 1_000, 10),
			Error::<Test>::VersionNotServable
		);
		assert_noop!(
			ask(model_ref(7), input(), vanilla, 1_000, 10),
			Error::<Test>::VersionNotServable
		);
		assert_noop!(
			ask(model_ref(0), input(), VerificationMode::Zkml, 1_000, 10),
			Error::<Test>::ModeNotOffered
		);
		assert_noop!(
			ask(model_ref(0), input(), VerificationMode::Tee, 1_000, 10),
			Error::<Test>::NoWorkerServes
		);
		let short = RequestInput::Inline(vec![1u8; 15].try_into().unwrap());
		assert_noop!(
			ask(model_ref(0), short, vanilla, 1_000, 10),
			Error::<Test>::InputSizeMismatch
		);
		assert_noop!(ask(model_ref(0), input(), vanilla, 1_000, 0), Error::<Test>::BadDeadline);
		// Below the minimum: a requester cannot make an honest worker miss its deadline.
		assert_noop!(
			ask(model_ref(0), input(), vanilla, 1_000, MIN_DEADLINE - 1),
			Error::<Test>::BadDeadline
		);
		assert_noop!(ask(model_ref(0), input(), vanilla, 1_000, 101), Error::<Test>::BadDeadline);
		assert_noop!(ask(model_ref(0), input(), vanilla, 76, 10), Error::<Test>::MaxFeeTooLow);
		assert_ok!(Inference::unbond(RuntimeOrigin::signed(1)));
		assert_noop!(ask(model_ref(0), input(), vanilla, 1_000, 10), Error::<Test>::NoWorkerServes);
		register(2, 2, FEE);
		assert_noop!(
			Inference::request_inference(
				RuntimeOrigin::signed(OWNER),
				model_ref(0),
				input(),
				vanilla,
				1_000,
				10
			),
			Error::<Test>::InsufficientBalance
		);
		for _ in 0..4 {
			request(3);
		}
		assert_noop!(
			ask(model_ref(0), input(), vanilla, 1_000, 10),
			Error::<Test>::DeadlineBlockFull
		);
		assert_ok!(ask(model_ref(0), input(), vanilla, 1_000, 11));
	});
}

#[test]
fn assignment_is_deterministic_and_spreads_over_eligible_workers() {
	new_test_ext().execute_with(|| {
		register(1, 1, FEE);
		register(2, 2, FEE);
		register(4, 4, 5_000); // too expensive for a max fee of 1,000
		let mut seen = std::collections::BTreeSet::new();
		for round in 0..24u8 {
			SEED.with(|seed| *seed.borrow_mut() = sp_core::H256::repeat_byte(round));
			let offer = crate::types::Offer {
				mode: VerificationMode::Vanilla,
				price: 50,
				premium: false,
				max_fee: 1_000,
				deadline_blocks: 10,
			};
			let picked = Inference::assign(7, &model_ref(0), &offer, &[]).unwrap();
			let again = Inference::assign(7, &model_ref(0), &offer, &[]).unwrap();
			assert_eq!(picked, again);
			assert_ne!(picked.0, 4);
			seen.insert(picked.0);
		}
		assert_eq!(seen.into_iter().collect::<Vec<_>>(), vec![1, 2]);
	});
}

/// Attack (issue 14, hole 4): a requester asks for the chain's shortest deadline to make a
/// slow worker miss it. Each worker sets the shortest deadline it accepts; shorter requests go
/// to the others, or are refused when no worker takes them, and never reach the slow one.
#[test]
fn workers_set_the_shortest_deadline_they_accept() {
	new_test_ext().execute_with(|| {
		register(1, 1, FEE);
		register(2, 2, FEE);
		assert_noop!(
			Inference::set_min_deadline(RuntimeOrigin::signed(3), 5),
			Error::<Test>::NotRegistered
		);
		assert_noop!(
			Inference::set_min_deadline(RuntimeOrigin::signed(1), 101),
			Error::<Test>::BadDeadline
		);
		assert_ok!(Inference::set_min_deadline(RuntimeOrigin::signed(1), 20));
		System::assert_last_event(Event::WorkerMinDeadlineSet { worker: 1, blocks: 20 }.into());
		let ask = |deadline| {
			Inference::request_inference(
				RuntimeOrigin::signed(3),
				model_ref(0),
				input(),
				VerificationMode::Vanilla,
				1_000,
				deadline,
			)
		};
		for round in 0..16u8 {
			SEED.with(|seed| *seed.borrow_mut() = sp_core::H256::repeat_byte(round));
			let id = NextRequestId::<Test>::get();
			assert_ok!(ask(MIN_DEADLINE + u64::from(round)));
			assert_eq!(Requests::<Test>::get(id).unwrap().worker, 2, "round {round}");
		}
		assert_ok!(Inference::set_min_deadline(RuntimeOrigin::signed(2), 30));
		assert_noop!(ask(19), Error::<Test>::DeadlineTooShortForWorkers);
		let id = NextRequestId::<Test>::get();
		assert_ok!(ask(20));
		assert_eq!(Requests::<Test>::get(id).unwrap().worker, 1);
	});
}

#[test]
fn a_valid_result_is_recorded_and_paid_once() {
	new_test_ext().execute_with(|| {
		register(1, 1, FEE);
		let id = request(3);
		let (owner, worker, treasury) =
			(Balances::balance(&OWNER), Balances::balance(&1), Balances::balance(&TREASURY));
		let issuance = Balances::total_issuance();
		let xt = result_xt(answer(id, &key(1)));
		let validity = validate(xt.clone()).expect("valid");
		assert_eq!(validity.provides, vec![("VerityInferenceResult", id).encode()]);
		assert_ok!(apply(xt.clone()).unwrap());
		assert_eq!(Balances::balance(&OWNER), owner + 50);
		assert_eq!(Balances::balance(&1), worker + 20);
		assert_eq!(Balances::balance(&TREASURY), treasury + 7);
		assert_eq!(fee_hold(3), 0);
		assert_eq!(Balances::total_issuance(), issuance);
		let settled = Results::<Test>::get(id).unwrap();
		assert_eq!(settled.output, output());
		assert_eq!(settled.signing_key, key(1).public().0);
		assert!(Requests::<Test>::get(id).is_none());
		assert!(!Assignments::<Test>::contains_key(1, id));
		let info = Workers::<Test>::get(1).unwrap();
		assert_eq!((info.open_requests, info.delivered), (0, 1));
		System::assert_has_event(Event::WorkerPaid { request: id, worker: 1, amount: 20 }.into());
		System::assert_has_event(
			Event::TreasuryPaid { request: id, amount: 7, sampling_premium: 0 }.into(),
		);
		// A replay is refused by validation, not only by dispatch.
		assert_eq!(
			validate(xt.clone()),
			Err(TransactionValidityError::Invalid(InvalidTransaction::Stale))
		);
		assert!(apply(xt).is_err());
		assert_eq!(Balances::balance(&1), worker + 20);
		// Deadlines do not touch a settled request.
		advance_to(20);
		assert_eq!(Balances::balance(&3), 1_000_000 - 77);
	});
}

#[test]
fn tee_requests_need_a_live_attestation_to_be_assigned_and_answered() {
	new_test_ext().execute_with(|| {
		register(1, 1, FEE);
		assert_ok!(Inference::register_worker(
			RuntimeOrigin::signed(2),
			key(2).public().0,
			proof(2, 2),
			b"http://127.0.0.1:9957".to_vec().try_into().unwrap(),
			HardwareClass::Cpu,
			VerificationModes::of(&[VerificationMode::Vanilla, VerificationMode::Tee]),
			vec![model_ref(0)].try_into().unwrap(),
			FEE,
			MIN_STAKE,
		));
		let ask_tee = || {
			Inference::request_inference(
				RuntimeOrigin::signed(3),
				model_ref(0),
				input(),
				VerificationMode::Tee,
				1_000,
				10,
			)
		};
		// Worker 2 serves TEE but is not attested, or attested for another key.
		assert_noop!(ask_tee(), Error::<Test>::NoAttestedWorker);
		set_attested(2, Some(key(9).public().0));
		assert_noop!(ask_tee(), Error::<Test>::NoAttestedWorker);
		set_attested(2, Some(key(2).public().0));
		let id = NextRequestId::<Test>::get();
		assert_ok!(ask_tee());
		assert_eq!(Requests::<Test>::get(id).unwrap().worker, 2);

		// The attestation lapses before the result: refused in validation and in dispatch.
		set_attested(2, None);
		let xt = result_xt(answer(id, &key(2)));
		assert_eq!(
			validate(xt.clone()),
			Err(TransactionValidityError::Invalid(InvalidTransaction::Custom(
				ResultRejection::NotAttested as u8
			)))
		);
		assert_noop!(
			Inference::do_submit_result(
				answer(id, &key(2)).receipt,
				output(),
				answer(id, &key(2)).signature,
				None
			),
			Error::<Test>::NotAttested
		);
		// Refreshed, the same result settles and pays.
		set_attested(2, Some(key(2).public().0));
		let before = Balances::balance(&2);
		assert_ok!(apply(xt).unwrap());
		assert_eq!(Balances::balance(&2), before + FEE);
		assert!(Results::<Test>::contains_key(id));
	});
}

#[test]
fn a_check_reexecutes_on_another_worker_pays_only_its_fee_and_is_observed() {
	new_test_ext().execute_with(|| {
		register(1, 1, FEE);
		register(2, 2, FEE);
		let original = request(3);
		let first = Requests::<Test>::get(original).unwrap().worker;
		assert_ok!(apply(result_xt(answer(original, &key(first as u8)))).unwrap());
		let Some(Observed::Result(settled)) = observed().last().cloned() else { panic!() };
		assert_eq!((settled.request, settled.check_of, settled.worker), (original, None, first));
		assert_eq!(settled.output_digest, output().digest());
		assert!(!settled.checkable, "the mock's model is ONNX");

		// The check goes to the other worker and holds only that worker's fee from the payer.
		let (check, checker) =
			Inference::open_check(4, original, model_ref(0), input(), &[first], None).unwrap();
		assert_ne!(checker, first);
		let record = Requests::<Test>::get(check).unwrap();
		assert_eq!(record.check_of, Some(original));
		assert_eq!(record.fee.model_price + record.fee.protocol_fee, 0);
		assert_eq!(fee_hold(4), record.fee.worker_fee);
		System::assert_has_event(
			Event::CheckRequested { request: check, original, worker: checker, payer: 4 }.into(),
		);
		assert_ok!(apply(result_xt(answer(check, &key(checker as u8)))).unwrap());
		let Some(Observed::Result(settled)) = observed().last().cloned() else { panic!() };
		assert_eq!((settled.request, settled.check_of), (check, Some(original)));
		assert_eq!(fee_hold(4), 0);

		// A payer that cannot cover the check leaves no trace (no deadline entry, no id used).
		let next = NextRequestId::<Test>::get();
		let deadlines: Vec<_> = Deadlines::<Test>::iter().collect();
		assert_noop!(
			Inference::open_check(99, original, model_ref(0), input(), &[first], None),
			Error::<Test>::InsufficientBalance
		);
		assert_eq!(NextRequestId::<Test>::get(), next);
		assert_eq!(Deadlines::<Test>::iter().collect::<Vec<_>>(), deadlines);
		// Under a cap below every checker's fee, nobody is picked and nothing is held.
		assert_noop!(
			Inference::open_check(4, original, model_ref(0), input(), &[first], Some(1)),
			Error::<Test>::MaxFeeTooLow
		);
		// With every worker excluded there is nobody to check.
		assert_noop!(
			Inference::open_check(4, original, model_ref(0), input(), &[1, 2], None),
			Error::<Test>::NoWorkerServes
		);
		// An unanswered check expires, is refunded and is reported.
		let (check, _) =
			Inference::open_check(4, original, model_ref(0), input(), &[first], None).unwrap();
		let deadline = Requests::<Test>::get(check).unwrap().deadline;
		advance_to(deadline + 1);
		assert_eq!(observed().last().cloned(), Some(Observed::CheckExpired(check, original)));
		assert_eq!(fee_hold(4), 0);
	});
}

#[test]
fn forged_and_mismatched_results_are_refused_in_validation() {
	new_test_ext().execute_with(|| {
		register(1, 1, FEE);
		register(2, 2, FEE);
		SEED.with(|seed| *seed.borrow_mut() = sp_core::H256::zero());
		let id = request(3);
		let assigned = Requests::<Test>::get(id).unwrap().worker;
		let (right, other) = if assigned == 1 { (key(1), key(2)) } else { (key(2), key(1)) };
		let custom = |code: ResultRejection| {
			Err(TransactionValidityError::Invalid(InvalidTransaction::Custom(code as u8)))
		};
		// Signed by the other registered worker's key.
		assert_eq!(validate(result_xt(answer(id, &other))), custom(ResultRejection::BadSignature));
		// A receipt naming the other worker, signed by that worker.
		let mut forged = answer(id, &right);
		forged.receipt.worker = if assigned == 1 { 2 } else { 1 };
		forged.signature = other.sign(&forged.receipt.signing_payload()).0;
		assert_eq!(validate(result_xt(forged)), custom(ResultRejection::ReceiptMismatch));
		// An output that is not the one signed.
		let mut tampered = answer(id, &right);
		tampered.output = ResultOutput::Inline(vec![8u8; 8].try_into().unwrap());
		assert_eq!(validate(result_xt(tampered)), custom(ResultRejection::BadOutput));
		// An output of the wrong size, signed.
		let mut wrong_size = answer(id, &right);
		wrong_size.output = ResultOutput::Inline(vec![9u8; 4].try_into().unwrap());
		wrong_size.receipt.output_digest = wrong_size.output.digest();
		wrong_size.signature = right.sign(&wrong_size.receipt.signing_payload()).0;
		assert_eq!(validate(result_xt(wrong_size)), custom(ResultRejection::BadOutput));
		// Another chain's receipt.
		let mut other_chain = answer(id, &right);
		other_chain.receipt.genesis_hash = [1; 32];
		other_chain.signature = right.sign(&other_chain.receipt.signing_payload()).0;
		assert_eq!(validate(result_xt(other_chain)), custom(ResultRejection::ReceiptMismatch));
		// An unknown request.
		let mut unknown = answer(id, &right);
		unknown.receipt.request_id = 42;
		unknown.signature = right.sign(&unknown.receipt.signing_payload()).0;
		assert_eq!(
			validate(result_xt(unknown)),
			Err(TransactionValidityError::Invalid(InvalidTransaction::Stale))
		);
		// Dispatching a forged result directly fails too and moves nothing.
		let forged = answer(id, &other);
		assert_noop!(
			Inference::submit_result(
				frame_system::RawOrigin::Authorized.into(),
				forged.receipt,
				forged.output,
				forged.signature,
				None
			),
			Error::<Test>::BadSignature
		);
		// Only the authorization path may dispatch it.
		let valid = answer(id, &right);
		assert!(Inference::submit_result(
			RuntimeOrigin::signed(3),
			valid.receipt,
			valid.output,
			valid.signature,
			None
		)
		.is_err());
		assert_eq!(fee_hold(3), 77);
	});
}

#[test]
fn an_expired_request_is_refunded_and_its_worker_penalized() {
	new_test_ext().execute_with(|| {
		register(1, 1, FEE);
		let id = request(3);
		let xt = result_xt(answer(id, &key(1)));
		let treasury = Balances::balance(&TREASURY);
		let issuance = Balances::total_issuance();
		advance_to(11);
		assert!(Requests::<Test>::get(id).is_some(), "still open in its deadline block");
		advance_to(12);
		assert!(Requests::<Test>::get(id).is_none());
		assert_eq!(fee_hold(3), 0);
		assert_eq!(Balances::balance(&3), 1_000_000);
		assert_eq!(stake_hold(1), MIN_STAKE - PENALTY);
		assert_eq!(Balances::balance(&TREASURY), treasury + PENALTY);
		assert_eq!(Balances::total_issuance(), issuance);
		let info = Workers::<Test>::get(1).unwrap();
		assert_eq!((info.stake, info.missed, info.open_requests), (MIN_STAKE - PENALTY, 1, 0));
		System::assert_has_event(
			Event::RequestExpired { request: id, requester: 3, refunded: 77 }.into(),
		);
		System::assert_has_event(
			Event::WorkerPenalized { worker: 1, request: id, amount: PENALTY }.into(),
		);
		// A late result is refused.
		assert_eq!(validate(xt), Err(TransactionValidityError::Invalid(InvalidTransaction::Stale)));
		// Below the minimum stake, the worker is no longer assigned.
		assert_noop!(
			Inference::request_inference(
				RuntimeOrigin::signed(3),
				model_ref(0),
				input(),
				VerificationMode::Vanilla,
				1_000,
				10
			),
			Error::<Test>::NoWorkerServes
		);
	});
}

#[test]
fn a_request_whose_version_was_removed_expires_without_penalty() {
	new_test_ext().execute_with(|| {
		register(1, 1, FEE);
		let id = request(3);
		// The owner removes the version record: the worker cannot fetch the model any more.
		MODELS.with(|models| models.borrow_mut().remove(&model_ref(0)));
		advance_to(12);
		assert!(Requests::<Test>::get(id).is_none());
		assert_eq!(Balances::balance(&3), 1_000_000, "refunded in full");
		assert_eq!(stake_hold(1), MIN_STAKE, "no penalty");
		assert_eq!(Workers::<Test>::get(1).unwrap().missed, 0);
		System::assert_has_event(
			Event::RequestExpired { request: id, requester: 3, refunded: 77 }.into(),
		);
	});
}

#[test]
fn unbonding_waits_for_the_period_and_open_requests() {
	new_test_ext().execute_with(|| {
		register(1, 1, FEE);
		let id = request(3);
		assert_noop!(Inference::withdraw(RuntimeOrigin::signed(1)), Error::<Test>::NotUnbonding);
		assert_ok!(Inference::unbond(RuntimeOrigin::signed(1)));
		assert!(ActiveWorkers::<Test>::get().is_empty());
		assert_noop!(Inference::bond_extra(RuntimeOrigin::signed(1), 5), Error::<Test>::NotActive);
		assert_noop!(
			Inference::withdraw(RuntimeOrigin::signed(1)),
			Error::<Test>::UnbondingNotOver
		);
		// The open request can still be answered while unbonding.
		assert_ok!(apply(result_xt(answer(id, &key(1)))).unwrap());
		advance_to(1 + UNBONDING);
		// While the verification path may still slash it, the stake stays.
		UNDER_REVIEW.with(|u| u.borrow_mut().push(1));
		assert_noop!(
			Inference::withdraw(RuntimeOrigin::signed(1)),
			Error::<Test>::StakeUnderReview
		);
		UNDER_REVIEW.with(|u| u.borrow_mut().clear());
		assert_ok!(Inference::withdraw(RuntimeOrigin::signed(1)));
		assert_eq!(stake_hold(1), 0);
		assert!(Workers::<Test>::get(1).is_none());
		assert!(WorkerBySigningKey::<Test>::get(key(1).public().0).is_none());
		// The key can be registered again.
		register(2, 1, FEE);
	});
}

#[test]
fn the_offchain_worker_relays_the_job_and_submits_an_authorized_result() {
	use sp_core::offchain::{
		testing::{TestOffchainExt, TestTransactionPoolExt},
		OffchainDbExt, OffchainWorkerExt, TransactionPoolExt,
	};
	let mut ext = new_test_ext();
	let (offchain, offchain_state) = TestOffchainExt::new();
	let (pool, pool_state) = TestTransactionPoolExt::new();
	ext.register_extension(OffchainDbExt::new(offchain.clone()));
	ext.register_extension(OffchainWorkerExt::new(offchain));
	ext.register_extension(TransactionPoolExt::new(pool));
	ext.execute_with(|| {
		register(1, 1, FEE);
		let id = request(3);
		let expected = answer(id, &key(1));
		let request = Requests::<Test>::get(id).unwrap();
		let job = verity_primitives::WorkerJob {
			genesis_hash: Inference::genesis_hash(),
			request_id: id,
			model: request.model,
			spec_hash: request.spec_hash,
			artifact: TestModels::artifact(&request.model).unwrap().artifact,
			format: verity_primitives::ArtifactFormat::Onnx,
			schema: TestModels::artifact(&request.model).unwrap().schema,
			locations: Default::default(),
			input: request.input.clone(),
			mode: VerificationMode::Vanilla,
			worker: 1u64,
			zk_keys: None,
			max_tokens: None,
			claim: None,
		};
		// The job, built from chain state, with the node's secret.
		set_local_worker("http://127.0.0.1:9956", &key(1));
		expect_job(&mut offchain_state.write(), "http://127.0.0.1:9956", &job, expected.encode());
		Inference::offchain_worker(1);
		// The lock keeps a second run from sending the job again.
		Inference::offchain_worker(1);
		let txs = std::mem::take(&mut pool_state.write().transactions);
		assert_eq!(txs.len(), 1);
		let xt = Extrinsic::decode(&mut &txs[0][..]).unwrap();
		assert!(matches!(xt.preamble, sp_runtime::generic::Preamble::General(..)));
		assert!(validate(xt.clone()).is_ok());
		assert_ok!(apply(xt).unwrap());
		assert!(Results::<Test>::get(id).is_some());
	});
}

/// Tells the offchain worker (in its persistent storage, as the node does) that its worker
/// listens at `url`, signs with `signer` and takes the secret `[7; 32]`.
fn set_local_worker(url: &str, signer: &sr25519::Pair) {
	for (storage_key, value) in [
		(offchain::WORKER_URL_KEY, url.as_bytes().to_vec().encode()),
		(offchain::WORKER_SIGNING_KEY_KEY, signer.public().0.encode()),
		(offchain::WORKER_SECRET_KEY, [7u8; 32].encode()),
	] {
		sp_io::offchain::local_storage_set(
			sp_core::offchain::StorageKind::PERSISTENT,
			storage_key,
			&value,
		);
	}
}

/// Expects the offchain worker to post `job` to the worker at `url` with the secret of
/// [`set_local_worker`], and answers with `response`.
fn expect_job(
	state: &mut sp_core::offchain::testing::OffchainState,
	url: &str,
	job: &verity_primitives::WorkerJob<u64>,
	response: Vec<u8>,
) {
	state.expect_request(sp_core::offchain::testing::PendingRequest {
		method: "POST".into(),
		uri: format!("{url}/v1/jobs"),
		headers: vec![
			("content-type".into(), "application/octet-stream".into()),
			(offchain::WORKER_SECRET_HEADER.into(), verity_primitives::digest::to_hex(&[7u8; 32])),
		],
		body: job.encode(),
		response: Some(response),
		sent: true,
		..Default::default()
	});
}

/// Total issuance never changes, and the holds always equal what the records say, over a
/// random sequence of requests, results, forged results, timeouts and worker changes.
#[test]
fn balances_stay_consistent_over_random_operations() {
	new_test_ext().execute_with(|| {
		register(1, 1, FEE);
		register(2, 2, 35);
		let issuance = Balances::total_issuance();
		let mut next = xorshift(0x2545_f491_4f6c_dd1d);
		let mut settled = 0;
		let mut expired_before = 0;
		for step in 0..600 {
			let requester = 3 + next() % 3;
			match next() % 6 {
				0 | 1 => {
					let _ = Inference::request_inference(
						RuntimeOrigin::signed(requester),
						model_ref(0),
						input(),
						VerificationMode::Vanilla,
						70 + next() % 80,
						1 + next() % 6,
					);
				},
				2 => {
					let open: Vec<_> = Requests::<Test>::iter_keys().collect();
					if let Some(id) = open.get((next() % (open.len() as u64 + 1)) as usize) {
						let worker = Requests::<Test>::get(id).unwrap().worker;
						let signer =
							if next().is_multiple_of(4) { key(7) } else { key(worker as u8) };
						if apply(result_xt(answer(*id, &signer))).map(|r| r.is_ok()) == Ok(true) {
							settled += 1;
						}
					}
				},
				3 => advance_to(System::block_number() + 1 + next() % 3),
				4 => {
					let _ = Inference::bond_extra(RuntimeOrigin::signed(1 + next() % 2), 100);
				},
				_ => {
					// A duplicate of a settled result, or one for a request that never was.
					let _ = apply(result_xt(WorkerAnswer {
						receipt: Receipt {
							genesis_hash: Inference::genesis_hash(),
							context: ReceiptContext::OnChain,
							request_id: 10_000 + step,
							model: model_ref(0),
							spec_hash: spec_hash_of(model_ref(0)),
							model_digest: [7; 32],
							input_digest: blake2_256(&[1u8; 16]),
							output_digest: output().digest(),
							mode: VerificationMode::Vanilla,
							worker: 1,
							usage: None,
							generation: None,
							timestamp_ms: 0,
						},
						output: output(),
						signature: [0; 64],
						generation: None,
					}));
				},
			}
			assert_eq!(Balances::total_issuance(), issuance, "issuance changed at step {step}");
			for account in [3u64, 4, 5] {
				let open: u64 = Requests::<Test>::iter_values()
					.filter(|r| r.requester == account)
					.map(|r| Inference::fee_total(&r.fee).unwrap())
					.sum();
				assert_eq!(fee_hold(account), open, "fee hold of {account} at step {step}");
			}
			for worker in [1u64, 2] {
				let info = Workers::<Test>::get(worker).unwrap();
				assert_eq!(stake_hold(worker), info.stake, "stake of {worker} at step {step}");
				let open = Requests::<Test>::iter_values().filter(|r| r.worker == worker).count();
				assert_eq!(info.open_requests as usize, open);
			}
			expired_before = expired_before.max(
				System::events()
					.iter()
					.filter(|e| {
						matches!(e.event, RuntimeEvent::Inference(Event::RequestExpired { .. }))
					})
					.count(),
			);
		}
		assert!(settled > 10, "too few settled results ({settled}) to mean anything");
		assert!(expired_before > 0, "no request expired");
	});
}

/// The ZKML version `model_ref(5)` (an int8 model) served by a worker (account 1, key 1) in
/// Vanilla and ZKML modes.
fn zk_market() {
	add_zk_model(model_ref(5), 50, true);
	assert_ok!(Inference::register_worker(
		RuntimeOrigin::signed(1),
		key(1).public().0,
		proof(1, 1),
		b"http://127.0.0.1:9956".to_vec().try_into().unwrap(),
		HardwareClass::Cpu,
		VerificationModes::of(&[VerificationMode::Vanilla, VerificationMode::Zkml]),
		vec![model_ref(5)].try_into().unwrap(),
		FEE,
		MIN_STAKE,
	));
}

/// A ZKML worker (account 1, key 1) serving the ZKML version `model_ref(5)`, and one request
/// of account 3 for it; returns the request.
fn zk_request() -> u64 {
	zk_market();
	let id = NextRequestId::<Test>::get();
	assert_ok!(Inference::request_inference(
		RuntimeOrigin::signed(3),
		model_ref(5),
		input(),
		VerificationMode::Zkml,
		1_000,
		10,
	));
	id
}

#[test]
fn zkml_requests_need_keys_an_integer_model_and_inline_data() {
	new_test_ext().execute_with(|| {
		add_zk_model(model_ref(5), 50, false);
		let ask = |model, input| {
			Inference::request_inference(
				RuntimeOrigin::signed(3),
				model,
				input,
				VerificationMode::Zkml,
				1_000,
				10,
			)
		};
		assert_noop!(ask(model_ref(5), input()), Error::<Test>::ZkKeysMissing);
		add_zk_model(model_ref(5), 50, true);
		let stored = RequestInput::Stored {
			digest: verity_primitives::ArtifactDigest::of(&[1u8; 16]),
			location: verity_primitives::StorageLocation::Https(
				b"https://example.com/x".to_vec().try_into().unwrap(),
			),
		};
		assert_noop!(ask(model_ref(5), stored), Error::<Test>::ZkmlNeedsInlineData);
		// An ONNX version that lists ZKML among its modes still cannot be proved.
		MODELS.with(|models| {
			let mut models = models.borrow_mut();
			let (record, _) = models.get_mut(&model_ref(5)).unwrap();
			record.format = verity_primitives::ArtifactFormat::Onnx;
		});
		assert_noop!(ask(model_ref(5), input()), Error::<Test>::ZkmlNeedsIntegerModel);
	});
}

#[test]
fn a_zkml_answer_waits_for_its_proof_and_is_then_paid() {
	new_test_ext().execute_with(|| {
		let id = zk_request();
		let held = fee_hold(3);
		assert!(held > 0);
		assert_ok!(apply(result_xt(answer(id, &key(1)))).unwrap());
		// Answered, not settled: the fee stays held, the request open, nothing observed.
		assert!(AwaitingProof::<Test>::contains_key(id));
		assert!(Requests::<Test>::contains_key(id));
		assert!(!Results::<Test>::contains_key(id));
		assert_eq!(fee_hold(3), held);
		assert!(observed().is_empty());
		// The request's deadline (10 blocks) moved to the end of the proof window.
		let proof_deadline = 1 + ZK_PROOF_WINDOW;
		assert_eq!(Requests::<Test>::get(id).unwrap().deadline, proof_deadline);
		assert_eq!(Deadlines::<Test>::get(proof_deadline).to_vec(), vec![id]);
		assert!(Deadlines::<Test>::get(11).is_empty());
		System::assert_has_event(
			Event::ResultAnswered {
				request: id,
				worker: 1,
				output_digest: output().digest(),
				proof_deadline,
			}
			.into(),
		);
		assert_eq!(Inference::awaiting_proof_for(&key(1).public().0), vec![id]);
		// A second answer is stale.
		assert_eq!(
			validate(result_xt(answer(id, &key(1)))),
			Err(TransactionValidityError::Invalid(InvalidTransaction::Stale))
		);

		let worker_before = Balances::balance(&1);
		assert_ok!(Inference::accept_zk_result(id));
		assert_eq!(fee_hold(3), 0);
		assert_eq!(Balances::balance(&1), worker_before + FEE);
		assert!(!AwaitingProof::<Test>::contains_key(id));
		assert!(!Requests::<Test>::contains_key(id));
		let settled = Results::<Test>::get(id).unwrap();
		assert_eq!(settled.output, output());
		// A proved result is not sampled: the observer is not told.
		assert!(observed().is_empty());
		assert_noop!(Inference::accept_zk_result(id), Error::<Test>::NotAwaitingProof);
	});
}

#[test]
fn a_rejected_zkml_answer_is_refunded_in_full() {
	new_test_ext().execute_with(|| {
		let id = zk_request();
		let before = Balances::balance(&3) + fee_hold(3);
		assert_ok!(apply(result_xt(answer(id, &key(1)))).unwrap());
		assert_ok!(Inference::reject_zk_result(id));
		assert_eq!(fee_hold(3), 0);
		assert_eq!(Balances::balance(&3), before);
		assert!(!Requests::<Test>::contains_key(id) && !Results::<Test>::contains_key(id));
		assert!(!AwaitingProof::<Test>::contains_key(id));
		assert_eq!(Workers::<Test>::get(1).unwrap().open_requests, 0);
		assert_noop!(Inference::reject_zk_result(id), Error::<Test>::NotAwaitingProof);
	});
}

#[test]
fn a_zkml_answer_without_proof_is_refunded_and_reported_as_a_fault() {
	new_test_ext().execute_with(|| {
		let id = zk_request();
		let before = Balances::balance(&3) + fee_hold(3);
		let answer = answer(id, &key(1));
		let evidence = answer.receipt.evidence(&answer.signature);
		assert_ok!(apply(result_xt(answer)).unwrap());
		let deadline = Requests::<Test>::get(id).unwrap().deadline;
		assert_eq!(deadline, 1 + ZK_PROOF_WINDOW, "the proof window, not the short deadline");
		advance_to(11);
		assert!(AwaitingProof::<Test>::contains_key(id), "still within the proof window");
		advance_to(deadline + 1);
		assert_eq!(Balances::balance(&3), before);
		assert!(!AwaitingProof::<Test>::contains_key(id) && !Requests::<Test>::contains_key(id));
		// Not the timeout penalty: the verification path slashes it as a fault.
		assert_eq!(stake_hold(1), MIN_STAKE);
		assert!(observed().contains(&Observed::ProofMissing(id, 1, evidence)));
	});
}

#[test]
fn the_proof_window_is_kept_even_when_its_deadline_block_is_full() {
	new_test_ext().execute_with(|| {
		let id = zk_request();
		// Fill the bucket at the end of the window with other requests' ids.
		for other in 0..4u64 {
			assert_ok!(Deadlines::<Test>::try_append(1 + ZK_PROOF_WINDOW, 1_000 + other));
		}
		assert_ok!(apply(result_xt(answer(id, &key(1)))).unwrap());
		let deadline = Requests::<Test>::get(id).unwrap().deadline;
		assert!(deadline > 1 + ZK_PROOF_WINDOW, "moved later, never left short: {deadline}");
		assert!(Deadlines::<Test>::get(deadline).contains(&id));
	});
}

/// Attack (issue 14, hole 1): a direct receipt, signed by the honest worker for a stranger's
/// off-chain request with the next on-chain id, never settles the on-chain request.
#[test]
fn a_direct_receipt_never_settles_an_on_chain_request() {
	new_test_ext().execute_with(|| {
		register(1, 1, FEE);
		let id = request(3);
		let mut forged = answer(id, &key(1));
		forged.receipt.context = ReceiptContext::Direct;
		forged.signature = key(1).sign(&forged.receipt.signing_payload()).0;
		let rejected = TransactionValidityError::Invalid(InvalidTransaction::Custom(
			ResultRejection::ReceiptMismatch as u8,
		));
		assert_eq!(validate(result_xt(forged.clone())), Err(rejected));
		assert_eq!(apply(result_xt(forged)), Err(rejected));
		assert!(Requests::<Test>::contains_key(id) && !Results::<Test>::contains_key(id));
	});
}

/// Attack (issue 14, hole 1): a receipt signed for the same model and byte lengths read with
/// another schema binds another spec hash, and is refused.
#[test]
fn a_receipt_for_another_spec_is_refused() {
	new_test_ext().execute_with(|| {
		register(1, 1, FEE);
		let id = request(3);
		let mut forged = answer(id, &key(1));
		forged.receipt.spec_hash = spec_hash_of(model_ref(99));
		forged.signature = key(1).sign(&forged.receipt.signing_payload()).0;
		assert_eq!(
			validate(result_xt(forged)),
			Err(TransactionValidityError::Invalid(InvalidTransaction::Custom(
				ResultRejection::ReceiptMismatch as u8
			)))
		);
	});
}

/// Attack (issue 14, hole 5): registering someone else's public key (front-running the honest
/// node's registration) needs a signature by that key over the squatter's account.
#[test]
fn a_signing_key_cannot_be_squatted() {
	new_test_ext().execute_with(|| {
		let squat = |proof: [u8; 64]| {
			Inference::register_worker(
				RuntimeOrigin::signed(2),
				key(1).public().0,
				proof,
				b"http://127.0.0.1:9956".to_vec().try_into().unwrap(),
				HardwareClass::Cpu,
				VerificationModes::of(&[VerificationMode::Vanilla]),
				vec![model_ref(0)].try_into().unwrap(),
				FEE,
				MIN_STAKE,
			)
		};
		// The honest node's own proof (for its account 1) does not register it to account 2,
		// and neither does the squatter's signature with another key.
		assert_noop!(squat(proof(1, 1)), Error::<Test>::KeyNotPossessed);
		let by_squatter = key(2)
			.sign(&verity_primitives::key_possession_payload(
				&Inference::genesis_hash(),
				&2u64,
				&key(1).public().0,
			))
			.0;
		assert_noop!(squat(by_squatter), Error::<Test>::KeyNotPossessed);
		register(1, 1, FEE);
		assert_eq!(WorkerBySigningKey::<Test>::get(key(1).public().0), Some(1));
	});
}

#[test]
fn zkml_outputs_must_be_inline() {
	new_test_ext().execute_with(|| {
		let id = zk_request();
		let mut answer = answer(id, &key(1));
		answer.output = ResultOutput::Stored {
			digest: verity_primitives::ArtifactDigest::of(&[9u8; 8]),
			location: verity_primitives::StorageLocation::Https(
				b"https://example.com/y".to_vec().try_into().unwrap(),
			),
		};
		answer.receipt.output_digest = answer.output.digest();
		answer.signature = key(1).sign(&answer.receipt.signing_payload()).0;
		assert_eq!(
			validate(result_xt(answer)),
			Err(TransactionValidityError::Invalid(InvalidTransaction::Custom(
				ResultRejection::BadOutput as u8
			)))
		);
	});
}

/// Results that may be sampled (integer models) pay a premium into the sampling pot, which pays
/// for the checks; it is refunded with the rest when the request expires.
#[test]
fn integer_requests_fund_the_sampling_pot() {
	new_test_ext().execute_with(|| {
		zk_market();
		let ask = |mode| {
			let id = NextRequestId::<Test>::get();
			assert_ok!(Inference::request_inference(
				RuntimeOrigin::signed(3),
				model_ref(5),
				input(),
				mode,
				1_000,
				10,
			));
			id
		};
		// 50 + 20 + 7 (treasury) + 10% of 20 (pot) = 79.
		let vanilla = ask(VerificationMode::Vanilla);
		assert_eq!(Requests::<Test>::get(vanilla).unwrap().fee.sampling_premium, 2);
		assert_eq!(fee_hold(3), 79);
		// Proved results are never sampled: no premium.
		let zkml = ask(VerificationMode::Zkml);
		assert_eq!(Requests::<Test>::get(zkml).unwrap().fee.sampling_premium, 0);
		let pot = Balances::balance(&SAMPLING_POT);
		let mut answer = answer(vanilla, &key(1));
		answer.output = ResultOutput::Inline(vec![9u8; 8].try_into().unwrap());
		answer.receipt.output_digest = answer.output.digest();
		answer.signature = key(1).sign(&answer.receipt.signing_payload()).0;
		assert_ok!(apply(result_xt(answer)).unwrap());
		assert_eq!(Balances::balance(&SAMPLING_POT), pot + 2);
		assert_eq!(fee_hold(3), 77, "the ZKML request's hold is untouched");
	});
}

/// Attack (issue 14, hole 8): random fee-less results (forged receipts, signatures, outputs)
/// are all invalid in the pool and change no state.
#[test]
fn random_fee_less_results_are_all_invalid_and_change_nothing() {
	new_test_ext().execute_with(|| {
		register(1, 1, FEE);
		let open: Vec<u64> = (0..4).map(|_| request(3)).collect();
		let root = sp_io::storage::root(sp_runtime::StateVersion::V1);
		let mut next = xorshift(0x9e37_79b9_7f4a_7c15);
		for round in 0..10_000u64 {
			let id = if round % 2 == 0 { open[(next() % 4) as usize] } else { next() % 16 };
			let mut forged = answer(open[0], &key(1));
			forged.receipt.request_id = id;
			match next() % 5 {
				0 => forged.signature = key(2).sign(&forged.receipt.signing_payload()).0,
				1 => forged.receipt.output_digest = [next() as u8; 32],
				2 => forged.receipt.spec_hash = [next() as u8; 32],
				3 => forged.receipt.context = ReceiptContext::Direct,
				_ => forged.signature = [next() as u8; 64],
			}
			assert!(validate(result_xt(forged)).is_err(), "round {round} was accepted");
		}
		assert_eq!(sp_io::storage::root(sp_runtime::StateVersion::V1), root);
	});
}

/// A decline of request `id` naming `worker` and the input with `input_digest`, signed with
/// `signer`.
fn decline_of(id: u64, worker: u64, input_digest: [u8; 32], signer: &sr25519::Pair) -> Extrinsic {
	let reason = verity_primitives::DeclineReason::InputUnavailable;
	decline_for(id, worker, input_digest, reason, signer)
}

/// A decline of request `id` for `reason`, naming `worker` and the input with `input_digest`,
/// signed with `signer`.
fn decline_for(
	id: u64,
	worker: u64,
	input_digest: [u8; 32],
	reason: verity_primitives::DeclineReason,
	signer: &sr25519::Pair,
) -> Extrinsic {
	let evidence = blake2_256(b"connection refused");
	let genesis = Inference::genesis_hash();
	let payload =
		verity_primitives::decline_payload(&genesis, id, &input_digest, reason, &evidence);
	let call = crate::Call::<Test>::decline_request {
		request: id,
		worker,
		input_digest,
		reason,
		evidence,
		signature: signer.sign(&payload).0,
	};
	<Test as CreateAuthorizedTransaction<crate::Call<Test>>>::create_authorized_transaction(
		call.into(),
	)
}

/// A decline of open request `id` (naming its worker and input), signed with `signer`.
fn decline_xt(id: u64, signer: &sr25519::Pair) -> Extrinsic {
	let (worker, input) =
		Requests::<Test>::get(id).map(|r| (r.worker, r.input_digest)).unwrap_or_default();
	decline_of(id, worker, input, signer)
}

/// Attack (issue 14, hole 4): a requester names a stored input at a location that does not
/// serve it. The worker declines it, signed: refunded, and the worker keeps its whole stake.
#[test]
fn an_unavailable_stored_input_is_declined_without_penalty() {
	new_test_ext().execute_with(|| {
		register(1, 1, FEE);
		let stored = RequestInput::Stored {
			digest: verity_primitives::ArtifactDigest::of(&[1u8; 16]),
			location: verity_primitives::StorageLocation::Https(
				b"https://unreachable.example/input".to_vec().try_into().unwrap(),
			),
		};
		let id = NextRequestId::<Test>::get();
		let before = Balances::balance(&3);
		assert_ok!(Inference::request_inference(
			RuntimeOrigin::signed(3),
			model_ref(0),
			stored,
			VerificationMode::Vanilla,
			1_000,
			MIN_DEADLINE,
		));
		// Only the assigned worker's key can decline it.
		assert_eq!(
			validate(decline_xt(id, &key(2))),
			Err(TransactionValidityError::Invalid(InvalidTransaction::Custom(
				ResultRejection::BadSignature as u8
			)))
		);
		// A decline the worker signed for another input under this id (another request that
		// had the id before a reorg) does not decline this one.
		assert_eq!(
			validate(decline_of(id, 1, blake2_256(b"another input"), &key(1))),
			Err(TransactionValidityError::Invalid(InvalidTransaction::Custom(
				ResultRejection::BadSignature as u8
			)))
		);
		// Another registered worker's decline, signed with its own key, declines nothing.
		register(2, 2, FEE);
		let input = Requests::<Test>::get(id).unwrap().input_digest;
		assert_eq!(
			validate(decline_of(id, 2, input, &key(2))),
			Err(TransactionValidityError::Invalid(InvalidTransaction::Custom(
				ResultRejection::BadSignature as u8
			)))
		);
		assert!(validate(decline_xt(id, &key(1))).is_ok());
		assert_ok!(apply(decline_xt(id, &key(1))).unwrap());
		assert_eq!(Balances::balance(&3), before);
		assert_eq!(fee_hold(3), 0);
		assert_eq!(stake_hold(1), MIN_STAKE);
		assert!(!Requests::<Test>::contains_key(id));
		assert_eq!(Workers::<Test>::get(1).unwrap().open_requests, 0);
		// Past its deadline nothing expires any more: no penalty either.
		advance_to(MIN_DEADLINE + 3);
		assert_eq!(stake_hold(1), MIN_STAKE);
		// An inline input has nothing to fetch: it cannot be declined.
		let inline = request(3);
		let assigned = Requests::<Test>::get(inline).unwrap().worker as u8;
		assert_eq!(
			validate(decline_xt(inline, &key(assigned))),
			Err(TransactionValidityError::Invalid(InvalidTransaction::Custom(
				ResultRejection::NotDeclinable as u8
			)))
		);
	});
}

/// `Results` is bounded: results older than `ResultRetention` are pruned in id order, never
/// passing a request that is still open.
#[test]
fn old_results_are_pruned_in_order_and_open_requests_hold_the_cursor() {
	new_test_ext().execute_with(|| {
		register(1, 1, FEE);
		let first = request(3);
		let open = request(3);
		let third = request(3);
		for id in [first, third] {
			assert_ok!(apply(result_xt(answer(id, &key(1)))).unwrap());
		}
		advance_to(1 + RESULT_RETENTION - 1);
		assert!(Results::<Test>::contains_key(first), "kept for the retention period");
		// `open` expires at block 11, so by now only the two results remain.
		advance_to(1 + RESULT_RETENTION + 1);
		assert!(!Results::<Test>::contains_key(first) && !Results::<Test>::contains_key(third));
		assert!(!Requests::<Test>::contains_key(open));
		assert_eq!(PruneCursor::<Test>::get(), 3);
		// A request still open holds the cursor: later results wait behind it. (The worker
		// tops its stake up after the penalty of the expired request.)
		assert_ok!(Inference::bond_extra(RuntimeOrigin::signed(1), PENALTY));
		let held = request(3);
		let after = request(3);
		assert_ok!(apply(result_xt(answer(after, &key(1)))).unwrap());
		advance_to(System::block_number() + 5);
		assert_eq!(PruneCursor::<Test>::get(), held);
		assert!(Results::<Test>::contains_key(after));
	});
}

/// When no deadline bucket within reach has room for the proof window, the answer keeps its
/// short deadline, and its worker (which answered in time) is neither penalized nor slashed.
#[test]
fn an_answer_without_its_full_proof_window_is_never_punished() {
	new_test_ext().execute_with(|| {
		let id = zk_request();
		for block in 0..u64::from(crate::dispatchable_impls::ZK_WINDOW_PROBES) {
			for other in 0..4u64 {
				let bucket = 1 + ZK_PROOF_WINDOW + block;
				assert_ok!(Deadlines::<Test>::try_append(bucket, 10_000 + 4 * block + other));
			}
		}
		assert_ok!(apply(result_xt(answer(id, &key(1)))).unwrap());
		let deadline = Requests::<Test>::get(id).unwrap().deadline;
		assert!(deadline < 1 + ZK_PROOF_WINDOW, "no room: the short deadline stays");
		advance_to(deadline + 1);
		assert!(!Requests::<Test>::contains_key(id));
		assert_eq!(stake_hold(1), MIN_STAKE);
		assert!(!observed().iter().any(|o| matches!(o, Observed::ProofMissing(..))));
	});
}

/// Another pallet (MemSync, Twin.fun, the EVM precompile) opens a request through
/// [`InferenceRequests`] under the rules of `request_inference`, follows it, and is told of
/// its result through the runtime's tuple of observers; refused requests hold nothing, even
/// from outside a transactional dispatch.
#[test]
fn other_pallets_open_requests_and_every_observer_hears_the_result() {
	new_test_ext().execute_with(|| {
		register(1, 1, FEE);
		let api = |model, max_fee, deadline| {
			<Inference as InferenceRequests<u64, u64, u64>>::request(
				3,
				model,
				input(),
				VerificationMode::Vanilla,
				max_fee,
				deadline,
			)
		};
		// The extrinsic's rules, error for error; nothing held or recorded.
		let next = NextRequestId::<Test>::get();
		assert_eq!(api(model_ref(7), 1_000, 10), Err(Error::<Test>::VersionNotServable.into()));
		assert_eq!(api(model_ref(0), 76, 10), Err(Error::<Test>::MaxFeeTooLow.into()));
		assert_eq!(api(model_ref(0), 1_000, 0), Err(Error::<Test>::BadDeadline.into()));
		assert_eq!((fee_hold(3), NextRequestId::<Test>::get()), (0, next));
		// Opened: the same hold and assignment as the call.
		let id = api(model_ref(0), 1_000, 10).unwrap();
		assert_eq!(fee_hold(3), 77);
		assert_eq!(
			<Inference as InferenceRequests<u64, u64, u64>>::status(id),
			RequestStatus::Open { worker: 1, deadline: 11 }
		);
		assert!(<Inference as InferenceRequests<u64, u64, u64>>::request_weight()
			.all_gte(Inference::request_weight()));
		// Settled: the result is readable, and both observers of the tuple heard it.
		assert_ok!(apply(result_xt(answer(id, &key(1)))));
		let RequestStatus::Settled(result) =
			<Inference as InferenceRequests<u64, u64, u64>>::status(id)
		else {
			panic!("not settled")
		};
		assert_eq!((result.requester, result.output), (3, output()));
		assert!(observed()
			.iter()
			.any(|seen| matches!(seen, Observed::Result(settled) if settled.request == id)));
		assert_eq!(second_observed(), vec![id]);
		// The observers' declared weight is the sum of the tuple's.
		assert_eq!(
			<(TestObserver, SecondObserver) as ResultObserver<u64>>::on_result_weight(),
			frame_support::weights::Weight::from_parts(3, 0)
		);
		// Gone: pruned or never opened.
		assert_eq!(
			<Inference as InferenceRequests<u64, u64, u64>>::status(id + 100),
			RequestStatus::Closed
		);
	});
}

/// The chat version of the chat tests: price 50 per inference, 3 per token, 512 tokens of
/// context, served by worker 1 (key 1, fee `FEE`).
const CHAT_PRICE: u64 = 50;
const PER_TOKEN: u64 = 3;

fn chat_model() -> verity_primitives::ModelVersionRef {
	model_ref(5)
}

fn chat_setup() {
	add_model(model_ref(0), 50, true);
	add_chat_model(chat_model(), CHAT_PRICE, PER_TOKEN, 512);
	assert_ok!(Inference::register_worker(
		RuntimeOrigin::signed(1),
		key(1).public().0,
		proof(1, 1),
		b"http://127.0.0.1:9956".to_vec().try_into().unwrap(),
		HardwareClass::Cpu,
		VerificationModes::of(&[VerificationMode::Vanilla]),
		vec![model_ref(0), chat_model()].try_into().unwrap(),
		FEE,
		MIN_STAKE,
	));
}

fn chat_input() -> RequestInput {
	let json = br#"{"messages":[{"role":"user","content":"Hi"}],"max_tokens":100}"#;
	RequestInput::Inline(json.to_vec().try_into().unwrap())
}

fn request_chat(who: u64, max_tokens: u32) -> u64 {
	let id = NextRequestId::<Test>::get();
	assert_ok!(Inference::request_chat(
		RuntimeOrigin::signed(who),
		chat_model(),
		chat_input(),
		VerificationMode::Vanilla,
		max_tokens,
		10_000,
		10,
	));
	id
}

/// A chat answer to `request_id`: `text` as output, `completion` tokens reported, signed by
/// worker 1.
/// A chat answer of `text` reporting `usage` completion tokens, with well-formed evidence of
/// that many tokens (signed by the receipt).
fn chat_answer(request_id: u64, text: &[u8], usage: Option<u32>) -> WorkerAnswer<u64> {
	let mut answer = answer(request_id, &key(1));
	let output = ResultOutput::Inline(text.to_vec().try_into().unwrap());
	answer.receipt.output_digest = output.digest();
	answer.receipt.usage = usage.map(|completion_tokens| verity_primitives::TokenUsage {
		prompt_tokens: 12,
		completion_tokens,
	});
	answer.generation = usage.filter(|tokens| *tokens > 0).map(evidence);
	answer.receipt.generation = answer.generation.as_ref().map(|e| e.digest());
	answer.output = output;
	answer.signature = key(1).sign(&answer.receipt.signing_payload()).0;
	answer
}

/// Well-formed generation evidence of `tokens` tokens.
fn evidence(tokens: u32) -> verity_primitives::GenerationEvidence {
	use verity_primitives::generation::{FingerprintRecord, FINGERPRINT_INTERVAL};
	let fingerprints: Vec<_> = (0..tokens.div_ceil(FINGERPRINT_INTERVAL))
		.map(|n| FingerprintRecord {
			token: n * FINGERPRINT_INTERVAL,
			indices: core::array::from_fn(|i| i as u16),
			values: [0; 16],
		})
		.collect();
	verity_primitives::GenerationEvidence {
		tokens: (0..tokens).collect::<Vec<_>>().try_into().unwrap(),
		fingerprints: fingerprints.try_into().unwrap(),
	}
}

/// The sampling premium a chat request pays (chat results are sampled): 10 % of the worker's
/// fee.
const PREMIUM: u64 = FEE / 10;

/// The fee held for a chat request of `max_tokens`: the price, every token's price, the
/// worker's fee, the protocol's 10 % of those and the sampling premium.
fn chat_hold(max_tokens: u64) -> u64 {
	let base = CHAT_PRICE + PER_TOKEN * max_tokens + FEE;
	base + base / 10 + PREMIUM
}

/// Issue 17: a chat request holds the worst case (`max_tokens` tokens) and settles for the
/// tokens its receipt reports; the rest goes back to the requester, in the same block.
#[test]
fn chat_requests_hold_the_worst_case_and_pay_for_the_tokens_used() {
	new_test_ext().execute_with(|| {
		chat_setup();
		let before = Balances::balance(&3);
		let (owner, worker, treasury) =
			(Balances::balance(&OWNER), Balances::balance(&1), Balances::balance(&TREASURY));
		let id = request_chat(3, 100);
		assert_eq!(fee_hold(3), chat_hold(100));
		let open = Requests::<Test>::get(id).unwrap();
		assert_eq!(open.chat, Some(ChatTerms { max_tokens: 100, price_per_token: PER_TOKEN }));
		assert_eq!(open.output_len, verity_primitives::chat_output_limit(100));

		assert_ok!(apply(result_xt(chat_answer(id, b"Hello! How can I help?", Some(40)))));
		let model_price = CHAT_PRICE + PER_TOKEN * 40;
		let protocol = (model_price + FEE) / 10;
		assert_eq!(fee_hold(3), 0);
		assert_eq!(Balances::balance(&3), before - model_price - FEE - protocol - PREMIUM);
		assert_eq!(Balances::balance(&OWNER), owner + model_price);
		assert_eq!(Balances::balance(&1), worker + FEE);
		assert_eq!(Balances::balance(&TREASURY), treasury + protocol);
		let settled = Results::<Test>::get(id).unwrap();
		assert_eq!(settled.paid.model_price, model_price);
		assert_eq!(settled.paid.protocol_fee, protocol);
		System::assert_has_event(
			Event::UnusedTokensRefunded {
				request: id,
				requester: 3,
				max_tokens: 100,
				completion_tokens: 40,
				refunded: chat_hold(100) - (model_price + FEE + protocol + PREMIUM),
			}
			.into(),
		);

		// Every token used: the whole hold is paid out, nothing refunded.
		let id = request_chat(3, 100);
		assert_ok!(apply(result_xt(chat_answer(id, b"...", Some(100)))));
		assert_eq!(Results::<Test>::get(id).unwrap().paid.model_price, CHAT_PRICE + 300);
		assert_eq!(fee_hold(3), 0);
	});
}

/// Bad chat requests are refused with a specific error, and nothing is held.
#[test]
fn bad_chat_requests_are_refused_and_hold_nothing() {
	new_test_ext().execute_with(|| {
		chat_setup();
		let chat = |model, input, mode, max_tokens, max_fee| {
			Inference::request_chat(
				RuntimeOrigin::signed(3),
				model,
				input,
				mode,
				max_tokens,
				max_fee,
				10,
			)
		};
		let vanilla = VerificationMode::Vanilla;
		let tensor_model = model_ref(0);
		assert_noop!(
			chat(tensor_model, chat_input(), vanilla, 10, 10_000),
			Error::<Test>::UnsupportedSchema
		);
		assert_noop!(
			Inference::request_inference(
				RuntimeOrigin::signed(3),
				chat_model(),
				chat_input(),
				vanilla,
				10_000,
				10
			),
			Error::<Test>::UnsupportedSchema
		);
		assert_noop!(
			chat(chat_model(), chat_input(), vanilla, 0, 10_000),
			Error::<Test>::BadMaxTokens
		);
		// The whole context: no room left for a prompt.
		assert_noop!(
			chat(chat_model(), chat_input(), vanilla, 512, 10_000),
			Error::<Test>::BadMaxTokens
		);
		// More tokens than the chain keeps evidence of, on a model with the context for them.
		let long_context = model_ref(9);
		add_chat_model(long_context, CHAT_PRICE, PER_TOKEN, 8192);
		assert_noop!(
			chat(
				long_context,
				chat_input(),
				vanilla,
				generation::MAX_EVIDENCE_TOKENS + 1,
				u64::MAX
			),
			Error::<Test>::BadMaxTokens
		);
		let empty = RequestInput::Inline(Default::default());
		assert_noop!(chat(chat_model(), empty, vanilla, 10, 10_000), Error::<Test>::BadChatInput);
		let huge = RequestInput::Stored {
			digest: verity_primitives::ArtifactDigest {
				blake2_256: [1; 32],
				sha256: [2; 32],
				size: verity_primitives::MAX_CHAT_INPUT + 1,
			},
			location: verity_primitives::StorageLocation::Https(
				b"https://inputs.example/chat.json".to_vec().try_into().unwrap(),
			),
		};
		assert_noop!(chat(chat_model(), huge, vanilla, 10, 10_000), Error::<Test>::BadChatInput);
		assert_noop!(
			chat(chat_model(), chat_input(), VerificationMode::Zkml, 10, 10_000),
			Error::<Test>::ModeNotOffered
		);
		// The worst case is more than the requester allows.
		assert_noop!(
			chat(chat_model(), chat_input(), vanilla, 100, chat_hold(100) - 1),
			Error::<Test>::MaxFeeTooLow
		);
		assert_eq!(fee_hold(3), 0);
		assert_eq!(NextRequestId::<Test>::get(), 0);
	});
}

/// Attacks on settlement: a worker claims more tokens than were paid for, leaves out the usage
/// (or adds one to a tensor result), or returns more text than the tokens can hold. Each is
/// refused in the pool and the request stays open, its fee held.
#[test]
fn chat_results_must_report_usage_within_what_was_paid() {
	new_test_ext().execute_with(|| {
		chat_setup();
		let id = request_chat(3, 100);
		let rejected = |answer: WorkerAnswer<u64>, why: ResultRejection| {
			assert_eq!(
				validate(result_xt(answer)),
				Err(TransactionValidityError::Invalid(InvalidTransaction::Custom(why as u8)))
			);
		};
		rejected(chat_answer(id, b"too many", Some(101)), ResultRejection::BadUsage);
		rejected(chat_answer(id, b"no usage", None), ResultRejection::BadUsage);
		// Understating: no token, or more text than the tokens reported can hold.
		rejected(chat_answer(id, b"", Some(0)), ResultRejection::BadUsage);
		let three_tokens = vec![b'a'; verity_primitives::chat_output_limit(3) as usize + 1];
		rejected(chat_answer(id, &three_tokens, Some(3)), ResultRejection::BadUsage);
		let limit = verity_primitives::chat_output_limit(1) as usize;
		let small = request_chat(3, 1);
		let long = vec![b'a'; limit + 1];
		rejected(chat_answer(small, &long, Some(1)), ResultRejection::BadUsage);
		let tensor = request(3);
		let mut with_usage = answer(tensor, &key(1));
		with_usage.receipt.usage = Some(Default::default());
		with_usage.signature = key(1).sign(&with_usage.receipt.signing_payload()).0;
		rejected(with_usage, ResultRejection::BadUsage);
		assert!(Requests::<Test>::contains_key(id));
		assert_eq!(fee_hold(3), chat_hold(100) + chat_hold(1) + (50 + FEE) + (50 + FEE) / 10);
		// The honest answer at the limit settles.
		assert_ok!(apply(result_xt(chat_answer(small, &long[..limit], Some(1)))));
	});
}

/// A chat request the worker cannot run (it does not parse, or asks for more tokens than were
/// paid for) is declined as invalid input: refunded in full, nobody penalized. A tensor
/// request cannot be declined so (its input's size was checked on chain), and an expired chat
/// request is refunded its whole hold.
#[test]
fn invalid_chat_inputs_are_declined_and_expired_ones_refunded() {
	new_test_ext().execute_with(|| {
		chat_setup();
		let before = Balances::balance(&3);
		let id = request_chat(3, 100);
		let invalid = verity_primitives::DeclineReason::InvalidInput;
		let digest = chat_input().digest();
		assert_ok!(apply(decline_for(id, 1, digest, invalid, &key(1))));
		assert_eq!(Balances::balance(&3), before);
		assert_eq!(stake_hold(1), MIN_STAKE);
		assert!(!Requests::<Test>::contains_key(id));

		let tensor = request(3);
		let tensor_digest = input().digest();
		assert_eq!(
			validate(decline_for(tensor, 1, tensor_digest, invalid, &key(1))),
			Err(TransactionValidityError::Invalid(InvalidTransaction::Custom(
				ResultRejection::NotDeclinable as u8
			)))
		);

		// Left to expire (with the tensor request): every hold comes back, the worker pays
		// the timeout penalty twice.
		let id = request_chat(3, 100);
		assert_eq!(fee_hold(3), chat_hold(100) + (50 + FEE) + (50 + FEE) / 10);
		let deadline = Requests::<Test>::get(id).unwrap().deadline;
		advance_to(deadline + 1);
		assert!(!Requests::<Test>::contains_key(id) && !Requests::<Test>::contains_key(tensor));
		assert_eq!(fee_hold(3), 0);
		assert_eq!(Balances::balance(&3), before);
		assert_eq!(stake_hold(1), MIN_STAKE - 2 * PENALTY);
	});
}

/// A runtime upgrade keeps the requests open at the time: storage version 0's records (no
/// chat terms) are rewritten, and such a request still expires with its refund.
#[test]
fn open_requests_survive_the_upgrade_that_added_chat_terms() {
	use frame_support::traits::{GetStorageVersion, OnRuntimeUpgrade, StorageVersion};
	new_test_ext().execute_with(|| {
		register(1, 1, FEE);
		let before = Balances::balance(&3);
		let id = request(3);
		let open = Requests::<Test>::get(id).unwrap();
		// Version 0's record: today's without its chat terms (`None`, one zero byte, last).
		let mut old = open.encode();
		assert_eq!(old.pop(), Some(0));
		frame_support::storage::unhashed::put_raw(&Requests::<Test>::hashed_key_for(id), &old);
		StorageVersion::new(0).put::<Inference>();
		assert!(Requests::<Test>::get(id).is_none(), "version 0's record no longer decodes");
		crate::migrations::MigrateToV1::<Test>::on_runtime_upgrade();
		assert_eq!(Inference::on_chain_storage_version(), 1);
		assert_eq!(Requests::<Test>::get(id), Some(open.clone()));
		advance_to(open.deadline + 1);
		assert_eq!(Balances::balance(&3), before);
		assert_eq!(fee_hold(3), 0);
	});
}

/// A runtime upgrade keeps the settled results: storage version 1's (receipts without the
/// generation digest) are rewritten, and still read back whole.
#[test]
fn settled_results_survive_the_upgrade_that_added_the_generation_digest() {
	use crate::migrations::v2::{OldReceipt, OldSettledResult};
	use frame_support::traits::{GetStorageVersion, OnRuntimeUpgrade, StorageVersion};
	new_test_ext().execute_with(|| {
		register(1, 1, FEE);
		let id = request(3);
		assert_ok!(apply(result_xt(answer(id, &key(1)))));
		let settled = Results::<Test>::get(id).unwrap();
		let r = settled.receipt.clone();
		let old = OldSettledResult {
			requester: settled.requester,
			receipt: OldReceipt {
				genesis_hash: r.genesis_hash,
				context: r.context,
				request_id: r.request_id,
				model: r.model,
				spec_hash: r.spec_hash,
				model_digest: r.model_digest,
				input_digest: r.input_digest,
				output_digest: r.output_digest,
				mode: r.mode,
				worker: r.worker,
				usage: r.usage,
				timestamp_ms: r.timestamp_ms,
			},
			signing_key: settled.signing_key,
			signature: settled.signature,
			input: settled.input.clone(),
			output: settled.output.clone(),
			paid: settled.paid.clone(),
			settled_at: settled.settled_at,
			check_of: settled.check_of,
		};
		frame_support::storage::unhashed::put_raw(
			&Results::<Test>::hashed_key_for(id),
			&old.encode(),
		);
		StorageVersion::new(1).put::<Inference>();
		assert!(Results::<Test>::get(id).is_none(), "version 1's record no longer decodes");
		crate::migrations::MigrateToV2::<Test>::on_runtime_upgrade();
		assert_eq!(Inference::on_chain_storage_version(), 2);
		assert_eq!(Results::<Test>::get(id), Some(settled));
	});
}

/// Issue 17: the check of a chat result. Its request holds the original's input and takes
/// exactly a verdict; the offchain worker sends the checker a job carrying the result's claim
/// (receipt output and usage, and the evidence the chain kept), built from chain state; the
/// checker's verdict settles as the check's result.
#[test]
fn the_check_of_a_chat_result_carries_its_claim_and_settles_with_a_verdict() {
	use sp_core::offchain::{
		testing::{TestOffchainExt, TestTransactionPoolExt},
		OffchainDbExt, OffchainWorkerExt, TransactionPoolExt,
	};
	use verity_primitives::{CheckVerdict, GenerationClaim, TokenUsage};
	let mut ext = new_test_ext();
	let (offchain, offchain_state) = TestOffchainExt::new();
	let (pool, pool_state) = TestTransactionPoolExt::new();
	ext.register_extension(OffchainDbExt::new(offchain.clone()));
	ext.register_extension(OffchainWorkerExt::new(offchain));
	ext.register_extension(TransactionPoolExt::new(pool));
	ext.execute_with(|| {
		chat_setup();
		let original = request_chat(3, 100);
		assert_ok!(apply(result_xt(chat_answer(original, b"Hello!", Some(12)))));
		assert_eq!(Generations::<Test>::get(original), Some(evidence(12)));
		// A second worker for the chat model, which the check goes to.
		assert_ok!(Inference::register_worker(
			RuntimeOrigin::signed(2),
			key(2).public().0,
			proof(2, 2),
			b"http://127.0.0.1:9957".to_vec().try_into().unwrap(),
			HardwareClass::Cpu,
			VerificationModes::of(&[VerificationMode::Vanilla]),
			vec![chat_model()].try_into().unwrap(),
			FEE,
			MIN_STAKE,
		));
		let (check, checker) =
			Inference::open_check(3, original, chat_model(), chat_input(), &[1], None).unwrap();
		assert_eq!(checker, 2);
		let record = Requests::<Test>::get(check).unwrap();
		assert_eq!((record.check_of, record.chat), (Some(original), None));
		assert_eq!(record.output_len, CheckVerdict::LEN as u64);

		let settled = Results::<Test>::get(original).unwrap();
		let claim = GenerationClaim {
			original,
			output_digest: settled.receipt.output_digest,
			usage: TokenUsage { prompt_tokens: 12, completion_tokens: 12 },
			evidence: evidence(12),
		};
		let job = verity_primitives::WorkerJob {
			genesis_hash: Inference::genesis_hash(),
			request_id: check,
			model: chat_model(),
			spec_hash: record.spec_hash,
			artifact: TestModels::artifact(&chat_model()).unwrap().artifact,
			format: verity_primitives::ArtifactFormat::Gguf,
			schema: TestModels::artifact(&chat_model()).unwrap().schema,
			locations: Default::default(),
			input: chat_input(),
			mode: VerificationMode::Vanilla,
			worker: 2u64,
			zk_keys: None,
			max_tokens: None,
			claim: Some(claim.clone()),
		};
		let mut verdict = answer(check, &key(2));
		let output = ResultOutput::Inline(claim.verdict(true).to_bytes().try_into().unwrap());
		verdict.receipt.output_digest = output.digest();
		verdict.output = output;
		verdict.signature = key(2).sign(&verdict.receipt.signing_payload()).0;
		set_local_worker("http://127.0.0.1:9957", &key(2));
		expect_job(&mut offchain_state.write(), "http://127.0.0.1:9957", &job, verdict.encode());
		Inference::offchain_worker(1);
		let txs = std::mem::take(&mut pool_state.write().transactions);
		assert_eq!(txs.len(), 1);
		let xt = Extrinsic::decode(&mut &txs[0][..]).unwrap();
		assert!(validate(xt.clone()).is_ok());
		assert_ok!(apply(xt).unwrap());
		let result = Results::<Test>::get(check).unwrap();
		assert_eq!(result.check_of, Some(original));
		assert_eq!(
			CheckVerdict::from_bytes(&result_bytes(&result.output)),
			Some(claim.verdict(true))
		);
		// A result under check outlives its retention until the check closes (here, expires);
		// then it is pruned, its evidence with it.
		let settled_at = settled.settled_at;
		advance_to(settled_at + RESULT_RETENTION - 10);
		let (late, _) =
			Inference::open_check(3, original, chat_model(), chat_input(), &[1], None).unwrap();
		advance_to(settled_at + RESULT_RETENTION + 2);
		assert!(Results::<Test>::get(original).is_some());
		assert!(Generations::<Test>::get(original).is_some());
		let deadline = Requests::<Test>::get(late).unwrap().deadline;
		advance_to(deadline + 2);
		assert!(!Requests::<Test>::contains_key(late));
		assert!(!OpenChecks::<Test>::contains_key(original));
		assert!(Results::<Test>::get(original).is_none());
		assert!(Generations::<Test>::get(original).is_none());
	});
}

fn result_bytes(output: &ResultOutput) -> Vec<u8> {
	match output {
		ResultOutput::Inline(bytes) => bytes.to_vec(),
		ResultOutput::Stored { .. } => panic!("a verdict is inline"),
	}
}
