use crate::{mock::*, *};
use codec::Encode;
use frame_support::{assert_noop, assert_ok, traits::Hooks, BoundedVec};
use sp_core::crypto::KeyTypeId;
use sp_runtime::DispatchError;
use sp_runtime::Perbill;
use verity_nitro_attestation::testing::{nitro_like_chain, TestPayload, TestPki};
use verity_primitives::{
	batch_proof, batch_root, BatchLeaf, ModelVersionRef, PcrSet, Receipt, SigningKey,
	StorageLocation, TeeKind, VerificationMode, VersionNumber,
};

const KEY_TYPE: KeyTypeId = KeyTypeId(*b"test");
/// 2026-01-01T00:00:00Z.
const T0: u64 = 1_767_225_600_000;
const DAY: u64 = 24 * 60 * 60 * 1000;
const WORKER: u64 = 1;
const REPORTER: u64 = 2;
const STAKE: u64 = 1_000_000;

fn pcrs(tag: u8) -> PcrSet {
	PcrSet { pcr0: [tag; 48], pcr1: [tag.wrapping_add(1); 48], pcr2: [tag.wrapping_add(2); 48] }
}

fn pki() -> TestPki {
	TestPki::new(7, &nitro_like_chain(T0 - DAY, T0 + 30 * DAY))
}

fn new_key() -> SigningKey {
	sp_io::crypto::sr25519_generate(KEY_TYPE, None).0
}

fn sign(key: &SigningKey, message: &[u8]) -> [u8; 64] {
	sp_io::crypto::sr25519_sign(KEY_TYPE, &sp_core::sr25519::Public::from_raw(*key), message)
		.unwrap()
		.0
}

/// A document for `WORKER` at `timestamp`, with its current nonce and `key` as public_key.
fn payload(set: &PcrSet, timestamp: u64, key: &SigningKey) -> TestPayload {
	let mut payload = TestPayload::new(timestamp, [set.pcr0, set.pcr1, set.pcr2]);
	payload.nonce = Some(Proofs::next_nonce(&WORKER).to_vec());
	payload.public_key = Some(key.to_vec());
	payload
}

fn doc(bytes: Vec<u8>) -> AttestationDocument {
	BoundedVec::try_from(bytes).unwrap()
}

/// Externalities with the test PKI's root, an approved LocalInference set `pcrs(1)`, the clock
/// at `T0` and a registered worker; returns the worker's key.
fn setup(pki: &TestPki) -> (sp_io::TestExternalities, SigningKey) {
	let mut ext = new_test_ext(pki.root().to_vec());
	let key = ext.execute_with(|| {
		NowMs::set(T0);
		assert_ok!(Proofs::approve_pcr_set(
			RuntimeOrigin::root(),
			TeeKind::LocalInference,
			pcrs(1)
		));
		let key = new_key();
		add_worker(WORKER, key, STAKE);
		key
	});
	(ext, key)
}

fn attest_now(
	pki: &TestPki,
	key: &SigningKey,
) -> frame_support::dispatch::DispatchResultWithPostInfo {
	let document = pki.document(&payload(&pcrs(1), NowMs::get(), key), false);
	Proofs::attest(RuntimeOrigin::signed(WORKER), TeeKind::LocalInference, doc(document))
}

fn last_attested_checks() -> u32 {
	System::events()
		.into_iter()
		.rev()
		.find_map(|record| match record.event {
			RuntimeEvent::Proofs(Event::WorkerAttested { signature_checks, .. }) => {
				Some(signature_checks)
			},
			_ => None,
		})
		.unwrap()
}

#[test]
fn attestation_is_accepted_refreshed_and_cached() {
	let pki = pki();
	let (mut ext, key) = setup(&pki);
	ext.execute_with(|| {
		assert!(!Proofs::is_attested(&WORKER, &key));
		assert_ok!(attest_now(&pki, &key));
		assert_eq!(last_attested_checks(), 5, "cold cache: 3 links + leaf + document");
		assert!(Proofs::is_attested(&WORKER, &key));
		assert!(!Proofs::is_attested(&WORKER, &[9; 32]), "only for the bound key");
		let record = Attestations::<Test>::get(WORKER).unwrap();
		assert_eq!(record.kind, TeeKind::LocalInference);
		assert_eq!(record.pcr_set, pcrs(1).id());
		assert_eq!(record.live_until_ms, T0 + 30 * 60 * 1000);
		assert_eq!(CertificateCache::<Test>::get().len(), 3);

		// A heartbeat ten minutes later: the cached instance certificate leaves two checks.
		NowMs::set(T0 + 10 * 60 * 1000);
		assert_ok!(attest_now(&pki, &key));
		assert_eq!(last_attested_checks(), 2);
		assert_eq!(AttestationCount::<Test>::get(WORKER), 2);
		assert_eq!(Attestations::<Test>::get(WORKER).unwrap().live_until_ms, T0 + 40 * 60 * 1000);

		// Without a heartbeat the attestation lapses.
		NowMs::set(T0 + 40 * 60 * 1000 + 1);
		assert!(!Proofs::is_attested(&WORKER, &key));
	});
}

#[test]
fn user_data_can_bind_the_key() {
	let pki = pki();
	let (mut ext, key) = setup(&pki);
	ext.execute_with(|| {
		let mut payload = payload(&pcrs(1), T0, &key);
		payload.public_key = Some(vec![3; 33]);
		payload.user_data = Some(key.to_vec());
		let document = doc(pki.document(&payload, true));
		assert_ok!(Proofs::attest(
			RuntimeOrigin::signed(WORKER),
			TeeKind::LocalInference,
			document
		));
		assert!(Proofs::is_attested(&WORKER, &key));
	});
}

#[test]
fn revoking_a_pcr_set_disables_its_workers_at_once() {
	let pki = pki();
	let (mut ext, key) = setup(&pki);
	ext.execute_with(|| {
		assert_ok!(attest_now(&pki, &key));
		assert_noop!(
			Proofs::revoke_pcr_set(RuntimeOrigin::signed(WORKER), pcrs(1).id()),
			DispatchError::BadOrigin
		);
		assert_ok!(Proofs::revoke_pcr_set(RuntimeOrigin::root(), pcrs(1).id()));
		assert!(!Proofs::is_attested(&WORKER, &key));
		assert_noop!(attest_now(&pki, &key), Error::<Test>::PcrSetNotApproved);
		assert_noop!(
			Proofs::revoke_pcr_set(RuntimeOrigin::root(), pcrs(1).id()),
			Error::<Test>::UnknownPcrSet
		);
		// Approving it again brings the same record back to life.
		assert_ok!(Proofs::approve_pcr_set(
			RuntimeOrigin::root(),
			TeeKind::LocalInference,
			pcrs(1)
		));
		assert!(Proofs::is_attested(&WORKER, &key));
	});
}

