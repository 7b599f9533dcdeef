//! The store's HTTP service.
//!
//! - `PUT /artifacts/<blake2-256 hex>`: upload; the bytes must hash to the key (and, when the
//!   `x-verity-sha256` header is sent, to that SHA-256). `201` with the digests as JSON, or `200`
//!   if the store already held it; `400` bad key, `401` not allowed (an [`UploadPolicy`]: from
//!   loopback, or with the node's secret), `413` too large, `422` digest mismatch, `507` the
//!   store's quota is full.
//! - `GET /artifacts/<blake2-256 hex>`: download, after re-hashing the file; the response carries
//!   `x-verity-sha256`. `404` unknown, `500` if the stored file no longer matches its key.
//! - `GET /health`: `200` with `{"status": "ok", "max_size": <largest artifact accepted>}`.
//!
//! Errors are JSON objects `{"error": "..."}`.

use crate::{
	access::{UploadPolicy, WORKER_SECRET_HEADER},
	store::ArtifactStore,
	StoreError,
};
use bytes::Bytes;
use futures::TryStreamExt;
use http_body_util::{combinators::BoxBody, BodyExt, Full, StreamBody};
use hyper::{
	body::{Frame, Incoming},
	header, Method, Request, Response, StatusCode,
};
use std::{net::SocketAddr, sync::Arc};
use tokio::{net::TcpListener, task::JoinHandle};
use tokio_util::io::ReaderStream;
use verity_primitives::{digest::parse_hash, digest::to_hex, ArtifactDigest};

/// Header carrying an artifact's SHA-256 (hex).
pub const SHA256_HEADER: &str = "x-verity-sha256";

type ResponseBody = BoxBody<Bytes, std::io::Error>;

/// A running HTTP service.
pub struct ServerHandle {
	/// The address it listens on.
	pub address: SocketAddr,
	task: JoinHandle<()>,
}

impl ServerHandle {
	/// Stops accepting connections.
	pub fn stop(self) {
		self.task.abort();
	}
}

/// Serves `store` on `address` (port 0 picks a free port) on a task of the current tokio
/// runtime, until the handle is stopped or the runtime ends. Uploads from loopback only.
pub async fn start(store: ArtifactStore, address: SocketAddr) -> std::io::Result<ServerHandle> {
	start_with(store, address, UploadPolicy::default()).await
}

/// [`start`] with another upload policy.
pub async fn start_with(
	store: ArtifactStore,
	address: SocketAddr,
	uploads: UploadPolicy,
) -> std::io::Result<ServerHandle> {
	let listener = TcpListener::bind(address).await?;
	let address = listener.local_addr()?;
	let task = tokio::spawn(serve(store, uploads, listener));
	Ok(ServerHandle { address, task })
}

/// Serves `store` on `listener` forever (the node spawns this on its task manager), within
/// [`STORE_LIMITS`], taking uploads `uploads` allows.
pub async fn serve(store: ArtifactStore, uploads: UploadPolicy, listener: TcpListener) {
	serve_with(store, uploads, listener, STORE_LIMITS).await
}

/// Serves `store` on `listener` forever within `limits`.
pub async fn serve_with(
	store: ArtifactStore,
	uploads: UploadPolicy,
	listener: TcpListener,
	limits: crate::limits::ConnectionLimits,
) {
	let store = Arc::new(store);
	crate::limits::serve(listener, limits, "artifact-store", move |peer, request| {
		let store = store.clone();
		let allowed = uploads.allows(
			&peer,
			request.headers().get(WORKER_SECRET_HEADER).map(|value| value.as_bytes()),
		);
		async move { handle(&store, allowed, request).await }
	})
	.await
}

/// The store's connection limits: large artifacts take time, so a connection may stay an hour.
pub const STORE_LIMITS: crate::limits::ConnectionLimits = crate::limits::ConnectionLimits {
	max_connections: 256,
	header_timeout: std::time::Duration::from_secs(10),
	connection_timeout: std::time::Duration::from_secs(3600),
};

/// Answers one request; `may_upload` says whether its sender may `PUT`.
async fn handle(
	store: &ArtifactStore,
	may_upload: bool,
	request: Request<Incoming>,
) -> Response<ResponseBody> {
	let path = request.uri().path().to_owned();
	let key = path.strip_prefix("/artifacts/");
	match (request.method().clone(), key) {
		(Method::GET, _) if path == "/health" => {
			json(StatusCode::OK, serde_json::json!({"status": "ok", "max_size": store.max_size()}))
		},
		(Method::GET, Some(key)) => download(store, key).await,
		(Method::PUT, Some(_)) if !may_upload => error(
			StatusCode::UNAUTHORIZED,
			"uploads need the node's secret (x-verity-worker-secret) from outside this machine",
		),
		(Method::PUT, Some(key)) => upload(store, key, request).await,
		_ => error(
			StatusCode::NOT_FOUND,
			"unknown route: use PUT or GET /artifacts/<blake2-256 hex>",
		),
	}
}

