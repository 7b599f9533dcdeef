//! What a worker says about itself in `GET /v1/info` (JSON): its receipt-signing key and, for
//! a worker configured with its chain account, that account and the key's proof of possession
//! for it (what `register_worker` takes). The worker writes it, its node and its clients read
//! it, all with this one rule. Other fields (backend, engines, version) are informative.

use crate::{ReceiptSignature, SigningKey};
use alloc::string::{String, ToString};

/// A worker's identity, as `/v1/info` carries it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkerInfo {
	/// Its receipt-signing key.
	pub signing_key: SigningKey,
	/// The account it is configured for, with the key's proof of possession for it.
	pub registration: Option<([u8; 32], ReceiptSignature)>,
}

impl WorkerInfo {
	/// The identity fields as JSON (`signing_key`, and `account` with `key_proof`), hex.
	pub fn to_json(&self) -> serde_json::Value {
		let mut info = serde_json::json!({ "signing_key": hex::encode(self.signing_key) });
		if let Some((account, proof)) = &self.registration {
			info["account"] = hex::encode(account).into();
			info["key_proof"] = hex::encode(proof).into();
		}
		info
	}

	/// Reads a `/v1/info` body; a missing or malformed `signing_key` is an error, a missing or
	/// malformed registration is none.
	pub fn from_json(body: &[u8]) -> Result<Self, String> {
		let info: serde_json::Value = serde_json::from_slice(body).map_err(|e| e.to_string())?;
		let bytes = |field: &str| info[field].as_str().and_then(|text| hex::decode(text).ok());
		let signing_key = bytes("signing_key")
			.and_then(|bytes| <[u8; 32]>::try_from(bytes).ok())
			.ok_or_else(|| "its /v1/info has no 32-byte signing_key".to_string())?;
		let account = bytes("account").and_then(|bytes| <[u8; 32]>::try_from(bytes).ok());
		let proof = bytes("key_proof").and_then(|bytes| <[u8; 64]>::try_from(bytes).ok());
		Ok(Self { signing_key, registration: account.zip(proof) })
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn info_round_trips_and_a_missing_key_is_refused() {
		let registered =
			WorkerInfo { signing_key: [0x11; 32], registration: Some(([0x22; 32], [0x33; 64])) };
		let json = registered.to_json().to_string();
		assert_eq!(WorkerInfo::from_json(json.as_bytes()).unwrap(), registered);
		let plain = WorkerInfo { signing_key: [0x11; 32], registration: None };
		assert_eq!(WorkerInfo::from_json(plain.to_json().to_string().as_bytes()).unwrap(), plain);
		let mut extra = registered.to_json();
		extra["backend"] = "cpu".into();
		assert_eq!(WorkerInfo::from_json(extra.to_string().as_bytes()).unwrap(), registered);
		assert!(WorkerInfo::from_json(br#"{"signing_key":"abcd"}"#).is_err());
		assert!(WorkerInfo::from_json(b"not json").is_err());
	}
}
