//! On-chain jobs run in the background: the node's `POST /v1/jobs` waits at most
//! [`ANSWER_WAIT`] for the answer and otherwise gets `202` ("running, ask again"); asking again
//! for the same job never starts it twice, and a finished job's answer is kept for
//! [`KEEP_ANSWERS`] (the node may miss a reply). A chat job of many tokens takes longer than
//! the node waits for one HTTP answer; run in the request's own task, it would be dropped with
//! the connection, started again on every retry and end in a timeout penalty.

use codec::Encode;
use std::{
	collections::HashMap,
	future::Future,
	sync::{Arc, Mutex},
	time::{Duration, Instant},
};
use tokio::sync::watch;
use verity_primitives::{blake2_256, Digest32, RequestId};

/// How long the node's call waits for a job before it is told to ask again.
pub const ANSWER_WAIT: Duration = Duration::from_secs(10);
/// How long a finished job's outcome is kept.
pub const KEEP_ANSWERS: Duration = Duration::from_secs(3600);

/// Where a job stands when the node asks.
pub enum Progress<T> {
	/// Finished: its outcome.
	Done(Arc<T>),
	/// Still running.
	Running,
}

/// The on-chain jobs running or finished lately, by request id.
pub struct BackgroundJobs<T> {
	jobs: Mutex<HashMap<RequestId, Entry<T>>>,
}

struct Entry<T> {
	/// BLAKE2b-256 of the SCALE-encoded job: another job under the same id starts anew.
	job: Digest32,
	outcome: watch::Receiver<Option<Arc<T>>>,
	/// When it finished, and whether its outcome is kept.
	finished: Arc<Mutex<Option<(Instant, bool)>>>,
}

impl<T> Default for BackgroundJobs<T> {
	fn default() -> Self {
		Self { jobs: Mutex::new(HashMap::new()) }
	}
}

impl<T: Send + Sync + 'static> BackgroundJobs<T> {
	/// The outcome of `job` (request `id`), started by `run` unless the same job already runs
	/// or ran lately; waits at most [`ANSWER_WAIT`]. `keep` says whether a finished outcome is
	/// kept (a failure is not: asking again runs it again).
	pub async fn ask<J: Encode + ?Sized, F>(
		&self,
		id: RequestId,
		job: &J,
		run: impl FnOnce() -> F,
		keep: fn(&T) -> bool,
	) -> Progress<T>
	where
		F: Future<Output = T> + Send + 'static,
	{
		let mut outcome = self.outcome_of(id, blake2_256(&job.encode()), run, keep);
		let waited = tokio::time::timeout(ANSWER_WAIT, outcome.wait_for(Option::is_some)).await;
		let done = match waited {
			Ok(Ok(done)) => done.clone(),
			_ => None,
		};
		done.map_or(Progress::Running, Progress::Done)
	}

	/// The receiver of the job's outcome, starting the job if it is not running or kept.
	fn outcome_of<F>(
		&self,
		id: RequestId,
		digest: Digest32,
		run: impl FnOnce() -> F,
		keep: fn(&T) -> bool,
	) -> watch::Receiver<Option<Arc<T>>>
	where
		F: Future<Output = T> + Send + 'static,
	{
		let mut jobs = self.jobs.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
		jobs.retain(|_, entry| {
			let finished = *entry.finished.lock().unwrap_or_else(|p| p.into_inner());
			finished.is_none_or(|(at, kept)| kept && at.elapsed() < KEEP_ANSWERS)
		});
		if let Some(entry) = jobs.get(&id).filter(|entry| entry.job == digest) {
			return entry.outcome.clone();
		}
		let (sender, receiver) = watch::channel(None);
		let finished = Arc::new(Mutex::new(None));
		let entry = Entry { job: digest, outcome: receiver.clone(), finished: finished.clone() };
		jobs.insert(id, entry);
		let future = run();
		let jobs_done = Arc::downgrade(&finished);
		tokio::spawn(async move {
			let outcome = Arc::new(future.await);
			// Marked before its waiters hear of it: a failure is forgotten at once (its waiters
			// have it), so whoever asks next runs it again.
			if let Some(finished) = jobs_done.upgrade() {
				let kept = keep(&outcome);
				*finished.lock().unwrap_or_else(|p| p.into_inner()) = Some((Instant::now(), kept));
			}
			let _ = sender.send(Some(outcome));
		});
		receiver
	}
}
