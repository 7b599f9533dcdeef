//! The content-addressed store: one file per artifact, named by its BLAKE2b-256 digest.
//!
//! Invariants: a file under its key always hashes to that key (writes go to a temporary file that
//! is renamed into place only after its digests check out, so no partial artifact is ever
//! visible), and every read re-hashes the file before serving it.

use crate::{body_chunks, Chunks, StoreError};
use bytes::Bytes;
use hyper::body::Body;
use std::path::{Path, PathBuf};
use tokio::{
	fs::File,
	io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt},
};
use verity_primitives::{digest::parse_hash, digest::to_hex, ArtifactDigest, ArtifactHasher};

/// A directory of artifacts keyed by digest.
#[derive(Clone, Debug)]
pub struct ArtifactStore {
	dir: PathBuf,
	max_size: u64,
}

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
		Ok(Self { dir, max_size })
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
