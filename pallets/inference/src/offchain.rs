//! The offchain worker: on a node that runs an inference worker, relays the requests assigned
//! to that worker and submits the signed results as authorized transactions.
//!
//! The node tells the offchain worker where its inference worker listens, which key the
//! worker signs with and the secret the worker requires on its job endpoint, in three entries
//! of the node's persistent offchain storage ([`WORKER_URL_KEY`], [`WORKER_SIGNING_KEY_KEY`],
//! [`WORKER_SECRET_KEY`]). A node without them does nothing here. The job is built from chain
//! state only (the request and the version's record); the worker runs on-chain jobs from no
//! one else (the secret), so nobody can make it sign an on-chain receipt for another job.
//!
//! For each open request assigned to the worker with that key, at most once every
//! [`RETRY_BLOCKS`] blocks (a lock in offchain storage): `POST <url>/v1/jobs` with the SCALE
//! encoded [`WorkerJob`]; the answer is a SCALE [`WorkerAnswer`], submitted as
//! `submit_result`. ZKML jobs also carry the digests of the version's ZK keys; once their answer is
//! recorded they are still sent every [`RETRY_BLOCKS`] blocks (the worker proves a job it has
//! no proof for, e.g. after a restart, and ignores one it is proving), but their answer is not
//! submitted again; the proofs pallet's offchain worker fetches the proof.
//! A job the worker has not finished within a few seconds (a long chat) is answered `202`: it
//! runs on in the worker, and the run asks again for up to [`JOB_TIMEOUT_MS`]; after that the
//! next block's run asks again (without the [`RETRY_BLOCKS`] wait) and gets the answer when it
//! is done.
//! The job of a check of a chat result carries the result's claim (its receipt's output and
//! usage, and its generation evidence), which the worker re-executes instead of generating.
//! The chain validates it like any other submission; a worker that answers
//! wrongly or not at all lets the request expire. A worker that cannot fetch a request's stored
//! input answers `424` with a signed [`WorkerDecline`], submitted as `decline_request` (refund,
//! no penalty).

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
	GenerationClaim, RequestId, SigningKey, WorkerAnswer, WorkerDecline, WorkerJob,
};

pub use verity_primitives::{
	OFFCHAIN_WORKER_SECRET_KEY as WORKER_SECRET_KEY,
	OFFCHAIN_WORKER_SIGNING_KEY_KEY as WORKER_SIGNING_KEY_KEY,
	OFFCHAIN_WORKER_URL_KEY as WORKER_URL_KEY, WORKER_SECRET_HEADER,
};
/// Blocks before a job that got no answer is sent to the worker again.
pub const RETRY_BLOCKS: u32 = 5;
/// Most jobs sent in one offchain worker run.
pub const MAX_JOBS_PER_RUN: usize = 8;
/// How long one job may take, from sending to the worker's answer.
pub const JOB_TIMEOUT_MS: u64 = 30_000;

const LOG_TARGET: &str = "runtime::inference::ocw";

