//! Live text of on-chain chat jobs: `GET /v1/jobs/<request id>/stream` follows a chat job's
//! answer as the model produces it, so that a requester sees tokens at once, before the result
//! settles on chain (where it is then verified).
//!
//! The stream carries the text the worker then signs, which is public on chain once it settles
//! (the request is public at once); a job that fails streams what it produced until then. It
//! answers newline-delimited JSON: one `{"text": ..., "ms": ...}` line per piece the model
//! produced (from the first, whenever the client connects; `ms` counts from the job's start
//! on the worker's clock), then `{"done": true}`, or `{"error": ...}` when the job failed. A finished job's stream is kept for
//! [`KEEP_FINISHED`], and at most [`MAX_STREAMS`] jobs are followed at once (the oldest finished
//! one is dropped first).

use bytes::Bytes;
use hyper::body::{Body, Frame};
use std::{
	collections::HashMap,
	convert::Infallible,
	pin::Pin,
	sync::{Arc, Mutex},
	task::{Context, Poll},
	time::{Duration, Instant},
};
use tokio::sync::{mpsc, Notify};
use verity_primitives::RequestId;

/// How long a finished job's stream can still be read.
pub const KEEP_FINISHED: Duration = Duration::from_secs(120);
/// Most jobs whose streams are kept.
pub const MAX_STREAMS: usize = 256;

/// The streams of the jobs this worker runs or ran lately.
#[derive(Default)]
pub struct JobStreams {
	jobs: Mutex<HashMap<RequestId, Arc<JobStream>>>,
}

/// One job's pieces so far and whether it ended.
pub struct JobStream {
	state: Mutex<StreamState>,
	changed: Notify,
	started: Instant,
}

#[derive(Default)]
struct StreamState {
	/// The pieces, with the milliseconds since the job started when each was produced.
	pieces: Vec<(Bytes, u64)>,
	/// `Some(Ok)` once done, `Some(Err(why))` once failed, and when.
	end: Option<(Result<(), String>, Instant)>,
}

impl JobStreams {
	/// Starts following `request`'s job (a rerun of it starts over).
	pub fn open(&self, request: RequestId) -> Arc<JobStream> {
		let stream = Arc::new(JobStream {
			state: Mutex::default(),
			changed: Notify::new(),
			started: Instant::now(),
		});
		let mut jobs = self.lock();
		jobs.retain(|_, job| !job.expired());
		if jobs.len() >= MAX_STREAMS {
			let oldest = jobs.iter().filter_map(|(id, job)| Some((job.ended_at()?, *id))).min();
			if let Some((_, id)) = oldest {
				jobs.remove(&id);
			}
		}
		if jobs.len() < MAX_STREAMS {
			jobs.insert(request, stream.clone());
		}
		stream
	}

	/// The stream of `request`'s job, if it runs or ran lately.
	pub fn get(&self, request: RequestId) -> Option<Arc<JobStream>> {
		self.lock().get(&request).filter(|job| !job.expired()).cloned()
	}

	fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<RequestId, Arc<JobStream>>> {
		self.jobs.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
	}
}

impl JobStream {
	/// The model produced `piece`.
	pub fn push(&self, piece: &[u8]) {
		let ms = self.started.elapsed().as_millis() as u64;
		self.lock().pieces.push((Bytes::copy_from_slice(piece), ms));
		self.changed.notify_waiters();
	}

	/// The job ended: `Ok` with its whole answer, or with why it failed.
	pub fn finish(&self, outcome: Result<(), String>) {
		self.lock().end = Some((outcome, Instant::now()));
		self.changed.notify_waiters();
	}

	fn ended_at(&self) -> Option<Instant> {
		self.lock().end.as_ref().map(|(_, at)| *at)
	}

	fn expired(&self) -> bool {
		self.ended_at().is_some_and(|at| at.elapsed() > KEEP_FINISHED)
	}

	fn lock(&self) -> std::sync::MutexGuard<'_, StreamState> {
		self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
	}

	/// The lines from piece `from` on, and whether the stream ended with them.
	fn lines_from(&self, from: usize) -> (Vec<Bytes>, bool) {
		let state = self.lock();
		let mut lines: Vec<Bytes> = state.pieces[from.min(state.pieces.len())..]
			.iter()
			.map(|(piece, ms)| {
				line(serde_json::json!({"text": String::from_utf8_lossy(piece), "ms": ms}))
			})
			.collect();
		let ended = match &state.end {
			Some((Ok(()), _)) => Some(serde_json::json!({"done": true})),
			Some((Err(why), _)) => Some(serde_json::json!({"error": why})),
			None => None,
		};
		if let Some(last) = &ended {
			lines.push(line(last.clone()));
		}
		(lines, ended.is_some())
	}

	/// A response body that follows this stream from its first piece to its end.
	pub fn body(self: Arc<Self>) -> StreamBody {
		let (sender, receiver) = mpsc::channel(64);
		tokio::spawn(async move {
			let mut sent = 0;
			loop {
				// Registered before reading, so that no piece pushed in between is missed.
				let changed = self.changed.notified();
				let (lines, ended) = self.lines_from(sent);
				sent += lines.len() - usize::from(ended);
				for line in lines {
					if sender.send(line).await.is_err() {
						return;
					}
				}
				if ended {
					return;
				}
				changed.await;
			}
		});
		StreamBody(receiver)
	}
}

fn line(value: serde_json::Value) -> Bytes {
	let mut bytes = value.to_string().into_bytes();
	bytes.push(b'\n');
	Bytes::from(bytes)
}

/// A response body fed line by line as the job produces them.
pub struct StreamBody(mpsc::Receiver<Bytes>);

impl Body for StreamBody {
	type Data = Bytes;
	type Error = Infallible;

	fn poll_frame(
		mut self: Pin<&mut Self>,
		cx: &mut Context<'_>,
	) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
		self.0.poll_recv(cx).map(|line| line.map(|bytes| Ok(Frame::data(bytes))))
	}
}
