//! The content-addressed store: one file per artifact, named by its BLAKE2b-256 digest.
//!
//! Invariants: a file under its key always hashes to that key (writes go to a temporary file that
//! is renamed into place only after its digests check out, so no partial artifact is ever
//! visible), and every read re-hashes the file before serving it.
//!
//! A store may have a [`Quota`] on the bytes it holds: a public store refuses an artifact that
//! would exceed it; a cache evicts the artifacts read least recently (reads touch a file's
//! modification time) to make room, never the one just written.

use crate::{body_chunks, Chunks, StoreError};
use bytes::Bytes;
use hyper::body::Body;
use std::path::{Path, PathBuf};
use tokio::{
	fs::File,
	io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt},
};
use verity_primitives::{digest::parse_hash, digest::to_hex, ArtifactDigest, ArtifactHasher};

/// How many bytes a store may hold in all, and what happens at the limit.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Quota {
	/// No limit beside the disk.
	#[default]
	Unlimited,
	/// Refuse an artifact that would take the store past this many bytes (a public store:
	/// what others uploaded is never dropped to make room).
	Refuse(u64),
	/// Evict the least recently read artifacts until the store is back under this many bytes
	/// (a cache: anything evicted can be fetched again).
	EvictLru(u64),
}

impl Quota {
	fn limit(&self) -> Option<u64> {
		match self {
			Quota::Unlimited => None,
			Quota::Refuse(limit) | Quota::EvictLru(limit) => Some(*limit),
		}
	}
}

/// A directory of artifacts keyed by digest.
#[derive(Clone, Debug)]
pub struct ArtifactStore {
	dir: PathBuf,
	max_size: u64,
	quota: Quota,
	/// Held while making room and renaming a new artifact into place, so concurrent writes
	/// neither overrun the quota together nor evict the same file twice.
	placing: std::sync::Arc<std::sync::Mutex<()>>,
}

/// A stored artifact as eviction sees it: (last read or written, size, path).
type StoredFile = (std::time::SystemTime, u64, PathBuf);

impl ArtifactStore {
	/// Opens (creating it if needed) the store in `dir`; artifacts above `max_size` bytes are
	/// refused.
	pub fn open(dir: impl Into<PathBuf>, max_size: u64) -> Result<Self, StoreError> {
		let dir = dir.into();
		std::fs::create_dir_all(dir.join("tmp"))?;
		// Temporary files left by a crash are never part of the store.
		for entry in std::fs::read_dir(dir.join("tmp"))? {
			let _ = std::fs::remove_file(entry?.path());
		}
		Ok(Self { dir, max_size, quota: Quota::Unlimited, placing: Default::default() })
	}

	/// The same store with `quota` on the bytes it holds in all.
	pub fn with_quota(mut self, quota: Quota) -> Self {
		self.quota = quota;
		self
	}

	/// The store's quota.
	pub fn quota(&self) -> Quota {
		self.quota
	}

	/// Bytes held by the store's artifacts, and the artifacts as (last read or written, size,
	/// path).
	fn usage(&self) -> Result<(u64, Vec<StoredFile>), StoreError> {
		let mut total = 0u64;
		let mut files = Vec::new();
		for entry in std::fs::read_dir(&self.dir)? {
			let entry = entry?;
			let metadata = entry.metadata()?;
			if !metadata.is_file() || parse_hash(&entry.file_name().to_string_lossy()).is_none() {
				continue;
			}
			total = total.saturating_add(metadata.len());
			let touched = metadata.modified().unwrap_or(std::time::UNIX_EPOCH);
			files.push((touched, metadata.len(), entry.path()));
		}
		Ok((total, files))
	}

	/// Bytes held by the store's artifacts.
	pub fn used_bytes(&self) -> Result<u64, StoreError> {
		Ok(self.usage()?.0)
	}

	/// Makes room for `incoming` new bytes under the quota (before `kept` is renamed into
	/// place): a refusing store fails with [`StoreError::QuotaExceeded`], an evicting one
	/// removes the least recently read artifacts.
	fn make_room(&self, incoming: u64, kept: &[u8; 32]) -> Result<(), StoreError> {
		let Some(limit) = self.quota.limit() else { return Ok(()) };
		if incoming > limit {
			return Err(StoreError::TooLarge { limit });
		}
		let (mut used, mut files) = self.usage()?;
		if used.saturating_add(incoming) <= limit {
			return Ok(());
		}
		if let Quota::Refuse(quota) = self.quota {
			return Err(StoreError::QuotaExceeded { quota, used });
		}
		files.sort();
		let kept = self.path_of(kept);
		for (_, size, path) in files {
			if used.saturating_add(incoming) <= limit {
				break;
			}
			if path == kept {
				continue;
			}
			match std::fs::remove_file(&path) {
				Ok(()) => {
					log::info!(target: "artifact-store", "evicted {} ({size} bytes)", path.display());
					used = used.saturating_sub(size);
				},
				Err(error) => {
					log::warn!(target: "artifact-store", "evicting {}: {error}", path.display())
				},
			}
		}
		Ok(())
	}

