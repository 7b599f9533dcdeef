//! The store's HTTP service and the fetchers, against local servers: an honest one, one that
//! serves wrong bytes, one that serves too many, one that never answers, one that stalls
//! mid-body, a 404, a redirect, a Walrus publisher, and an HTTPS server with its own CA.

use bytes::Bytes;
use http_body_util::{combinators::BoxBody, BodyExt, Full, StreamBody};
use hyper::{body::Frame, service::service_fn, Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use std::{convert::Infallible, net::SocketAddr, path::Path, sync::Arc, time::Duration};
use tokio::net::TcpListener;
use verity_artifact_store::{
	access::UploadPolicy, fetch::is_public, server, AddressPolicy, ArtifactStore, FetchError,
	Fetcher, FetcherConfig, Quota, StoreError,
};
use verity_primitives::{ArtifactDigest, StorageLocation};

type Body = BoxBody<Bytes, Infallible>;

fn artifact() -> Vec<u8> {
	(0..300_000u32).map(|i| (i.wrapping_mul(2654435761) >> 13) as u8).collect()
}

fn location_store(address: SocketAddr) -> StorageLocation {
	StorageLocation::ArtifactStore(format!("http://{address}").into_bytes().try_into().unwrap())
}

fn fetcher(config: FetcherConfig) -> Fetcher {
	Fetcher::new(config).unwrap()
}

fn quick() -> FetcherConfig {
	// The test servers listen on loopback.
	FetcherConfig {
		timeout: Duration::from_millis(500),
		addresses: AddressPolicy::Any,
		..Default::default()
	}
}

/// Files in `dir` (recursively), so tests can check that nothing partial was left.
fn files_in(dir: &Path) -> Vec<String> {
	let mut found = Vec::new();
	for entry in std::fs::read_dir(dir).unwrap() {
		let path = entry.unwrap().path();
		if path.is_dir() {
			found.extend(files_in(&path));
		} else {
			found.push(path.file_name().unwrap().to_string_lossy().into_owned());
		}
	}
	found.sort();
	found
}

/// A local stand-in for Walrus, IPFS and HTTPS hosts, good and bad.
async fn handle(request: Request<hyper::body::Incoming>, good: Arc<Vec<u8>>) -> Response<Body> {
	let full = |status: StatusCode, bytes: Vec<u8>| {
		Response::builder().status(status).body(Full::new(Bytes::from(bytes)).boxed()).unwrap()
	};
	let path = request.uri().path().to_owned();
	match (request.method().clone(), path.as_str()) {
		(Method::GET, "/v1/blobs/good-blob")
		| (Method::GET, "/ipfs/bafygood")
		| (Method::GET, "/model.bin") => full(StatusCode::OK, good.to_vec()),
		(Method::GET, "/v1/blobs/wrong-blob") => {
			let mut wrong = good.to_vec();
			wrong[1000] ^= 1;
			full(StatusCode::OK, wrong)
		},
		(Method::GET, "/long") => {
			let mut long = good.to_vec();
			long.extend_from_slice(b"trailing garbage");
			full(StatusCode::OK, long)
		},
		(Method::GET, "/redirect") => Response::builder()
			.status(StatusCode::FOUND)
			.header("location", "/ipfs/bafygood")
			.body(Full::new(Bytes::new()).boxed())
			.unwrap(),
		(Method::GET, "/slow") => {
			tokio::time::sleep(Duration::from_secs(30)).await;
			full(StatusCode::OK, good.to_vec())
		},
		(Method::GET, "/stall") => {
			let first = Bytes::copy_from_slice(&good[..1000]);
			let stream =
				futures::stream::once(async move { Ok::<_, Infallible>(Frame::data(first)) })
					.chain(futures::stream::once(async {
						tokio::time::sleep(Duration::from_secs(30)).await;
						Ok(Frame::data(Bytes::new()))
					}));
			Response::builder()
				.status(StatusCode::OK)
				.body(BodyExt::boxed(StreamBody::new(stream)))
				.unwrap()
		},
		(Method::GET, "/trickle") => {
			// A byte every 100 ms: never idle long enough for the idle timeout.
			let stream = futures::stream::unfold((), |()| async {
				tokio::time::sleep(Duration::from_millis(100)).await;
				Some((Ok::<_, Infallible>(Frame::data(Bytes::from_static(b"x"))), ()))
			});
			Response::builder()
				.status(StatusCode::OK)
				.body(BodyExt::boxed(StreamBody::new(stream)))
				.unwrap()
		},
		(Method::PUT, "/v1/blobs") => {
			let body = request.into_body().collect().await.unwrap().to_bytes();
			let id = if body.as_ref() == good.as_slice() { "good-blob" } else { "other-blob" };
			let answer = serde_json::json!({"newlyCreated": {"blobObject": {"blobId": id, "size": body.len()}}});
			full(StatusCode::OK, answer.to_string().into_bytes())
		},
		(Method::GET, "/error") => full(StatusCode::SERVICE_UNAVAILABLE, b"overloaded".to_vec()),
		_ => full(StatusCode::NOT_FOUND, b"no such blob".to_vec()),
	}
}

use futures::StreamExt;

/// Sends only the head of an upload declaring `length` bytes; returns the response's text.
async fn raw_put(address: SocketAddr, digest: &ArtifactDigest, length: usize) -> String {
	use tokio::io::{AsyncReadExt, AsyncWriteExt};
	let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
	let head = format!(
		"PUT /artifacts/{} HTTP/1.1\r\nHost: x\r\nContent-Length: {length}\r\n\r\n",
		verity_primitives::digest::to_hex(&digest.blake2_256)
	);
	stream.write_all(head.as_bytes()).await.unwrap();
	let mut response = vec![0u8; 4096];
	let read = stream.read(&mut response).await.unwrap();
	String::from_utf8_lossy(&response[..read]).into_owned()
}

/// Serves [`handle`] on a free local port, over TLS when `tls` is given.
async fn mock_host(good: Vec<u8>, tls: Option<Arc<rustls::ServerConfig>>) -> SocketAddr {
	let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
	let address = listener.local_addr().unwrap();
	let good = Arc::new(good);
	tokio::spawn(async move {
		loop {
			let (stream, _) = listener.accept().await.unwrap();
			let good = good.clone();
			let tls = tls.clone();
			tokio::spawn(async move {
				let service = service_fn(move |request| {
					let good = good.clone();
					async move { Ok::<_, Infallible>(handle(request, good).await) }
				});
				let http = hyper::server::conn::http1::Builder::new();
				match tls {
					Some(config) => {
						let Ok(stream) =
							tokio_rustls::TlsAcceptor::from(config).accept(stream).await
						else {
							return;
						};
						let _ = http.serve_connection(TokioIo::new(stream), service).await;
					},
					None => {
						let _ = http.serve_connection(TokioIo::new(stream), service).await;
					},
				}
			});
		}
	});
	address
}

#[tokio::test]
async fn upload_then_verified_download_through_the_store_service() {
	let dir = tempfile::tempdir().unwrap();
	let store = ArtifactStore::open(dir.path().join("artifacts"), 1 << 30).unwrap();
	let service = server::start(store.clone(), "127.0.0.1:0".parse().unwrap()).await.unwrap();
	let bytes = artifact();
	let digest = ArtifactDigest::of(&bytes);
	let source = dir.path().join("model.onnx");
	std::fs::write(&source, &bytes).unwrap();

	let fetcher = fetcher(quick());
	fetcher
		.upload_to_store(&format!("http://{}", service.address), &source, &digest)
		.await
		.unwrap();
	assert!(store.contains(&digest.blake2_256));
	// Uploading again is harmless.
	fetcher
		.upload_to_store(&format!("http://{}", service.address), &source, &digest)
		.await
		.unwrap();

	let out = dir.path().join("downloaded.onnx");
	let got = fetcher.fetch_to_file(&location_store(service.address), &digest, &out).await.unwrap();
	assert_eq!(got, digest);
	assert_eq!(std::fs::read(&out).unwrap(), bytes);
}

#[tokio::test]
async fn the_store_refuses_wrong_digests_and_oversized_artifacts_and_keeps_nothing() {
	let dir = tempfile::tempdir().unwrap();
	let store = ArtifactStore::open(dir.path().join("artifacts"), 100_000).unwrap();
	let service = server::start(store.clone(), "127.0.0.1:0".parse().unwrap()).await.unwrap();
	let base = format!("http://{}", service.address);
	let fetcher = fetcher(quick());

	let small = b"a small artifact".to_vec();
	let source = dir.path().join("small.bin");
	std::fs::write(&source, &small).unwrap();
	let mut claimed = ArtifactDigest::of(&small);
	claimed.blake2_256[0] ^= 1;
	let error = fetcher.upload_to_store(&base, &source, &claimed).await.unwrap_err();
	assert!(
		matches!(&error, FetchError::Status { status: 422, body, .. } if body.contains("digest mismatch")),
		"{error}"
	);

	let mut claimed = ArtifactDigest::of(&small);
	claimed.sha256[0] ^= 1;
	let error = fetcher.upload_to_store(&base, &source, &claimed).await.unwrap_err();
	assert!(matches!(error, FetchError::Status { status: 422, .. }), "{error}");

	let large = artifact();
	std::fs::write(&source, &large).unwrap();
	let error =
		fetcher.upload_to_store(&base, &source, &ArtifactDigest::of(&large)).await.unwrap_err();
	assert!(
		matches!(&error, FetchError::Store { source: StoreError::TooLarge { limit: 100_000 }, .. }),
		"{error}"
	);
	// A client that sends anyway gets 413 as soon as the declared length is read.
	let response = raw_put(service.address, &ArtifactDigest::of(&large), large.len()).await;
	assert!(response.starts_with("HTTP/1.1 413"), "{response}");

	assert_eq!(files_in(&dir.path().join("artifacts")), Vec::<String>::new());

	// Unknown and malformed keys.
	let error = fetcher
		.fetch_to_file(
			&location_store(service.address),
			&ArtifactDigest::of(b"nope"),
			&dir.path().join("x"),
		)
		.await
		.unwrap_err();
	assert!(matches!(error, FetchError::NotFound { .. }), "{error}");
	assert!(!dir.path().join("x").exists());
}

#[tokio::test]
async fn a_corrupted_stored_file_is_not_served() {
	let dir = tempfile::tempdir().unwrap();
	let store = ArtifactStore::open(dir.path().join("artifacts"), 1 << 20).unwrap();
	let bytes = b"weights".to_vec();
	let digest = store
		.put(Full::new(Bytes::from(bytes.clone())), Some(&ArtifactDigest::of(&bytes)))
		.await
		.unwrap();
	std::fs::write(store.path_of(&digest.blake2_256), b"tampered").unwrap();
	assert!(matches!(
		store.open_verified(&digest.blake2_256).await,
		Err(StoreError::Corrupt { .. })
	));

	let service = server::start(store.clone(), "127.0.0.1:0".parse().unwrap()).await.unwrap();
	let error = fetcher(quick())
		.fetch_to_file(&location_store(service.address), &digest, &dir.path().join("out"))
		.await
		.unwrap_err();
	assert!(
		matches!(&error, FetchError::Status { status: 500, body, .. } if body.contains("corrupt")),
		"{error}"
	);
}

#[tokio::test]
async fn walrus_ipfs_and_redirects_deliver_verified_bytes() {
	let bytes = artifact();
	let digest = ArtifactDigest::of(&bytes);
	let host = mock_host(bytes.clone(), None).await;
	let dir = tempfile::tempdir().unwrap();
	let config = FetcherConfig {
		walrus_aggregator: Some(format!("http://{host}/")),
		ipfs_gateway: Some(format!("http://{host}")),
		..quick()
	};
	let fetcher = fetcher(config);

	// Publish to Walrus, then read back by the blob id the publisher gave.
	let source = dir.path().join("model.bin");
	std::fs::write(&source, &bytes).unwrap();
	let blob = fetcher.walrus_publish(&format!("http://{host}"), &source, 5).await.unwrap();
	assert_eq!(blob, "good-blob");
	let walrus = StorageLocation::Walrus(blob.into_bytes().try_into().unwrap());
	let out = dir.path().join("walrus.bin");
	assert_eq!(fetcher.fetch_to_file(&walrus, &digest, &out).await.unwrap(), digest);
	assert_eq!(std::fs::read(&out).unwrap(), bytes);

	let ipfs = StorageLocation::Ipfs(b"bafygood".to_vec().try_into().unwrap());
	let store = ArtifactStore::open(dir.path().join("cache"), 1 << 30).unwrap();
	fetcher.fetch_into_store(&ipfs, &digest, &store).await.unwrap();
	assert_eq!(store.open_verified(&digest.blake2_256).await.unwrap().1, digest);

	// A redirect to the gateway path is followed (an `http://` URL here; on chain it is https).
	let redirect =
		StorageLocation::Https(format!("http://{host}/redirect").into_bytes().try_into().unwrap());
	let out = dir.path().join("redirected.bin");
	fetcher.fetch_to_file(&redirect, &digest, &out).await.unwrap();
	assert_eq!(std::fs::read(&out).unwrap(), bytes);

	// Without a configured aggregator, a Walrus location says so.
	let error = self::fetcher(quick()).fetch_to_file(&walrus, &digest, &out).await.unwrap_err();
	assert!(matches!(error, FetchError::NotConfigured("Walrus aggregator")));
}

#[tokio::test]
async fn bad_hosts_fail_with_their_own_errors_and_leave_no_file() {
	let bytes = artifact();
	let digest = ArtifactDigest::of(&bytes);
	let host = mock_host(bytes.clone(), None).await;
	let dir = tempfile::tempdir().unwrap();
	let fetcher =
		fetcher(FetcherConfig { walrus_aggregator: Some(format!("http://{host}")), ..quick() });
	let at = |path: &str| {
		StorageLocation::Https(format!("http://{host}{path}").into_bytes().try_into().unwrap())
	};
	let out = dir.path().join("model.bin");

	let wrong = StorageLocation::Walrus(b"wrong-blob".to_vec().try_into().unwrap());
	let error = fetcher.fetch_to_file(&wrong, &digest, &out).await.unwrap_err();
	assert!(
		matches!(error, FetchError::Store { source: StoreError::DigestMismatch { .. }, .. }),
		"{error}"
	);

	let error = fetcher.fetch_to_file(&at("/long"), &digest, &out).await.unwrap_err();
	assert!(
		matches!(error, FetchError::Store { source: StoreError::LongerThanExpected { .. }, .. }),
		"{error}"
	);

	let error = fetcher.fetch_to_file(&at("/missing"), &digest, &out).await.unwrap_err();
	assert!(matches!(error, FetchError::NotFound { .. }), "{error}");

	let error = fetcher.fetch_to_file(&at("/error"), &digest, &out).await.unwrap_err();
	assert!(
		matches!(&error, FetchError::Status { status: 503, body, .. } if body == "overloaded"),
		"{error}"
	);

	let error = fetcher.fetch_to_file(&at("/slow"), &digest, &out).await.unwrap_err();
	assert!(matches!(error, FetchError::Timeout { .. }), "{error}");

	let error = fetcher.fetch_to_file(&at("/stall"), &digest, &out).await.unwrap_err();
	assert!(matches!(error, FetchError::Store { source: StoreError::Transfer(_), .. }), "{error}");

	let closed = TcpListener::bind("127.0.0.1:0").await.unwrap().local_addr().unwrap();
	let error = fetcher.fetch_to_file(&location_store(closed), &digest, &out).await.unwrap_err();
	assert!(matches!(error, FetchError::Connection { .. }), "{error}");

	assert_eq!(files_in(dir.path()), Vec::<String>::new(), "no partial or temporary file is left");

	// The first location that delivers the right bytes wins.
	let index = fetcher
		.fetch_first_to_file(&[at("/missing"), wrong, at("/long"), at("/model.bin")], &digest, &out)
		.await
		.unwrap();
	assert_eq!(index, 3);
	assert_eq!(std::fs::read(&out).unwrap(), bytes);
	let error = fetcher
		.fetch_first_to_file(&[at("/missing"), at("/error")], &digest, &out)
		.await
		.unwrap_err();
	assert!(matches!(&error, FetchError::AllFailed(failures) if failures.len() == 2), "{error}");
}

#[tokio::test]
async fn https_locations_are_fetched_over_tls_with_the_trusted_roots_only() {
	let _ = rustls::crypto::ring::default_provider().install_default();
	let certificate = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
	let certificate_der = certificate.serialize_der().unwrap();
	let key =
		rustls::pki_types::PrivateKeyDer::Pkcs8(certificate.serialize_private_key_der().into());
	let tls = rustls::ServerConfig::builder_with_provider(Arc::new(
		rustls::crypto::ring::default_provider(),
	))
	.with_safe_default_protocol_versions()
	.unwrap()
	.with_no_client_auth()
	.with_single_cert(vec![certificate_der.clone().into()], key)
	.unwrap();
	let bytes = artifact();
	let digest = ArtifactDigest::of(&bytes);
	let host = mock_host(bytes.clone(), Some(Arc::new(tls))).await;
	let location = StorageLocation::Https(
		format!("https://localhost:{}/model.bin", host.port()).into_bytes().try_into().unwrap(),
	);
	let dir = tempfile::tempdir().unwrap();
	let out = dir.path().join("model.bin");

	let untrusting = fetcher(quick());
	let error = untrusting.fetch_to_file(&location, &digest, &out).await.unwrap_err();
	assert!(
		matches!(&error, FetchError::Connection { reason, .. } if reason.contains("certificate")),
		"{error}"
	);
	assert!(!out.exists());

	let trusting = fetcher(FetcherConfig { extra_roots: vec![certificate_der], ..quick() });
	assert_eq!(trusting.fetch_to_file(&location, &digest, &out).await.unwrap(), digest);
	assert_eq!(std::fs::read(&out).unwrap(), bytes);
}

/// A client that opens connections and sends nothing (slowloris) is cut off after the header
/// deadline, and holds at most `max_connections` of them: the next one waits, then is served.
#[tokio::test]
async fn idle_and_excess_connections_do_not_hold_the_store() {
	use tokio::io::{AsyncReadExt, AsyncWriteExt};
	use verity_artifact_store::limits::ConnectionLimits;
	let dir = tempfile::tempdir().unwrap();
	let store = ArtifactStore::open(dir.path().join("artifacts"), 1 << 20).unwrap();
	let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
	let address = listener.local_addr().unwrap();
	let limits = ConnectionLimits {
		max_connections: 1,
		header_timeout: Duration::from_millis(500),
		connection_timeout: Duration::from_secs(30),
	};
	tokio::spawn(server::serve_with(store, UploadPolicy::default(), listener, limits));

	// The idle connection takes the only slot, then is closed by the header deadline.
	let mut idle = tokio::net::TcpStream::connect(address).await.unwrap();
	let started = std::time::Instant::now();
	let mut health = tokio::net::TcpStream::connect(address).await.unwrap();
	health
		.write_all(b"GET /health HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n")
		.await
		.unwrap();
	let mut buf = Vec::new();
	let read = tokio::time::timeout(Duration::from_secs(10), idle.read_to_end(&mut buf)).await;
	assert!(read.is_ok(), "the idle connection was not closed");
	let mut answer = Vec::new();
	tokio::time::timeout(Duration::from_secs(10), health.read_to_end(&mut answer))
		.await
		.expect("served once the slot was free")
		.unwrap();
	assert!(String::from_utf8_lossy(&answer).starts_with("HTTP/1.1 200"));
	assert!(started.elapsed() >= Duration::from_millis(400), "it waited for the slot");
}

/// A host that sends a byte just before each idle timeout cannot hold a download: the whole
/// transfer has a deadline (twice the timeout plus the size at the minimum rate).
#[tokio::test]
async fn a_trickling_host_hits_the_total_deadline() {
	let bytes = artifact();
	let digest = ArtifactDigest::of(&bytes);
	let host = mock_host(bytes, None).await;
	let dir = tempfile::tempdir().unwrap();
	let trickle =
		StorageLocation::Https(format!("http://{host}/trickle").into_bytes().try_into().unwrap());
	let config = quick();
	assert_eq!(config.deadline(digest.size), Duration::from_millis(1000));
	let started = std::time::Instant::now();
	let error =
		fetcher(config).fetch_to_file(&trickle, &digest, &dir.path().join("x")).await.unwrap_err();
	assert!(matches!(error, FetchError::Timeout { .. }), "{error}");
	assert!(started.elapsed() < Duration::from_secs(5));
	let store = ArtifactStore::open(dir.path().join("cache"), 1 << 30).unwrap();
	let error = fetcher(quick()).fetch_into_store(&trickle, &digest, &store).await.unwrap_err();
	assert!(matches!(error, FetchError::Timeout { .. }), "{error}");
	let error = fetcher(quick()).fetch_bytes(&trickle, &digest.blake2_256, 1 << 20).await;
	assert!(matches!(error, Err(FetchError::Timeout { .. })));
}

/// Uploads from elsewhere need the node's secret; a public store refuses what would take it
/// past its quota (507) and keeps what it holds.
#[tokio::test]
async fn uploads_need_the_secret_and_fit_the_quota() {
	let dir = tempfile::tempdir().unwrap();
	let store = ArtifactStore::open(dir.path().join("artifacts"), 1 << 20)
		.unwrap()
		.with_quota(Quota::Refuse(400_000));
	let secret = [9u8; 32];
	// Loopback is "elsewhere" here: the test's uploads come from 127.0.0.1.
	let policy = UploadPolicy { secret: Some(secret), open_on_loopback: false };
	let service =
		server::start_with(store.clone(), "127.0.0.1:0".parse().unwrap(), policy).await.unwrap();
	let base = format!("http://{}", service.address);
	let bytes = artifact();
	let digest = ArtifactDigest::of(&bytes);
	let source = dir.path().join("model.bin");
	std::fs::write(&source, &bytes).unwrap();
	let fetcher = fetcher(quick());
	let error = fetcher.upload_to_store(&base, &source, &digest).await.unwrap_err();
	assert!(matches!(error, FetchError::Status { status: 401, .. }), "{error}");
	let wrong = [8u8; 32];
	let error =
		fetcher.upload_to_store_with(&base, &source, &digest, Some(&wrong)).await.unwrap_err();
	assert!(matches!(error, FetchError::Status { status: 401, .. }), "{error}");
	assert!(!store.contains(&digest.blake2_256));
	fetcher.upload_to_store_with(&base, &source, &digest, Some(&secret)).await.unwrap();
	assert!(store.contains(&digest.blake2_256));
	// The same artifact again takes no room; another one does not fit.
	fetcher.upload_to_store_with(&base, &source, &digest, Some(&secret)).await.unwrap();
	let other: Vec<u8> = bytes.iter().map(|byte| byte ^ 0x5a).collect();
	let other_digest = ArtifactDigest::of(&other);
	std::fs::write(&source, &other).unwrap();
	let error = fetcher
		.upload_to_store_with(&base, &source, &other_digest, Some(&secret))
		.await
		.unwrap_err();
	assert!(matches!(error, FetchError::Status { status: 507, .. }), "{error}");
	assert!(store.contains(&digest.blake2_256));
	assert_eq!(store.used_bytes().unwrap(), digest.size);
	// Anyone reads, and a file known by its BLAKE2b-256 alone comes back checked.
	let location = location_store(service.address);
	assert_eq!(fetcher.fetch_bytes(&location, &digest.blake2_256, 1 << 20).await.unwrap(), bytes);
	let error = fetcher.fetch_bytes(&location, &digest.blake2_256, 1000).await.unwrap_err();
	assert!(matches!(error, FetchError::Store { source: StoreError::TooLarge { .. }, .. }));
}

/// A cache past its quota evicts the artifacts read least recently, never the one it just
/// wrote.
#[tokio::test]
async fn a_cache_evicts_what_it_read_least_recently() {
	let dir = tempfile::tempdir().unwrap();
	let cache = ArtifactStore::open(dir.path().join("cache"), 1 << 20)
		.unwrap()
		.with_quota(Quota::EvictLru(700_000));
	let put = |seed: u8| {
		let cache = cache.clone();
		async move {
			let bytes: Vec<u8> = artifact().iter().map(|byte| byte ^ seed).collect();
			let digest = ArtifactDigest::of(&bytes);
			cache.put(Full::new(Bytes::from(bytes)), Some(&digest)).await.unwrap();
			tokio::time::sleep(Duration::from_millis(20)).await;
			digest
		}
	};
	let first = put(1).await;
	let second = put(2).await;
	// Reading the first makes the second the least recently used.
	cache.open_verified(&first.blake2_256).await.unwrap();
	tokio::time::sleep(Duration::from_millis(20)).await;
	let third = put(3).await;
	assert!(cache.contains(&first.blake2_256));
	assert!(!cache.contains(&second.blake2_256));
	assert!(cache.contains(&third.blake2_256));
	assert!(cache.used_bytes().unwrap() <= 700_000);
	// An artifact larger than the whole quota is refused outright.
	let huge = vec![7u8; 800_000];
	let error = cache.put(Full::new(Bytes::from(huge)), None).await.unwrap_err();
	assert!(matches!(error, StoreError::TooLarge { limit: 700_000 }), "{error}");
}

/// Download locations come from the chain (a requester's input, a model owner's artifact, a
/// batch's leaves): on a live chain they never make this machine reach its loopback, private
/// network or link-local services, named by address or by a name that resolves there. Uploads
/// go where the operator says and are not restricted.
#[tokio::test]
async fn downloads_reach_only_public_addresses_unless_allowed() {
	let bytes = artifact();
	let digest = ArtifactDigest::of(&bytes);
	let dir = tempfile::tempdir().unwrap();
	let store = ArtifactStore::open(dir.path().join("artifacts"), 1 << 30).unwrap();
	let service = server::start(store.clone(), "127.0.0.1:0".parse().unwrap()).await.unwrap();
	let source = dir.path().join("model.onnx");
	std::fs::write(&source, &bytes).unwrap();
	let public_only = fetcher(FetcherConfig { addresses: AddressPolicy::PublicOnly, ..quick() });
	public_only
		.upload_to_store(&format!("http://{}", service.address), &source, &digest)
		.await
		.unwrap();

	let out = dir.path().join("downloaded");
	let by_address = public_only
		.fetch_to_file(&location_store(service.address), &digest, &out)
		.await
		.unwrap_err()
		.to_string();
	assert!(by_address.contains("not a public address"), "{by_address}");
	let by_name = StorageLocation::ArtifactStore(
		format!("http://localhost:{}", service.address.port()).into_bytes().try_into().unwrap(),
	);
	let refused = public_only.fetch_to_file(&by_name, &digest, &out).await.unwrap_err();
	assert!(refused.to_string().contains("no public address"), "{refused}");
	assert!(!out.exists());
	// A development chain's worker allows them.
	let any = fetcher(quick());
	assert_eq!(any.fetch_to_file(&by_name, &digest, &out).await.unwrap(), digest);

	for public in ["8.8.8.8", "1.1.1.1", "2606:4700::1111", "64:ff9b::808:808"] {
		assert!(is_public(public.parse().unwrap()), "{public}");
	}
	for private in [
		"127.0.0.1",
		"10.1.2.3",
		"172.16.0.1",
		"192.168.1.1",
		"169.254.169.254",
		"100.64.0.1",
		"0.0.0.0",
		"255.255.255.255",
		"::1",
		"::",
		"fe80::1",
		"fd00::1",
		"::ffff:127.0.0.1",
		"64:ff9b::a9fe:a9fe",
		"64:ff9b:1::a9fe:a9fe",
		"192.0.0.192",
		"192.88.99.1",
		"::127.0.0.1",
		"2002:7f00:1::",
		"2001::1",
		"2001:db8::1",
		"fec0::1",
		"100::1",
	] {
		assert!(!is_public(private.parse().unwrap()), "{private}");
	}
}
