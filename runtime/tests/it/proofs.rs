//! The verification path through the whole runtime: a TEE worker attested by the proofs pallet
//! gets TEE requests from the inference pallet and stops getting them when governance revokes
//! its enclave image; a proven batch fault moves real stake to the reporter and the treasury.

use super::{create_model_as_alice, preset_storage, text};
use codec::Encode;
use frame_support::{assert_noop, assert_ok, traits::fungible::Inspect};
use sp_core::{sr25519, Pair};
use sp_genesis_builder::DEV_RUNTIME_PRESET;
use sp_keyring::Sr25519Keyring;
use verity_nitro_attestation::testing::{nitro_like_chain, TestPayload, TestPki};
use verity_primitives::*;
use verity_runtime::{
	configs::TreasuryAccount, Balances, Inference, ModelRegistry, Proofs, Runtime, RuntimeOrigin,
	System, GENESIS_SUPPLY, UNIT,
};

/// 2026-01-01T00:00:00Z.
const T0: u64 = 1_767_225_600_000;
const DAY: u64 = 24 * 60 * 60 * 1000;

fn pcrs() -> PcrSet {
	PcrSet { pcr0: [1; 48], pcr1: [2; 48], pcr2: [3; 48] }
}

/// `pair`'s proof that `who` holds it, as `register_worker` takes it.
pub(crate) fn key_proof(who: &verity_runtime::AccountId, pair: &sr25519::Pair) -> [u8; 64] {
	pair.sign(&key_possession_payload(&Inference::genesis_hash(), who, &pair.public().0)).0
}

/// The next block: a parent hash nobody could know before, then the proofs pallet's draws.
fn next_block() {
	use frame_support::traits::Hooks;
	let now = System::block_number() + 1;
	System::set_parent_hash(sp_core::H256(blake2_256(&(b"block", now).encode())));
	System::set_block_number(now);
	<Proofs as Hooks<u32>>::on_initialize(now);
}

/// Publishes model 0 version 1.0 (4 f32 in, 2 f32 out, Vanilla and TEE) from Alice.
fn publish_model() -> ModelVersionRef {
	publish_model_as(ArtifactFormat::Onnx)
}

fn publish_model_as(format: ArtifactFormat) -> ModelVersionRef {
	let alice = create_model_as_alice("tee-model", "served in enclaves");
	let tensor = |name: &str, n: u32| TensorSpec {
		name: text(name),
		dtype: TensorDtype::F32,
		shape: vec![1, n].try_into().unwrap(),
	};
	let spec = VersionSpec {
		artifact: ArtifactDigest::of(b"model bytes"),
		format,
		schema: IoSchema::Tensors {
			inputs: vec![tensor("x", 4)].try_into().unwrap(),
			outputs: vec![tensor("y", 2)].try_into().unwrap(),
		},
		modes: VerificationModes::of(&[VerificationMode::Vanilla, VerificationMode::Tee]),
		price_per_inference: UNIT / 100,
		price_per_token: 0,
		zk_verifying_key: None,
		locations: vec![StorageLocation::ArtifactStore(text("http://127.0.0.1:9955"))]
			.try_into()
			.unwrap(),
	};
	let version = VersionNumber::new(1, 0);
	assert_ok!(ModelRegistry::publish_version(alice, 0, version, Box::new(spec)));
	ModelVersionRef { model: 0, version }
}

#[test]
fn presets_pin_the_aws_nitro_root() {
	preset_storage(DEV_RUNTIME_PRESET).execute_with(|| {
		let root = pallet_proofs::AttestationRoot::<Runtime>::get();
		assert_eq!(
			sp_io::hashing::sha2_256(&root),
			verity_nitro_attestation::AWS_NITRO_ROOT_G1_SHA256
		);
	});
}

