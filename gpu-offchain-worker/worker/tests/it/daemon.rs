//! The standalone worker's view of its chain: [`RpcChain`] over a node's JSON-RPC (a local
//! server answering as a node does), and the `verity-worker` program's start-up (chain facts
//! from the node, the account it answers as, bad flags refused with a clear error).

use bytes::Bytes;
use codec::Encode;
use http_body_util::{BodyExt, Full};
use hyper::{body::Incoming, Request, Response};
use serde_json::{json, Value};
use std::{
	collections::BTreeMap,
	net::SocketAddr,
	process::{Command, Stdio},
	sync::Arc,
	time::{Duration, Instant},
};
use verity_primitives::{
	ArtifactDigest, ArtifactFormat, ModelVersion, ModelVersionRef, VerificationMode,
	VerificationModes, VersionNumber, VersionSpec, VersionStatus,
};
use verity_worker::{
	chain::{version_storage_key, ChainView, RpcChain},
	node_rpc::NodeRpc,
};

const GENESIS: [u8; 32] = [0x11; 32];
const FINALIZED: [u8; 32] = [0x22; 32];

/// A node's JSON-RPC as far as the worker reads it: storage by key, in the finalized block only.
struct FakeNode {
	chain_type: &'static str,
	storage: BTreeMap<Vec<u8>, Vec<u8>>,
}

impl FakeNode {
	fn answer(&self, request: &Value) -> Value {
		let hex = |bytes: &[u8]| format!("0x{}", hex::encode(bytes));
		let result = match request["method"].as_str().unwrap_or_default() {
			"chain_getBlockHash" => json!(hex(&GENESIS)),
			"system_chainType" => json!(self.chain_type),
			"chain_getFinalizedHead" => json!(hex(&FINALIZED)),
			"state_getStorage" => {
				// Only the finalized block is ever asked for.
				assert_eq!(request["params"][1], json!(hex(&FINALIZED)));
				let key = request["params"][0].as_str().unwrap().trim_start_matches("0x");
				match self.storage.get(&hex::decode(key).unwrap()) {
					Some(value) => json!(hex(value)),
					None => Value::Null,
				}
			},
			other => return json!({"jsonrpc": "2.0", "id": 1, "error": {"message": other}}),
		};
		json!({"jsonrpc": "2.0", "id": request["id"], "result": result})
	}
}

/// Serves `node` on a free loopback port; returns its URL.
async fn serve(node: FakeNode) -> String {
	let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
	let address: SocketAddr = listener.local_addr().unwrap();
	let node = Arc::new(node);
	tokio::spawn(async move {
		loop {
			let Ok((stream, _)) = listener.accept().await else { return };
			let node = node.clone();
			tokio::spawn(async move {
				let service = hyper::service::service_fn(move |request: Request<Incoming>| {
					let node = node.clone();
					async move {
						let body = request.into_body().collect().await?.to_bytes();
						let request: Value = serde_json::from_slice(&body).unwrap();
						let answer = node.answer(&request).to_string();
						Ok::<_, hyper::Error>(Response::new(Full::new(Bytes::from(answer))))
					}
				});
				let io = hyper_util::rt::TokioIo::new(stream);
				let _ =
					hyper::server::conn::http1::Builder::new().serve_connection(io, service).await;
			});
		}
	});
	format!("http://{address}")
}

fn model(major: u16) -> ModelVersionRef {
	ModelVersionRef { model: 7, version: VersionNumber { major, minor: 0 } }
}

fn record(status: VersionStatus) -> ModelVersion<u128, u32> {
	let schema = verity_int8::testmodels::f32_schema(&[1, 4], &[1, 3]);
	ModelVersion {
		spec: VersionSpec {
			artifact: ArtifactDigest::of(b"model bytes"),
			format: ArtifactFormat::Onnx,
			schema,
			modes: VerificationModes::of(&[VerificationMode::Vanilla]),
			price_per_inference: 5,
			price_per_token: 0,
			zk_verifying_key: None,
			locations: Default::default(),
		},
		published_at: 3,
		status,
		deposit: 1,
	}
}

