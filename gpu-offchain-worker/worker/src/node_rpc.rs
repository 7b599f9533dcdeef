//! The node's JSON-RPC over HTTP, as a standalone worker reads it: the chain it serves
//! (genesis hash, chain type) and finalized storage.

use serde_json::{json, Value};
use verity_artifact_store::http::http_call_with;

/// A node's JSON-RPC endpoint (`http://host:port`, the node's `--rpc-port`).
#[derive(Clone, Debug)]
pub struct NodeRpc {
	url: String,
}

impl NodeRpc {
	/// The node at `url` (`ws://` is read as `http://`: the node serves both on one port).
	pub fn new(url: &str) -> Self {
		let url = match url.strip_prefix("ws://") {
			Some(rest) => format!("http://{rest}"),
			None => url.to_string(),
		};
		Self { url }
	}

	/// The endpoint's URL.
	pub fn url(&self) -> &str {
		&self.url
	}

	/// Calls `method` with `params` and returns its `result`.
	pub async fn call(&self, method: &str, params: Value) -> Result<Value, String> {
		let body = json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params});
		let headers = [("content-type", "application/json".to_string())];
		let (status, body) =
			http_call_with("POST", &self.url, body.to_string().into_bytes(), &headers).await?;
		if status != 200 {
			return Err(format!("{method}: the node answered status {status}"));
		}
		let mut answer: Value = serde_json::from_slice(&body)
			.map_err(|e| format!("{method}: the node's answer is not JSON: {e}"))?;
		if let Some(error) = answer.get("error") {
			return Err(format!("{method} failed: {error}"));
		}
		Ok(answer["result"].take())
	}

	/// The hash of block 0: the chain receipts are signed for.
	pub async fn genesis_hash(&self) -> Result<[u8; 32], String> {
		let hash = self.call("chain_getBlockHash", json!([0])).await?;
		hash_of(&hash).ok_or_else(|| format!("the node has no genesis hash: {hash}"))
	}

	/// The chain's type: `Development`, `Local`, `Live` or a custom name.
	pub async fn chain_type(&self) -> Result<String, String> {
		let kind = self.call("system_chainType", json!([])).await?;
		Ok(match kind {
			Value::String(name) => name,
			other => other.to_string(),
		})
	}

	/// The value under `key` in the node's latest finalized block (`None` when empty).
	pub async fn finalized_storage(&self, key: &[u8]) -> Result<Option<Vec<u8>>, String> {
		let head = self.call("chain_getFinalizedHead", json!([])).await?;
		let key = format!("0x{}", hex::encode(key));
		match self.call("state_getStorage", json!([key, head])).await? {
			Value::Null => Ok(None),
			Value::String(text) => hex::decode(text.trim_start_matches("0x"))
				.map(Some)
				.map_err(|e| format!("state_getStorage: not hex: {e}")),
			other => Err(format!("state_getStorage: unexpected answer {other}")),
		}
	}
}

/// A `0x`-prefixed 32-byte hash from a JSON string.
fn hash_of(value: &Value) -> Option<[u8; 32]> {
	verity_primitives::digest::parse_hash(value.as_str()?)
}