#[test]
fn a_tee_worker_serves_while_attested_and_a_batch_fault_slashes_it() {
	preset_storage(DEV_RUNTIME_PRESET).execute_with(|| {
		System::set_block_number(1);
		pallet_timestamp::Now::<Runtime>::put(T0);
		let worker = Sr25519Keyring::Bob.to_account_id();
		let reporter = Sr25519Keyring::Charlie.to_account_id();
		let requester = RuntimeOrigin::signed(Sr25519Keyring::Dave.to_account_id());
		let signer = sr25519::Pair::from_seed(&[42; 32]);
		let key = signer.public().0;
		let model = publish_model();
		let stake = 1_000 * UNIT;
		assert_ok!(Inference::register_worker(
			RuntimeOrigin::signed(worker.clone()),
			key,
			key_proof(&worker, &signer),
			text("https://enclave.example"),
			HardwareClass::Cpu,
			VerificationModes::of(&[VerificationMode::Vanilla, VerificationMode::Tee]),
			vec![model].try_into().unwrap(),
			UNIT / 100,
			stake,
		));
		let input = || RequestInput::Inline(vec![0u8; 16].try_into().unwrap());
		let ask_tee = || {
			Inference::request_inference(
				requester.clone(),
				model,
				input(),
				VerificationMode::Tee,
				UNIT,
				10,
			)
		};
		assert_noop!(ask_tee(), pallet_inference::Error::<Runtime>::NoAttestedWorker);

		// Governance (sudo on the dev chain) pins a test root and approves the enclave image.
		let pki = TestPki::new(3, &nitro_like_chain(T0 - DAY, T0 + 30 * DAY));
		assert_ok!(Proofs::set_attestation_root(
			RuntimeOrigin::root(),
			pki.root().to_vec().try_into().unwrap()
		));
		assert_ok!(Proofs::approve_pcr_set(RuntimeOrigin::root(), TeeKind::LocalInference, pcrs()));
		let mut payload = TestPayload::new(T0, [pcrs().pcr0, pcrs().pcr1, pcrs().pcr2]);
		payload.nonce = Some(Proofs::next_nonce(&worker).to_vec());
		payload.public_key = Some(key.to_vec());
		assert_ok!(Proofs::attest(
			RuntimeOrigin::signed(worker.clone()),
			TeeKind::LocalInference,
			pki.document(&payload, false).try_into().unwrap()
		));
		assert_ok!(ask_tee());
		assert_eq!(pallet_inference::Requests::<Runtime>::get(0).unwrap().worker, worker);

		// Revoking the image stops TEE assignment at once; Vanilla is unaffected.
		assert_ok!(Proofs::revoke_pcr_set(RuntimeOrigin::root(), pcrs().id()));
		assert_noop!(ask_tee(), pallet_inference::Error::<Runtime>::NoAttestedWorker);
		assert_ok!(Inference::request_inference(
			requester.clone(),
			model,
			input(),
			VerificationMode::Vanilla,
			UNIT,
			10
		));

		// A batch with one forged leaf: the reporter proves it and the stake moves.
		let spec_hash = pallet_model_registry::Versions::<Runtime>::get(model.model, model.version)
			.unwrap()
			.spec
			.spec_hash();
		let receipt = |request_id: u64| Receipt {
			genesis_hash: Proofs::genesis_hash(),
			context: ReceiptContext::Direct,
			request_id,
			model,
			spec_hash,
			model_digest: ArtifactDigest::of(b"model bytes").blake2_256,
			input_digest: [1; 32],
			output_digest: [2; 32],
			mode: VerificationMode::Vanilla,
			worker: worker.clone(),
			usage: None,
			generation: None,
			timestamp_ms: T0,
		};
		let mut leaves: Vec<BatchLeaf<_>> = (0..100)
			.map(|i| {
				let receipt = receipt(i);
				let signature = signer.sign(&receipt.signing_payload()).0;
				BatchLeaf { receipt, signature }
			})
			.collect();
		leaves[57].receipt.output_digest = [9; 32];
		let encoded: Vec<Vec<u8>> = leaves.iter().map(|leaf| leaf.encode()).collect();
		assert_ok!(Proofs::submit_batch(
			RuntimeOrigin::signed(worker.clone()),
			batch_root(&encoded),
			100,
			[5; 32],
			verity_primitives::StorageLocation::Ipfs(b"bafkleaves".to_vec().try_into().unwrap())
		));
		let (reporter_before, treasury_before) =
			(Balances::balance(&reporter), Balances::balance(&TreasuryAccount::get()));
		assert_ok!(Proofs::challenge_leaf(
			RuntimeOrigin::signed(reporter.clone()),
			0,
			57,
			leaves[57].clone(),
			batch_proof(&encoded, 57).unwrap().try_into().unwrap()
		));
		// Half the stake: a tenth of it to the reporter, the rest to the treasury.
		assert_eq!(Balances::balance(&reporter), reporter_before + stake / 20);
		assert_eq!(
			Balances::balance(&TreasuryAccount::get()),
			treasury_before + stake / 2 - stake / 20
		);
		assert_eq!(pallet_inference::Workers::<Runtime>::get(&worker).unwrap().stake, stake / 2);
		assert_eq!(Balances::total_issuance(), GENESIS_SUPPLY);
	});
}