#[tokio::test(flavor = "multi_thread")]
async fn rpc_chain_reads_versions_from_the_finalized_block() {
	let active = record(VersionStatus::Active);
	let retired = record(VersionStatus::Deprecated);
	let storage = BTreeMap::from([
		(version_storage_key(&model(1)), active.encode()),
		(version_storage_key(&model(2)), retired.encode()),
		(version_storage_key(&model(3)), b"not a record".to_vec()),
	]);
	let url = serve(FakeNode { chain_type: "Live", storage }).await;
	let rpc = NodeRpc::new(&url);
	assert_eq!(rpc.genesis_hash().await.unwrap(), GENESIS);
	assert_eq!(rpc.chain_type().await.unwrap(), "Live");
	let chain = Arc::new(RpcChain::new(rpc, tokio::runtime::Handle::current()));
	// A chain view blocks: the worker reads it off the executor, as here.
	let read = |version| {
		let chain = chain.clone();
		tokio::task::spawn_blocking(move || chain.version(&model(version)))
	};
	let view = read(1).await.unwrap().unwrap().unwrap();
	assert!(view.active);
	assert_eq!(view.spec, active.spec);
	let view = read(2).await.unwrap().unwrap().unwrap();
	assert!(!view.active, "a deprecated version is not served");
	assert_eq!(read(4).await.unwrap().unwrap(), None, "an unknown version");
	let error = read(3).await.unwrap().unwrap_err();
	assert!(error.contains("does not decode"), "{error}");
	// A node that is not there: a clear error, not a hang.
	let gone = RpcChain::new(NodeRpc::new("http://127.0.0.1:9"), tokio::runtime::Handle::current());
	let error = tokio::task::spawn_blocking(move || gone.version(&model(1))).await.unwrap();
	assert!(error.is_err());
}

/// Runs `verity-worker` with `args` until it exits or `wait` passes; returns (exited, output).
fn run_worker(args: &[&str], wait: Duration) -> (bool, String) {
	let mut child = Command::new(env!("CARGO_BIN_EXE_verity-worker"))
		.args(args)
		.stdout(Stdio::piped())
		.stderr(Stdio::piped())
		.spawn()
		.unwrap();
	let deadline = Instant::now() + wait;
	let exited = loop {
		if child.try_wait().unwrap().is_some() {
			break true;
		}
		if Instant::now() > deadline {
			let _ = child.kill();
			break false;
		}
		std::thread::sleep(Duration::from_millis(50));
	};
	let output = child.wait_with_output().unwrap();
	let text = String::from_utf8_lossy(&output.stderr).to_string()
		+ &String::from_utf8_lossy(&output.stdout);
	(exited, text)
}

fn free_port() -> u16 {
	std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_worker_program_reads_its_chain_and_refuses_bad_flags() {
	let url = serve(FakeNode { chain_type: "Development", storage: BTreeMap::new() }).await;
	let dir = tempfile::tempdir().unwrap();
	let secret = dir.path().join("secret");
	let data = dir.path().join("data");
	let (listen, node_listen) =
		(format!("127.0.0.1:{}", free_port()), format!("127.0.0.1:{}", free_port()));
	let base = [
		"--node-rpc",
		url.as_str(),
		"--secret-file",
		secret.to_str().unwrap(),
		"--data-dir",
		data.to_str().unwrap(),
		"--listen",
		&listen,
		"--node-listen",
		&node_listen,
	];
	// A malformed account: refused at start, with the flag named.
	let mut args = base.to_vec();
	args.extend(["--account", "not-an-account"]);
	let (exited, output) = run_worker(&args, Duration::from_secs(30));
	assert!(exited, "still running: {output}");
	assert!(output.contains("--account not-an-account"), "{output}");
	// An engine it does not have: refused by the flag parser.
	let mut args = base.to_vec();
	args.extend(["--engines", "onnx,tpu"]);
	let (exited, output) = run_worker(&args, Duration::from_secs(30));
	assert!(exited && output.contains("tpu"), "{output}");
	// A good start on a development chain: serves /v1/info with its key, the account it
	// answers as (Alice, by default there) and its engines; the key and secret files are
	// created private.
	let mut child = Command::new(env!("CARGO_BIN_EXE_verity-worker"))
		.args(base)
		.args(["--engines", "int8"])
		.stdout(Stdio::null())
		.stderr(Stdio::null())
		.spawn()
		.unwrap();
	let info = wait_for_info(&listen).await;
	let _ = child.kill();
	let _ = child.wait();
	let alice = "d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d";
	assert_eq!(info["account"], json!(alice), "{info}");
	assert!(info["engines"].as_str().unwrap().starts_with("int8@"), "{info}");
	assert!(!info["engines"].as_str().unwrap().contains("onnx"), "{info}");
	let key = verity_artifact_store::secret_file::read(&data.join("signing-key"));
	assert!(key.is_ok(), "the key file is private and readable: {key:?}");
	assert!(verity_artifact_store::secret_file::read(&secret).is_ok());
}

/// The worker's `/v1/info`, once it answers (within 30 s).
async fn wait_for_info(listen: &str) -> Value {
	let deadline = Instant::now() + Duration::from_secs(30);
	loop {
		let url = format!("http://{listen}/v1/info");
		if let Ok((200, body)) =
			verity_artifact_store::http::http_call("GET", &url, Vec::new()).await
		{
			return serde_json::from_slice(&body).unwrap();
		}
		assert!(Instant::now() < deadline, "the worker never served /v1/info");
		tokio::time::sleep(Duration::from_millis(100)).await;
	}
}
