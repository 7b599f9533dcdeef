//! A worker's HTTP API, as its clients call it: `/v1/info` (its key and account) and plain
//! calls to its other endpoints (`/v1/direct`, `/v1/settlements`, ...).

pub use verity_artifact_store::http::{http_call, http_call_with};
pub use verity_primitives::worker_info::WorkerInfo;

/// Reads the signing key, account and key proof of the worker at `url` from its `/v1/info`.
pub async fn fetch_worker_info(url: &str) -> Result<WorkerInfo, String> {
	let (status, body) =
		http_call("GET", &format!("{}/v1/info", url.trim_end_matches('/')), Vec::new()).await?;
	if status != 200 {
		return Err(format!("status {status}"));
	}
	WorkerInfo::from_json(&body)
}