#[test]
fn governance_checks_pcr_sets() {
	let pki = pki();
	let (mut ext, _) = setup(&pki);
	ext.execute_with(|| {
		let debug = PcrSet { pcr0: [0; 48], pcr1: [0; 48], pcr2: [0; 48] };
		assert_noop!(
			Proofs::approve_pcr_set(RuntimeOrigin::root(), TeeKind::LlmProxy, debug),
			Error::<Test>::DebugPcrSet
		);
		assert_noop!(
			Proofs::approve_pcr_set(RuntimeOrigin::root(), TeeKind::LlmProxy, pcrs(1)),
			Error::<Test>::PcrSetAlreadyApproved
		);
		assert_noop!(
			Proofs::approve_pcr_set(RuntimeOrigin::signed(1), TeeKind::LlmProxy, pcrs(2)),
			DispatchError::BadOrigin
		);
	});
}

#[test]
fn every_bad_attestation_is_refused_without_a_change() {
	let pki = pki();
	let (mut ext, key) = setup(&pki);
	ext.execute_with(|| {
		let attest = |kind: TeeKind, bytes: Vec<u8>| {
			Proofs::attest(RuntimeOrigin::signed(WORKER), kind, doc(bytes))
		};
		let good = payload(&pcrs(1), T0, &key);
		let local = TeeKind::LocalInference;

		// Not a worker.
		assert_noop!(
			Proofs::attest(RuntimeOrigin::signed(REPORTER), local, doc(pki.document(&good, false))),
			Error::<Test>::NotAWorker
		);
		// Random and truncated bytes.
		assert_noop!(attest(local, vec![0x42; 300]), Error::<Test>::MalformedAttestation);
		let full = pki.document(&good, false);
		assert_noop!(
			attest(local, full[..full.len() / 2].to_vec()),
			Error::<Test>::MalformedAttestation
		);
		// Another root's chain.
		let other = TestPki::new(8, &nitro_like_chain(T0 - DAY, T0 + 30 * DAY));
		assert_noop!(
			attest(local, other.document(&good, false)),
			Error::<Test>::WrongAttestationRoot
		);
		// Expired and not-yet-valid chains (by block time).
		NowMs::set(T0 + 31 * DAY);
		let late = payload(&pcrs(1), NowMs::get(), &key);
		assert_noop!(
			attest(local, pki.document(&late, false)),
			Error::<Test>::CertificateNotValidNow
		);
		NowMs::set(T0);
		// Debug mode, unapproved measurements, approved ones of another kind.
		let debug = PcrSet { pcr0: [0; 48], pcr1: [0; 48], pcr2: [0; 48] };
		assert_noop!(
			attest(local, pki.document(&payload(&debug, T0, &key), false)),
			Error::<Test>::DebugModeEnclave
		);
		assert_noop!(
			attest(local, pki.document(&payload(&pcrs(5), T0, &key), false)),
			Error::<Test>::PcrSetNotApproved
		);
		assert_noop!(attest(TeeKind::LlmProxy, full.clone()), Error::<Test>::PcrSetNotApproved);
		// Another worker's key, no nonce, a stale document, one from the future.
		let mut wrong_key = good.clone();
		wrong_key.public_key = Some(vec![9; 32]);
		assert_noop!(attest(local, pki.document(&wrong_key, false)), Error::<Test>::KeyNotBound);
		let mut no_nonce = good.clone();
		no_nonce.nonce = None;
		assert_noop!(attest(local, pki.document(&no_nonce, false)), Error::<Test>::WrongNonce);
		let stale = payload(&pcrs(1), T0 - 11 * 60 * 1000, &key);
		assert_noop!(attest(local, pki.document(&stale, false)), Error::<Test>::StaleAttestation);
		let future = payload(&pcrs(1), T0 + 60 * 60 * 1000, &key);
		assert_noop!(attest(local, pki.document(&future, false)), Error::<Test>::StaleAttestation);
		// A bad document signature.
		let mut forged = full.clone();
		let last = forged.len() - 1;
		forged[last] ^= 1;
		assert_noop!(attest(local, forged), Error::<Test>::BadAttestationSignature);

		// The good one passes, and then is a replay.
		assert_ok!(attest(local, full.clone()));
		assert_noop!(attest(local, full), Error::<Test>::WrongNonce);
	});
}

#[test]
fn the_real_nitro_document_passes_the_chain_and_fails_the_policy() {
	let root =
		verity_nitro_attestation::root_from_pem(verity_nitro_attestation::AWS_NITRO_ROOT_G1_PEM)
			.unwrap();
	let document = std::fs::read(
		std::path::Path::new(
			&std::env::var_os("CARGO_MANIFEST_DIR")
				.expect("cargo sets CARGO_MANIFEST_DIR when it runs a test"),
		)
		.join("../../../shared/testdata/nitro/real-2025-09-09.cose"),
	)
	.unwrap();
	let mut ext = new_test_ext(root);
	ext.execute_with(|| {
		NowMs::set(1_757_440_781_958);
		add_worker(WORKER, [1; 32], STAKE);
		let real = |i: u8| -> [u8; 48] {
			let hex = [
				"94b74422daddb8f503fcd69df064c7cde5d053001b9cd153c75ec34484283496a37e89c7287a00f467759a6863362b60",
				"927e084e583f5c2d60a39e2b9cd9728bfb390aa9f83dee4b6ac768509850ba273ea8b019ccfbf3180eb18a2dd0c4a678",
				"07c20c057d5c10cb732b273b7fa26a2b67e333344ccda49be939a6b7c5bed5e46f0b0703386dd2d0f6104a13a4894cb2",
			][i as usize];
			let mut out = [0u8; 48];
			for (j, byte) in out.iter_mut().enumerate() {
				*byte = u8::from_str_radix(&hex[2 * j..2 * j + 2], 16).unwrap();
			}
			out
		};
		let set = PcrSet { pcr0: real(0), pcr1: real(1), pcr2: real(2) };
		assert_ok!(Proofs::approve_pcr_set(RuntimeOrigin::root(), TeeKind::LlmProxy, set));
		// The chain, the dates and the signature hold; the document carries no nonce of ours
		// (and binds a secp256k1 key, not this worker's).
		assert_noop!(
			Proofs::attest(RuntimeOrigin::signed(WORKER), TeeKind::LlmProxy, doc(document.clone())),
			Error::<Test>::WrongNonce
		);
		// Three hours later its leaf certificate has expired.
		NowMs::set(1_757_440_781_958 + 3 * 60 * 60 * 1000 + 1000);
		assert_noop!(
			Proofs::attest(RuntimeOrigin::signed(WORKER), TeeKind::LlmProxy, doc(document)),
			Error::<Test>::CertificateNotValidNow
		);
	});
}

