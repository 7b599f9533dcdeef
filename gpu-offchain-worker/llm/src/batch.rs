//! Batching of concurrent generations: a model's decode steps, from however many generations
//! run at once, are gathered and run as one [`Weights::forward_batch`], so the weights are
//! read once per step for all of them. A generation joins when its prompt is prefilled (a
//! [`Session`]) and leaves when it ends; the batching thread waits for the step of every
//! generation in session, at most [`GATHER`], then runs those it has. Batching changes no
//! result: each row is computed as it would be alone. Whether a model batches is its
//! loader's choice (`ChatModel::with_batching`: on for the GPU backend).

use crate::{
	model::{KvCache, Step, Weights},
	LlmError,
};
use candle_core::Tensor;
use std::{
	sync::{
		atomic::{AtomicUsize, Ordering},
		mpsc, Arc,
	},
	thread,
	time::{Duration, Instant},
};

/// How long a step waits for the other generations' steps before it runs without them (a
/// generation between two steps computes its logits and maybe a fingerprint, samples and
/// detokenizes one token).
pub const GATHER: Duration = Duration::from_millis(5);

/// Steps run at once at most.
pub const MAX_BATCH: usize = 16;

/// One generation's decode step, handed to the batching thread with its cache.
struct Request {
	cache: KvCache,
	token: u32,
	reply: mpsc::SyncSender<Reply>,
}

/// The cache back, holding the token, and its final-normed hidden state `(embedding)`.
type Reply = (KvCache, Result<Tensor, LlmError>);

/// The batching thread of one model; it stops when the `Batcher` is dropped.
pub struct Batcher {
	requests: mpsc::Sender<Request>,
	/// The model's context length.
	context: usize,
	/// Generations in session.
	active: Arc<AtomicUsize>,
	/// Batches run and the steps they held.
	counts: Arc<[AtomicUsize; 2]>,
}

/// What a batcher has run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BatchStats {
	/// Batches run.
	pub batches: usize,
	/// Decode steps run in them (more than `batches` once generations shared a batch).
	pub steps: usize,
}

impl Batcher {
	/// Starts the batching thread of `weights`.
	pub fn new(weights: Arc<Weights>) -> Result<Self, LlmError> {
		let context = weights.hparams().context_length;
		let (requests, inbox) = mpsc::channel();
		let active = Arc::new(AtomicUsize::new(0));
		let counts = Arc::new([AtomicUsize::new(0), AtomicUsize::new(0)]);
		let (waiting, counted) = (active.clone(), counts.clone());
		thread::Builder::new()
			.name("llm-batcher".into())
			.spawn(move || serve(&weights, &inbox, &waiting, &counted))
			.map_err(|e| LlmError::Batch(format!("cannot start the batching thread: {e}")))?;
		Ok(Self { requests, context, active, counts })
	}

	/// Batches and steps run so far.
	pub fn stats(&self) -> BatchStats {
		BatchStats {
			batches: self.counts[0].load(Ordering::SeqCst),
			steps: self.counts[1].load(Ordering::SeqCst),
		}
	}

	/// Joins the batch: the generation's decode steps go through [`Session::decode`] until
	/// the session is dropped.
	pub fn session(&self) -> Session<'_> {
		self.active.fetch_add(1, Ordering::SeqCst);
		Session { batcher: self }
	}
}

/// A generation's place in the batch.
pub struct Session<'a> {
	batcher: &'a Batcher,
}

impl Session<'_> {
	/// Runs `token` after those in `cache` (which then holds it too), batched with the other
	/// sessions' steps; its final-normed hidden state, `(embedding)`. A step past the
	/// context is refused here, so that it cannot fail the others' batch.
	pub fn decode(&self, cache: &mut KvCache, token: u32) -> Result<Tensor, LlmError> {
		let context = self.batcher.context;
		if cache.len() >= context {
			return Err(LlmError::ContextExceeded { tokens: cache.len() + 1, context });
		}
		let (reply, answer) = mpsc::sync_channel(1);
		let request = Request { cache: std::mem::replace(cache, KvCache::empty()), token, reply };
		let sent = self.batcher.requests.send(request);
		let (returned, hidden) = match sent {
			Ok(()) => answer.recv().map_err(|_| failed())?,
			Err(mpsc::SendError(request)) => (request.cache, Err(stopped())),
		};
		*cache = returned;
		hidden
	}
}

impl Drop for Session<'_> {
	fn drop(&mut self) {
		self.batcher.active.fetch_sub(1, Ordering::SeqCst);
	}
}

fn stopped() -> LlmError {
	LlmError::Batch("the batching thread stopped".into())
}

fn failed() -> LlmError {
	LlmError::Batch("the batch of this step failed".into())
}

/// The batching thread: gathers steps, runs them, answers each.
fn serve(
	weights: &Weights,
	inbox: &mpsc::Receiver<Request>,
	active: &AtomicUsize,
	counts: &[AtomicUsize; 2],
) {
	while let Some(batch) = gather(inbox, active) {
		counts[0].fetch_add(1, Ordering::SeqCst);
		counts[1].fetch_add(batch.len(), Ordering::SeqCst);
		// A panic fails this batch's generations (their replies are dropped), not the thread.
		let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run(weights, batch)));
	}
}

/// The next batch: the first step to arrive, then the others in session until all have come
/// (or [`MAX_BATCH`]), for at most [`GATHER`]. `None` once the batcher is dropped.
fn gather(inbox: &mpsc::Receiver<Request>, active: &AtomicUsize) -> Option<Vec<Request>> {
	let mut batch = vec![inbox.recv().ok()?];
	let deadline = Instant::now() + GATHER;
	while batch.len() < active.load(Ordering::SeqCst).min(MAX_BATCH) {
		let left = deadline.saturating_duration_since(Instant::now());
		match inbox.recv_timeout(left) {
			Ok(request) => batch.push(request),
			Err(_) => break,
		}
	}
	Some(batch)
}

/// Runs one batch and answers every step (each with the batch's error if it fails).
fn run(weights: &Weights, batch: Vec<Request>) {
	let (mut caches, rest): (Vec<KvCache>, Vec<_>) =
		batch.into_iter().map(|r| (r.cache, ([r.token], r.reply))).unzip();
	let mut steps: Vec<Step<'_>> = caches
		.iter_mut()
		.zip(&rest)
		.map(|(cache, (token, _))| Step { cache, tokens: token })
		.collect();
	let hidden = weights.forward_batch(&mut steps).and_then(|rows| {
		rows.into_iter().map(|row| Ok(row.get(0)?)).collect::<Result<Vec<_>, LlmError>>()
	});
	drop(steps);
	for (i, (cache, (_, reply))) in caches.into_iter().zip(rest).enumerate() {
		let answer = match &hidden {
			Ok(rows) => Ok(rows[i].clone()),
			Err(error) => Err(LlmError::Batch(format!("a batched step failed: {error}"))),
		};
		// A generation that stopped waiting has nothing to be told.
		let _ = reply.send((cache, answer));
	}
}
