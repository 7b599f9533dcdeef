//! Benchmarks of every call, the authorization of results and the expiry hook, each on its worst
//! case: the longest active-worker list, full model lists, the largest inline input and output.
//!
//! Other pallets' benchmarks set up workers, settled results and ZKML answers with the public
//! functions here (a runtime's benchmark helpers call them), so no runtime writes this pallet's
//! storage itself.

use super::*;
use crate::Pallet as Inference;
use alloc::{vec, vec::Vec};
use frame_benchmarking::v2::*;
use frame_support::{
	pallet_prelude::TransactionSource,
	traits::{
		fungible::{Mutate, MutateHold},
		Authorize, Get,
	},
	BoundedVec,
};
use frame_system::{pallet_prelude::BlockNumberFor, RawOrigin};
use sp_core::crypto::KeyTypeId;
use sp_runtime::{
	traits::{Bounded, Zero},
	transaction_validity::{InvalidTransaction, TransactionValidityError},
	SaturatedConversion,
};
use verity_primitives::{
	AnsweredResult, FeeSplit, HardwareClass, InferenceRequest, IoSchema, ModelVersionRef, Receipt,
	ReceiptSignature, RequestId, RequestInput, ResultOutput, SettledResult, SigningKey,
	TensorDtype, TensorSpec, VerificationMode, VerificationModes, VersionNumber, MAX_ENDPOINT_LEN,
	MAX_INLINE_INPUT, MAX_INLINE_OUTPUT,
};

const KEY_TYPE: KeyTypeId = KeyTypeId(*b"vbnc");

fn funded<T: Config>(name: &'static str, index: u32) -> T::AccountId {
	let who: T::AccountId = account(name, index, 0);
	T::Currency::set_balance(&who, BalanceOf::<T>::max_value() / 1024u32.into());
	who
}

/// A fresh sr25519 key in the benchmark keystore (the same for the same index).
pub fn signing_key(index: u32) -> SigningKey {
	let seed = alloc::format!("//verity-bench-{index}");
	sp_io::crypto::sr25519_generate(KEY_TYPE, Some(seed.into_bytes())).0
}

/// The proof that `who` holds the benchmark key `key` (made by [`signing_key`]), as
/// `register_worker` takes it.
pub fn key_proof<T: Config>(who: &T::AccountId, key: &SigningKey) -> ReceiptSignature {
	let payload =
		verity_primitives::key_possession_payload(&Inference::<T>::genesis_hash(), who, key);
	let public = sp_core::sr25519::Public::from_raw(*key);
	sp_io::crypto::sr25519_sign(KEY_TYPE, &public, &payload).expect("the key is in the keystore").0
}

fn endpoint() -> Endpoint {
	let mut url = b"https://".to_vec();
	url.resize(MAX_ENDPOINT_LEN as usize, b'w');
	url.try_into().unwrap()
}

/// A full model list that serves `model` last, so eligibility scans all of it.
fn models<T: Config>(model: ModelVersionRef) -> BoundedVec<ModelVersionRef, T::MaxModelsPerWorker> {
	let mut list: Vec<_> = (1..T::MaxModelsPerWorker::get())
		.map(|i| ModelVersionRef {
			model: u64::MAX - u64::from(i),
			version: VersionNumber { major: 1, minor: 0 },
		})
		.collect();
	list.push(model);
	list.try_into().unwrap()
}

fn register<T: Config>(index: u32, model: ModelVersionRef) -> T::AccountId {
	let who = funded::<T>("worker", index);
	let key = signing_key(index);
	Inference::<T>::do_register_worker(
		who.clone(),
		key,
		key_proof::<T>(&who, &key),
		endpoint(),
		HardwareClass::CudaGpu,
		VerificationModes::of(&VerificationMode::ALL),
		models::<T>(model),
		1u32.into(),
		T::MinWorkerStake::get(),
	)
	.expect("funded worker, fresh key");
	who
}

/// The model version and its largest inline input.
fn model_and_input<T: Config>() -> (ModelVersionRef, RequestInput) {
	let model = T::BenchmarkHelper::servable_model();
	let record = T::Models::servable(&model).expect("the helper published it");
	(model, full_input(&record.schema))
}