#[test]
fn the_certificate_cache_stays_bounded_and_drops_expired_entries() {
	// Two PKIs with different roots would not chain; use two chains under one root instead by
	// re-seeding: each attest adds its three verified CA certificates.
	let pki = pki();
	let (mut ext, key) = setup(&pki);
	ext.execute_with(|| {
		assert_ok!(attest_now(&pki, &key));
		CertificateCache::<Test>::mutate(|cache| {
			for i in 0..(4 - cache.len()) {
				cache.try_push(([i as u8 + 100; 32], T0 - 1)).unwrap();
			}
		});
		assert_eq!(CertificateCache::<Test>::get().len(), 4);
		// A new root empties the cache.
		assert_ok!(Proofs::set_attestation_root(
			RuntimeOrigin::root(),
			BoundedVec::try_from(pki.root().to_vec()).unwrap()
		));
		assert!(CertificateCache::<Test>::get().is_empty());
		CertificateCache::<Test>::mutate(|cache| {
			for i in 0..4u8 {
				cache.try_push(([i + 100; 32], T0 - 1)).unwrap();
			}
		});
		// The expired filler entries make room for the chain's certificates.
		assert_ok!(attest_now(&pki, &key));
		assert_eq!(last_attested_checks(), 5);
		let cache = CertificateCache::<Test>::get();
		assert!(cache.len() <= 4);
		assert!(cache.iter().all(|(_, until)| *until >= T0));
	});
}

// ---- batches ----

fn receipt(key_owner: u64, request: u64, mode: VerificationMode) -> Receipt<u64> {
	let model = ModelVersionRef { model: 0, version: VersionNumber { major: 1, minor: 0 } };
	Receipt {
		genesis_hash: Proofs::genesis_hash(),
		context: verity_primitives::ReceiptContext::Direct,
		request_id: request,
		model,
		spec_hash: spec_hash_of(&model),
		model_digest: [1; 32],
		input_digest: [2; 32],
		output_digest: [request as u8; 32],
		mode,
		worker: key_owner,
		usage: None,
		generation: None,
		timestamp_ms: T0,
	}
}

fn leaf(key: &SigningKey, receipt: Receipt<u64>) -> BatchLeaf<u64> {
	let signature = sign(key, &receipt.signing_payload());
	BatchLeaf { receipt, signature }
}

/// A batch of `count` valid Vanilla leaves with `bad` put at index `at`; returns the leaves.
fn post_batch(
	key: &SigningKey,
	count: u32,
	bad: Option<(u32, BatchLeaf<u64>)>,
) -> Vec<BatchLeaf<u64>> {
	let mut leaves: Vec<BatchLeaf<u64>> = (0..count as u64)
		.map(|i| leaf(key, receipt(WORKER, i, VerificationMode::Vanilla)))
		.collect();
	if let Some((at, leaf)) = bad {
		leaves[at as usize] = leaf;
	}
	let encoded: Vec<Vec<u8>> = leaves.iter().map(|l| l.encode()).collect();
	assert_ok!(Proofs::submit_batch(
		RuntimeOrigin::signed(WORKER),
		batch_root(&encoded),
		count,
		[7; 32],
		leaves_at()
	));
	leaves
}

/// Where the tests' batches say their leaves are.
fn leaves_at() -> StorageLocation {
	StorageLocation::ArtifactStore(b"https://store.example/verity".to_vec().try_into().unwrap())
}

fn challenge(
	batch: BatchId,
	leaves: &[BatchLeaf<u64>],
	index: u32,
) -> frame_support::dispatch::DispatchResult {
	let encoded: Vec<Vec<u8>> = leaves.iter().map(|l| l.encode()).collect();
	let proof = batch_proof(&encoded, index).unwrap();
	Proofs::challenge_leaf(
		RuntimeOrigin::signed(REPORTER),
		batch,
		index,
		leaves[index as usize].clone(),
		BoundedVec::try_from(proof).unwrap(),
	)
}

fn assert_slashed(fault: Fault, evidence: &BatchLeaf<u64>) {
	// 10% of the stake; half to the reporter, half to the treasury.
	assert_eq!(TestWorkers::stake(&WORKER), STAKE - STAKE / 10);
	assert_eq!(credited(REPORTER), STAKE / 20);
	assert_eq!(credited(TREASURY), STAKE / 20);
	System::assert_has_event(
		Event::WorkerSlashed {
			worker: WORKER,
			fault,
			evidence: verity_primitives::blake2_256(&evidence.encode()),
			amount: STAKE / 10,
			reporter: REPORTER,
			reporter_reward: STAKE / 20,
		}
		.into(),
	);
}

