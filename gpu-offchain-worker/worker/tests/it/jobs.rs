//! On-chain jobs in the background (`verity_worker::jobs`): a job longer than the node's wait
//! is answered "running", asked again it is not started a second time, and its outcome is
//! kept for the next ask; a failure is not kept (asked again, it runs again), and another job
//! under the same request id starts anew.

use std::{
	sync::{
		atomic::{AtomicU32, Ordering},
		Arc,
	},
	time::Duration,
};
use verity_worker::jobs::{BackgroundJobs, Progress, ANSWER_WAIT};

fn done<T: Copy>(progress: Progress<T>) -> Option<T> {
	match progress {
		Progress::Done(outcome) => Some(*outcome),
		Progress::Running => None,
	}
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn long_jobs_run_once_in_the_background_and_keep_their_outcome() {
	let jobs = BackgroundJobs::<Result<u32, ()>>::default();
	let starts = Arc::new(AtomicU32::new(0));
	let ask = |job: &'static str, outcome: Result<u32, ()>, seconds: f32| {
		let starts = starts.clone();
		jobs.ask(
			7,
			job,
			move || async move {
				starts.fetch_add(1, Ordering::SeqCst);
				tokio::time::sleep(Duration::from_secs_f32(seconds)).await;
				outcome
			},
			|outcome| outcome.is_ok(),
		)
	};
	let long = ANSWER_WAIT.as_secs_f32() + 1.5;
	assert_eq!(done(ask("chat", Ok(42), long).await), None, "still running");
	assert_eq!(done(ask("chat", Ok(0), long).await), Some(Ok(42)), "the first run's answer");
	assert_eq!(done(ask("chat", Ok(0), 0.0).await), Some(Ok(42)), "kept");
	assert_eq!(starts.load(Ordering::SeqCst), 1);
	// Another job under the same id (a reorg gave the id to another request).
	assert_eq!(done(ask("other", Err(()), 0.0).await), Some(Err(())));
	assert_eq!(done(ask("other", Ok(5), 0.0).await), Some(Ok(5)), "a failure runs again");
	assert_eq!(starts.load(Ordering::SeqCst), 3);
}