/// One offchain worker run at block `now`.
pub fn run<T: Config>(now: BlockNumberFor<T>) {
	let Ok(Some(url)) = StorageValueRef::persistent(WORKER_URL_KEY).get::<Vec<u8>>() else {
		return;
	};
	let Ok(Some(signing_key)) =
		StorageValueRef::persistent(WORKER_SIGNING_KEY_KEY).get::<SigningKey>()
	else {
		return;
	};
	let Ok(Some(secret)) = StorageValueRef::persistent(WORKER_SECRET_KEY).get::<[u8; 32]>() else {
		log::debug!(target: LOG_TARGET, "no worker secret in offchain storage");
		return;
	};
	let Some(worker) = WorkerBySigningKey::<T>::get(signing_key) else {
		log::debug!(target: LOG_TARGET, "the local worker's key is not registered");
		return;
	};
	let Ok(url) = core::str::from_utf8(&url) else {
		log::warn!(target: LOG_TARGET, "the worker URL in offchain storage is not UTF-8");
		return;
	};
	let genesis_hash = Pallet::<T>::genesis_hash();
	let mut sent = 0;
	for (request_id, ()) in Assignments::<T>::iter_prefix(&worker) {
		if sent == MAX_JOBS_PER_RUN {
			break;
		}
		if !take_job_lock::<T>(request_id, now) {
			continue;
		}
		sent += 1;
		let Some(request) = Requests::<T>::get(request_id) else { continue };
		let Some(model) = T::Models::artifact(&request.model) else { continue };
		let job = WorkerJob {
			genesis_hash,
			request_id,
			model: request.model,
			spec_hash: request.spec_hash,
			artifact: model.artifact,
			format: model.format,
			schema: model.schema,
			locations: model.locations,
			input: request.input,
			mode: request.mode,
			worker: worker.clone(),
			zk_keys: if request.mode == verity_primitives::VerificationMode::Zkml {
				model.zk_keys
			} else {
				None
			},
			max_tokens: request.chat.as_ref().map(|terms| terms.max_tokens),
			claim: request.check_of.and_then(claim::<T>),
		};
		// A ZKML answer already recorded: the job goes to the worker again only so that it
		// proves it if it lost the proof (a restart); its answer is not submitted again.
		let answered = AwaitingProof::<T>::contains_key(request_id);
		match ask_until_answered::<T>(url, &secret, &job) {
			Ok(_) if answered => {
				log::debug!(target: LOG_TARGET, "request {request_id}: answered, being proved")
			},
			Ok(Reply::Answer(answer)) => submit::<T>(request_id, answer),
			Ok(Reply::Decline(decline)) if decline.request_id == request_id => {
				submit_decline::<T>(decline, &job)
			},
			Ok(Reply::Decline(_)) => {
				log::warn!(target: LOG_TARGET, "request {request_id}: a decline of another request")
			},
			// A long job (a chat of many tokens) runs on in the worker: ask again next block
			// (with instant seal, the next block comes with the next transaction).
			Ok(Reply::Running) => {
				release_job_lock::<T>(request_id, now);
				log::debug!(target: LOG_TARGET, "request {request_id}: running")
			},
			Err(error) => log::warn!(
				target: LOG_TARGET,
				"request {request_id}: the inference worker gave no result: {error}"
			),
		}
	}
}

/// The chat result `original` as its check re-executes it (from chain state: its receipt
/// and its evidence); `None` for a tensor result.
fn claim<T: Config>(original: RequestId) -> Option<GenerationClaim> {
	let result = Results::<T>::get(original)?;
	Some(GenerationClaim {
		original,
		output_digest: result.receipt.output_digest,
		usage: result.receipt.usage?,
		evidence: Generations::<T>::get(original)?,
	})
}

/// Takes the lock on a job for `RETRY_BLOCKS` blocks; false if another run holds it.
fn take_job_lock<T: Config>(request_id: u64, now: BlockNumberFor<T>) -> bool {
	let key = (b"verity::job-lock/", request_id).encode();
	let lock = StorageValueRef::persistent(&key);
	lock.mutate::<BlockNumberFor<T>, (), _>(|held| match held {
		Ok(Some(until)) if until > now => Err(()),
		_ => Ok(now.saturating_add(RETRY_BLOCKS.into())),
	})
	.is_ok()
}

/// Lets the next block's run ask for the job again.
fn release_job_lock<T: Config>(request_id: u64, now: BlockNumberFor<T>) {
	let key = (b"verity::job-lock/", request_id).encode();
	StorageValueRef::persistent(&key).set(&now);
}

/// What the worker made of a job.
enum Reply<AccountId> {
	/// The signed answer.
	Answer(WorkerAnswer<AccountId>),
	/// A signed decline (status 424): the input could not be fetched, or is not a valid
	/// request for the model.
	Decline(WorkerDecline),
	/// Still running (status 202): the worker keeps the answer for the next ask.
	Running,
}

