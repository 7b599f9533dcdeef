//! A worker's HTTP API, as its clients call it: `/v1/info` (its key and account) and plain
//! calls to its other endpoints (`/v1/direct`, `/v1/settlements`, ...).

pub use verity_artifact_store::http::{http_call, http_call_with};
use verity_primitives::{ReceiptSignature, SigningKey};

/// What a worker says about itself in `/v1/info`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkerInfo {
	/// Its receipt-signing key.
	pub signing_key: SigningKey,
	/// The account it is configured for, with the key's proof of possession for it.
	pub registration: Option<([u8; 32], ReceiptSignature)>,
}

/// Reads the signing key, account and key proof of the worker at `url` from its `/v1/info`.
pub async fn fetch_worker_info(url: &str) -> Result<WorkerInfo, String> {
	let (status, body) =
		http_call("GET", &format!("{}/v1/info", url.trim_end_matches('/')), Vec::new()).await?;
	if status != 200 {
		return Err(format!("status {status}"));
	}
	parse_info(&body)
}

/// A `/v1/info` body: hex fields `signing_key`, and `account` with `key_proof` when the
/// worker is configured for one.
pub fn parse_info(body: &[u8]) -> Result<WorkerInfo, String> {
	let info: serde_json::Value = serde_json::from_slice(body).map_err(|e| e.to_string())?;
	let bytes = |field: &str| info[field].as_str().and_then(|text| hex::decode(text).ok());
	let signing_key = bytes("signing_key")
		.and_then(|bytes| <[u8; 32]>::try_from(bytes).ok())
		.ok_or_else(|| "its /v1/info has no 32-byte signing_key".to_string())?;
	let account = bytes("account").and_then(|bytes| <[u8; 32]>::try_from(bytes).ok());
	let proof = bytes("key_proof").and_then(|bytes| <[u8; 64]>::try_from(bytes).ok());
	Ok(WorkerInfo { signing_key, registration: account.zip(proof) })
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn info_is_parsed_and_a_missing_key_refused() {
		let body = format!(
			r#"{{"signing_key":"{}","account":"{}","key_proof":"{}"}}"#,
			"11".repeat(32),
			"22".repeat(32),
			"33".repeat(64)
		);
		let info = parse_info(body.as_bytes()).unwrap();
		assert_eq!(info.signing_key, [0x11; 32]);
		assert_eq!(info.registration, Some(([0x22; 32], [0x33; 64])));
		let unregistered = format!(r#"{{"signing_key":"{}"}}"#, "11".repeat(32));
		assert_eq!(parse_info(unregistered.as_bytes()).unwrap().registration, None);
		assert!(parse_info(br#"{"signing_key":"abcd"}"#).is_err());
		assert!(parse_info(b"not json").is_err());
	}
}
