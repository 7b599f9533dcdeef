//! Verified fetching from wherever an artifact lives, and uploading to a store or Walrus.
//!
//! Every download streams into a temporary file while hashing; only bytes that match the
//! expected [`ArtifactDigest`] (both digests and the size) are kept, and a transfer stops as soon
//! as it runs past the expected size. Locations:
//! - a Verity artifact store: `GET <base>/artifacts/<blake2-256 hex>`;
//! - Walrus: `GET <aggregator>/v1/blobs/<blob id>`; publishing: `PUT <publisher>/v1/blobs`;
//! - IPFS: `GET <gateway>/ipfs/<cid>`;
//! - HTTPS: `GET <url>`.
//!
//! Downloads reach only public addresses unless [`FetcherConfig::addresses`] says
//! [`AddressPolicy::Any`]: locations come from the chain (a requester's input, a model owner's
//! artifact, a batch's leaves), and must not make this machine reach its own loopback, private
//! network or link-local services (cloud metadata) for whoever wrote them. Each redirect is
//! checked again, and names are resolved once, by the connection's own resolver, so a name
//! cannot resolve to a public address for the check and a private one for the connection.
//! Uploads go where this machine's operator says and are not restricted.
//!
//! Redirects are followed (at most 5); a location that answers an error status, does not answer
//! within the timeout, stalls mid-body, or trickles (a whole download gets
//! [`FetcherConfig::deadline`]: twice the timeout plus the expected size at the minimum rate) fails
//! with its own error and the next one is tried.

use crate::{
	body_chunks,
	server::SHA256_HEADER,
	store::{check, write_verified, ArtifactStore},
	StoreError,
};
use bytes::Bytes;
use futures::TryStreamExt;
use http_body_util::{combinators::BoxBody, BodyExt, Empty, StreamBody};
use hyper::{body::Frame, header, Method, Request, StatusCode, Uri};
use hyper_rustls::HttpsConnector;
use hyper_util::{
	client::legacy::{
		connect::{dns::Name, HttpConnector},
		Client,
	},
	rt::TokioExecutor,
};
use std::{
	future::Future,
	net::{IpAddr, SocketAddr},
	path::Path,
	pin::Pin,
	sync::Arc,
	task::{Context, Poll},
	time::Duration,
};
use tokio_util::io::ReaderStream;
use verity_primitives::{digest::to_hex, ArtifactDigest, StorageLocation};

type RequestBody = BoxBody<Bytes, std::io::Error>;

/// Where remote locations are resolved, and how long to wait.
#[derive(Clone, Debug)]
pub struct FetcherConfig {
	/// Base URL of a Walrus aggregator (reads), e.g. `https://aggregator.walrus-testnet.walrus.space`.
	pub walrus_aggregator: Option<String>,
	/// Base URL of an IPFS HTTP gateway, e.g. `https://ipfs.io`.
	pub ipfs_gateway: Option<String>,
	/// Longest wait for a response's headers, and for each piece of its body.
	pub timeout: Duration,
	/// Slowest transfer accepted, in bytes per second: a download of `size` bytes must end
	/// within `2 × timeout + size / min_rate` ([`FetcherConfig::deadline`]), so a server that
	/// sends a byte just before each idle timeout cannot hold a worker.
	pub min_rate: u64,
	/// Extra trusted root certificates (DER), beside the system's.
	pub extra_roots: Vec<Vec<u8>>,
	/// Which addresses downloads may reach.
	pub addresses: AddressPolicy,
}

/// Which addresses downloads may reach.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum AddressPolicy {
	/// Globally routable addresses only (live chains).
	#[default]
	PublicOnly,
	/// Any address, loopback and private networks included (development chains, whose stores
	/// listen on loopback; or an operator who serves artifacts on a private network).
	Any,
}

impl AddressPolicy {
	/// Whether a download may connect to `ip`.
	pub fn allows(self, ip: IpAddr) -> bool {
		self == AddressPolicy::Any || is_public(ip)
	}
}