/// Asks the worker for `job` again while it answers "running", for at most
/// [`JOB_TIMEOUT_MS`] in all (each ask waits a few seconds in the worker): a job of a few
/// seconds is answered in this run, a longer one in a later block's.
fn ask_until_answered<T: Config>(
	url: &str,
	secret: &[u8; 32],
	job: &WorkerJob<T::AccountId>,
) -> Result<Reply<T::AccountId>, &'static str> {
	let until = sp_io::offchain::timestamp().add(Duration::from_millis(JOB_TIMEOUT_MS));
	loop {
		let reply = ask_worker::<T>(url, secret, job)?;
		if !matches!(reply, Reply::Running) || sp_io::offchain::timestamp() >= until {
			return Ok(reply);
		}
	}
}

fn ask_worker<T: Config>(
	url: &str,
	secret: &[u8; 32],
	job: &WorkerJob<T::AccountId>,
) -> Result<Reply<T::AccountId>, &'static str> {
	let deadline = sp_io::offchain::timestamp().add(Duration::from_millis(JOB_TIMEOUT_MS));
	let endpoint = alloc::format!("{}/v1/jobs", url.trim_end_matches('/'));
	let secret = verity_primitives::digest::to_hex(secret);
	let pending = http::Request::post(&endpoint, alloc::vec![job.encode()])
		.add_header("content-type", "application/octet-stream")
		.add_header(WORKER_SECRET_HEADER, &secret)
		.deadline(deadline)
		.send()
		.map_err(|_| "cannot reach the worker")?;
	let response = pending
		.try_wait(deadline)
		.map_err(|_| "the worker timed out")?
		.map_err(|_| "the worker's answer failed")?;
	let body: Vec<u8> = response.body().collect();
	if response.code == 202 {
		return Ok(Reply::Running);
	}
	if response.code == 424 {
		return WorkerDecline::decode(&mut &body[..])
			.map(Reply::Decline)
			.map_err(|_| "the worker's decline does not decode");
	}
	if response.code != 200 {
		log::warn!(
			target: LOG_TARGET,
			"the worker refused job {}: {} {}",
			job.request_id,
			response.code,
			core::str::from_utf8(&body).unwrap_or("(not UTF-8)")
		);
		return Err("the worker refused the job");
	}
	WorkerAnswer::decode(&mut &body[..])
		.map(Reply::Answer)
		.map_err(|_| "the worker's answer does not decode")
}

/// Submits the worker's decline of `job` (the call names the job's worker and input, so the
/// chain checks the signature before it reads the request).
fn submit_decline<T: Config>(decline: WorkerDecline, job: &WorkerJob<T::AccountId>) {
	let request_id = decline.request_id;
	let call = Call::<T>::decline_request {
		request: request_id,
		worker: job.worker.clone(),
		input_digest: job.input.digest(),
		reason: decline.reason,
		evidence: decline.evidence,
		signature: decline.signature,
	};
	submit_authorized::<T>(request_id, call, "decline");
}

fn submit<T: Config>(request_id: u64, answer: WorkerAnswer<T::AccountId>) {
	let call = Call::<T>::submit_result {
		receipt: answer.receipt,
		output: answer.output,
		signature: answer.signature,
		generation: answer.generation,
	};
	submit_authorized::<T>(request_id, call, "result");
}

/// Submits `call` as an authorized general transaction (its signature is the authorization).
fn submit_authorized<T: Config>(request_id: u64, call: Call<T>, what: &str) {
	let xt =
		<T as CreateAuthorizedTransaction<Call<T>>>::create_authorized_transaction(call.into());
	match SubmitTransaction::<T, Call<T>>::submit_transaction(xt) {
		Ok(()) => log::info!(target: LOG_TARGET, "request {request_id}: {what} submitted"),
		Err(()) => log::warn!(
			target: LOG_TARGET,
			"request {request_id}: the pool refused the {what} transaction"
		),
	}
}