#[test]
fn a_valid_leaf_cannot_be_slashed_and_bad_proofs_are_refused() {
	let pki = pki();
	let (mut ext, key) = setup(&pki);
	ext.execute_with(|| {
		let leaves = post_batch(&key, 10, None);
		assert_noop!(challenge(0, &leaves, 3), Error::<Test>::LeafValid);
		let encoded: Vec<Vec<u8>> = leaves.iter().map(|l| l.encode()).collect();
		let proof = batch_proof(&encoded, 3).unwrap();
		let call = |index: u32, leaf: &BatchLeaf<u64>, proof: Vec<[u8; 32]>| {
			Proofs::challenge_leaf(
				RuntimeOrigin::signed(REPORTER),
				0,
				index,
				leaf.clone(),
				BoundedVec::try_from(proof).unwrap(),
			)
		};
		// The right proof under the wrong index (same depth), and the wrong depth.
		assert_noop!(call(2, &leaves[3], proof.clone()), Error::<Test>::BadMerkleProof);
		assert_noop!(call(3, &leaves[3], proof[1..].to_vec()), Error::<Test>::WrongProofDepth);
		let mut longer = proof.clone();
		longer.push([0; 32]);
		assert_noop!(call(3, &leaves[3], longer), Error::<Test>::WrongProofDepth);
		assert_noop!(call(10, &leaves[3], proof.clone()), Error::<Test>::LeafIndexOutOfRange);
		// A leaf that is not in the batch.
		let outsider = leaf(&key, receipt(WORKER, 99, VerificationMode::Vanilla));
		assert_noop!(call(3, &outsider, proof.clone()), Error::<Test>::BadMerkleProof);
		assert_noop!(
			Proofs::challenge_leaf(
				RuntimeOrigin::signed(REPORTER),
				5,
				3,
				leaves[3].clone(),
				BoundedVec::try_from(proof).unwrap()
			),
			Error::<Test>::UnknownBatch
		);
		assert_eq!(TestWorkers::stake(&WORKER), STAKE);
	});
}

#[test]
fn a_leaf_with_a_bad_signature_slashes_the_worker_once() {
	let pki = pki();
	let (mut ext, key) = setup(&pki);
	ext.execute_with(|| {
		let mut forged = leaf(&key, receipt(WORKER, 4, VerificationMode::Vanilla));
		forged.receipt.output_digest = [0xee; 32];
		let leaves = post_batch(&key, 10, Some((4, forged.clone())));
		assert_ok!(challenge(0, &leaves, 4));
		assert_slashed(Fault::BadLeafSignature, &forged);
		assert_eq!(Batches::<Test>::get(0).unwrap().status, BatchStatus::Faulted);
		assert_noop!(challenge(0, &leaves, 4), Error::<Test>::BatchAlreadyFaulted);
	});
}

#[test]
fn foreign_wrong_chain_and_unattested_tee_leaves_are_faults() {
	let pki = pki();
	for (fault, make) in [
		(
			Fault::ForeignLeaf,
			(|key: &SigningKey| leaf(key, receipt(3, 1, VerificationMode::Vanilla)))
				as fn(&SigningKey) -> BatchLeaf<u64>,
		),
		(Fault::WrongChain, |key: &SigningKey| {
			let mut r = receipt(WORKER, 1, VerificationMode::Vanilla);
			r.genesis_hash = [0xab; 32];
			leaf(key, r)
		}),
		(Fault::UnattestedTeeLeaf, |key: &SigningKey| {
			leaf(key, receipt(WORKER, 1, VerificationMode::Tee))
		}),
		// An on-chain request's receipt has no place in a batch of direct receipts.
		(Fault::WrongContext, |key: &SigningKey| {
			let mut r = receipt(WORKER, 1, VerificationMode::Vanilla);
			r.context = verity_primitives::ReceiptContext::OnChain;
			leaf(key, r)
		}),
		// A direct receipt read with a schema the version does not have.
		(Fault::WrongSpec, |key: &SigningKey| {
			let mut r = receipt(WORKER, 1, VerificationMode::Vanilla);
			r.spec_hash = [0x5e; 32];
			leaf(key, r)
		}),
	] {
		let (mut ext, key) = setup(&pki);
		ext.execute_with(|| {
			let bad = make(&key);
			let leaves = post_batch(&key, 5, Some((1, bad.clone())));
			assert_ok!(challenge(0, &leaves, 1));
			assert_slashed(fault, &bad);
		});
	}
}

/// Attack (issue 14, hole 6): a TEE leaf is judged by the attestation live when it was signed.
/// A missed heartbeat before posting does not turn honest leaves into faults, and a leaf dated
/// outside every attested span is a fault even when posted while attested.
#[test]
fn tee_leaves_are_judged_by_the_attestation_live_when_signed() {
	let pki = pki();
	let (mut ext, key) = setup(&pki);
	ext.execute_with(|| {
		assert_ok!(attest_now(&pki, &key));
		let honest = leaf(&key, receipt(WORKER, 1, VerificationMode::Tee));
		// Hours later the heartbeat lapsed; the batch is posted anyway.
		NowMs::set(T0 + 3 * 60 * 60 * 1000);
		let leaves = post_batch(&key, 3, Some((1, honest)));
		assert!(!Batches::<Test>::get(0).unwrap().tee_live);
		assert_noop!(challenge(0, &leaves, 1), Error::<Test>::LeafValid);
		// Attested again now: a leaf dated in the gap is still a fault.
		assert_ok!(attest_now(&pki, &key));
		let mut gap = receipt(WORKER, 2, VerificationMode::Tee);
		gap.timestamp_ms = T0 + 2 * 60 * 60 * 1000;
		let gap = leaf(&key, gap);
		System::set_block_number(2);
		let leaves = post_batch(&key, 3, Some((2, gap.clone())));
		assert!(Batches::<Test>::get(1).unwrap().tee_live);
		assert_ok!(challenge(1, &leaves, 2));
		assert_slashed(Fault::UnattestedTeeLeaf, &gap);
		// Two spans kept: the first, and the one from the new document on.
		assert_eq!(AttestedSpans::<Test>::get(WORKER).len(), 2);
	});
}

#[test]
fn tee_leaves_of_an_attested_worker_are_valid() {
	let pki = pki();
	let (mut ext, key) = setup(&pki);
	ext.execute_with(|| {
		assert_ok!(attest_now(&pki, &key));
		let tee = leaf(&key, receipt(WORKER, 1, VerificationMode::Tee));
		let leaves = post_batch(&key, 3, Some((1, tee)));
		assert!(Batches::<Test>::get(0).unwrap().tee_live);
		assert_noop!(challenge(0, &leaves, 1), Error::<Test>::LeafValid);
	});
}