/// An inline input that fills every input tensor of `schema`.
fn full_input(schema: &IoSchema) -> RequestInput {
	let IoSchema::Tensors { inputs, .. } = schema else { panic!("a tensor schema") };
	let len = verity_primitives::tensors_encoded_len(inputs).expect("bounded") as usize;
	RequestInput::Inline(vec![1u8; len].try_into().expect("fits inline"))
}

/// An open request for `model` from requester number `requester`, assigned to a registered
/// worker; returns it with that worker's index.
fn open_request<T: Config>(
	model: ModelVersionRef,
	input: RequestInput,
	deadline: u32,
	requester: u32,
) -> (RequestId, u32) {
	let index = 0;
	if Workers::<T>::get(account::<T::AccountId>("worker", index, 0)).is_none() {
		register::<T>(index, model);
	}
	let requester = funded::<T>("requester", requester);
	let id = NextRequestId::<T>::get();
	Inference::<T>::do_request_inference(
		requester,
		model,
		input,
		VerificationMode::Vanilla,
		BalanceOf::<T>::max_value() / 16u32.into(),
		deadline.into(),
	)
	.expect("a worker serves it");
	(id, index)
}

/// A result for `id` with the largest inline output, signed by worker `index`'s key.
fn signed_result<T: Config>(
	id: RequestId,
	index: u32,
) -> (Receipt<T::AccountId>, ResultOutput, verity_primitives::ReceiptSignature) {
	let request = Requests::<T>::get(id).unwrap();
	let output = ResultOutput::Inline(vec![2u8; request.output_len as usize].try_into().unwrap());
	let receipt = Receipt {
		genesis_hash: Inference::<T>::genesis_hash(),
		context: verity_primitives::ReceiptContext::OnChain,
		request_id: id,
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
	let public = sp_core::sr25519::Public::from_raw(signing_key(index));
	let signature = sp_io::crypto::sr25519_sign(KEY_TYPE, &public, &receipt.signing_payload())
		.expect("the key is in the keystore");
	(receipt, output, signature.0)
}

/// The schema of a version whose requests carry the largest inline input and whose results are
/// the largest inline output: one `f32` tensor each way.
pub fn largest_inline_schema() -> IoSchema {
	let tensor = |name: &[u8], elements: u32| TensorSpec {
		name: name.to_vec().try_into().expect("a short name"),
		dtype: TensorDtype::F32,
		shape: vec![1, elements].try_into().expect("rank 2"),
	};
	IoSchema::Tensors {
		inputs: vec![tensor(b"x", MAX_INLINE_INPUT / 4)].try_into().expect("one tensor"),
		outputs: vec![tensor(b"y", MAX_INLINE_OUTPUT / 4)].try_into().expect("one tensor"),
	}
}

/// The fee a helper-registered worker asks: a hundredth of the minimum stake.
fn helper_fee<T: Config>() -> BalanceOf<T> {
	T::MinWorkerStake::get() / 100u32.into()
}

/// Funds `who` and registers it as a worker with `key` (and `proof`, the key's signature over
/// `verity_primitives::key_possession_payload`) serving `models` in every mode, staking ten
/// times the minimum.
pub fn registered_worker<T: Config>(
	who: &T::AccountId,
	key: SigningKey,
	proof: ReceiptSignature,
	models: Vec<ModelVersionRef>,
) {
	T::Currency::set_balance(who, BalanceOf::<T>::max_value() / 1024u32.into());
	Inference::<T>::do_register_worker(
		who.clone(),
		key,
		proof,
		b"https://worker.example".to_vec().try_into().expect("a short URL"),
		HardwareClass::Cpu,
		VerificationModes::of(&VerificationMode::ALL),
		models.try_into().expect("within MaxModelsPerWorker"),
		helper_fee::<T>(),
		T::MinWorkerStake::get() * 10u32.into(),
	)
	.expect("a funded worker with a fresh key");
}

/// A settled original result for the servable `model`, answered by the first of two registered
/// workers that serve it (so another can re-execute it), with `disputer` funded to pay for
/// checks; returns the request and its input.
pub fn settled_result<T: Config>(
	model: ModelVersionRef,
	disputer: &T::AccountId,
) -> (RequestId, RequestInput) {
	let record = T::Models::servable(&model).expect("a servable model");
	let input = full_input(&record.schema);
	let workers: Vec<T::AccountId> = (0..2u32)
		.map(|index| {
			let worker = account("sampled-worker", index, 0);
			let key = signing_key(1_000 + index);
			registered_worker::<T>(&worker, key, key_proof::<T>(&worker, &key), vec![model]);
			worker
		})
		.collect();
	T::Currency::set_balance(disputer, BalanceOf::<T>::max_value() / 1024u32.into());
	let request = RequestId::MAX - 1;
	let receipt = Receipt {
		genesis_hash: Inference::<T>::genesis_hash(),
		context: verity_primitives::ReceiptContext::OnChain,
		request_id: request,
		model,
		spec_hash: record.spec_hash,
		model_digest: record.artifact.blake2_256,
		input_digest: input.digest(),
		output_digest: [3; 32],
		mode: VerificationMode::Vanilla,
		worker: workers[0].clone(),
		usage: None,
		generation: None,
		timestamp_ms: 0,
	};
	let paid = FeeSplit {
		model_price: Zero::zero(),
		worker_fee: helper_fee::<T>(),
		protocol_fee: Zero::zero(),
		sampling_premium: Zero::zero(),
	};
	let result = SettledResult {
		requester: disputer.clone(),
		receipt,
		signing_key: [1; 32],
		signature: [0; 64],
		input: input.clone(),
		output: ResultOutput::Inline(Default::default()),
		paid,
		settled_at: Zero::zero(),
		check_of: None,
	};
	Results::<T>::insert(request, result);
	(request, input)
}

/// Records a ZKML answer by the registered `worker` (with `signing_key`) for `model`, with this
/// input and output, awaiting its proof: the request open and assigned with its fee held, its
/// deadline set. Returns the request.
pub fn awaiting_zk_proof<T: Config>(
	worker: &T::AccountId,
	signing_key: SigningKey,
	model: ModelVersionRef,
	input: &[u8],
	output: &[u8],
) -> RequestId {
	let requester = funded::<T>("zk-requester", 0);
	let unit = helper_fee::<T>();
	let fee = FeeSplit {
		model_price: unit,
		worker_fee: unit,
		protocol_fee: unit / 10u32.into(),
		sampling_premium: Zero::zero(),
	};
	let held = fee.model_price + fee.worker_fee + fee.protocol_fee;
	T::Currency::hold(&HoldReason::RequestFee.into(), &requester, held).expect("funded");
	let input = RequestInput::Inline(input.to_vec().try_into().expect("fits inline"));
	let request = RequestId::MAX - 2;
	let deadline = frame_system::Pallet::<T>::block_number() + 100u32.into();
	let receipt = Receipt {
		genesis_hash: Inference::<T>::genesis_hash(),
		context: verity_primitives::ReceiptContext::OnChain,
		request_id: request,
		model,
		spec_hash: [2; 32],
		model_digest: [1; 32],
		input_digest: input.digest(),
		output_digest: verity_primitives::blake2_256(output),
		mode: VerificationMode::Zkml,
		worker: worker.clone(),
		usage: None,
		generation: None,
		timestamp_ms: 0,
	};
	let open = InferenceRequest {
		requester: requester.clone(),
		model,
		spec_hash: [2; 32],
		model_digest: [1; 32],
		model_owner: requester,
		input_digest: input.digest(),
		input,
		output_len: output.len() as u64,
		mode: VerificationMode::Zkml,
		worker: worker.clone(),
		fee,
		submitted_at: Zero::zero(),
		deadline,
		check_of: None,
		deterministic: true,
		chat: None,
	};
	Requests::<T>::insert(request, open);
	Assignments::<T>::insert(worker, request, ());
	Deadlines::<T>::try_append(deadline, request).expect("an empty bucket");
	let answer = AnsweredResult {
		receipt,
		signing_key,
		signature: [0; 64],
		output: output.to_vec().try_into().expect("fits inline"),
		answered_at: Zero::zero(),
	};
	AwaitingProof::<T>::insert(request, answer);
	request
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn register_worker() {
		let (model, _) = model_and_input::<T>();
		for i in 1..T::MaxWorkers::get() {
			register::<T>(i, model);
		}
		let who = funded::<T>("worker", 0);
		let key = signing_key(0);
		let proof = key_proof::<T>(&who, &key);
		#[extrinsic_call]
		_(
			RawOrigin::Signed(who.clone()),
			key,
			proof,
			endpoint(),
			HardwareClass::CudaGpu,
			VerificationModes::of(&VerificationMode::ALL),
			models::<T>(model),
			1u32.into(),
			T::MinWorkerStake::get(),
		);
		assert!(Workers::<T>::contains_key(&who));
	}

	#[benchmark]
	fn update_worker() {
		let (model, _) = model_and_input::<T>();
		let who = register::<T>(0, model);
		#[extrinsic_call]
		_(
			RawOrigin::Signed(who.clone()),
			endpoint(),
			HardwareClass::Cpu,
			VerificationModes::of(&[VerificationMode::Vanilla]),
			models::<T>(model),
			2u32.into(),
		);
		assert_eq!(Workers::<T>::get(&who).unwrap().hardware, HardwareClass::Cpu);
	}

	#[benchmark]
	fn set_min_deadline() {
		let (model, _) = model_and_input::<T>();
		let who = register::<T>(0, model);
		let blocks = T::MaxDeadline::get();
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), blocks);
		assert_eq!(Workers::<T>::get(&who).unwrap().min_deadline, blocks);
	}

	#[benchmark]
	fn bond_extra() {
		let (model, _) = model_and_input::<T>();
		let who = register::<T>(0, model);
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), T::MinWorkerStake::get());
		assert!(Workers::<T>::get(&who).unwrap().stake > T::MinWorkerStake::get());
	}

	#[benchmark]
	fn unbond() {
		let (model, _) = model_and_input::<T>();
		for i in 1..T::MaxWorkers::get() {
			register::<T>(i, model);
		}
		let who = register::<T>(0, model);
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()));
		assert!(!ActiveWorkers::<T>::get().contains(&who));
	}

	#[benchmark]
	fn withdraw() {
		let (model, _) = model_and_input::<T>();
		let who = register::<T>(0, model);
		Inference::<T>::do_unbond(who.clone()).unwrap();
		frame_system::Pallet::<T>::set_block_number(
			frame_system::Pallet::<T>::block_number() + T::UnbondingPeriod::get(),
		);
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()));
		assert!(!Workers::<T>::contains_key(&who));
	}

	#[benchmark]
	fn request_inference(w: Linear<1, { T::MaxWorkers::get() }>) {
		let (model, input) = model_and_input::<T>();
		for i in 0..w {
			register::<T>(i, model);
		}
		let requester = funded::<T>("requester", 0);
		#[extrinsic_call]
		_(
			RawOrigin::Signed(requester),
			model,
			input,
			VerificationMode::Vanilla,
			BalanceOf::<T>::max_value() / 16u32.into(),
			T::MaxDeadline::get(),
		);
		assert!(Requests::<T>::contains_key(0));
	}

	#[benchmark]
	fn request_chat(w: Linear<1, { T::MaxWorkers::get() }>) {
		let model = T::BenchmarkHelper::servable_chat_model();
		for i in 0..w {
			register::<T>(i, model);
		}
		let requester = funded::<T>("requester", 0);
		// The largest inline chat request: parsing is the worker's, the chain only hashes it.
		let input = RequestInput::Inline(
			vec![b' '; verity_primitives::MAX_INLINE_INPUT as usize].try_into().expect("fits"),
		);
		#[extrinsic_call]
		_(
			RawOrigin::Signed(requester),
			model,
			input,
			VerificationMode::Vanilla,
			256,
			BalanceOf::<T>::max_value() / 16u32.into(),
			T::MaxDeadline::get(),
		);
		assert!(Requests::<T>::get(0).is_some_and(|open| open.chat.is_some()));
	}

	#[benchmark]
	fn submit_result() {
		let (model, input) = model_and_input::<T>();
		let (id, index) = open_request::<T>(model, input, 10, 0);
		let (receipt, output, signature) = signed_result::<T>(id, index);
		#[extrinsic_call]
		_(RawOrigin::Authorized, receipt, output, signature, None);
		assert!(Results::<T>::contains_key(id));
	}

	#[benchmark]
	fn authorize_submit_result() -> Result<(), BenchmarkError> {
		let (model, input) = model_and_input::<T>();
		let (id, index) = open_request::<T>(model, input, 10, 0);
		let (receipt, output, signature) = signed_result::<T>(id, index);
		let call = Call::<T>::submit_result { receipt, output, signature, generation: None };
		#[block]
		{
			call.authorize(TransactionSource::External)
				.ok_or("submit_result must be authorized")?
				.map_err(|_| "a valid result")?;
		}
		Ok(())
	}

	/// What a spam result costs the pool: a forged signature, refused by the first check.
	#[benchmark]
	fn authorize_submit_result_forged() -> Result<(), BenchmarkError> {
		let (model, input) = model_and_input::<T>();
		let (id, index) = open_request::<T>(model, input, 10, 0);
		let (receipt, output, _) = signed_result::<T>(id, index);
		let call =
			Call::<T>::submit_result { receipt, output, signature: [0; 64], generation: None };
		#[block]
		{
			let validity = call.authorize(TransactionSource::External);
			let refused = TransactionValidityError::Invalid(InvalidTransaction::Custom(
				crate::types::ResultRejection::BadSignature as u8,
			));
			if validity.map(|v| v.err()) != Some(Some(refused)) {
				return Err("a forged result must be refused".into());
			}
		}
		Ok(())
	}

	#[benchmark]
	fn decline_request() {
		let (model, inline) = model_and_input::<T>();
		let stored = RequestInput::Stored {
			digest: verity_primitives::ArtifactDigest {
				blake2_256: [1; 32],
				sha256: [2; 32],
				size: inline.len(),
			},
			location: verity_primitives::StorageLocation::Https(
				b"https://input.example/x".to_vec().try_into().unwrap(),
			),
		};
		let (id, index) = open_request::<T>(model, stored, 10, 0);
		let reason = verity_primitives::DeclineReason::InputUnavailable;
		let evidence = [3u8; 32];
		let input_digest = Requests::<T>::get(id).expect("just opened").input_digest;
		let payload = verity_primitives::decline_payload(
			&Inference::<T>::genesis_hash(),
			id,
			&input_digest,
			reason,
			&evidence,
		);
		let public = sp_core::sr25519::Public::from_raw(signing_key(index));
		let signature = sp_io::crypto::sr25519_sign(KEY_TYPE, &public, &payload)
			.expect("the key is in the keystore")
			.0;
		let worker = Requests::<T>::get(id).expect("just opened").worker;
		#[extrinsic_call]
		_(RawOrigin::Authorized, id, worker, input_digest, reason, evidence, signature);
		assert!(!Requests::<T>::contains_key(id));
	}

	#[benchmark]
	fn expire_requests(n: Linear<0, { T::MaxRequestsPerBlock::get() }>) {
		// The shortest deadline the runtime accepts (the mock's is shorter than a live chain's).
		let deadline: u32 = T::MinDeadline::get().saturated_into();
		let (model, input) = model_and_input::<T>();
		// Distinct requesters: every refund touches its own account and hold.
		for i in 0..n {
			open_request::<T>(model, input.clone(), deadline, i);
		}
		let block: BlockNumberFor<T> = frame_system::Pallet::<T>::block_number() + deadline.into();
		let expired;
		#[block]
		{
			expired = Inference::<T>::do_expire_requests(block);
		}
		assert_eq!(expired, n);
	}

	impl_benchmark_test_suite!(Inference, crate::mock::new_test_ext(), crate::mock::Test);
}
