//! The offchain worker: on a node that runs an inference worker, fetches the ZK proofs of the
//! ZKML answers that worker gave and submits them as authorized transactions.
//!
//! It reads the same offchain-storage entries as the inference pallet's offchain worker (the
//! worker's URL, signing key and the secret its `/v1/proofs` requires). For each request awaiting a proof from that key, at most once
//! every [`RETRY_BLOCKS`] blocks: `GET <url>/v1/proofs/<request id>/<binding hex>` (the binding
//! of the answer the chain recorded); `200` carries a SCALE [`ZkProofAnswer`], anything else
//! means not ready yet. The proof is verified here first, exactly as dispatch will verify it:
//! a submission that fails would slash the worker, so a bad proof (whatever made it) is logged
//! and never submitted, and the request expires instead.

use crate::*;
use alloc::vec::Vec;
use codec::{Decode, Encode};
use frame_system::{
	offchain::{CreateAuthorizedTransaction, SubmitTransaction},
	pallet_prelude::BlockNumberFor,
};
use sp_runtime::{
	offchain::{http, storage::StorageValueRef, Duration},
	traits::Saturating,
};
use verity_primitives::{
	SigningKey, ZkProofAnswer, OFFCHAIN_WORKER_SECRET_KEY, OFFCHAIN_WORKER_SIGNING_KEY_KEY,
	OFFCHAIN_WORKER_URL_KEY, WORKER_SECRET_HEADER,
};

/// Blocks between two asks for the same proof.
pub const RETRY_BLOCKS: u32 = 2;
/// Most proofs asked for in one run.
pub const MAX_PROOFS_PER_RUN: usize = 8;
/// How long one ask may take.
pub const ASK_TIMEOUT_MS: u64 = 5_000;

const LOG_TARGET: &str = "runtime::proofs::ocw";

/// One offchain worker run at block `now`.
pub fn run<T: Config>(now: BlockNumberFor<T>) {
	let Ok(Some(url)) = StorageValueRef::persistent(OFFCHAIN_WORKER_URL_KEY).get::<Vec<u8>>()
	else {
		return;
	};
	let Ok(Some(signing_key)) =
		StorageValueRef::persistent(OFFCHAIN_WORKER_SIGNING_KEY_KEY).get::<SigningKey>()
	else {
		return;
	};
	let Ok(Some(secret)) =
		StorageValueRef::persistent(OFFCHAIN_WORKER_SECRET_KEY).get::<[u8; 32]>()
	else {
		return;
	};
	let Ok(url) = core::str::from_utf8(&url) else { return };
	let awaiting = T::ZkResults::awaiting_for(&signing_key);
	for request in awaiting.into_iter().filter(|r| take_lock::<T>(*r, now)).take(MAX_PROOFS_PER_RUN)
	{
		let Some(expected) = T::ZkResults::awaiting(request) else { continue };
		match ask_worker(url, &secret, request, &expected.binding) {
			Ok(Some(answer)) if answer.request_id == request => {
				match Pallet::<T>::check_proof(&expected, &answer.proof) {
					Ok(()) => submit::<T>(answer),
					Err(error) => log::error!(
						target: LOG_TARGET,
						"request {request}: the worker's proof does not verify ({error}); not submitted"
					),
				}
			},
			Ok(Some(_)) => {
				log::warn!(target: LOG_TARGET, "request {request}: the worker sent another proof")
			},
			Ok(None) => log::debug!(target: LOG_TARGET, "request {request}: proof not ready"),
			Err(error) => log::warn!(target: LOG_TARGET, "request {request}: {error}"),
		}
	}
}

/// Takes the lock on a request's proof for `RETRY_BLOCKS` blocks; false if a run holds it.
fn take_lock<T: Config>(request: u64, now: BlockNumberFor<T>) -> bool {
	let key = (b"verity::proof-lock/", request).encode();
	StorageValueRef::persistent(&key)
		.mutate::<BlockNumberFor<T>, (), _>(|held| match held {
			Ok(Some(until)) if until > now => Err(()),
			_ => Ok(now.saturating_add(RETRY_BLOCKS.into())),
		})
		.is_ok()
}

/// The worker's proof of `request`, or `None` while it is not ready.
fn ask_worker(
	url: &str,
	secret: &[u8; 32],
	request: u64,
	binding: &[u8; 32],
) -> Result<Option<ZkProofAnswer>, &'static str> {
	let deadline = sp_io::offchain::timestamp().add(Duration::from_millis(ASK_TIMEOUT_MS));
	let hex = verity_primitives::digest::to_hex(binding);
	let endpoint = alloc::format!("{}/v1/proofs/{request}/{hex}", url.trim_end_matches('/'));
	let secret = verity_primitives::digest::to_hex(secret);
	let response = http::Request::get(&endpoint)
		.add_header(WORKER_SECRET_HEADER, &secret)
		.deadline(deadline)
		.send()
		.map_err(|_| "cannot reach the worker")?
		.try_wait(deadline)
		.map_err(|_| "the worker timed out")?
		.map_err(|_| "the worker's answer failed")?;
	if response.code != 200 {
		return Ok(None);
	}
	let body: Vec<u8> = response.body().collect();
	ZkProofAnswer::decode(&mut &body[..])
		.map(Some)
		.map_err(|_| "the worker's proof does not decode")
}

fn submit<T: Config>(answer: ZkProofAnswer) {
	let request = answer.request_id;
	let call =
		Call::<T>::submit_proof { request, proof: answer.proof, signature: answer.signature };
	let xt =
		<T as CreateAuthorizedTransaction<Call<T>>>::create_authorized_transaction(call.into());
	match SubmitTransaction::<T, Call<T>>::submit_transaction(xt) {
		Ok(()) => log::info!(target: LOG_TARGET, "request {request}: proof submitted"),
		Err(()) => log::warn!(target: LOG_TARGET, "request {request}: the pool refused the proof"),
	}
}