#[test]
fn batches_finalize_after_their_window_and_windows_are_bounded() {
	let pki = pki();
	let (mut ext, key) = setup(&pki);
	ext.execute_with(|| {
		assert_noop!(
			Proofs::submit_batch(RuntimeOrigin::signed(WORKER), [0; 32], 0, [0; 32], leaves_at()),
			Error::<Test>::EmptyBatch
		);
		let too_many = verity_primitives::MAX_BATCH_LEAVES + 1;
		assert_noop!(
			Proofs::submit_batch(
				RuntimeOrigin::signed(WORKER),
				[0; 32],
				too_many,
				[0; 32],
				leaves_at()
			),
			Error::<Test>::BatchTooLarge
		);
		// The leaves must be somewhere anyone can fetch them: a well-formed location.
		let nowhere =
			StorageLocation::ArtifactStore(b"file:///tmp/leaves".to_vec().try_into().unwrap());
		assert_noop!(
			Proofs::submit_batch(RuntimeOrigin::signed(WORKER), [0; 32], 1, [0; 32], nowhere),
			Error::<Test>::MalformedLeavesLocation
		);
		assert_noop!(
			Proofs::submit_batch(RuntimeOrigin::signed(REPORTER), [0; 32], 1, [0; 32], leaves_at()),
			Error::<Test>::NotAWorker
		);
		let mut forged = leaf(&key, receipt(WORKER, 0, VerificationMode::Vanilla));
		forged.signature[0] ^= 1;
		let leaves = post_batch(&key, 2, Some((0, forged)));
		assert_eq!(Exposure::<Test>::get(WORKER), 1);
		// One batch per worker per block; unbonding workers post none.
		assert_noop!(
			Proofs::submit_batch(RuntimeOrigin::signed(WORKER), [0; 32], 1, [0; 32], leaves_at()),
			Error::<Test>::OneBatchPerBlock
		);
		for other in [3, 4, 5] {
			add_worker(other, [other as u8; 32], STAKE);
		}
		UNBONDING.with(|u| u.borrow_mut().push(5));
		assert_noop!(
			Proofs::submit_batch(RuntimeOrigin::signed(5), [0; 32], 1, [0; 32], leaves_at()),
			Error::<Test>::WorkerNotActive
		);
		for other in [3, 4] {
			assert_ok!(Proofs::submit_batch(
				RuntimeOrigin::signed(other),
				[1; 32],
				1,
				[0; 32],
				leaves_at()
			));
		}
		UNBONDING.with(|u| u.borrow_mut().clear());
		assert_noop!(
			Proofs::submit_batch(RuntimeOrigin::signed(5), [0; 32], 1, [0; 32], leaves_at()),
			Error::<Test>::BatchWindowFull
		);
		// The worker cannot challenge its own batch (to take back the reporter's share).
		let encoded: Vec<Vec<u8>> = leaves.iter().map(|l| l.encode()).collect();
		assert_noop!(
			Proofs::challenge_leaf(
				RuntimeOrigin::signed(WORKER),
				0,
				0,
				leaves[0].clone(),
				BoundedVec::try_from(batch_proof(&encoded, 0).unwrap()).unwrap()
			),
			Error::<Test>::SelfChallenge
		);
		// Block 11 is the last of the window (posted in block 1, period 10).
		assert_eq!(Batches::<Test>::get(0).unwrap().challenge_until, 11);
		System::set_block_number(12);
		assert_eq!(Proofs::on_initialize(12), <Test as Config>::WeightInfo::finalize_batches(3));
		for batch in 0..3 {
			assert!(Batches::<Test>::get(batch).is_none());
			System::assert_has_event(Event::BatchFinalized { batch }.into());
		}
		// The forged leaf is out of reach now, and the worker's stake is free again.
		assert_noop!(challenge(0, &leaves, 0), Error::<Test>::UnknownBatch);
		assert_eq!(TestWorkers::stake(&WORKER), STAKE);
		assert!(!Proofs::holds_stake(&WORKER));
		assert_eq!(Exposure::<Test>::iter().count(), 0);
	});
}

// ---- sampling re-execution and disputes ----

mod sampling {
	use super::*;
	use crate::sampling::SettledInfoOf;
	use frame_support::traits::fungible::Inspect;
	use sp_core::H256;
	use verity_primitives::RequestInput;

	const CHECKER: u64 = 3;
	const ARBITER: u64 = 4;
	const DISPUTER: u64 = 5;

	fn input() -> RequestInput {
		RequestInput::Inline(vec![1u8; 16].try_into().unwrap())
	}

	fn model() -> ModelVersionRef {
		ModelVersionRef { model: 0, version: VersionNumber { major: 1, minor: 0 } }
	}

	/// A settled result as the inference pallet reports it; an original is also known to the
	/// executor stand-in (as the inference pallet's `Results`).
	fn settled(
		request: u64,
		check_of: Option<u64>,
		worker: u64,
		output: u8,
	) -> SettledInfoOf<Test> {
		let info = verity_primitives::SettledInfo {
			request,
			check_of,
			worker,
			model: model(),
			input: input(),
			output_digest: [output; 32],
			evidence: [100 + worker as u8; 32],
			checkable: true,
			proved: false,
		};
		if check_of.is_none() {
			SETTLED.with(|s| {
				s.borrow_mut().insert(
					request,
					SettledSummary {
						worker,
						model: model(),
						input: input(),
						output_digest: info.output_digest,
						evidence: info.evidence,
						checkable: true,
						exact: true,
						proved: false,
					},
				)
			});
		}
		info
	}

	/// The next block: a parent hash nobody knew before, then the pallet's `on_initialize`.
	fn next_block() {
		let now = System::block_number() + 1;
		System::set_parent_hash(H256(verity_primitives::blake2_256(&(b"block", now).encode())));
		System::set_block_number(now);
		Proofs::on_initialize(now);
	}

	/// Three workers (original, checker, arbiter in id order) at block 1.
	fn ext() -> sp_io::TestExternalities {
		let mut ext = new_test_ext(Vec::new());
		ext.execute_with(|| {
			add_worker(WORKER, [1; 32], STAKE);
			add_worker(CHECKER, [3; 32], STAKE);
			add_worker(ARBITER, [4; 32], STAKE);
		});
		ext
	}