/// Registers a worker for `model` with a key from `seed`; returns its account and key pair.
fn register_worker(
	who: Sr25519Keyring,
	seed: u8,
	model: ModelVersionRef,
) -> (verity_runtime::AccountId, sr25519::Pair) {
	let pair = sr25519::Pair::from_seed(&[seed; 32]);
	assert_ok!(Inference::register_worker(
		RuntimeOrigin::signed(who.to_account_id()),
		pair.public().0,
		key_proof(&who.to_account_id(), &pair),
		text("https://worker.example"),
		HardwareClass::Cpu,
		VerificationModes::of(&[VerificationMode::Vanilla]),
		vec![model].try_into().unwrap(),
		UNIT / 100,
		1_000 * UNIT,
	));
	(who.to_account_id(), pair)
}

/// The assigned worker answers `request` with `output` (8 bytes), through the authorized call.
fn answer(
	request: u64,
	output: u8,
	keys: &[(verity_runtime::AccountId, sr25519::Pair)],
) -> verity_runtime::AccountId {
	let output = ResultOutput::Inline(vec![output; 8].try_into().unwrap());
	submit_answer(request, output, None, None, keys)
}

/// The assigned worker of `request` signs and submits `output` (with `usage` and `evidence`,
/// for a chat result); returns it.
fn submit_answer(
	request: u64,
	output: ResultOutput,
	usage: Option<TokenUsage>,
	evidence: Option<GenerationEvidence>,
	keys: &[(verity_runtime::AccountId, sr25519::Pair)],
) -> verity_runtime::AccountId {
	let (receipt, signature) = signed_receipt(request, &output, usage, evidence.as_ref(), keys);
	let worker = receipt.worker.clone();
	assert_ok!(Inference::submit_result(
		frame_system::RawOrigin::Authorized.into(),
		receipt,
		output,
		signature,
		evidence
	));
	worker
}

/// At block 1: an integer model served by `workers` (keys from seeds 1, 2, ...), and an input
/// for it.
fn int8_market(
	workers: &[Sr25519Keyring],
) -> (ModelVersionRef, Vec<(verity_runtime::AccountId, sr25519::Pair)>, RequestInput) {
	System::set_block_number(1);
	let model = publish_model_as(ArtifactFormat::VerityInt8);
	let keys =
		workers.iter().zip(1u8..).map(|(who, seed)| register_worker(*who, seed, model)).collect();
	(model, keys, RequestInput::Inline(vec![0u8; 16].try_into().unwrap()))
}

#[test]
fn a_disputed_integer_result_is_re_executed_twice_and_the_liar_slashed() {
	preset_storage(DEV_RUNTIME_PRESET).execute_with(|| {
		let (model, keys, input) =
			int8_market(&[Sr25519Keyring::Bob, Sr25519Keyring::Charlie, Sr25519Keyring::Eve]);
		let dave = Sr25519Keyring::Dave.to_account_id();
		assert_ok!(Inference::request_inference(
			RuntimeOrigin::signed(dave.clone()),
			model,
			input.clone(),
			VerificationMode::Vanilla,
			UNIT,
			10
		));
		// The assigned worker lies (output 9); the two others compute 7.
		let liar = answer(0, 9, &keys);
		let issuance = Balances::total_issuance();
		let dave_before = Balances::balance(&dave);
		assert_ok!(Proofs::dispute_result(RuntimeOrigin::signed(dave.clone()), 0));
		// The checker is drawn in the next block, from a hash unknown at the dispute.
		next_block();
		let checker = answer(1, 7, &keys);
		assert_ne!(checker, liar);
		next_block();
		let arbiter = answer(2, 7, &keys);
		assert!(arbiter != liar && arbiter != checker);
		// Half the liar's stake: a tenth of that to Dave, who paid two checks' worker fees.
		let stake = 1_000 * UNIT;
		assert_eq!(pallet_inference::Workers::<Runtime>::get(&liar).unwrap().stake, stake / 2);
		assert_eq!(Balances::balance(&dave), dave_before + stake / 20 - 2 * (UNIT / 100));
		assert!(pallet_proofs::Samples::<Runtime>::get(0).is_none());
		assert_eq!(Balances::total_issuance(), issuance);
	});
}

