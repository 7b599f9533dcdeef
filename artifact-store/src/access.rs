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
