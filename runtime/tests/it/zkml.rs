//! ZKML through the whole runtime, with real Groth16 keys and proofs made here by
//! `verity-zkml`: the owner uploads the version's keys to the Model Hub, a ZKML request is
//! answered (recorded, nothing paid), and the proof bound to that answer's receipt settles and
//! pays it; a proof that does not verify slashes the worker and refunds the requester.

use super::{create_model_as_alice, preset_storage, text};
use frame_support::{
	assert_noop, assert_ok,
	traits::fungible::{Inspect, InspectHold},
};
use rand_chacha::{rand_core::SeedableRng, ChaCha20Rng};
use sp_core::{sr25519, Pair};
use sp_genesis_builder::DEV_RUNTIME_PRESET;
use sp_keyring::Sr25519Keyring;
use verity_int8_format as int8;
use verity_primitives::*;
use verity_runtime::{
	Balances, Inference, ModelRegistry, Proofs, Runtime, RuntimeOrigin, System, UNIT,
};
use verity_zkml::{reference_mlp, setup_from_seed, Prover};

/// The ZKML market: Alice's int8 MLP (4 -> 16 -> 3) published as `0@1.0` with ZKML and its
/// uploaded keys, Bob's worker serving it; returns the version, Bob's key and the prover.
fn zk_market() -> (ModelVersionRef, sr25519::Pair, Prover) {
	System::set_block_number(1);
	let model = reference_mlp(&[4, 16, 3], 11);
	let keys = setup_from_seed(&model, [11; 32]).unwrap();
	let alice = create_model_as_alice("zk-mlp", "proved");
	let int8 = |name: &str, n: u32| TensorSpec {
		name: text(name),
		dtype: TensorDtype::I8,
		shape: vec![1, n].try_into().unwrap(),
	};
	let spec = VersionSpec {
		artifact: ArtifactDigest::of(&int8::encode_file(&model)),
		format: ArtifactFormat::VerityInt8,
		schema: IoSchema::Tensors {
			inputs: vec![int8("x", 4)].try_into().unwrap(),
			outputs: vec![int8("y", 3)].try_into().unwrap(),
		},
		modes: VerificationModes::of(&[VerificationMode::Vanilla, VerificationMode::Zkml]),
		price_per_inference: UNIT / 100,
		price_per_token: 0,
		zk_verifying_key: Some(ArtifactDigest::of(&keys.verifying_key)),
		locations: vec![StorageLocation::ArtifactStore(text("http://127.0.0.1:9955"))]
			.try_into()
			.unwrap(),
	};
	let version = VersionNumber::new(1, 0);
	assert_ok!(ModelRegistry::publish_version(alice.clone(), 0, version, Box::new(spec)));
	let reference = ModelVersionRef { model: 0, version };

	// ZKML requests need the keys.
	let dave = RuntimeOrigin::signed(Sr25519Keyring::Dave.to_account_id());
	let ask = || {
		Inference::request_inference(
			dave.clone(),
			reference,
			RequestInput::Inline(vec![1u8, 2, 3, 4].try_into().unwrap()),
			VerificationMode::Zkml,
			UNIT,
			20,
		)
	};
	assert_noop!(ask(), pallet_inference::Error::<Runtime>::ZkKeysMissing);
	assert_ok!(ModelRegistry::set_zk_keys(
		alice,
		0,
		version,
		Box::new(ZkKeys {
			verifying_key: keys.verifying_key.clone().try_into().unwrap(),
			proving_key: ArtifactDigest::of(&keys.proving_key),
		}),
	));

	let pair = sr25519::Pair::from_seed(&[21; 32]);
	assert_ok!(Inference::register_worker(
		RuntimeOrigin::signed(Sr25519Keyring::Bob.to_account_id()),
		pair.public().0,
		super::proofs::key_proof(&Sr25519Keyring::Bob.to_account_id(), &pair),
		text("https://worker.example"),
		HardwareClass::Cpu,
		VerificationModes::of(&[VerificationMode::Vanilla, VerificationMode::Zkml]),
		vec![reference].try_into().unwrap(),
		UNIT / 100,
		1_000 * UNIT,
	));
	(reference, pair, Prover::new(model, &keys.proving_key).unwrap())
}

/// Dave asks for a ZKML inference on `input`; Bob answers with the engine's output. Returns the
/// request and the answer's receipt.
fn answered(
	reference: ModelVersionRef,
	pair: &sr25519::Pair,
	prover: &Prover,
	input: &[i8],
) -> (u64, Receipt<verity_runtime::AccountId>) {
	let request = pallet_inference::NextRequestId::<Runtime>::get();
	let bytes: Vec<u8> = input.iter().map(|x| *x as u8).collect();
	assert_ok!(Inference::request_inference(
		RuntimeOrigin::signed(Sr25519Keyring::Dave.to_account_id()),
		reference,
		RequestInput::Inline(bytes.try_into().unwrap()),
		VerificationMode::Zkml,
		UNIT,
		20,
	));
	let record = pallet_inference::Requests::<Runtime>::get(request).unwrap();
	let output: Vec<u8> =
		prover.model().forward(input).unwrap().into_iter().map(|x| x as u8).collect();
	let output = ResultOutput::Inline(output.try_into().unwrap());
	let receipt = Receipt {
		genesis_hash: Inference::genesis_hash(),
		context: ReceiptContext::OnChain,
		request_id: request,
		model: record.model,
		spec_hash: record.spec_hash,
		model_digest: record.model_digest,
		input_digest: record.input_digest,
		output_digest: output.digest(),
		mode: VerificationMode::Zkml,
		worker: record.worker,
		usage: None,
		generation: None,
		timestamp_ms: 0,
	};
	let signature = pair.sign(&receipt.signing_payload()).0;
	assert_ok!(Inference::submit_result(
		frame_system::RawOrigin::Authorized.into(),
		receipt.clone(),
		output,
		signature,
		None
	));
	assert!(pallet_inference::AwaitingProof::<Runtime>::contains_key(request));
	(request, receipt)
}

