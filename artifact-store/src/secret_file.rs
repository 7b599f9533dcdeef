//! 32-byte secrets kept in files: the node-to-worker secret (shared by the node, its artifact
//! store and its inference worker) and a worker's signing-key seed.
//!
//! A file holds the secret as 64 hex digits, is created with mode 0600 (as are its parent
//! directories) and is refused when others can read it.

use rand::RngCore;
use std::{fs, io::Write, os::unix::fs::OpenOptionsExt, path::Path};

/// What can go wrong reading or creating a secret file.
#[derive(Debug, thiserror::Error)]
pub enum SecretFileError {
	/// The file could not be read or written.
	#[error("key file {path}: {source}")]
	Io {
		/// The file.
		path: String,
		/// The failure.
		source: std::io::Error,
	},
	/// The file is readable by others.
	#[error("key file {path} has mode {mode:o}: others may read it; run `chmod 600 {path}`")]
	TooOpen {
		/// The file.
		path: String,
		/// Its permission bits.
		mode: u32,
	},
	/// The file does not hold 64 hex digits.
	#[error("key file {0} does not hold a 32-byte hex seed")]
	Malformed(String),
}

/// Reads 32 secret bytes (hex) from the file at `path`, refusing a file others can read.
pub fn read(path: &Path) -> Result<[u8; 32], SecretFileError> {
	use std::os::unix::fs::PermissionsExt;
	let name = path.display().to_string();
	let io = |source| SecretFileError::Io { path: name.clone(), source };
	let mode = fs::metadata(path).map_err(io)?.permissions().mode() & 0o777;
	if mode & 0o077 != 0 {
		return Err(SecretFileError::TooOpen { path: name, mode });
	}
	let text = fs::read_to_string(path).map_err(io)?;
	verity_primitives::digest::parse_hash(text.trim()).ok_or(SecretFileError::Malformed(name))
}

/// Reads 32 secret bytes (hex) from `path`, or creates the file with fresh random bytes (from
/// the operating system) and mode 0600, as its parent directories.
pub fn load_or_create(path: &Path) -> Result<[u8; 32], SecretFileError> {
	let name = path.display().to_string();
	let io = |source| SecretFileError::Io { path: name.clone(), source };
	if path.exists() {
		return read(path);
	}
	if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
		fs::create_dir_all(parent).map_err(io)?;
	}
	let mut secret = [0u8; 32];
	rand::rngs::OsRng.fill_bytes(&mut secret);
	let mut file =
		fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path).map_err(io)?;
	file.write_all(hex::encode(secret).as_bytes()).map_err(io)?;
	file.sync_all().map_err(io)?;
	Ok(secret)
}