	/// The store's directory.
	pub fn dir(&self) -> &Path {
		&self.dir
	}

	/// Largest artifact accepted, in bytes.
	pub fn max_size(&self) -> u64 {
		self.max_size
	}

	/// Where the artifact with this BLAKE2b-256 digest lives.
	pub fn path_of(&self, blake2_256: &[u8; 32]) -> PathBuf {
		self.dir.join(to_hex(blake2_256))
	}

	/// Whether the store holds the artifact.
	pub fn contains(&self, blake2_256: &[u8; 32]) -> bool {
		self.path_of(blake2_256).is_file()
	}

	/// Stores the bytes of `body`. With `expected`, every digest and the size must match (the
	/// transfer stops as soon as it exceeds the expected size). Returns the artifact's digests.
	pub async fn put<B>(
		&self,
		body: B,
		expected: Option<&ArtifactDigest>,
	) -> Result<ArtifactDigest, StoreError>
	where
		B: Body<Data = Bytes> + Unpin,
		B::Error: std::fmt::Display,
	{
		self.put_chunks(body_chunks(body), expected).await
	}

	/// Stores the bytes of `body` if they hash to `blake2_256` (and to `sha256`, when given).
	pub async fn put_keyed<B>(
		&self,
		body: B,
		blake2_256: &[u8; 32],
		sha256: Option<&[u8; 32]>,
	) -> Result<ArtifactDigest, StoreError>
	where
		B: Body<Data = Bytes> + Unpin,
		B::Error: std::fmt::Display,
	{
		let too_large = StoreError::TooLarge { limit: self.max_size };
		self.write(body_chunks(body), self.max_size, too_large, |digest| {
			if &digest.blake2_256 == blake2_256 && sha256.is_none_or(|sha| sha == &digest.sha256) {
				Ok(())
			} else {
				Err(StoreError::DigestMismatch {
					expected: format!(
						"blake2-256 {}{}",
						to_hex(blake2_256),
						sha256.map(|sha| format!(" sha-256 {}", to_hex(sha))).unwrap_or_default()
					),
					actual: describe(digest),
				})
			}
		})
		.await
	}

	pub(crate) async fn put_chunks<B>(
		&self,
		chunks: Chunks<B>,
		expected: Option<&ArtifactDigest>,
	) -> Result<ArtifactDigest, StoreError>
	where
		B: Body<Data = Bytes> + Unpin,
		B::Error: std::fmt::Display,
	{
		let (limit, too_large) = match expected {
			Some(digest) if digest.size > self.max_size => {
				return Err(StoreError::TooLarge { limit: self.max_size })
			},
			Some(digest) => (digest.size, StoreError::LongerThanExpected { expected: digest.size }),
			None => (self.max_size, StoreError::TooLarge { limit: self.max_size }),
		};
		self.write(chunks, limit, too_large, |digest| match expected {
			Some(expected) => check(expected, digest),
			None => Ok(()),
		})
		.await
	}

	/// Writes to a temporary file, checks, then renames into place: all or nothing.
	async fn write<B>(
		&self,
		chunks: Chunks<B>,
		limit: u64,
		too_large: StoreError,
		verify: impl FnOnce(&ArtifactDigest) -> Result<(), StoreError>,
	) -> Result<ArtifactDigest, StoreError>
	where
		B: Body<Data = Bytes> + Unpin,
		B::Error: std::fmt::Display,
	{
		let temporary = tempfile::NamedTempFile::new_in(self.dir.join("tmp"))?;
		let digest = write_verified(chunks, &temporary, limit, too_large).await?;
		verify(&digest)?;
		let _placing = self.placing.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
		if !self.contains(&digest.blake2_256) {
			self.make_room(digest.size, &digest.blake2_256)?;
		}
		temporary
			.persist(self.path_of(&digest.blake2_256))
			.map_err(|error| StoreError::Io(error.error))?;
		Ok(digest)
	}

