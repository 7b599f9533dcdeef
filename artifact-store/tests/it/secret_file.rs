//! Secret files: created private, read back, refused when open or malformed.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use verity_artifact_store::secret_file::*;

#[test]
fn a_secret_file_is_created_private_and_reads_back() {
	let dir = tempfile::tempdir().unwrap();
	let path = dir.path().join("worker/node-secret");
	let secret = load_or_create(&path).unwrap();
	assert_eq!(fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
	assert_eq!(load_or_create(&path).unwrap(), secret);
	assert_eq!(read(&path).unwrap(), secret);
	assert_ne!(load_or_create(&dir.path().join("other")).unwrap(), secret);
}

#[test]
fn an_open_or_malformed_file_is_refused() {
	let dir = tempfile::tempdir().unwrap();
	let path = dir.path().join("secret");
	fs::write(&path, "00".repeat(32)).unwrap();
	fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
	assert!(matches!(read(&path), Err(SecretFileError::TooOpen { .. })));
	fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
	assert_eq!(read(&path).unwrap(), [0; 32]);
	fs::write(&path, "not hex").unwrap();
	assert!(matches!(read(&path), Err(SecretFileError::Malformed(_))));
	assert!(matches!(read(&dir.path().join("missing")), Err(SecretFileError::Io { .. })));
}