#[test]
fn about_two_percent_of_integer_results_are_re_executed_at_the_sampling_pots_expense() {
	preset_storage(DEV_RUNTIME_PRESET).execute_with(|| {
		let (model, keys, input) = int8_market(&[Sr25519Keyring::Bob, Sr25519Keyring::Charlie]);
		let dave = RuntimeOrigin::signed(Sr25519Keyring::Dave.to_account_id());
		let pot = verity_runtime::configs::SamplingPot::get();
		let mut sampled = Vec::new();
		for _ in 0..500 {
			let request = pallet_inference::NextRequestId::<Runtime>::get();
			assert_ok!(Inference::request_inference(
				dave.clone(),
				model,
				input.clone(),
				VerificationMode::Vanilla,
				UNIT,
				10
			));
			answer(request, 7, &keys);
			// Drawn in the next block.
			next_block();
			if let Some(sample) = pallet_proofs::Samples::<Runtime>::get(request) {
				// The check went to the other worker, paid by the sampling pot: it agrees.
				let pallet_proofs::SampleStage::Checking { check, checker } = sample.stage else {
					panic!("a first check")
				};
				assert_ne!(checker, sample.worker);
				let check_record = pallet_inference::Requests::<Runtime>::get(check).unwrap();
				assert_eq!(check_record.requester, pot);
				assert_eq!(check_record.check_of, Some(request));
				answer(check, 7, &keys);
				assert!(pallet_proofs::Samples::<Runtime>::get(request).is_none());
				sampled.push(request);
			}
		}
		// 2% of 500 is 10; the draw is pseudo-random.
		assert!((3..=25).contains(&sampled.len()), "{} of 500 sampled", sampled.len());
		for worker in &keys {
			assert_eq!(
				pallet_inference::Workers::<Runtime>::get(&worker.0).unwrap().stake,
				1_000 * UNIT,
				"agreeing checks slash nobody"
			);
		}
	});
}

/// Attack (issue 14, hole 3): over any sequence of requests, honest and lying answers,
/// disputes and draws, the treasury never pays for sampling (its balance never goes down),
/// the sampling pot pays only from what it holds, and issuance never changes.
#[test]
fn the_treasury_never_pays_for_sampling_over_a_random_sequence() {
	preset_storage(DEV_RUNTIME_PRESET).execute_with(|| {
		let (model, keys, input) =
			int8_market(&[Sr25519Keyring::Bob, Sr25519Keyring::Charlie, Sr25519Keyring::Eve]);
		let dave = Sr25519Keyring::Dave.to_account_id();
		let treasury = TreasuryAccount::get();
		let issuance = Balances::total_issuance();
		let mut state = 0x2545_f491_4f6c_dd1du64;
		let mut next = move || {
			state ^= state << 13;
			state ^= state >> 7;
			state ^= state << 17;
			state
		};
		let mut settled = Vec::new();
		for _ in 0..200 {
			let before = Balances::balance(&treasury);
			match next() % 4 {
				// A request, answered at once (honestly 7, or a lie).
				0 | 1 => {
					let request = pallet_inference::NextRequestId::<Runtime>::get();
					if Inference::request_inference(
						RuntimeOrigin::signed(dave.clone()),
						model,
						input.clone(),
						VerificationMode::Vanilla,
						UNIT,
						10,
					)
					.is_ok()
					{
						answer(request, if next() % 5 == 0 { 9 } else { 7 }, &keys);
						settled.push(request);
					}
				},
				// A dispute of some settled result (refused ones change nothing).
				2 if !settled.is_empty() => {
					let request = settled[(next() % settled.len() as u64) as usize];
					let _ = Proofs::dispute_result(RuntimeOrigin::signed(dave.clone()), request);
				},
				// Open checks are answered (honestly) or left to expire.
				_ => {
					let open: Vec<u64> = pallet_inference::Requests::<Runtime>::iter()
						.filter(|(_, r)| r.check_of.is_some())
						.map(|(id, _)| id)
						.collect();
					for check in open {
						if next() % 3 != 0 {
							answer(check, 7, &keys);
						}
					}
				},
			}
			next_block();
			<Inference as frame_support::traits::Hooks<u32>>::on_initialize(System::block_number());
			assert!(Balances::balance(&treasury) >= before, "the treasury paid for sampling");
			assert_eq!(Balances::total_issuance(), issuance);
		}
	});
}