	#[test]
	fn a_sampled_result_is_checked_by_another_worker_and_confirmed() {
		ext().execute_with(|| {
			Proofs::on_result(settled(10, None, WORKER, 7));
			assert!(checks().is_empty(), "nothing is drawn in the result's own block");
			next_block();
			assert_eq!(checks(), vec![(POT, 10, vec![WORKER], 1000, CHECKER)]);
			System::assert_has_event(
				Event::ResultSampled { request: 10, check: 1000, checker: CHECKER, disputer: None }
					.into(),
			);
			Proofs::on_result(settled(1000, Some(10), CHECKER, 7));
			System::assert_has_event(
				Event::ResultConfirmed { request: 10, checker: CHECKER }.into(),
			);
			assert!(Samples::<Test>::get(10).is_none());
			assert_eq!(TestWorkers::stake(&WORKER), STAKE);
		});
	}

	#[test]
	fn only_deterministic_unproved_results_are_sampled_at_the_configured_rate() {
		ext().execute_with(|| {
			let mut onnx = settled(10, None, WORKER, 7);
			onnx.checkable = false;
			Proofs::on_result(onnx);
			let mut proved = settled(12, None, WORKER, 7);
			proved.proved = true;
			Proofs::on_result(proved);
			next_block();
			assert!(checks().is_empty());

			SampleRate::set(Perbill::zero());
			Proofs::on_result(settled(11, None, WORKER, 7));
			next_block();
			assert!(checks().is_empty());

			// 10%: about 1,000 of 10,000 results, and a different seed picks other ones.
			SampleRate::set(Perbill::from_percent(10));
			let picked: Vec<u64> = (0..10_000).filter(|id| Proofs::is_sampled(*id)).collect();
			assert!((900..=1100).contains(&picked.len()), "{} sampled", picked.len());
			Seed::set(1);
			let again: Vec<u64> = (0..10_000).filter(|id| Proofs::is_sampled(*id)).collect();
			assert_ne!(picked, again);
		});
	}

	/// Attack (issue 14, hole 3): a worker that submits a result only when the draw it can
	/// compute at submission says "not sampled" is still sampled at the configured rate,
	/// because the draw is made a block later from a hash that did not exist yet.
	#[test]
	fn holding_results_back_until_the_draw_suits_does_not_avoid_sampling() {
		ext().execute_with(|| {
			SampleRate::set(Perbill::from_percent(10));
			let mut submitted = 0u32;
			let mut request = 100u64;
			while submitted < 400 {
				request += 1;
				// What the worker can know now: the draw as it would be made in this block.
				if Proofs::is_sampled(request) {
					continue;
				}
				submitted += 1;
				Proofs::on_result(settled(request, None, WORKER, 7));
				next_block();
				// Checks are answered at once, so the workers stay free.
				if let Some((_, _, _, check, checker)) = checks().last().cloned() {
					if Samples::<Test>::get(request).is_some() {
						Proofs::on_result(settled(check, Some(request), checker, 7));
					}
				}
			}
			let sampled = checks().len();
			// 10% of 400 is 40; holding results back would have made it 0.
			assert!((20..=64).contains(&sampled), "{sampled} of 400 sampled");
		});
	}

	#[test]
	fn a_lying_worker_is_outvoted_and_slashed_to_the_checker() {
		ext().execute_with(|| {
			Proofs::on_result(settled(10, None, WORKER, 7));
			next_block();
			Proofs::on_result(settled(1000, Some(10), CHECKER, 8));
			assert_eq!(checks().len(), 1, "the arbiter is drawn in a later block");
			next_block();
			// The arbiter is neither of the first two.
			assert_eq!(checks()[1], (POT, 10, vec![WORKER, CHECKER], 1001, ARBITER));
			System::assert_has_event(
				Event::ResultDisputed {
					request: 10,
					checker: CHECKER,
					check: 1001,
					arbiter: ARBITER,
				}
				.into(),
			);
			// Both the original worker and the dissenting checker may be slashed now.
			assert!(Proofs::holds_stake(&WORKER) && Proofs::holds_stake(&CHECKER));
			Proofs::on_result(settled(1001, Some(10), ARBITER, 8));
			assert!(!Proofs::holds_stake(&WORKER) && !Proofs::holds_stake(&CHECKER));
			assert!(Judged::<Test>::contains_key(10));
			assert_eq!(TestWorkers::stake(&WORKER), STAKE - STAKE / 10);
			assert_eq!(credited(CHECKER), STAKE / 20);
			assert_eq!(credited(TREASURY), STAKE / 20);
			let evidence =
				verity_primitives::blake2_256(&([101u8; 32], [103u8; 32], [104u8; 32]).encode());
			System::assert_has_event(
				Event::WorkerSlashed {
					worker: WORKER,
					fault: Fault::WrongOutput,
					evidence,
					amount: STAKE / 10,
					reporter: CHECKER,
					reporter_reward: STAKE / 20,
				}
				.into(),
			);
			assert!(Samples::<Test>::get(10).is_none());
		});
	}

	#[test]
	fn a_lying_checker_is_slashed_to_the_original_worker() {
		ext().execute_with(|| {
			Proofs::on_result(settled(10, None, WORKER, 7));
			next_block();
			Proofs::on_result(settled(1000, Some(10), CHECKER, 8));
			next_block();
			Proofs::on_result(settled(1001, Some(10), ARBITER, 7));
			assert_eq!(TestWorkers::stake(&CHECKER), STAKE - STAKE / 10);
			assert_eq!(TestWorkers::stake(&WORKER), STAKE);
			assert_eq!(credited(WORKER), STAKE / 20);
		});
	}

	#[test]
	fn three_different_outputs_or_no_arbiter_slash_nobody() {
		ext().execute_with(|| {
			Proofs::on_result(settled(10, None, WORKER, 7));
			next_block();
			Proofs::on_result(settled(1000, Some(10), CHECKER, 8));
			next_block();
			Proofs::on_result(settled(1001, Some(10), ARBITER, 9));
			System::assert_has_event(Event::DisputeUnresolved { request: 10 }.into());
			// Only two workers: the dispute has no arbiter.
			WORKERS.with(|w| w.borrow_mut().remove(&ARBITER));
			Proofs::on_result(settled(11, None, WORKER, 7));
			next_block();
			Proofs::on_result(settled(1002, Some(11), CHECKER, 8));
			next_block();
			System::assert_has_event(Event::DisputeUnresolved { request: 11 }.into());
			for worker in [WORKER, CHECKER] {
				assert_eq!(TestWorkers::stake(&worker), STAKE);
				assert!(!Proofs::holds_stake(&worker));
			}
			assert!(Samples::<Test>::iter().next().is_none());
		});
	}

