//! Settlement of requests made directly to the worker (off chain): receipts to record one by
//! one, and batches of receipts whose Merkle root goes on chain.
//!
//! A `Batch` receipt becomes a leaf of the open batch. The batch closes when it holds
//! [`BatchPolicy::max_leaves`] leaves, or when it is polled after [`BatchPolicy::max_age`]: its
//! leaves file (SCALE `Vec<BatchLeaf>`) is stored by digest where anyone can fetch it, and its
//! root, count, file digest and public location wait in [`Pending::batches`] until the
//! operator posts them (`verity batch post`) and reports them posted. `Individual` receipts wait in
//! [`Pending::receipts`] the same way. `Private` receipts are only returned to the requester.
//! Pending settlements live in memory: a restart loses the ones not posted yet.

use codec::{Decode, Encode};
use std::time::{Duration, Instant};
use verity_primitives::{
	batch_root, ArtifactDigest, BatchLeaf, BatchPosition, Digest32, SealedBatch, StorageLocation,
	MAX_BATCH_LEAVES,
};

/// A leaf of a chain whose accounts are 32 bytes.
pub type Leaf = BatchLeaf<[u8; 32]>;

/// When a batch closes.
#[derive(Clone, Copy, Debug)]
pub struct BatchPolicy {
	/// Most leaves in one batch.
	pub max_leaves: u32,
	/// Oldest a batch gets (from its first leaf) before it is closed when polled.
	pub max_age: Duration,
}

impl Default for BatchPolicy {
	/// 20 receipts or 15 minutes.
	fn default() -> Self {
		BatchPolicy { max_leaves: 20, max_age: Duration::from_secs(15 * 60) }
	}
}

/// What waits to be posted on chain, as `GET /v1/settlements` returns it (SCALE).
#[derive(Encode, Decode, Clone, Debug, Default, PartialEq, Eq)]
pub struct Pending {
	/// Closed batches.
	pub batches: Vec<SealedBatch>,
	/// Receipts to record individually.
	pub receipts: Vec<Leaf>,
}

/// What the operator posted, as `POST /v1/settlements/posted` takes it (SCALE).
#[derive(Encode, Decode, Clone, Debug, Default, PartialEq, Eq)]
pub struct Posted {
	/// Sequence numbers of posted batches.
	pub batches: Vec<u64>,
	/// BLAKE2b-256 of the SCALE encoding of each recorded receipt leaf.
	pub receipts: Vec<Digest32>,
}

/// A batch that just closed: its record, and the leaves file to store.
pub struct Closed {
	/// The worker's sequence number of the batch.
	pub sequence: u64,
	/// Merkle root over the SCALE-encoded leaves.
	pub root: Digest32,
	/// Number of leaves.
	pub leaf_count: u32,
	/// SCALE `Vec<BatchLeaf>`.
	pub leaves_file: Vec<u8>,
	/// Digests of the leaves file.
	pub leaves: ArtifactDigest,
}

impl Closed {
	/// What goes on chain once the leaves file is stored at `leaves_at`.
	pub fn sealed(&self, leaves_at: StorageLocation) -> SealedBatch {
		SealedBatch {
			sequence: self.sequence,
			root: self.root,
			leaf_count: self.leaf_count,
			leaves: self.leaves,
			leaves_at,
		}
	}
}

/// The worker's settlement state.
pub struct Settlements {
	policy: BatchPolicy,
	open: Vec<Leaf>,
	opened_at: Option<Instant>,
	next_sequence: u64,
	pending: Pending,
	unstored: Vec<Closed>,
}

impl Settlements {
	/// Empty, closing batches by `policy`.
	pub fn new(policy: BatchPolicy) -> Self {
		Settlements {
			policy,
			open: Vec::new(),
			opened_at: None,
			next_sequence: 0,
			pending: Pending::default(),
			unstored: Vec::new(),
		}
	}

	/// Adds a leaf to the open batch; returns its position and the batch if this closed it.
	pub fn add_to_batch(&mut self, leaf: Leaf) -> (BatchPosition, Option<Closed>) {
		if self.open.is_empty() {
			self.opened_at = Some(Instant::now());
		}
		let position =
			BatchPosition { sequence: self.next_sequence, index: self.open.len() as u32 };
		self.open.push(leaf);
		let closed =
			// The chain takes at most MAX_BATCH_LEAVES leaves a batch.
			(self.open.len() as u32 >= self.policy.max_leaves.clamp(1, MAX_BATCH_LEAVES))
				.then(|| self.close());
		(position, closed)
	}

	/// Queues a receipt to record individually.
	pub fn add_individual(&mut self, leaf: Leaf) {
		self.pending.receipts.push(leaf);
	}

	/// Closes the open batch if it is older than the policy allows.
	pub fn close_if_old(&mut self) -> Option<Closed> {
		let old = self.opened_at.is_some_and(|at| at.elapsed() >= self.policy.max_age);
		(old && !self.open.is_empty()).then(|| self.close())
	}

	/// Closes the open batch now (it must hold at least one leaf).
	pub fn close(&mut self) -> Closed {
		let leaves = std::mem::take(&mut self.open);
		self.opened_at = None;
		let encoded: Vec<Vec<u8>> = leaves.iter().map(Encode::encode).collect();
		let leaves_file = leaves.encode();
		let closed = Closed {
			sequence: self.next_sequence,
			root: batch_root(&encoded),
			leaf_count: leaves.len() as u32,
			leaves: ArtifactDigest::of(&leaves_file),
			leaves_file,
		};
		self.next_sequence += 1;
		closed
	}

	/// Queues a closed batch (once its leaves file is stored).
	pub fn queue(&mut self, sealed: SealedBatch) {
		self.pending.batches.push(sealed);
	}

	/// Keeps a closed batch whose leaves file could not be stored, to try again.
	pub fn retry_later(&mut self, closed: Closed) {
		self.unstored.push(closed);
	}

	/// The closed batches still to store (the caller retries them).
	pub fn take_unstored(&mut self) -> Vec<Closed> {
		std::mem::take(&mut self.unstored)
	}

	/// What waits to be posted.
	pub fn pending(&self) -> Pending {
		self.pending.clone()
	}

	/// Forgets what was posted.
	pub fn posted(&mut self, posted: &Posted) {
		self.pending.batches.retain(|batch| !posted.batches.contains(&batch.sequence));
		self.pending.receipts.retain(|leaf| {
			!posted.receipts.contains(&verity_primitives::blake2_256(&leaf.encode()))
		});
	}
}
