//! Who may change a store: the node's secret, and the operator's own machine.
//!
//! The node and its inference worker share a 32-byte secret (hex in the
//! [`WORKER_SECRET_HEADER`] header). The worker's node-only routes and the store's uploads from
//! other machines need it; anyone may read.

use std::net::SocketAddr;
use verity_primitives::digest::parse_hash;
pub use verity_primitives::WORKER_SECRET_HEADER;

/// Whether `presented` (a header's value: 64 hex digits) is `secret`, compared in constant
/// time. False when there is no secret or nothing was presented.
pub fn presents_secret(secret: Option<&[u8; 32]>, presented: Option<&[u8]>) -> bool {
	let (Some(secret), Some(presented)) = (secret, presented) else { return false };
	let Some(presented) =
		std::str::from_utf8(presented).ok().and_then(|text| parse_hash(text.trim()))
	else {
		return false;
	};
	secret.iter().zip(presented.iter()).fold(0u8, |diff, (a, b)| diff | (a ^ b)) == 0
}

/// Who may upload to a store.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UploadPolicy {
	/// Uploads that present this secret are accepted from anywhere (the node's worker storing
	/// outputs and batch leaves; the operator's tools).
	pub secret: Option<[u8; 32]>,
	/// Uploads from the loopback interface need no secret (the operator's own machine; the
	/// development chain). Still within the store's quota.
	pub open_on_loopback: bool,
}

impl Default for UploadPolicy {
	/// Loopback only, no secret.
	fn default() -> Self {
		Self { secret: None, open_on_loopback: true }
	}
}

impl UploadPolicy {
	/// Whether an upload from `peer` presenting `presented` is allowed.
	pub fn allows(&self, peer: &SocketAddr, presented: Option<&[u8]>) -> bool {
		(self.open_on_loopback && peer.ip().is_loopback())
			|| presents_secret(self.secret.as_ref(), presented)
	}
}

#[cfg(test)]
mod tests {
	use super::*;
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
}