/// At block 1: model 0 version 1.0, a chat model (GGUF, 2048 tokens of context, Vanilla),
/// served by `workers` (keys from seeds 1, 2, ...), and a chat request for it.
fn chat_market(
	workers: &[Sr25519Keyring],
) -> (ModelVersionRef, Vec<(verity_runtime::AccountId, sr25519::Pair)>, RequestInput) {
	System::set_block_number(1);
	let alice = create_model_as_alice("chat-model", "answers questions");
	let spec = VersionSpec {
		artifact: ArtifactDigest::of(b"gguf bytes"),
		format: ArtifactFormat::Gguf,
		schema: IoSchema::Chat { max_context_tokens: 2048 },
		modes: VerificationModes::of(&[VerificationMode::Vanilla]),
		price_per_inference: UNIT / 100,
		price_per_token: UNIT / 10_000,
		zk_verifying_key: None,
		locations: vec![StorageLocation::ArtifactStore(text("http://127.0.0.1:9955"))]
			.try_into()
			.unwrap(),
	};
	let version = VersionNumber::new(1, 0);
	assert_ok!(ModelRegistry::publish_version(alice, 0, version, Box::new(spec)));
	let model = ModelVersionRef { model: 0, version };
	let keys =
		workers.iter().zip(1u8..).map(|(who, seed)| register_worker(*who, seed, model)).collect();
	let chat = br#"{"messages":[{"role":"user","content":"Hi"}],"max_tokens":16}"#;
	(model, keys, RequestInput::Inline(chat.to_vec().try_into().unwrap()))
}

/// `origin` asks `model` the chat `input`, paying for 16 tokens.
fn request_chat(origin: RuntimeOrigin, model: ModelVersionRef, input: RequestInput) {
	assert_ok!(Inference::request_chat(
		origin,
		model,
		input,
		VerificationMode::Vanilla,
		16,
		UNIT,
		10
	));
}

/// Made-up evidence of `tokens` tokens: the chain checks its shape and that the receipt signs
/// it; what it claims is for a checker to re-execute.
fn evidence(tokens: u32) -> GenerationEvidence {
	let fingerprints: Vec<_> = (0..tokens.div_ceil(generation::FINGERPRINT_INTERVAL))
		.map(|n| generation::FingerprintRecord {
			token: n * generation::FINGERPRINT_INTERVAL,
			indices: core::array::from_fn(|i| i as u16),
			values: [1.5f32.to_bits(); generation::FINGERPRINT_TOP_K],
		})
		.collect();
	GenerationEvidence {
		tokens: (100..100 + tokens).collect::<Vec<_>>().try_into().unwrap(),
		fingerprints: fingerprints.try_into().unwrap(),
	}
}

/// A receipt for `request` as its record has it, signed by the assigned worker (from `keys`).
fn signed_receipt(
	request: u64,
	output: &ResultOutput,
	usage: Option<TokenUsage>,
	generation: Option<&GenerationEvidence>,
	keys: &[(verity_runtime::AccountId, sr25519::Pair)],
) -> (Receipt<verity_runtime::AccountId>, [u8; 64]) {
	let record = pallet_inference::Requests::<Runtime>::get(request).unwrap();
	let pair = &keys.iter().find(|(who, _)| *who == record.worker).unwrap().1;
	let receipt = Receipt {
		genesis_hash: Inference::genesis_hash(),
		context: ReceiptContext::OnChain,
		request_id: request,
		model: record.model,
		spec_hash: record.spec_hash,
		model_digest: record.model_digest,
		input_digest: record.input_digest,
		output_digest: output.digest(),
		mode: record.mode,
		worker: record.worker,
		usage,
		generation: generation.map(GenerationEvidence::digest),
		timestamp_ms: 0,
	};
	let signature = pair.sign(&receipt.signing_payload()).0;
	(receipt, signature)
}

/// The assigned worker answers chat `request` with 12 tokens of text and their evidence.
fn answer_chat(
	request: u64,
	keys: &[(verity_runtime::AccountId, sr25519::Pair)],
) -> verity_runtime::AccountId {
	let output = ResultOutput::Inline(b"Hello! How can I help?".to_vec().try_into().unwrap());
	let usage = TokenUsage { prompt_tokens: 9, completion_tokens: 12 };
	submit_answer(request, output, Some(usage), Some(evidence(12)), keys)
}