/// The worker submits `proof` for the answer the chain recorded for `request` (its signature
/// covers that answer's binding).
fn submit_proof(pair: &sr25519::Pair, request: u64, proof: Vec<u8>) {
	let binding =
		pallet_inference::AwaitingProof::<Runtime>::get(request).unwrap().receipt.zk_binding();
	let signature =
		pair.sign(&zk_proof_payload(&Proofs::genesis_hash(), request, &binding, &proof)).0;
	assert_ok!(Proofs::submit_proof(
		frame_system::RawOrigin::Authorized.into(),
		request,
		proof.try_into().unwrap(),
		signature
	));
}

fn fee_held(who: &verity_runtime::AccountId) -> u128 {
	Balances::balance_on_hold(&pallet_inference::HoldReason::RequestFee.into(), who)
}

#[test]
fn a_proved_zkml_answer_settles_and_pays() {
	preset_storage(DEV_RUNTIME_PRESET).execute_with(|| {
		let (reference, pair, prover) = zk_market();
		let (bob, dave) =
			(Sr25519Keyring::Bob.to_account_id(), Sr25519Keyring::Dave.to_account_id());
		let issuance = Balances::total_issuance();
		let input = [12i8, -40, 100, 7];
		let (request, receipt) = answered(reference, &pair, &prover, &input);
		let held = fee_held(&dave);
		assert!(held > 0, "answered, not paid");
		let bob_before = Balances::balance(&bob);

		let proved = prover
			.prove(&input, &receipt.zk_binding(), &mut ChaCha20Rng::seed_from_u64(1))
			.unwrap();
		submit_proof(&pair, request, proved.proof);

		System::assert_has_event(
			pallet_proofs::Event::<Runtime>::ZkProofVerified { request, worker: bob.clone() }
				.into(),
		);
		let settled = pallet_inference::Results::<Runtime>::get(request).unwrap();
		assert_eq!(settled.receipt, receipt);
		assert_eq!(fee_held(&dave), 0);
		assert_eq!(Balances::balance(&bob), bob_before + UNIT / 100);
		assert!(!pallet_inference::AwaitingProof::<Runtime>::contains_key(request));
		assert_eq!(pallet_inference::Workers::<Runtime>::get(&bob).unwrap().stake, 1_000 * UNIT);
		assert_eq!(Balances::total_issuance(), issuance);
	});
}

#[test]
fn a_proof_of_another_request_slashes_and_refunds() {
	preset_storage(DEV_RUNTIME_PRESET).execute_with(|| {
		let (reference, pair, prover) = zk_market();
		let (bob, dave) =
			(Sr25519Keyring::Bob.to_account_id(), Sr25519Keyring::Dave.to_account_id());
		let issuance = Balances::total_issuance();
		let dave_before = Balances::balance(&dave);
		let input = [1i8, 2, 3, 4];
		let (first, first_receipt) = answered(reference, &pair, &prover, &input);
		let (second, _) = answered(reference, &pair, &prover, &input);
		let proof_of_first = prover
			.prove(&input, &first_receipt.zk_binding(), &mut ChaCha20Rng::seed_from_u64(2))
			.unwrap()
			.proof;

		// The first request's proof, submitted for the second (same model, input and output).
		submit_proof(&pair, second, proof_of_first.clone());
		System::assert_has_event(
			pallet_proofs::Event::<Runtime>::ZkProofRejected {
				request: second,
				worker: bob.clone(),
				reason: pallet_proofs::ZkRejection::ProofRejected,
			}
			.into(),
		);
		assert!(pallet_inference::Results::<Runtime>::get(second).is_none());
		assert_eq!(pallet_inference::Workers::<Runtime>::get(&bob).unwrap().stake, 500 * UNIT);

		// The first still settles with its own proof; Dave paid for it only.
		submit_proof(&pair, first, proof_of_first);
		assert!(pallet_inference::Results::<Runtime>::get(first).is_some());
		let first_cost = pallet_inference::Results::<Runtime>::get(first).unwrap().paid;
		assert_eq!(fee_held(&dave), 0);
		assert_eq!(
			Balances::balance(&dave),
			dave_before - first_cost.model_price - first_cost.worker_fee - first_cost.protocol_fee
		);
		assert_eq!(Balances::total_issuance(), issuance);
	});
}
