//! Limits on the connections of a node's small HTTP services (the artifact store, the inference
//! worker), so that slow or greedy clients cannot hold them: a cap on open connections (the rest
//! wait in the kernel's backlog), a deadline for a request's headers, and a deadline for a whole
//! connection. Bodies are limited by each service itself.

use hyper::{body::Incoming, Request, Response};
use hyper_util::rt::{TokioIo, TokioTimer};
use std::{convert::Infallible, future::Future, sync::Arc, time::Duration};
use tokio::{net::TcpListener, sync::Semaphore};

/// How long and how many connections a service keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConnectionLimits {
	/// Most connections served at once.
	pub max_connections: usize,
	/// Longest wait for a request's headers (also between keep-alive requests).
	pub header_timeout: Duration,
	/// Longest a connection may stay open, whatever it does.
	pub connection_timeout: Duration,
}

impl Default for ConnectionLimits {
	/// 256 connections, 10 s for headers, 10 minutes per connection.
	fn default() -> Self {
		Self {
			max_connections: 256,
			header_timeout: Duration::from_secs(10),
			connection_timeout: Duration::from_secs(600),
		}
	}
}

/// Accepts connections on `listener` forever and answers each request with `handler` (given
/// the peer's address), within `limits`. `target` names the service in logs.
pub async fn serve<H, Fut, B>(
	listener: TcpListener,
	limits: ConnectionLimits,
	target: &'static str,
	handler: H,
) where
	H: Fn(std::net::SocketAddr, Request<Incoming>) -> Fut + Clone + Send + Sync + 'static,
	Fut: Future<Output = Response<B>> + Send + 'static,
	B: hyper::body::Body + Send + 'static,
	B::Data: Send,
	B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
	let permits = Arc::new(Semaphore::new(limits.max_connections));
	loop {
		let Ok(permit) = permits.clone().acquire_owned().await else { return };
		let (stream, peer) = match listener.accept().await {
			Ok(accepted) => accepted,
			Err(error) => {
				log::warn!(target: target, "accept failed: {error}");
				continue;
			},
		};
		let handler = handler.clone();
		tokio::spawn(async move {
			let _permit = permit;
			let service = hyper::service::service_fn(move |request| {
				let answer = handler(peer, request);
				async move { Ok::<_, Infallible>(answer.await) }
			});
			let mut builder = hyper::server::conn::http1::Builder::new();
			builder.timer(TokioTimer::new()).header_read_timeout(limits.header_timeout);
			let connection = builder.serve_connection(TokioIo::new(stream), service);
			match tokio::time::timeout(limits.connection_timeout, connection).await {
				Ok(Ok(())) => {},
				Ok(Err(error)) => log::debug!(target: target, "connection from {peer}: {error}"),
				Err(_) => log::debug!(target: target, "connection from {peer}: held too long"),
			}
		});
	}
}
