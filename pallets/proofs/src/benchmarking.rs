//! Benchmarks of every call and the finalization hook, each on its worst case: attestation with
//! a cold certificate cache and the longest chain, a challenge that verifies the deepest proof
//! and the leaf's signature and then slashes, full finalization buckets.
//!
//! The attestation documents are issued in the benchmark itself by the test PKI of
//! `verity-nitro-attestation` (feature `testing`): real P-384 certificates and COSE signatures,
//! so the measured verification is exactly the production path.

use super::*;
use crate::Pallet as Proofs;
use alloc::{string::String, vec, vec::Vec};
use codec::Encode;
use frame_benchmarking::v2::*;
use frame_support::{
	traits::{EnsureOrigin, Get},
	BoundedVec,
};
use frame_system::{pallet_prelude::BlockNumberFor, RawOrigin};
use sp_core::crypto::KeyTypeId;
use verity_nitro_attestation::testing::{CertSpec, TestPayload, TestPki};
use verity_primitives::{
	blake2_256, zk_proof_payload, BatchLeaf, ModelVersionRef, PcrSet, Receipt, SigningKey,
	StorageLocation, TeeKind, VerificationMode, VersionNumber, MAX_BATCH_PROOF_DEPTH,
};

const KEY_TYPE: KeyTypeId = KeyTypeId(*b"vbnp");
/// 2026-01-01T00:00:00Z.
const NOW_MS: u64 = 1_767_225_600_000;
const YEAR_MS: u64 = 365 * 24 * 60 * 60 * 1000;

/// The longest location a batch can name (its length is what the call's weight depends on).
fn leaves_at() -> StorageLocation {
	let mut url = b"https://".to_vec();
	url.resize(verity_primitives::MAX_URL_LEN as usize, b'a');
	StorageLocation::Https(url.try_into().expect("exactly the maximum length"))
}

fn signing_key() -> SigningKey {
	sp_io::crypto::sr25519_generate(KEY_TYPE, Some(b"//verity-bench-proofs".to_vec())).0
}

fn worker<T: Config>() -> (T::AccountId, SigningKey) {
	let who: T::AccountId = account("worker", 0, 0);
	let key = signing_key();
	let proof = sign(
		&key,
		&verity_primitives::key_possession_payload(&Proofs::<T>::genesis_hash(), &who, &key),
	);
	T::BenchmarkHelper::register_worker(&who, key, proof);
	(who, key)
}

fn pcrs(tag: u8) -> PcrSet {
	PcrSet { pcr0: [tag; 48], pcr1: [tag; 48], pcr2: [tag; 48] }
}

/// A receipt of `who` in `mode`, signed with its key from the benchmark keystore.
fn signed_leaf<T: Config>(
	who: &T::AccountId,
	key: &SigningKey,
	mode: VerificationMode,
) -> BatchLeaf<T::AccountId> {
	let model = ModelVersionRef { model: 1, version: VersionNumber { major: 1, minor: 0 } };
	let receipt = Receipt {
		genesis_hash: Proofs::<T>::genesis_hash(),
		context: verity_primitives::ReceiptContext::Direct,
		request_id: 1,
		model,
		spec_hash: T::Executor::spec_hash(&model).unwrap_or_default(),
		model_digest: [1; 32],
		input_digest: [2; 32],
		output_digest: [3; 32],
		mode,
		worker: who.clone(),
		usage: None,
		generation: None,
		timestamp_ms: NOW_MS,
	};
	let signature = sp_io::crypto::sr25519_sign(
		KEY_TYPE,
		&sp_core::sr25519::Public::from_raw(*key),
		&receipt.signing_payload(),
	)
	.expect("the key is in the benchmark keystore")
	.0;
	BatchLeaf { receipt, signature }
}

/// `payload` signed with `key` from the benchmark keystore.
fn sign(key: &SigningKey, payload: &[u8]) -> [u8; 64] {
	sp_io::crypto::sr25519_sign(KEY_TYPE, &sp_core::sr25519::Public::from_raw(*key), payload)
		.expect("the key is in the benchmark keystore")
		.0
}

/// The `verity-zkml` fixture's answer awaiting its proof from a registered worker (the key
/// with the most public inputs the Model Hub takes), and the proof signed by that worker.
fn zk_submission<T: Config>(
) -> (verity_primitives::RequestId, verity_primitives::ZkProofBytes, [u8; 64]) {
	let (who, key) = worker::<T>();
	let fixture = verity_zkml::fixture::largest();
	let request = T::BenchmarkHelper::awaiting_zk_proof(
		&who,
		key,
		fixture.verifying_key,
		fixture.binding,
		fixture.input,
		fixture.output,
	);
	let proof: verity_primitives::ZkProofBytes = fixture.proof.to_vec().try_into().unwrap();
	let (_, binding) = T::ZkResults::signer(request).expect("the helper recorded the answer");
	let signature =
		sign(&key, &zk_proof_payload(&Proofs::<T>::genesis_hash(), request, &binding, &proof));
	(request, proof, signature)
}