	#[test]
	fn an_unanswered_check_is_abandoned_and_stray_results_are_ignored() {
		ext().execute_with(|| {
			Proofs::on_result(settled(10, None, WORKER, 7));
			next_block();
			// A result for a check the record does not wait for changes nothing.
			Proofs::on_result(settled(999, Some(10), ARBITER, 8));
			assert!(Samples::<Test>::get(10).is_some());
			Proofs::on_check_expired(999, 10);
			assert!(Samples::<Test>::get(10).is_some());
			Proofs::on_check_expired(1000, 10);
			System::assert_has_event(Event::SampleAbandoned { request: 10, check: 1000 }.into());
			assert!(Samples::<Test>::get(10).is_none());
			assert!(!Proofs::holds_stake(&WORKER));
			// Re-executed once: it cannot be disputed again (and held under review forever).
			assert!(Judged::<Test>::contains_key(10));
			assert_noop!(
				Proofs::dispute_result(RuntimeOrigin::signed(DISPUTER), 10),
				Error::<Test>::AlreadyJudged
			);
			// Nobody else to check: skipped.
			WORKERS.with(|w| w.borrow_mut().retain(|k, _| *k == WORKER));
			Proofs::on_result(settled(11, None, WORKER, 7));
			next_block();
			System::assert_has_event(Event::SampleSkipped { request: 11 }.into());
			assert!(!Proofs::holds_stake(&WORKER));
		});
	}

	/// Governance caps what one sampled check may cost the sampling pot: a sample whose check
	/// costs more is skipped; disputers, who pay their own checks, are not capped.
	#[test]
	fn governance_caps_what_a_sampled_check_may_cost() {
		ext().execute_with(|| {
			assert_noop!(
				Proofs::set_max_check_fee(RuntimeOrigin::signed(DISPUTER), Some(1)),
				DispatchError::BadOrigin
			);
			assert_ok!(Proofs::set_max_check_fee(RuntimeOrigin::root(), Some(CHECK_FEE - 1)));
			System::assert_last_event(Event::MaxCheckFeeSet { cap: Some(CHECK_FEE - 1) }.into());
			Proofs::on_result(settled(10, None, WORKER, 7));
			next_block();
			System::assert_has_event(Event::SampleSkipped { request: 10 }.into());
			assert!(checks().is_empty());
			assert!(!Proofs::holds_stake(&WORKER));
			settled(11, None, WORKER, 7);
			assert_ok!(Proofs::dispute_result(RuntimeOrigin::signed(DISPUTER), 11));
			next_block();
			assert_eq!(checks(), vec![(DISPUTER, 11, vec![WORKER], 1000, CHECKER)]);
			assert_ok!(Proofs::set_max_check_fee(RuntimeOrigin::root(), Some(CHECK_FEE)));
			Proofs::on_result(settled(12, None, WORKER, 7));
			next_block();
			assert_eq!(checks().last().map(|check| (check.0, check.1)), Some((Pot::get(), 12)));
			// Once the checker disagrees, the arbiter is drawn whatever the cap.
			assert_ok!(Proofs::set_max_check_fee(RuntimeOrigin::root(), Some(1)));
			let (_, _, _, check, checker) = checks().last().cloned().unwrap();
			Proofs::on_result(settled(check, Some(12), checker, 8));
			next_block();
			let arbiter = checks().last().cloned().unwrap();
			assert_eq!((arbiter.0, arbiter.1), (Pot::get(), 12));
			assert_ne!(arbiter.3, check);
		});
	}

	#[test]
	fn anyone_can_dispute_a_deterministic_result_and_pays_for_it() {
		ext().execute_with(|| {
			SETTLED.with(|s| {
				let summary = |checkable, proved| SettledSummary {
					worker: WORKER,
					model: model(),
					input: input(),
					output_digest: [7; 32],
					evidence: [101; 32],
					checkable,
					exact: checkable,
					proved,
				};
				s.borrow_mut().insert(10, summary(true, false));
				s.borrow_mut().insert(11, summary(false, false));
				s.borrow_mut().insert(13, summary(true, true));
			});
			let dispute =
				|request| Proofs::dispute_result(RuntimeOrigin::signed(DISPUTER), request);
			assert_noop!(dispute(12), Error::<Test>::UnknownResult);
			assert_noop!(dispute(11), Error::<Test>::ModelNotDeterministic);
			assert_noop!(dispute(13), Error::<Test>::ResultProved);
			let broke = 9;
			use frame_support::traits::fungible::Mutate;
			Balances::set_balance(&broke, DISPUTE_BOND - 1);
			assert_noop!(
				Proofs::dispute_result(RuntimeOrigin::signed(broke), 10),
				Error::<Test>::InsufficientBond
			);
			assert_ok!(dispute(10));
			assert_eq!(bond_held(DISPUTER), DISPUTE_BOND);
			assert!(checks().is_empty(), "the checker is drawn in the next block");
			assert_noop!(dispute(10), Error::<Test>::AlreadyUnderCheck);
			next_block();
			assert_eq!(checks(), vec![(DISPUTER, 10, vec![WORKER], 1000, CHECKER)]);
			// The check re-executes the original request's own input.
			assert_eq!(CHECK_INPUTS.with(|c| c.borrow().clone()), vec![input()]);
			assert_noop!(dispute(10), Error::<Test>::AlreadyUnderCheck);
			// The worker was wrong: the disputer is the reporter.
			Proofs::on_result(settled(1000, Some(10), CHECKER, 8));
			next_block();
			assert_eq!(checks()[1].0, DISPUTER, "the disputer pays the arbiter too");
			Proofs::on_result(settled(1001, Some(10), ARBITER, 8));
			assert_eq!(credited(DISPUTER), STAKE / 20);
			assert_eq!(TestWorkers::stake(&WORKER), STAKE - STAKE / 10);
			// The worker was wrong: the bond comes back.
			assert_eq!(bond_held(DISPUTER), 0);
			assert_eq!(Balances::balance(&DISPUTER), 1_000_000);
			// One verdict per result: it cannot be disputed (and slashed) again.
			assert_noop!(dispute(10), Error::<Test>::AlreadyJudged);
		});
	}

