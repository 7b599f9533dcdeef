//! Who may upload: the secret off loopback.

use std::net::SocketAddr;
use verity_artifact_store::access::*;
use verity_primitives::digest::to_hex;

#[test]
fn uploads_need_the_secret_off_loopback() {
	let secret = [7u8; 32];
	let policy = UploadPolicy { secret: Some(secret), open_on_loopback: true };
	let local: SocketAddr = "127.0.0.1:5000".parse().unwrap();
	let remote: SocketAddr = "10.1.2.3:5000".parse().unwrap();
	let right = to_hex(&secret);
	let wrong = to_hex(&[8u8; 32]);
	assert!(policy.allows(&local, None));
	assert!(!policy.allows(&remote, None));
	assert!(!policy.allows(&remote, Some(wrong.as_bytes())));
	assert!(!policy.allows(&remote, Some(b"not hex")));
	assert!(!policy.allows(&remote, Some(&right.as_bytes()[..62])));
	assert!(policy.allows(&remote, Some(right.as_bytes())));
	let closed = UploadPolicy { secret: Some(secret), open_on_loopback: false };
	assert!(!closed.allows(&local, None));
	assert!(closed.allows(&local, Some(right.as_bytes())));
	let nobody = UploadPolicy { secret: None, open_on_loopback: false };
	assert!(!nobody.allows(&local, Some(right.as_bytes())));
}
