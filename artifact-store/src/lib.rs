#![doc = include_str!("../README.md")]

pub mod access;
pub mod fetch;
pub mod http;
pub mod limits;
pub mod secret_file;
pub mod server;
pub mod store;

pub use fetch::{AddressPolicy, FetchError, Fetcher, FetcherConfig};
pub use store::{ArtifactStore, Quota};

use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::body::Body;
use std::time::Duration;

/// What can go wrong storing or reading an artifact.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
	/// The artifact is larger than the store accepts.
	#[error("artifact larger than the limit of {limit} bytes")]
	TooLarge {
		/// The limit, in bytes.
		limit: u64,
	},
	/// The store is full: it holds `used` of its `quota` bytes and refuses more.
	#[error("the store is full: it holds {used} of its {quota} bytes")]
	QuotaExceeded {
		/// The store's quota, in bytes.
		quota: u64,
		/// Bytes it holds.
		used: u64,
	},
	/// More bytes arrived than the expected digest's size.
	#[error("more bytes than the expected {expected}")]
	LongerThanExpected {
		/// The expected size, in bytes.
		expected: u64,
	},
	/// The bytes do not hash to what was expected.
	#[error("digest mismatch: expected {expected}, got {actual}")]
	DigestMismatch {
		/// The expected digests.
		expected: String,
		/// The digests of the bytes received.
		actual: String,
	},
	/// A key is not 64 hex digits.
	#[error("not an artifact key (64 hex digits of BLAKE2b-256): {0:?}")]
	BadKey(String),
	/// The store has no artifact with this key.
	#[error("no artifact with key {0}")]
	NotFound(String),
	/// A stored file no longer hashes to its key.
	#[error("stored artifact {key} is corrupt: its bytes hash to {actual}")]
	Corrupt {
		/// The file's key.
		key: String,
		/// What its bytes hash to now.
		actual: String,
	},
	/// The body stopped with an error, or stalled.
	#[error("transfer failed: {0}")]
	Transfer(String),
	/// A file-system error.
	#[error("I/O error: {0}")]
	Io(#[from] std::io::Error),
}

/// Reads the data chunks of an HTTP body one by one, optionally failing a chunk that takes
/// longer than an idle timeout.
pub(crate) struct Chunks<B> {
	body: B,
	idle_timeout: Option<Duration>,
}

pub(crate) fn body_chunks<B>(body: B) -> Chunks<B> {
	Chunks { body, idle_timeout: None }
}

impl<B> Chunks<B>
where
	B: Body<Data = Bytes> + Unpin,
	B::Error: std::fmt::Display,
{
	pub(crate) fn with_idle_timeout(mut self, timeout: Duration) -> Self {
		self.idle_timeout = Some(timeout);
		self
	}

	/// The next data chunk, `None` at the end of the body.
	pub(crate) async fn next_chunk(&mut self) -> Result<Option<Bytes>, StoreError> {
		loop {
			let frame = match self.idle_timeout {
				Some(timeout) => tokio::time::timeout(timeout, self.body.frame())
					.await
					.map_err(|_| StoreError::Transfer(format!("no data for {timeout:?}")))?,
				None => self.body.frame().await,
			};
			match frame {
				None => return Ok(None),
				Some(Err(error)) => return Err(StoreError::Transfer(error.to_string())),
				Some(Ok(frame)) => {
					if let Ok(data) = frame.into_data() {
						return Ok(Some(data));
					}
				},
			}
		}
	}
}