/// Whether `ip` is globally routable. IPv4: not loopback, private (RFC 1918), link-local,
/// carrier-grade NAT, IETF protocol assignments (192.0.0.0/24, where some clouds keep their
/// metadata service), 6to4 relays, benchmarking, documentation, multicast, reserved or
/// unspecified. IPv6: global unicast (2000::/3) only, less documentation, 6to4, Teredo and the
/// other IETF assignments of 2001::/23; IPv4-mapped and well-known NAT64 addresses are judged by
/// the IPv4 address they carry (the local NAT64 prefix 64:ff9b:1::/48 is refused).
pub fn is_public(ip: IpAddr) -> bool {
	match ip {
		IpAddr::V4(v4) => {
			let [a, b, c, _] = v4.octets();
			!(v4.is_loopback()
				|| v4.is_private()
				|| v4.is_link_local()
				|| v4.is_unspecified()
				|| v4.is_broadcast()
				|| v4.is_multicast()
				|| v4.is_documentation()
				|| a == 0 || a >= 240
				|| (a == 100 && (64..128).contains(&b))
				|| (a == 192 && b == 0 && c == 0)
				|| (a == 192 && b == 88 && c == 99)
				|| (a == 198 && (b == 18 || b == 19)))
		},
		IpAddr::V6(v6) => {
			let segments = v6.segments();
			if let Some(v4) = v6.to_ipv4_mapped() {
				return is_public(IpAddr::V4(v4));
			}
			if segments[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
				let embedded: [u8; 4] = v6.octets()[12..].try_into().expect("4 bytes");
				return is_public(IpAddr::V4(embedded.into()));
			}
			let global_unicast = (segments[0] & 0xe000) == 0x2000;
			global_unicast
				&& !(segments[0] == 0x2001 && segments[1] == 0x0db8)
				&& !(segments[0] == 0x2001 && segments[1] < 0x0200)
				&& segments[0] != 0x2002
		},
	}
}

/// The connections' resolver: the system's, keeping only the addresses the policy allows.
#[derive(Clone)]
struct GuardedResolver(AddressPolicy);

impl tower_service::Service<Name> for GuardedResolver {
	type Response = std::vec::IntoIter<SocketAddr>;
	type Error = std::io::Error;
	type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>> + Send>>;

	fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
		Poll::Ready(Ok(()))
	}

	fn call(&mut self, name: Name) -> Self::Future {
		let policy = self.0;
		Box::pin(async move {
			let allowed: Vec<SocketAddr> = tokio::net::lookup_host((name.as_str(), 0))
				.await?
				.filter(|address| policy.allows(address.ip()))
				.collect();
			if allowed.is_empty() {
				return Err(std::io::Error::new(
					std::io::ErrorKind::PermissionDenied,
					format!("{name} has no public address (downloads reach public addresses only)"),
				));
			}
			Ok(allowed.into_iter())
		})
	}
}

impl Default for FetcherConfig {
	fn default() -> Self {
		Self {
			walrus_aggregator: None,
			ipfs_gateway: None,
			timeout: Duration::from_secs(30),
			min_rate: 1 << 20,
			extra_roots: Vec::new(),
			addresses: AddressPolicy::PublicOnly,
		}
	}
}

impl FetcherConfig {
	/// The longest a download of `size` bytes may take in all: the wait for the headers, one
	/// idle timeout of slack, and the bytes at the minimum rate.
	pub fn deadline(&self, size: u64) -> Duration {
		let transfer = Duration::from_secs(size / self.min_rate.max(1));
		self.timeout.saturating_mul(2).saturating_add(transfer)
	}
}

