//! Waiting for an on-chain request's result: settled, answered (ZKML's fast path) and then
//! settled, or closed without one.

use crate::{api, AccountBytes, Chain, Failure};
use std::time::{Duration, Instant};
use verity_primitives::{RequestId, SettledResult};

/// A settled result, as `Inference.Results` holds it.
pub type Settled = SettledResult<AccountBytes, u128, u32>;

/// How often the chain is read while waiting.
const POLL: Duration = Duration::from_millis(250);

/// A request's result.
#[derive(Debug)]
pub struct Outcome {
	/// The settled result.
	pub settled: Settled,
	/// For ZKML: how long after the wait began the answer was recorded (the proof then
	/// verified when it settled).
	pub answered_after: Option<Duration>,
}

/// Why a request has no result.
#[derive(Debug, PartialEq, Eq)]
pub enum WaitError {
	/// It closed without an answer (expired, or declined for an input that could not be
	/// fetched); its fee was refunded.
	Expired(RequestId),
	/// It was answered but its proof was rejected or never arrived; its fee was refunded.
	NeverProved(RequestId),
	/// Still open after the time the caller allowed.
	TimedOut(RequestId, Duration),
	/// Reading the chain failed.
	Chain(Failure),
}

impl std::fmt::Display for WaitError {
	fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
		match self {
			Self::Expired(request) => write!(
				f,
				"request {request} expired without a result, or its worker declined it (its \
				 stored input could not be fetched, or it is not a valid request for the model, \
				 such as a chat request asking for more tokens than were paid for); the fee was \
				 refunded"
			),
			Self::NeverProved(request) => write!(
				f,
				"request {request} was answered but never proved: its proof was rejected (the \
				 worker slashed) or did not arrive by the deadline; the fee was refunded"
			),
			Self::TimedOut(request, after) => {
				write!(f, "no result for request {request} within {} s", after.as_secs())
			},
			Self::Chain(failure) => f.write_str(failure),
		}
	}
}

impl From<WaitError> for Failure {
	fn from(error: WaitError) -> Self {
		error.to_string()
	}
}

/// Waits until `request` settles, at most `timeout`.
pub async fn wait_for_result(
	chain: &Chain,
	request: RequestId,
	timeout: Duration,
) -> Result<Outcome, WaitError> {
	let started = Instant::now();
	let mut answered_after = None;
	loop {
		if let Some(settled) = settled(chain, request).await? {
			return Ok(Outcome { settled, answered_after });
		}
		if answered_after.is_none() && awaiting_proof(chain, request).await? {
			answered_after = Some(started.elapsed());
		}
		if !is_open(chain, request).await? {
			// Neither open nor settled: the results read may have raced the settlement.
			if let Some(settled) = settled(chain, request).await? {
				return Ok(Outcome { settled, answered_after });
			}
			return Err(match answered_after {
				Some(_) => WaitError::NeverProved(request),
				None => WaitError::Expired(request),
			});
		}
		if started.elapsed() > timeout {
			return Err(WaitError::TimedOut(request, timeout));
		}
		tokio::time::sleep(POLL).await;
	}
}

/// The settled result of `request`, if there is one.
pub async fn settled(chain: &Chain, request: RequestId) -> Result<Option<Settled>, WaitError> {
	let value = chain.fetch(api::storage().inference().results(), (request,)).await;
	Ok(value.map_err(WaitError::Chain)?.map(|settled| settled.0))
}

/// Whether `request` was answered and waits for its proof.
async fn awaiting_proof(chain: &Chain, request: RequestId) -> Result<bool, WaitError> {
	let value = chain.fetch(api::storage().inference().awaiting_proof(), (request,)).await;
	Ok(value.map_err(WaitError::Chain)?.is_some())
}

/// Whether `request` is still open.
async fn is_open(chain: &Chain, request: RequestId) -> Result<bool, WaitError> {
	let value = chain.fetch(api::storage().inference().requests(), (request,)).await;
	Ok(value.map_err(WaitError::Chain)?.is_some())
}
