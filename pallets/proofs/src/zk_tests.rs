//! Tests of ZK proof submission on the mock runtime, with a real Groth16 proof (the
//! `verity-zkml` fixture) verified through the BLS12-381 host-function curve. Submissions go
//! through the real authorization path (`AuthorizeCall`).

#![allow(clippy::type_complexity)]

use crate::{mock::*, *};
use codec::Encode;
use frame_support::{assert_noop, assert_ok, dispatch::GetDispatchInfo};
use frame_system::offchain::CreateAuthorizedTransaction;
use sp_core::{sr25519, Pair};
use sp_runtime::{
	traits::{Applyable, Checkable},
	transaction_validity::{InvalidTransaction, TransactionSource, TransactionValidityError},
};
use verity_primitives::{zk_proof_payload, SigningKey, ZkProofBytes};

const WORKER: u64 = 1;
const STAKE: u64 = 1_000_000;
const REQUEST: u64 = 9;

fn worker_key() -> sr25519::Pair {
	sr25519::Pair::from_seed(&[1; 32])
}

/// The fixture's answer awaiting its proof from `WORKER`, as the inference pallet would report
/// it; `edit` changes it before it is recorded.
fn awaiting(edit: impl FnOnce(&mut AwaitingZkProof<u64>)) {
	let fixture = verity_zkml::fixture::largest();
	let key: SigningKey = worker_key().public().0;
	add_worker(WORKER, key, STAKE);
	let mut answer = AwaitingZkProof {
		worker: WORKER,
		signing_key: key,
		verifying_key: fixture.verifying_key.to_vec(),
		binding: fixture.binding,
		input: fixture.input.to_vec(),
		output: fixture.output.to_vec(),
		evidence: [3; 32],
	};
	edit(&mut answer);
	add_awaiting(REQUEST, answer);
}

fn proof() -> ZkProofBytes {
	verity_zkml::fixture::largest().proof.to_vec().try_into().unwrap()
}

/// The worker's signature over `proof` for the binding of the answer the chain recorded.
fn signed(proof: &[u8]) -> [u8; 64] {
	let (_, binding) = <TestZkResults as ZkResults<u64>>::signer(REQUEST).unwrap();
	signed_for(&binding, proof)
}

/// The worker's signature over `proof` for `binding`.
fn signed_for(binding: &[u8; 32], proof: &[u8]) -> [u8; 64] {
	worker_key().sign(&zk_proof_payload(&Proofs::genesis_hash(), REQUEST, binding, proof)).0
}

fn proof_xt(request: u64, proof: ZkProofBytes, signature: [u8; 64]) -> Extrinsic {
	let call = crate::Call::<Test>::submit_proof { request, proof, signature };
	<Test as CreateAuthorizedTransaction<crate::Call<Test>>>::create_authorized_transaction(
		call.into(),
	)
}

fn validate(xt: Extrinsic) -> sp_runtime::transaction_validity::TransactionValidity {
	let len = xt.encoded_size();
	let checked = xt.check(&frame_system::ChainContext::<Test>::default()).unwrap();
	let info = checked.function.get_dispatch_info();
	checked.validate::<Test>(TransactionSource::External, &info, len)
}

fn apply(xt: Extrinsic) -> sp_runtime::DispatchResult {
	let len = xt.encoded_size();
	let checked = xt.check(&frame_system::ChainContext::<Test>::default()).unwrap();
	let info = checked.function.get_dispatch_info();
	checked.apply::<Test>(&info, len).unwrap().map(|_| ()).map_err(|e| e.error)
}

/// Submits `proof` signed by the worker and returns the verdict event's rejection, if any.
fn submit(proof: ZkProofBytes) -> Option<ZkRejection> {
	let signature = signed(&proof);
	assert!(validate(proof_xt(REQUEST, proof.clone(), signature)).is_ok());
	assert_ok!(apply(proof_xt(REQUEST, proof, signature)));
	System::events().into_iter().find_map(|record| match record.event {
		RuntimeEvent::Proofs(Event::ZkProofVerified { request, worker }) => {
			assert_eq!((request, worker), (REQUEST, WORKER));
			Some(None)
		},
		RuntimeEvent::Proofs(Event::ZkProofRejected { request, worker, reason }) => {
			assert_eq!((request, worker), (REQUEST, WORKER));
			Some(Some(reason))
		},
		_ => None,
	})?
}