	/// A dispute of a correct result costs the disputer its bond, paid to the worker it
	/// accused; an unresolved one costs nothing.
	#[test]
	fn a_confirmed_result_pays_the_bond_to_its_worker() {
		ext().execute_with(|| {
			settled(10, None, WORKER, 7);
			settled(11, None, WORKER, 7);
			let worker_before = Balances::balance(&WORKER);
			assert_ok!(Proofs::dispute_result(RuntimeOrigin::signed(DISPUTER), 10));
			next_block();
			Proofs::on_result(settled(1000, Some(10), CHECKER, 7));
			System::assert_has_event(
				Event::ResultConfirmed { request: 10, checker: CHECKER }.into(),
			);
			assert_eq!(Balances::balance(&WORKER), worker_before + DISPUTE_BOND);
			assert_eq!(Balances::balance(&DISPUTER), 1_000_000 - DISPUTE_BOND);
			assert_eq!(bond_held(DISPUTER), 0);
			// An abandoned check releases the bond.
			assert_ok!(Proofs::dispute_result(RuntimeOrigin::signed(DISPUTER), 11));
			next_block();
			let (_, _, _, check, _) = checks().last().cloned().unwrap();
			Proofs::on_check_expired(check, 11);
			assert_eq!(bond_held(DISPUTER), 0);
			assert_eq!(Balances::balance(&DISPUTER), 1_000_000 - DISPUTE_BOND);
		});
	}

	/// Attack: a worker's sybil, drawn as the checker of its wrong result, declines the check
	/// ("input unavailable") so that the sample ends and the result escapes. A declined check
	/// is drawn again among the workers that have not declined it; only after `MAX_DECLINES`
	/// declines is the input taken as gone (so a requester that took its input down cannot
	/// keep disputing to hold the worker's stake).
	#[test]
	fn a_declined_check_is_drawn_again_and_a_gone_input_ends_the_sample() {
		ext().execute_with(|| {
			add_worker(20, [20; 32], STAKE);
			settled(10, None, WORKER, 7);
			assert_ok!(Proofs::dispute_result(RuntimeOrigin::signed(DISPUTER), 10));
			next_block();
			let mut decliners = Vec::new();
			for round in 0..crate::MAX_DECLINES as usize {
				let (_, _, exclude, check, checker) = checks().last().cloned().unwrap();
				assert!(!decliners.contains(&checker), "round {round}: a decliner was drawn");
				assert_eq!(exclude.len(), 1 + round);
				Proofs::on_check_declined(check, 10);
				System::assert_has_event(
					Event::CheckRedrawn { request: 10, check, decliner: checker }.into(),
				);
				assert!(Proofs::holds_stake(&WORKER));
				decliners.push(checker);
				next_block();
			}
			// The third worker asked cannot fetch it either: the input is gone, the sample ends
			// with a verdict, and the bond comes back.
			let (_, _, _, check, _) = checks().last().cloned().unwrap();
			assert_eq!(checks().len(), 1 + crate::MAX_DECLINES as usize);
			Proofs::on_check_declined(check, 10);
			System::assert_has_event(Event::SampleAbandoned { request: 10, check }.into());
			assert!(Judged::<Test>::contains_key(10));
			assert!(!Proofs::holds_stake(&WORKER));
			assert_eq!(bond_held(DISPUTER), 0);
		});
	}

	fn bond_held(who: u64) -> u64 {
		use frame_support::traits::fungible::InspectHold;
		Balances::balance_on_hold(&HoldReason::DisputeBond.into(), &who)
	}

	#[test]
	fn a_flood_of_draws_delays_later_ones_and_only_a_full_window_refuses() {
		ext().execute_with(|| {
			// Four draws a block, two blocks ahead: 8 fit, spread over blocks 2 and 3.
			for request in 0..8u64 {
				Proofs::on_result(settled(request, None, WORKER, 7));
			}
			assert_eq!(PendingDraws::<Test>::get(2).len(), 4);
			assert_eq!(PendingDraws::<Test>::get(3).len(), 4);
			Proofs::on_result(settled(8, None, WORKER, 7));
			System::assert_has_event(Event::SampleSkipped { request: 8 }.into());
			settled(9, None, WORKER, 7);
			assert_noop!(
				Proofs::dispute_result(RuntimeOrigin::signed(DISPUTER), 9),
				Error::<Test>::DrawQueueFull
			);
			// Each block makes its own bucket's draws; later results find room again.
			next_block();
			assert!(PendingDraws::<Test>::get(2).is_empty());
			assert_ok!(Proofs::dispute_result(RuntimeOrigin::signed(DISPUTER), 9));
			assert_eq!(PendingDraws::<Test>::get(4).len(), 1, "after the full bucket of block 3");
		});
	}
}

#[test]
fn an_individual_receipt_is_checked_and_recorded() {
	let pki = pki();
	let (mut ext, key) = setup(&pki);
	ext.execute_with(|| {
		let good = leaf(&key, receipt(WORKER, 4, VerificationMode::Vanilla));
		assert_ok!(Proofs::record_receipt(RuntimeOrigin::signed(REPORTER), good.clone()));
		System::assert_has_event(
			Event::ReceiptRecorded {
				worker: WORKER,
				request_id: 4,
				receipt_digest: verity_primitives::blake2_256(&good.encode()),
				output_digest: good.receipt.output_digest,
			}
			.into(),
		);
		let mut forged = good.clone();
		forged.receipt.output_digest = [0; 32];
		let tee = leaf(&key, receipt(WORKER, 5, VerificationMode::Tee));
		let stranger = leaf(&key, receipt(REPORTER, 6, VerificationMode::Vanilla));
		for bad in [forged, tee.clone(), stranger] {
			assert_noop!(
				Proofs::record_receipt(RuntimeOrigin::signed(REPORTER), bad),
				Error::<Test>::InvalidReceipt
			);
		}
		assert_ok!(attest_now(&pki, &key));
		assert_ok!(Proofs::record_receipt(RuntimeOrigin::signed(REPORTER), tee));
		assert_eq!(TestWorkers::stake(&WORKER), STAKE);
	});
}