	/// Opens the artifact with this digest after re-hashing it: returns the file positioned at
	/// its start and the artifact's digests.
	pub async fn open_verified(
		&self,
		blake2_256: &[u8; 32],
	) -> Result<(File, ArtifactDigest), StoreError> {
		let path = self.path_of(blake2_256);
		let mut file = match File::open(&path).await {
			Ok(file) => file,
			Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
				return Err(StoreError::NotFound(to_hex(blake2_256)))
			},
			Err(error) => return Err(error.into()),
		};
		// A read marks the artifact as recently used, before the (possibly long) hash, so a
		// cache's eviction never picks what is being read.
		self.touch_file(&file).await;
		let mut hasher = ArtifactHasher::new();
		let mut buffer = vec![0u8; 1 << 20];
		loop {
			let read = file.read(&mut buffer).await?;
			if read == 0 {
				break;
			}
			hasher.update(&buffer[..read]);
		}
		let digest = hasher.finish();
		if &digest.blake2_256 != blake2_256 {
			log::error!(
				target: "artifact-store",
				"{} does not hash to its name (got {}); it is not served",
				path.display(),
				to_hex(&digest.blake2_256)
			);
			return Err(StoreError::Corrupt {
				key: to_hex(blake2_256),
				actual: to_hex(&digest.blake2_256),
			});
		}
		file.rewind().await?;
		Ok((file, digest))
	}

	/// Reads the whole artifact with this digest into memory through one open file (an
	/// eviction after the open cannot take it away), and checks it against `expected`.
	pub async fn read_verified(&self, expected: &ArtifactDigest) -> Result<Vec<u8>, StoreError> {
		let bytes = self.read_written(expected).await?;
		check(expected, &ArtifactDigest::of(&bytes))?;
		Ok(bytes)
	}

	/// [`Self::read_verified`] without the hash, for an artifact this process has just
	/// written (it was checked as it was written, and renamed into place whole): only its
	/// size is checked.
	pub async fn read_written(&self, expected: &ArtifactDigest) -> Result<Vec<u8>, StoreError> {
		let file = match File::open(self.path_of(&expected.blake2_256)).await {
			Ok(file) => file,
			Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
				return Err(StoreError::NotFound(to_hex(&expected.blake2_256)))
			},
			Err(error) => return Err(error.into()),
		};
		self.touch_file(&file).await;
		let mut bytes = Vec::with_capacity(expected.size.min(1 << 30) as usize);
		file.take(expected.size.saturating_add(1)).read_to_end(&mut bytes).await?;
		if bytes.len() as u64 != expected.size {
			return Err(StoreError::Corrupt {
				key: to_hex(&expected.blake2_256),
				actual: format!("{} bytes, not {}", bytes.len(), expected.size),
			});
		}
		Ok(bytes)
	}

	/// Marks the artifact with this digest as recently used (a model kept loaded in memory is
	/// not read again, but is still in use).
	pub async fn touch(&self, blake2_256: &[u8; 32]) {
		if let Ok(file) = File::open(self.path_of(blake2_256)).await {
			self.touch_file(&file).await;
		}
	}

	async fn touch_file(&self, file: &File) {
		let Ok(file) = file.try_clone().await else { return };
		let file = file.into_std().await;
		if let Err(error) = file.set_modified(std::time::SystemTime::now()) {
			log::debug!(target: "artifact-store", "touching an artifact: {error}");
		}
	}

	/// The digest named by a key (64 hex digits of BLAKE2b-256).
	pub fn parse_key(key: &str) -> Result<[u8; 32], StoreError> {
		parse_hash(key).ok_or_else(|| StoreError::BadKey(key.into()))
	}
}

/// Streams `chunks` into `file`, hashing it and stopping past `limit` bytes; syncs the file.
pub(crate) async fn write_verified<B>(
	mut chunks: Chunks<B>,
	file: &tempfile::NamedTempFile,
	limit: u64,
	too_large: StoreError,
) -> Result<ArtifactDigest, StoreError>
where
	B: Body<Data = Bytes> + Unpin,
	B::Error: std::fmt::Display,
{
	let mut out = File::from_std(file.as_file().try_clone()?);
	let mut hasher = ArtifactHasher::new();
	while let Some(chunk) = chunks.next_chunk().await? {
		if hasher.size() + chunk.len() as u64 > limit {
			return Err(too_large);
		}
		hasher.update(&chunk);
		out.write_all(&chunk).await?;
	}
	out.flush().await?;
	out.sync_all().await?;
	Ok(hasher.finish())
}

/// Checks that `actual` is the artifact `expected` names: both digests and the size.
pub fn check(expected: &ArtifactDigest, actual: &ArtifactDigest) -> Result<(), StoreError> {
	if expected == actual {
		return Ok(());
	}
	Err(StoreError::DigestMismatch { expected: describe(expected), actual: describe(actual) })
}

fn describe(digest: &ArtifactDigest) -> String {
	format!(
		"blake2-256 {} sha-256 {} ({} bytes)",
		to_hex(&digest.blake2_256),
		to_hex(&digest.sha256),
		digest.size
	)
}