/// What can go wrong fetching an artifact.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
	/// The location needs a service that is not configured.
	#[error("no {0} configured")]
	NotConfigured(&'static str),
	/// The URL cannot be parsed.
	#[error("bad URL {url}: {reason}")]
	BadUrl {
		/// The URL.
		url: String,
		/// Why.
		reason: String,
	},
	/// The server has no such artifact.
	#[error("{url}: not found (404)")]
	NotFound {
		/// The URL.
		url: String,
	},
	/// The server answered another error status.
	#[error("{url}: HTTP {status}: {body}")]
	Status {
		/// The URL.
		url: String,
		/// The status code.
		status: u16,
		/// The start of the response body.
		body: String,
	},
	/// No answer in time.
	#[error("{url}: no response within {timeout:?}")]
	Timeout {
		/// The URL.
		url: String,
		/// The timeout.
		timeout: Duration,
	},
	/// The connection failed.
	#[error("{url}: {reason}")]
	Connection {
		/// The URL.
		url: String,
		/// Why.
		reason: String,
	},
	/// The location's address is not public, and downloads reach public addresses only.
	#[error("{url}: not a public address (downloads reach public addresses only)")]
	PrivateAddress {
		/// The URL.
		url: String,
	},
	/// Too many redirects.
	#[error("{url}: more than 5 redirects")]
	TooManyRedirects {
		/// The first URL.
		url: String,
	},
	/// The bytes were refused (wrong digest, too long, stalled) or could not be stored.
	#[error("{url}: {source}")]
	Store {
		/// The URL.
		url: String,
		/// The store's verdict.
		source: StoreError,
	},
	/// A Walrus publisher's answer names no blob id.
	#[error("unexpected Walrus publisher answer: {0}")]
	BadWalrusAnswer(String),
	/// Every location failed.
	#[error("every location failed: {}", .0.join("; "))]
	AllFailed(Vec<String>),
	/// A local file error.
	#[error("I/O error: {0}")]
	Io(#[from] std::io::Error),
}

type HttpClient = Client<HttpsConnector<HttpConnector<GuardedResolver>>, RequestBody>;

/// An HTTP(S) client that fetches artifacts and checks them.
#[derive(Clone)]
pub struct Fetcher {
	/// Uploads (where the operator says).
	client: HttpClient,
	/// Downloads (where the chain says), within [`FetcherConfig::addresses`].
	downloads: HttpClient,
	config: Arc<FetcherConfig>,
}

impl Fetcher {
	/// A fetcher trusting the system's root certificates plus `config.extra_roots`.
	pub fn new(config: FetcherConfig) -> Result<Self, FetchError> {
		let mut roots = rustls::RootCertStore::empty();
		let native = rustls_native_certs::load_native_certs();
		let _ = roots.add_parsable_certificates(native.certs);
		for der in &config.extra_roots {
			roots.add(der.clone().into()).map_err(|error| FetchError::BadUrl {
				url: "extra root".into(),
				reason: error.to_string(),
			})?;
		}
		let tls = rustls::ClientConfig::builder_with_provider(Arc::new(
			rustls::crypto::ring::default_provider(),
		))
		.with_safe_default_protocol_versions()
		.map_err(|error| FetchError::Connection { url: String::new(), reason: error.to_string() })?
		.with_root_certificates(roots)
		.with_no_client_auth();
		let client = |policy| {
			let mut http = HttpConnector::new_with_resolver(GuardedResolver(policy));
			http.enforce_http(false);
			let connector = hyper_rustls::HttpsConnectorBuilder::new()
				.with_tls_config(tls.clone())
				.https_or_http()
				.enable_http1()
				.wrap_connector(http);
			Client::builder(TokioExecutor::new()).build(connector)
		};
		Ok(Self {
			client: client(AddressPolicy::Any),
			downloads: client(config.addresses),
			config: Arc::new(config),
		})
	}

	/// The URL a location's bytes are read from.
	pub fn url_of(
		&self,
		location: &StorageLocation,
		digest: &ArtifactDigest,
	) -> Result<String, FetchError> {
		let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
		Ok(match location {
			StorageLocation::ArtifactStore(base) => format!(
				"{}/artifacts/{}",
				text(base).trim_end_matches('/'),
				to_hex(&digest.blake2_256)
			),
			StorageLocation::Walrus(blob) => format!(
				"{}/v1/blobs/{}",
				self.config
					.walrus_aggregator
					.as_deref()
					.ok_or(FetchError::NotConfigured("Walrus aggregator"))?
					.trim_end_matches('/'),
				text(blob)
			),
			StorageLocation::Ipfs(cid) => format!(
				"{}/ipfs/{}",
				self.config
					.ipfs_gateway
					.as_deref()
					.ok_or(FetchError::NotConfigured("IPFS gateway"))?
					.trim_end_matches('/'),
				text(cid)
			),
			StorageLocation::Https(url) => text(url),
		})
	}

	/// Downloads the artifact from `location` into `store`, keeping it only if it matches
	/// `expected`.
	pub async fn fetch_into_store(
		&self,
		location: &StorageLocation,
		expected: &ArtifactDigest,
		store: &ArtifactStore,
	) -> Result<ArtifactDigest, FetchError> {
		if store.contains(&expected.blake2_256) {
			if let Ok((_, digest)) = store.open_verified(&expected.blake2_256).await {
				if check(expected, &digest).is_ok() {
					return Ok(digest);
				}
			}
		}
		let url = self.url_of(location, expected)?;
		self.within_deadline(&url, expected.size, async {
			let response = self.get(location, &url).await?;
			let chunks = body_chunks(response.into_body()).with_idle_timeout(self.config.timeout);
			store
				.put_chunks(chunks, Some(expected))
				.await
				.map_err(|source| FetchError::Store { url: url.clone(), source })
		})
		.await
	}

	/// Runs a download of `size` bytes from `url` within [`FetcherConfig::deadline`].
	async fn within_deadline<T>(
		&self,
		url: &str,
		size: u64,
		download: impl std::future::Future<Output = Result<T, FetchError>>,
	) -> Result<T, FetchError> {
		let deadline = self.config.deadline(size);
		tokio::time::timeout(deadline, download)
			.await
			.unwrap_or_else(|_| Err(FetchError::Timeout { url: url.to_owned(), timeout: deadline }))
	}

	/// Downloads the artifact from `location` to the file `destination`, which appears only if
	/// the bytes match `expected` (a temporary file beside it holds them until then).
	pub async fn fetch_to_file(
		&self,
		location: &StorageLocation,
		expected: &ArtifactDigest,
		destination: &Path,
	) -> Result<ArtifactDigest, FetchError> {
		let url = self.url_of(location, expected)?;
		let directory = match destination.parent() {
			Some(parent) if !parent.as_os_str().is_empty() => parent,
			_ => Path::new("."),
		};
		let temporary = tempfile::NamedTempFile::new_in(directory)?;
		let stored = self
			.within_deadline(&url, expected.size, async {
				let response = self.get(location, &url).await?;
				let chunks =
					body_chunks(response.into_body()).with_idle_timeout(self.config.timeout);
				let too_long = StoreError::LongerThanExpected { expected: expected.size };
				let written = async {
					let digest =
						write_verified(chunks, &temporary, expected.size, too_long).await?;
					check(expected, &digest)?;
					Ok::<_, StoreError>(digest)
				};
				written.await.map_err(|source| FetchError::Store { url: url.clone(), source })
			})
			.await?;
		temporary.persist(destination).map_err(|error| FetchError::Io(error.error))?;
		Ok(stored)
	}

	/// Downloads into memory what `location` holds for a file known only by its BLAKE2b-256
	/// (a batch's leaves file), reading at most `max_size` bytes; the bytes must hash to
	/// `blake2_256`.
	pub async fn fetch_bytes(
		&self,
		location: &StorageLocation,
		blake2_256: &[u8; 32],
		max_size: u64,
	) -> Result<Vec<u8>, FetchError> {
		let named = ArtifactDigest { blake2_256: *blake2_256, sha256: [0; 32], size: max_size };
		let url = self.url_of(location, &named)?;
		self.within_deadline(&url, max_size, async {
			let response = self.get(location, &url).await?;
			let mut chunks =
				body_chunks(response.into_body()).with_idle_timeout(self.config.timeout);
			let mut bytes = Vec::new();
			let failed = |source| FetchError::Store { url: url.clone(), source };
			while let Some(chunk) = chunks.next_chunk().await.map_err(failed)? {
				if bytes.len() as u64 + chunk.len() as u64 > max_size {
					return Err(failed(StoreError::TooLarge { limit: max_size }));
				}
				bytes.extend_from_slice(&chunk);
			}
			let actual = verity_primitives::blake2_256(&bytes);
			if &actual != blake2_256 {
				return Err(failed(StoreError::DigestMismatch {
					expected: format!("blake2-256 {}", to_hex(blake2_256)),
					actual: format!("blake2-256 {}", to_hex(&actual)),
				}));
			}
			Ok(bytes)
		})
		.await
	}

	/// Tries `locations` in order until one yields the expected bytes into `destination`;
	/// returns the index of the location that did.
	pub async fn fetch_first_to_file(
		&self,
		locations: &[StorageLocation],
		expected: &ArtifactDigest,
		destination: &Path,
	) -> Result<usize, FetchError> {
		let mut failures = Vec::new();
		for (index, location) in locations.iter().enumerate() {
			match self.fetch_to_file(location, expected, destination).await {
				Ok(_) => return Ok(index),
				Err(error) => {
					log::warn!(target: "artifact-store", "location {index} failed: {error}");
					failures.push(format!("location {index}: {error}"));
				},
			}
		}
		Err(FetchError::AllFailed(failures))
	}

	/// Uploads the file at `path`, whose digests are `digest`, to the artifact store at
	/// `store_url`. An artifact above the store's limit (read from `/health` first) is not sent:
	/// a store refuses it with `413` before reading the body, and a client still writing then
	/// sees only a broken connection. Stores take uploads without a secret from their own
	/// machine only ([`crate::access::UploadPolicy`]).
	pub async fn upload_to_store(
		&self,
		store_url: &str,
		path: &Path,
		digest: &ArtifactDigest,
	) -> Result<(), FetchError> {
		self.upload_to_store_with(store_url, path, digest, None).await
	}

	/// [`Self::upload_to_store`] presenting the node's `secret` (send it to the node's own
	/// store only).
	pub async fn upload_to_store_with(
		&self,
		store_url: &str,
		path: &Path,
		digest: &ArtifactDigest,
		secret: Option<&[u8; 32]>,
	) -> Result<(), FetchError> {
		let base = store_url.trim_end_matches('/');
		let health_url = format!("{base}/health");
		let health = self.get_via(&self.client, AddressPolicy::Any, &health_url).await?;
		let health = health
			.into_body()
			.collect()
			.await
			.map_err(|error| FetchError::Connection {
				url: health_url.clone(),
				reason: error.to_string(),
			})?
			.to_bytes();
		let limit = serde_json::from_slice::<serde_json::Value>(&health)
			.ok()
			.and_then(|health| health["max_size"].as_u64());
		if let Some(limit) = limit.filter(|limit| digest.size > *limit) {
			return Err(FetchError::Store {
				url: health_url,
				source: StoreError::TooLarge { limit },
			});
		}
		let url = format!("{base}/artifacts/{}", to_hex(&digest.blake2_256));
		let mut request = Request::builder()
			.method(Method::PUT)
			.uri(parse_uri(&url)?)
			.header(header::CONTENT_LENGTH, digest.size)
			.header(SHA256_HEADER, to_hex(&digest.sha256));
		if let Some(secret) = secret {
			request = request.header(crate::access::WORKER_SECRET_HEADER, to_hex(secret));
		}
		let request = request
			.body(file_body(path).await?)
			.map_err(|error| FetchError::BadUrl { url: url.clone(), reason: error.to_string() })?;
		let response = self.send(&url, request).await?;
		match response.status() {
			StatusCode::OK | StatusCode::CREATED => Ok(()),
			status => Err(status_error(&url, status, response.into_body()).await),
		}
	}

	/// Publishes the file at `path` to a Walrus publisher for `epochs` epochs; returns the blob id.
	pub async fn walrus_publish(
		&self,
		publisher: &str,
		path: &Path,
		epochs: u32,
	) -> Result<String, FetchError> {
		let url = format!("{}/v1/blobs?epochs={epochs}", publisher.trim_end_matches('/'));
		let request = Request::builder()
			.method(Method::PUT)
			.uri(parse_uri(&url)?)
			.header(header::CONTENT_LENGTH, tokio::fs::metadata(path).await?.len())
			.body(file_body(path).await?)
			.map_err(|error| FetchError::BadUrl { url: url.clone(), reason: error.to_string() })?;
		let response = self.send(&url, request).await?;
		if !response.status().is_success() {
			return Err(status_error(&url, response.status(), response.into_body()).await);
		}
		let body = response
			.into_body()
			.collect()
			.await
			.map_err(|error| FetchError::Connection {
				url: url.clone(),
				reason: error.to_string(),
			})?
			.to_bytes();
		let answer: serde_json::Value = serde_json::from_slice(&body).map_err(|_| {
			FetchError::BadWalrusAnswer(String::from_utf8_lossy(&body).into_owned())
		})?;
		// A new blob: {"newlyCreated": {"blobObject": {"blobId": ..}}}; a known one:
		// {"alreadyCertified": {"blobId": ..}}.
		answer
			.pointer("/newlyCreated/blobObject/blobId")
			.or_else(|| answer.pointer("/alreadyCertified/blobId"))
			.and_then(|id| id.as_str())
			.map(str::to_owned)
			.ok_or_else(|| FetchError::BadWalrusAnswer(answer.to_string()))
	}

	/// `GET url`, the download of `location`, following redirects; fails on any status but
	/// 200. Store and HTTPS locations name their host on chain and get the address policy;
	/// Walrus and IPFS ones only a content id, read through the aggregator or gateway this
	/// machine's operator configured (which may well be on loopback).
	async fn get(
		&self,
		location: &StorageLocation,
		url: &str,
	) -> Result<hyper::Response<hyper::body::Incoming>, FetchError> {
		match location {
			StorageLocation::ArtifactStore(_) | StorageLocation::Https(_) => {
				self.get_via(&self.downloads, self.config.addresses, url).await
			},
			StorageLocation::Walrus(_) | StorageLocation::Ipfs(_) => {
				self.get_via(&self.client, AddressPolicy::Any, url).await
			},
		}
	}

	/// `GET url` through `client`, every hop within `policy`.
	async fn get_via(
		&self,
		client: &HttpClient,
		policy: AddressPolicy,
		url: &str,
	) -> Result<hyper::Response<hyper::body::Incoming>, FetchError> {
		let mut current = url.to_owned();
		for _ in 0..=5 {
			let request = Request::builder()
				.uri(parse_uri(&current)?)
				.body(Empty::new().map_err(|never| match never {}).boxed())
				.map_err(|error| FetchError::BadUrl {
					url: current.clone(),
					reason: error.to_string(),
				})?;
			check_address(policy, &current)?;
			let response = self.send_with(client, &current, request).await?;
			match response.status() {
				StatusCode::OK => return Ok(response),
				status if status.is_redirection() => {
					let location = response
						.headers()
						.get(header::LOCATION)
						.and_then(|value| value.to_str().ok())
						.ok_or_else(|| FetchError::Status {
							url: current.clone(),
							status: status.as_u16(),
							body: "redirect without Location".into(),
						})?;
					current = resolve(&current, location)?;
				},
				StatusCode::NOT_FOUND => return Err(FetchError::NotFound { url: current }),
				status => return Err(status_error(&current, status, response.into_body()).await),
			}
		}
		Err(FetchError::TooManyRedirects { url: url.to_owned() })
	}

	async fn send(
		&self,
		url: &str,
		request: Request<RequestBody>,
	) -> Result<hyper::Response<hyper::body::Incoming>, FetchError> {
		self.send_with(&self.client, url, request).await
	}

	async fn send_with(
		&self,
		client: &HttpClient,
		url: &str,
		request: Request<RequestBody>,
	) -> Result<hyper::Response<hyper::body::Incoming>, FetchError> {
		match tokio::time::timeout(self.config.timeout, client.request(request)).await {
			Err(_) => {
				Err(FetchError::Timeout { url: url.to_owned(), timeout: self.config.timeout })
			},
			Ok(Err(error)) => {
				Err(FetchError::Connection { url: url.to_owned(), reason: error_chain(&error) })
			},
			Ok(Ok(response)) => Ok(response),
		}
	}
}

/// Refuses a URL whose host is an IP address `policy` does not allow (names are checked by
/// the connection's resolver, as they are connected).
fn check_address(policy: AddressPolicy, url: &str) -> Result<(), FetchError> {
	let uri = parse_uri(url)?;
	let host = uri.host().unwrap_or_default().trim_start_matches('[').trim_end_matches(']');
	match host.parse::<IpAddr>() {
		Ok(ip) if !policy.allows(ip) => Err(FetchError::PrivateAddress { url: url.to_owned() }),
		_ => Ok(()),
	}
}

async fn file_body(path: &Path) -> Result<RequestBody, FetchError> {
	let file = tokio::fs::File::open(path).await?;
	Ok(BodyExt::boxed(StreamBody::new(
		ReaderStream::with_capacity(file, 1 << 20).map_ok(Frame::data),
	)))
}

fn parse_uri(url: &str) -> Result<Uri, FetchError> {
	let uri: Uri = url.parse().map_err(|error: hyper::http::uri::InvalidUri| {
		FetchError::BadUrl { url: url.to_owned(), reason: error.to_string() }
	})?;
	match uri.scheme_str() {
		Some("http" | "https") if uri.host().is_some() => Ok(uri),
		_ => Err(FetchError::BadUrl {
			url: url.to_owned(),
			reason: "not an http(s) URL with a host".into(),
		}),
	}
}

/// Resolves a redirect target against the URL that answered it.
fn resolve(base: &str, location: &str) -> Result<String, FetchError> {
	if location.starts_with("http://") || location.starts_with("https://") {
		return Ok(location.to_owned());
	}
	let uri = parse_uri(base)?;
	let origin = format!(
		"{}://{}",
		uri.scheme_str().unwrap_or("https"),
		uri.authority().map(|a| a.as_str()).unwrap_or("")
	);
	if location.starts_with('/') {
		Ok(format!("{origin}{location}"))
	} else {
		let path = uri.path();
		let directory = &path[..path.rfind('/').map_or(0, |slash| slash + 1)];
		Ok(format!("{origin}{directory}{location}"))
	}
}

async fn status_error(url: &str, status: StatusCode, body: hyper::body::Incoming) -> FetchError {
	let body = match tokio::time::timeout(Duration::from_secs(2), body.collect()).await {
		Ok(Ok(collected)) => collected.to_bytes(),
		_ => Bytes::new(),
	};
	let text = String::from_utf8_lossy(&body[..body.len().min(300)]).into_owned();
	if status == StatusCode::NOT_FOUND {
		return FetchError::NotFound { url: url.to_owned() };
	}
	FetchError::Status { url: url.to_owned(), status: status.as_u16(), body: text }
}

fn error_chain(error: &dyn std::error::Error) -> String {
	let mut text = error.to_string();
	let mut source = error.source();
	while let Some(cause) = source {
		text.push_str(": ");
		text.push_str(&cause.to_string());
		source = cause.source();
	}
	text
}