/// The assigned checker answers check `request` of chat result `original` with its verdict.
fn answer_verdict(
	request: u64,
	original: u64,
	accepted: bool,
	keys: &[(verity_runtime::AccountId, sr25519::Pair)],
) -> verity_runtime::AccountId {
	let verdict = CheckVerdict { accepted, ..Inference::claim_of(original).unwrap() };
	let output = ResultOutput::Inline(verdict.to_bytes().try_into().unwrap());
	submit_answer(request, output, None, None, keys)
}

#[test]
fn a_disputed_chat_result_is_re_executed_and_a_false_claim_slashed() {
	preset_storage(DEV_RUNTIME_PRESET).execute_with(|| {
		let (model, keys, input) =
			chat_market(&[Sr25519Keyring::Bob, Sr25519Keyring::Charlie, Sr25519Keyring::Eve]);
		let dave = Sr25519Keyring::Dave.to_account_id();
		request_chat(RuntimeOrigin::signed(dave.clone()), model, input);
		// Chat results are sampled, so they fund the sampling pot like integer ones.
		let fee = pallet_inference::Requests::<Runtime>::get(0).unwrap().fee;
		assert!(fee.sampling_premium > 0);
		let liar = answer_chat(0, &keys);
		// The chain keeps the evidence its receipt signs, for the checks.
		assert_eq!(pallet_inference::Generations::<Runtime>::get(0), Some(evidence(12)));
		let issuance = Balances::total_issuance();
		let dave_before = Balances::balance(&dave);
		assert_ok!(Proofs::dispute_result(RuntimeOrigin::signed(dave.clone()), 0));
		next_block();
		// The check re-executes the claim: its request holds the original's input and takes
		// exactly a verdict on it.
		let check = pallet_inference::Requests::<Runtime>::get(1).unwrap();
		assert_eq!((check.check_of, check.chat), (Some(0), None));
		assert_eq!(check.output_len, CheckVerdict::LEN as u64);
		let checker = answer_verdict(1, 0, false, &keys);
		assert_ne!(checker, liar);
		next_block();
		let arbiter = answer_verdict(2, 0, false, &keys);
		assert!(arbiter != liar && arbiter != checker);
		let stake = 1_000 * UNIT;
		assert_eq!(pallet_inference::Workers::<Runtime>::get(&liar).unwrap().stake, stake / 2);
		assert_eq!(pallet_inference::Workers::<Runtime>::get(&checker).unwrap().stake, stake);
		assert_eq!(Balances::balance(&dave), dave_before + stake / 20 - 2 * (UNIT / 100));
		assert!(pallet_proofs::Samples::<Runtime>::get(0).is_none());
		assert_eq!(Balances::total_issuance(), issuance);
	});
}

/// A verdict is a judgment within a tolerance: a checker the arbiter overrules is not slashed
/// (honest checkers may split near the tolerance's edge), and the result stands.
#[test]
fn a_checker_that_rejects_an_honest_chat_result_is_overruled_but_not_slashed() {
	preset_storage(DEV_RUNTIME_PRESET).execute_with(|| {
		let (model, keys, input) =
			chat_market(&[Sr25519Keyring::Bob, Sr25519Keyring::Charlie, Sr25519Keyring::Eve]);
		let dave = Sr25519Keyring::Dave.to_account_id();
		request_chat(RuntimeOrigin::signed(dave.clone()), model, input);
		let honest = answer_chat(0, &keys);
		let honest_before = Balances::balance(&honest);
		assert_ok!(Proofs::dispute_result(RuntimeOrigin::signed(dave.clone()), 0));
		next_block();
		let checker = answer_verdict(1, 0, false, &keys);
		next_block();
		answer_verdict(2, 0, true, &keys);
		let stake = 1_000 * UNIT;
		assert_eq!(pallet_inference::Workers::<Runtime>::get(&checker).unwrap().stake, stake);
		assert_eq!(pallet_inference::Workers::<Runtime>::get(&honest).unwrap().stake, stake);
		// The honest worker gets Dave's bond; the result is judged and cannot be disputed again.
		assert_eq!(Balances::balance(&honest), honest_before + UNIT);
		assert!(pallet_proofs::Judged::<Runtime>::contains_key(0));
		assert!(pallet_proofs::Exposure::<Runtime>::get(&checker) == 0);
	});
}