async fn upload(
	store: &ArtifactStore,
	key: &str,
	request: Request<Incoming>,
) -> Response<ResponseBody> {
	let Some(blake2_256) = parse_hash(key) else {
		return error(StatusCode::BAD_REQUEST, &StoreError::BadKey(key.into()).to_string());
	};
	let sha256 = match request
		.headers()
		.get(SHA256_HEADER)
		.map(|value| value.to_str().ok().and_then(parse_hash))
	{
		None => None,
		Some(Some(sha256)) => Some(sha256),
		Some(None) => {
			return error(StatusCode::BAD_REQUEST, "x-verity-sha256 is not 64 hex digits")
		},
	};
	let declared_size = request
		.headers()
		.get(header::CONTENT_LENGTH)
		.and_then(|value| value.to_str().ok()?.parse::<u64>().ok());
	if declared_size.is_some_and(|size| size > store.max_size()) {
		return error(
			StatusCode::PAYLOAD_TOO_LARGE,
			&StoreError::TooLarge { limit: store.max_size() }.to_string(),
		);
	}
	let existed = store.contains(&blake2_256);
	match store.put_keyed(request.into_body(), &blake2_256, sha256.as_ref()).await {
		Ok(digest) => {
			json(if existed { StatusCode::OK } else { StatusCode::CREATED }, digest_json(&digest))
		},
		Err(failure @ StoreError::DigestMismatch { .. }) => {
			error(StatusCode::UNPROCESSABLE_ENTITY, &failure.to_string())
		},
		Err(failure @ StoreError::TooLarge { .. }) => {
			error(StatusCode::PAYLOAD_TOO_LARGE, &failure.to_string())
		},
		Err(failure @ StoreError::QuotaExceeded { .. }) => {
			error(StatusCode::INSUFFICIENT_STORAGE, &failure.to_string())
		},
		Err(failure @ StoreError::Transfer(_)) => {
			error(StatusCode::BAD_REQUEST, &failure.to_string())
		},
		Err(failure) => error(StatusCode::INTERNAL_SERVER_ERROR, &failure.to_string()),
	}
}

async fn download(store: &ArtifactStore, key: &str) -> Response<ResponseBody> {
	let blake2_256 = match ArtifactStore::parse_key(key) {
		Ok(blake2_256) => blake2_256,
		Err(failure) => return error(StatusCode::BAD_REQUEST, &failure.to_string()),
	};
	match store.open_verified(&blake2_256).await {
		Ok((file, digest)) => {
			let stream = ReaderStream::with_capacity(file, 1 << 20).map_ok(Frame::data);
			Response::builder()
				.status(StatusCode::OK)
				.header(header::CONTENT_TYPE, "application/octet-stream")
				.header(header::CONTENT_LENGTH, digest.size)
				.header(SHA256_HEADER, to_hex(&digest.sha256))
				.body(BodyExt::boxed(StreamBody::new(stream)))
				.expect("valid response parts")
		},
		Err(failure @ StoreError::NotFound(_)) => {
			error(StatusCode::NOT_FOUND, &failure.to_string())
		},
		Err(failure) => error(StatusCode::INTERNAL_SERVER_ERROR, &failure.to_string()),
	}
}

/// The JSON form of a digest: `{"blake2_256": hex, "sha256": hex, "size": n}`.
pub fn digest_json(digest: &ArtifactDigest) -> serde_json::Value {
	serde_json::json!({
		"blake2_256": to_hex(&digest.blake2_256),
		"sha256": to_hex(&digest.sha256),
		"size": digest.size,
	})
}

fn json(status: StatusCode, value: serde_json::Value) -> Response<ResponseBody> {
	Response::builder()
		.status(status)
		.header(header::CONTENT_TYPE, "application/json")
		.body(Full::new(Bytes::from(value.to_string())).map_err(|never| match never {}).boxed())
		.expect("valid response parts")
}

fn error(status: StatusCode, message: &str) -> Response<ResponseBody> {
	json(status, serde_json::json!({ "error": message }))
}