/// The worker lost `FaultSlash` (10% in the mock) of its stake, all of it to the treasury.
fn slashed() -> bool {
	credited(TREASURY) == STAKE / 10
}

#[test]
fn an_honest_proof_verifies_and_settles() {
	new_test_ext(Vec::new()).execute_with(|| {
		awaiting(|_| {});
		assert_eq!(submit(proof()), None);
		assert_eq!(verdicts(), vec![(REQUEST, true)]);
		assert_eq!(credited(TREASURY), 0);
		// Judged once: a second submission is stale.
		let binding = verity_zkml::fixture::largest().binding;
		assert_eq!(
			validate(proof_xt(REQUEST, proof(), signed_for(&binding, &proof()))),
			Err(TransactionValidityError::Invalid(InvalidTransaction::Stale))
		);
	});
}

#[test]
fn a_changed_output_input_or_request_fails_and_slashes() {
	let edits: [(&str, fn(&mut AwaitingZkProof<u64>)); 4] = [
		("output", |a| a.output[0] = a.output[0].wrapping_add(1)),
		("input", |a| a.input[100] = a.input[100].wrapping_add(1)),
		("another request", |a| a.binding[5] ^= 0x10),
		("last input byte", |a| {
			let last = a.input.len() - 1;
			a.input[last] ^= 0x80
		}),
	];
	for (what, edit) in edits {
		new_test_ext(Vec::new()).execute_with(|| {
			awaiting(edit);
			assert_eq!(submit(proof()), Some(ZkRejection::ProofRejected), "{what}");
			assert_eq!(verdicts(), vec![(REQUEST, false)], "{what}");
			assert!(slashed(), "{what}");
		});
	}
}

#[test]
fn a_proof_for_another_model_version_fails() {
	new_test_ext(Vec::new()).execute_with(|| {
		// The verifying key of a different circuit with the same public inputs: the fixture's
		// key with its delta swapped for gamma (another setup of another circuit).
		let fixture = verity_zkml::fixture::largest();
		let mut other = fixture.verifying_key.to_vec();
		// alpha (96) + beta (192) + gamma (192) + delta (192): put gamma in delta's place.
		let (gamma, delta) = (96 + 192, 96 + 192 + 192);
		let gamma_bytes = other[gamma..gamma + 192].to_vec();
		other[delta..delta + 192].copy_from_slice(&gamma_bytes);
		awaiting(|a| a.verifying_key = other);
		assert_eq!(submit(proof()), Some(ZkRejection::ProofRejected));
		assert!(slashed());
	});
}

#[test]
fn random_bytes_and_corrupted_proofs_are_malformed_and_slash() {
	let corruptions: [(&str, fn(&mut Vec<u8>)); 3] = [
		("random bytes", |p| {
			for (i, byte) in p.iter_mut().enumerate() {
				*byte = (i as u8).wrapping_mul(151).wrapping_add(7);
			}
		}),
		("a flipped bit in A", |p| p[40] ^= 1),
		("too short", |p| p.truncate(383)),
	];
	for (what, corrupt) in corruptions {
		new_test_ext(Vec::new()).execute_with(|| {
			awaiting(|_| {});
			let mut bytes = proof().into_inner();
			corrupt(&mut bytes);
			assert_eq!(
				submit(bytes.try_into().unwrap()),
				Some(ZkRejection::MalformedProof),
				"{what}"
			);
			assert!(slashed(), "{what}");
			assert_eq!(verdicts(), vec![(REQUEST, false)], "{what}");
		});
	}
}

#[test]
fn a_key_that_does_not_fit_refunds_without_slashing() {
	new_test_ext(Vec::new()).execute_with(|| {
		// One output byte more than the key was made for: the key is not the worker's fault.
		awaiting(|a| a.output.extend(vec![0u8; 31]));
		assert_eq!(submit(proof()), Some(ZkRejection::KeyUnusable));
		assert_eq!(verdicts(), vec![(REQUEST, false)]);
		assert_eq!(credited(TREASURY), 0);
	});
}

