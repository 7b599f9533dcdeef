//! One plain HTTP/1 request, for clients of a worker or an artifact store (the worker's node
//! RPC, the CLI, the client library). Bodies are read whole; 60 s at most.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::Request;

/// How long a call may take, answer included.
const TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

/// One HTTP/1 request: `method` is `GET`, `POST`, ...; returns the status code and the body.
pub async fn http_call(method: &str, url: &str, body: Vec<u8>) -> Result<(u16, Vec<u8>), String> {
	http_call_with(method, url, body, &[]).await
}

/// [`http_call`] with extra request headers (`(name, value)`).
pub async fn http_call_with(
	method: &str,
	url: &str,
	body: Vec<u8>,
	headers: &[(&str, String)],
) -> Result<(u16, Vec<u8>), String> {
	use hyper_util::{client::legacy::Client, rt::TokioExecutor};
	let client: Client<_, Full<Bytes>> = Client::builder(TokioExecutor::new()).build_http();
	let mut builder = Request::builder().method(method).uri(url);
	for (name, value) in headers {
		builder = builder.header(*name, value);
	}
	let request = builder.body(Full::new(Bytes::from(body))).map_err(|e| format!("{url}: {e}"))?;
	let response = tokio::time::timeout(TIMEOUT, client.request(request))
		.await
		.map_err(|_| format!("{url}: timed out"))?
		.map_err(|e| format!("{url}: {e}"))?;
	let status = response.status().as_u16();
	let body = response.into_body().collect().await.map_err(|e| format!("{url}: {e}"))?.to_bytes();
	Ok((status, body.to_vec()))
}

/// How long a streamed answer may stay silent before [`http_get_lines`] gives up.
const STREAM_IDLE: std::time::Duration = std::time::Duration::from_secs(120);
/// The longest line (and the longest refusal body) [`http_get_lines`] reads.
pub const MAX_LINE: usize = 1 << 20;

/// What [`http_get_lines`] got.
pub enum LinesOutcome {
	/// The status was 200 and the body ended: every line was handed over.
	Ended,
	/// Another status, with its body.
	Status(u16, Vec<u8>),
}

/// `GET url` whose body is read as it arrives: each complete line (without its `\n`) goes to
/// `on_line` at once. A status other than 200 comes back with its body; a body silent for two
/// minutes, or a line (or refusal) longer than [`MAX_LINE`], is an error.
pub async fn http_get_lines(
	url: &str,
	mut on_line: impl FnMut(&[u8]),
) -> Result<LinesOutcome, String> {
	use hyper_util::{client::legacy::Client, rt::TokioExecutor};
	let client: Client<_, Full<Bytes>> = Client::builder(TokioExecutor::new()).build_http();
	let request =
		Request::builder().uri(url).body(Full::default()).map_err(|e| format!("{url}: {e}"))?;
	let response = tokio::time::timeout(TIMEOUT, client.request(request))
		.await
		.map_err(|_| format!("{url}: timed out"))?
		.map_err(|e| format!("{url}: {e}"))?;
	let status = response.status().as_u16();
	let mut body = response.into_body();
	if status != 200 {
		let limited = http_body_util::Limited::new(body, MAX_LINE);
		let bytes = limited.collect().await.map_err(|e| format!("{url}: {e}"))?.to_bytes();
		return Ok(LinesOutcome::Status(status, bytes.to_vec()));
	}
	let mut pending = Vec::new();
	loop {
		let frame = tokio::time::timeout(STREAM_IDLE, body.frame())
			.await
			.map_err(|_| format!("{url}: silent for {} s", STREAM_IDLE.as_secs()))?;
		let Some(frame) = frame else { break };
		let Ok(data) = frame.map_err(|e| format!("{url}: {e}"))?.into_data() else { continue };
		pending.extend_from_slice(&data);
		while let Some(end) = pending.iter().position(|byte| *byte == b'\n') {
			on_line(&pending[..end]);
			pending.drain(..=end);
		}
		if pending.len() > MAX_LINE {
			return Err(format!("{url}: a line longer than {MAX_LINE} bytes"));
		}
	}
	if !pending.is_empty() {
		on_line(&pending);
	}
	Ok(LinesOutcome::Ended)
}
