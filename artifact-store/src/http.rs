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