#[test]
fn only_the_answering_worker_may_submit() {
	new_test_ext(Vec::new()).execute_with(|| {
		awaiting(|_| {});
		let stranger = sr25519::Pair::from_seed(&[2; 32]);
		let binding = verity_zkml::fixture::largest().binding;
		let forged = stranger
			.sign(&zk_proof_payload(&Proofs::genesis_hash(), REQUEST, &binding, &proof()))
			.0;
		assert_eq!(
			validate(proof_xt(REQUEST, proof(), forged)),
			Err(TransactionValidityError::Invalid(InvalidTransaction::Custom(
				zk::ProofSubmissionRejection::BadSignature as u8
			)))
		);
		// A signature over another proof does not cover this one.
		let mut other = proof().into_inner();
		other[0] ^= 1;
		assert_noop!(
			Proofs::do_submit_proof(REQUEST, proof(), signed(&other)),
			Error::<Test>::BadProofSignature
		);
		assert_eq!(
			validate(proof_xt(REQUEST + 1, proof(), signed(&proof()))),
			Err(TransactionValidityError::Invalid(InvalidTransaction::Stale))
		);
		assert!(verdicts().is_empty());
	});
}

/// Attack (issue 14, hole 2): a stranger sends the worker the chain's job with another input,
/// gets a valid proof signed for that other job's binding, and submits it for the real
/// answer. The signature covers the binding, so the pool refuses it and nobody is slashed.
#[test]
fn a_proof_signed_for_another_binding_is_refused_before_it_can_slash() {
	new_test_ext(Vec::new()).execute_with(|| {
		// The answer the chain recorded has its own binding...
		awaiting(|answer| answer.binding = [0x42; 32]);
		// ...and the worker signed the fixture's proof for the fixture's (another) binding.
		let other = verity_zkml::fixture::largest().binding;
		let signature = signed_for(&other, &proof());
		assert_eq!(
			validate(proof_xt(REQUEST, proof(), signature)),
			Err(TransactionValidityError::Invalid(InvalidTransaction::Custom(
				zk::ProofSubmissionRejection::BadSignature as u8
			)))
		);
		assert_noop!(
			Proofs::submit_proof(
				frame_system::RawOrigin::Authorized.into(),
				REQUEST,
				proof(),
				signature
			),
			Error::<Test>::BadProofSignature
		);
		assert_eq!(TestWorkers::stake(&WORKER), STAKE);
		assert!(verdicts().is_empty());
	});
}

/// Attack (issue 14, hole 8): random fee-less proof submissions (forged signatures, other
/// requests, other bindings, garbage proofs) are all invalid in the pool, change no state, and
/// are refused by the signature check before the verifying key is read.
#[test]
fn random_fee_less_proofs_are_all_invalid_and_change_nothing() {
	new_test_ext(Vec::new()).execute_with(|| {
		awaiting(|_| {});
		let root = sp_io::storage::root(sp_runtime::StateVersion::V1);
		let stranger = sr25519::Pair::from_seed(&[9; 32]);
		let mut state = 0x2545_f491_4f6c_dd1du64;
		let mut next = move || {
			state ^= state << 13;
			state ^= state >> 7;
			state ^= state << 17;
			state
		};
		for round in 0..10_000u64 {
			let mut proof = proof().into_inner();
			let request = if round % 3 == 0 { next() % 16 } else { REQUEST };
			let case = next() % 4;
			let signature = match case {
				0 => stranger.sign(&zk_proof_payload(
					&Proofs::genesis_hash(),
					request,
					&verity_zkml::fixture::largest().binding,
					&proof,
				)),
				// The worker's own signature, for another binding than the recorded answer's.
				1 => {
					let mut binding = [next() as u8; 32];
					if binding == verity_zkml::fixture::largest().binding {
						binding[0] ^= 1;
					}
					worker_key().sign(&zk_proof_payload(
						&Proofs::genesis_hash(),
						request,
						&binding,
						&proof,
					))
				},
				2 => {
					let signature = worker_key().sign(&zk_proof_payload(
						&Proofs::genesis_hash(),
						request,
						&verity_zkml::fixture::largest().binding,
						&proof,
					));
					proof[(next() % 384) as usize] ^= 1;
					signature
				},
				_ => sr25519::Signature::from_raw([next() as u8; 64]),
			}
			.0;
			let xt = proof_xt(request, proof.try_into().unwrap(), signature);
			assert!(
				validate(xt).is_err(),
				"round {round} (case {case}, request {request}) was accepted"
			);
		}
		assert_eq!(sp_io::storage::root(sp_runtime::StateVersion::V1), root);
		assert!(verdicts().is_empty());
	});
}