#[test]
fn chat_results_carry_their_evidence_and_checks_a_verdict_on_exactly_that_result() {
	preset_storage(DEV_RUNTIME_PRESET).execute_with(|| {
		let (model, keys, input) =
			chat_market(&[Sr25519Keyring::Bob, Sr25519Keyring::Charlie, Sr25519Keyring::Eve]);
		let dave = RuntimeOrigin::signed(Sr25519Keyring::Dave.to_account_id());
		request_chat(dave.clone(), model, input.clone());
		let output = ResultOutput::Inline(b"Hello!".to_vec().try_into().unwrap());
		let usage = Some(TokenUsage { prompt_tokens: 9, completion_tokens: 12 });
		let submit = |receipt, output, signature, evidence| {
			Inference::submit_result(
				frame_system::RawOrigin::Authorized.into(),
				receipt,
				output,
				signature,
				evidence,
			)
		};
		// No evidence; evidence the receipt does not sign; evidence of other tokens; a
		// malformed one (a fingerprint missing); evidence on a receipt that signs none.
		let good = evidence(12);
		let (receipt, signature) = signed_receipt(0, &output, usage, Some(&good), &keys);
		assert_noop!(
			submit(receipt.clone(), output.clone(), signature, None),
			pallet_inference::Error::<Runtime>::BadEvidence
		);
		let mut other = good.clone();
		other.tokens[3] += 1;
		assert_noop!(
			submit(receipt.clone(), output.clone(), signature, Some(other)),
			pallet_inference::Error::<Runtime>::BadEvidence
		);
		for bad in [evidence(11), {
			let mut missing = evidence(12);
			missing.fingerprints.pop();
			missing
		}] {
			let (receipt, signature) = signed_receipt(0, &output, usage, Some(&bad), &keys);
			assert_noop!(
				submit(receipt, output.clone(), signature, Some(bad)),
				pallet_inference::Error::<Runtime>::BadEvidence
			);
		}
		let (unsigned, signature) = signed_receipt(0, &output, usage, None, &keys);
		assert_noop!(
			submit(unsigned, output.clone(), signature, Some(good.clone())),
			pallet_inference::Error::<Runtime>::BadEvidence
		);
		// A tensor-style answer (no usage) is refused as before.
		let (bare, signature) = signed_receipt(0, &output, None, None, &keys);
		assert_noop!(
			submit(bare, output.clone(), signature, None),
			pallet_inference::Error::<Runtime>::BadUsage
		);
		answer_chat(0, &keys);

		// A second chat result, then a dispute of the first: the check must answer with a
		// verdict on request 0's own claim, not on request 1's, nor with text.
		request_chat(dave.clone(), model, input);
		answer_chat(1, &keys);
		assert_ok!(Proofs::dispute_result(dave, 0));
		next_block();
		// (Request 1 may have been sampled in the same draw: its check is another request.)
		let (check, _) = pallet_inference::Requests::<Runtime>::iter()
			.find(|(_, request)| request.check_of == Some(0))
			.unwrap();
		let wrong_original = CheckVerdict { accepted: true, ..Inference::claim_of(1).unwrap() };
		let forged = CheckVerdict { generation: [9; 32], ..Inference::claim_of(0).unwrap() };
		for bytes in [wrong_original.to_bytes(), forged.to_bytes(), b"accepted".to_vec()] {
			let output = ResultOutput::Inline(bytes.try_into().unwrap());
			let (receipt, signature) = signed_receipt(check, &output, None, None, &keys);
			assert_noop!(
				submit(receipt, output, signature, None),
				pallet_inference::Error::<Runtime>::BadOutput
			);
		}
		// A verdict with evidence beside it is refused too.
		let verdict =
			ResultOutput::Inline(Inference::claim_of(0).unwrap().to_bytes().try_into().unwrap());
		let (receipt, signature) = signed_receipt(check, &verdict, None, None, &keys);
		assert_noop!(
			submit(receipt, verdict, signature, Some(good)),
			pallet_inference::Error::<Runtime>::BadEvidence
		);
		answer_verdict(check, 0, true, &keys);
		assert!(pallet_proofs::Judged::<Runtime>::contains_key(0));
	});
}