/// A chain with `bundle` certificates (root first) above the leaf.
fn chain(bundle: u32) -> Vec<CertSpec> {
	let spec = |name: String, ca: Option<Option<u8>>| CertSpec {
		name,
		ca,
		key_usage: true,
		not_before_ms: NOW_MS - YEAR_MS,
		not_after_ms: NOW_MS + YEAR_MS,
	};
	let mut specs = vec![spec(String::from("bench root"), Some(None))];
	for depth in 1..bundle {
		let below = (bundle - 1 - depth) as u8;
		specs.push(spec(alloc::format!("bench ca {depth}"), Some(Some(below))));
	}
	specs.push(spec(String::from("bench leaf"), None));
	specs
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn approve_pcr_set() {
		let origin = T::ApproveOrigin::try_successful_origin().expect("governance origin");
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, TeeKind::LlmProxy, pcrs(1));
		assert!(ApprovedPcrSets::<T>::contains_key(pcrs(1).id()));
	}

	#[benchmark]
	fn revoke_pcr_set() {
		Proofs::<T>::do_approve_pcr_set(TeeKind::LlmProxy, pcrs(1)).unwrap();
		let origin = T::ApproveOrigin::try_successful_origin().expect("governance origin");
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, pcrs(1).id());
		assert!(!ApprovedPcrSets::<T>::contains_key(pcrs(1).id()));
	}

	#[benchmark]
	fn set_attestation_root() {
		let root: RootCertificate = vec![0x30; MAX_ROOT_LEN as usize].try_into().unwrap();
		let origin = T::ApproveOrigin::try_successful_origin().expect("governance origin");
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, root);
		assert_eq!(AttestationRoot::<T>::get().len(), MAX_ROOT_LEN as usize);
	}

	/// `c`: ECDSA verifications, cold cache: a bundle of `c - 1` certificates (root, `c - 2`
	/// CAs) verifies `c - 2` links, the leaf and the document.
	#[benchmark]
	fn attest(c: Linear<2, { verity_nitro_attestation::MAX_CABUNDLE as u32 + 1 }>) {
		let pki = TestPki::new(1, &chain(c - 1));
		AttestationRoot::<T>::put(RootCertificate::try_from(pki.root().to_vec()).unwrap());
		T::BenchmarkHelper::set_now_ms(NOW_MS);
		let set = pcrs(1);
		Proofs::<T>::do_approve_pcr_set(TeeKind::LocalInference, set.clone()).unwrap();
		let (who, key) = worker::<T>();
		let mut payload = TestPayload::new(NOW_MS, [set.pcr0, set.pcr1, set.pcr2]);
		payload.nonce = Some(Proofs::<T>::next_nonce(&who).to_vec());
		payload.public_key = Some(key.to_vec());
		let document: AttestationDocument = pki.document(&payload, false).try_into().unwrap();

		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), TeeKind::LocalInference, document);

		assert!(Proofs::<T>::is_attested(&who, &key));
	}

	/// A heartbeat: the AWS-shaped chain (root, regional, zonal, instance, leaf) whose CA
	/// certificates a first attestation cached, so two signatures are checked (leaf and
	/// document) while all five certificates are parsed.
	#[benchmark]
	fn attest_cached() {
		let pki = TestPki::new(1, &chain(4));
		AttestationRoot::<T>::put(RootCertificate::try_from(pki.root().to_vec()).unwrap());
		T::BenchmarkHelper::set_now_ms(NOW_MS);
		let set = pcrs(1);
		Proofs::<T>::do_approve_pcr_set(TeeKind::LocalInference, set.clone()).unwrap();
		let (who, key) = worker::<T>();
		let document = |who: &T::AccountId| -> AttestationDocument {
			let mut payload = TestPayload::new(NOW_MS, [set.pcr0, set.pcr1, set.pcr2]);
			payload.nonce = Some(Proofs::<T>::next_nonce(who).to_vec());
			payload.public_key = Some(key.to_vec());
			pki.document(&payload, false).try_into().unwrap()
		};
		let first = Proofs::<T>::do_attest(who.clone(), TeeKind::LocalInference, document(&who));
		assert_eq!(first, Ok(5));
		let heartbeat = document(&who);

		#[extrinsic_call]
		attest(RawOrigin::Signed(who.clone()), TeeKind::LocalInference, heartbeat);

		assert_eq!(AttestationCount::<T>::get(&who), 2);
	}

	#[benchmark]
	fn set_max_check_fee() {
		let origin = T::ApproveOrigin::try_successful_origin().expect("governance origin");
		let cap: BalanceOf<T> = 1_000u32.into();
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, Some(cap));
		assert_eq!(MaxCheckFee::<T>::get(), Some(cap));
	}

	#[benchmark]
	fn submit_batch() {
		let (who, _) = worker::<T>();
		let now = frame_system::Pallet::<T>::block_number();
		let until = now + T::ChallengePeriod::get();
		for batch in 1..T::MaxBatchesPerBlock::get() {
			BatchWindows::<T>::try_append(until, u64::MAX - u64::from(batch)).unwrap();
		}
		#[extrinsic_call]
		_(
			RawOrigin::Signed(who),
			[1; 32],
			verity_primitives::MAX_BATCH_LEAVES,
			[2; 32],
			leaves_at(),
		);
		assert!(Batches::<T>::contains_key(0));
	}

	/// `d`: the proof's depth (a 10,000-leaf batch has depth 14). The leaf is signed and
	/// passes every check but the last (TEE without attestation), so the challenge pays for the
	/// signature check and the slash.
	#[benchmark]
	fn challenge_leaf(d: Linear<0, MAX_BATCH_PROOF_DEPTH>) {
		let (who, key) = worker::<T>();
		let leaf = signed_leaf::<T>(&who, &key, VerificationMode::Tee);
		// Leaf 0 of a tree of 2^d leaves: one sibling per level, always
		// on the right.
		let proof: Vec<[u8; 32]> = (0..d).map(|level| [level as u8; 32]).collect();
		let root = proof.iter().fold(blake2_256(&leaf.encode()), |node, sibling| {
			let mut pair = node.to_vec();
			pair.extend_from_slice(sibling);
			blake2_256(&pair)
		});
		let count = 1u32 << d;
		Proofs::<T>::do_submit_batch(who.clone(), root, count, [9; 32], leaves_at()).unwrap();
		let reporter: T::AccountId = account("reporter", 0, 0);

		#[extrinsic_call]
		_(RawOrigin::Signed(reporter), 0, 0, leaf, BoundedVec::try_from(proof).unwrap());

		assert_eq!(Batches::<T>::get(0).unwrap().status, BatchStatus::Faulted);
	}

	/// A valid receipt: the worker's key, its attestation and the signature are checked.
	#[benchmark]
	fn record_receipt() {
		let (who, key) = worker::<T>();
		let leaf = signed_leaf::<T>(&who, &key, VerificationMode::Vanilla);

		#[extrinsic_call]
		_(RawOrigin::Signed(who), leaf);
	}

	/// A dispute of a settled deterministic result: it opens a check through the executor.
	#[benchmark]
	fn dispute_result() {
		let disputer: T::AccountId = account("disputer", 0, 0);
		let (request, _) = T::BenchmarkHelper::settled_deterministic_result(&disputer);
		#[extrinsic_call]
		_(RawOrigin::Signed(disputer), request);
		assert!(Samples::<T>::contains_key(request));
	}

	#[benchmark]
	fn finalize_batches(n: Linear<0, { T::MaxBatchesPerBlock::get() }>) {
		let (who, _) = worker::<T>();
		for _ in 0..n {
			// One batch per worker per block: forget the last one to post the next.
			LastBatchAt::<T>::remove(&who);
			Proofs::<T>::do_submit_batch(who.clone(), [1; 32], 1, [2; 32], leaves_at()).unwrap();
		}
		let until: BlockNumberFor<T> =
			frame_system::Pallet::<T>::block_number() + T::ChallengePeriod::get();
		#[block]
		{
			Proofs::<T>::do_finalize_batches(until);
		}
		assert_eq!(Batches::<T>::iter().count(), 0);
	}

	/// Verifies the fixture with the most public inputs a key may have, then judges it.
	#[benchmark]
	fn submit_proof() {
		let (request, proof, signature) = zk_submission::<T>();

		#[block]
		{
			Proofs::<T>::do_submit_proof(request, proof, signature).unwrap();
		}

		assert!(T::ZkResults::awaiting(request).is_none());
	}

	#[benchmark]
	fn authorize_submit_proof() {
		let (request, proof, signature) = zk_submission::<T>();

		#[block]
		{
			Proofs::<T>::authorize_submit_proof(request, &proof, &signature).unwrap();
		}
	}

	/// What a spam proof costs the pool: a forged signature, refused by the first check.
	#[benchmark]
	fn authorize_submit_proof_forged() {
		let (request, proof, _) = zk_submission::<T>();

		#[block]
		{
			let refused = Proofs::<T>::authorize_submit_proof(request, &proof, &[0; 64]).err();
			let bad_signature = sp_runtime::transaction_validity::InvalidTransaction::Custom(
				crate::zk::ProofSubmissionRejection::BadSignature as u8,
			);
			assert_eq!(refused, Some(bad_signature.into()));
		}
	}

	impl_benchmark_test_suite!(Proofs, crate::mock::new_bench_ext(), crate::mock::Test);
}
