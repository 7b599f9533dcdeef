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

/// How a chat job's live stream ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StreamEnd {
	/// The worker finished the answer.
	Done,
	/// The worker's job failed, for this reason.
	Failed(String),
	/// The stream stopped without saying how (the worker went away).
	Cut,
}

/// Follows the live text of on-chain chat request `request` at the worker at `url`
/// (`GET /v1/jobs/<request>/stream`), handing each piece to `on_piece` as it arrives, with the
/// milliseconds since the job started on the worker's clock. `Ok(None)` when the worker has no
/// such job (not started yet, or long finished): try again later.
pub async fn follow_chat_job(
	url: &str,
	request: verity_primitives::RequestId,
	mut on_piece: impl FnMut(&str, Option<u64>),
) -> Result<Option<StreamEnd>, String> {
	let url = format!("{}/v1/jobs/{request}/stream", url.trim_end_matches('/'));
	let mut end = StreamEnd::Cut;
	let mut bad = None;
	let outcome = verity_artifact_store::http::http_get_lines(&url, |line| {
		let Ok(event) = serde_json::from_slice::<serde_json::Value>(line) else {
			bad = Some(String::from_utf8_lossy(line).into_owned());
			return;
		};
		if let Some(text) = event["text"].as_str() {
			on_piece(text, event["ms"].as_u64());
		} else if event["done"] == true {
			end = StreamEnd::Done;
		} else if let Some(error) = event["error"].as_str() {
			end = StreamEnd::Failed(error.to_owned());
		}
	})
	.await?;
	if let Some(line) = bad {
		return Err(format!("{url}: not a stream line: {line}"));
	}
	match outcome {
		verity_artifact_store::http::LinesOutcome::Ended => Ok(Some(end)),
		verity_artifact_store::http::LinesOutcome::Status(404, _) => Ok(None),
		verity_artifact_store::http::LinesOutcome::Status(status, body) => {
			Err(format!("{url}: status {status}: {}", String::from_utf8_lossy(&body)))
		},
	}
}
