//! The worker service end to end on local servers: an artifact store holds the model, the
//! worker fetches and verifies it, runs the job and signs the receipt; bad artifacts and inputs
//! get clear errors.

use codec::{Decode, Encode};
use std::{
	collections::BTreeMap,
	net::SocketAddr,
	sync::{Arc, Mutex},
	time::Duration,
};
use verity_artifact_store::{fetch::FetcherConfig, server, ArtifactStore};
use verity_int8::{convert, testmodels};
use verity_primitives::{
	blake2_256, ArtifactDigest, ArtifactFormat, IoSchema, ModelVersionRef, ReceiptContext,
	RequestInput, ResultOutput, StorageLocation, VerificationMode, VerificationModes,
	VersionNumber, VersionSpec, WORKER_SECRET_HEADER,
};
use verity_worker::{
	chain::{ChainView, VersionView},
	exec::Executor,
	service::{self, Answer, Job, OutputStore, Worker, WorkerConfig},
	signer::WorkerKey,
};

/// The secret the test plays the node with.
const NODE_SECRET: [u8; 32] = [7; 32];

struct Setup {
	_dirs: (tempfile::TempDir, tempfile::TempDir),
	store_url: String,
	worker_url: String,
	/// The listener for the node alone.
	node_url: String,
	key: WorkerKey,
	client: reqwest_like::Client,
	chain: Arc<TestChain>,
}

impl Setup {
	/// A request as the node sends it (with its secret).
	/// A call with the node's secret; a job still running (`202`) is asked again, as the node
	/// does.
	async fn as_node(&self, method: &str, url: &str, body: Vec<u8>) -> (u16, Vec<u8>) {
		let secret = hex::encode(NODE_SECRET);
		loop {
			let headers = [(WORKER_SECRET_HEADER, secret.as_str())];
			let reply = self.client.send_with(method, url, body.clone(), &headers).await;
			if reply.0 != 202 || !url.ends_with("/v1/jobs") {
				return reply;
			}
		}
	}
}

/// The chain's Model Hub as the worker reads it; tests publish versions into it and count
/// the worker's reads.
#[derive(Default)]
struct TestChain {
	versions: Mutex<BTreeMap<ModelVersionRef, VersionView>>,
	reads: std::sync::atomic::AtomicUsize,
}

impl ChainView for TestChain {
	fn version(&self, model: &ModelVersionRef) -> Result<Option<VersionView>, String> {
		self.reads.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
		Ok(self.versions.lock().unwrap().get(model).cloned())
	}
}

impl TestChain {
	fn publish(&self, model: ModelVersionRef, spec: VersionSpec<u128>, active: bool) {
		self.versions.lock().unwrap().insert(model, VersionView { spec, active });
	}

	fn reads(&self) -> usize {
		self.reads.load(std::sync::atomic::Ordering::SeqCst)
	}
}

/// A tiny HTTP client on hyper (the worker crate's own dependencies).
mod reqwest_like {
	use bytes::Bytes;
	use http_body_util::{BodyExt, Full};
	use hyper_util::{client::legacy::Client as Legacy, rt::TokioExecutor};

	pub struct Client(Legacy<hyper_util::client::legacy::connect::HttpConnector, Full<Bytes>>);

	impl Client {
		pub fn new() -> Self {
			Self(Legacy::builder(TokioExecutor::new()).build_http())
		}
		pub async fn send(&self, method: &str, url: &str, body: Vec<u8>) -> (u16, Vec<u8>) {
			self.send_with(method, url, body, &[]).await
		}
		pub async fn send_with(
			&self,
			method: &str,
			url: &str,
			body: Vec<u8>,
			headers: &[(&str, &str)],
		) -> (u16, Vec<u8>) {
			let mut builder = hyper::Request::builder().method(method).uri(url);
			for (name, value) in headers {
				builder = builder.header(*name, *value);
			}
			let request = builder.body(Full::new(Bytes::from(body))).unwrap();
			let response = self.0.request(request).await.unwrap();
			let status = response.status().as_u16();
			(status, response.into_body().collect().await.unwrap().to_bytes().to_vec())
		}
	}
}

async fn setup() -> Setup {
	let store_dir = tempfile::tempdir().unwrap();
	let cache_dir = tempfile::tempdir().unwrap();
	let store = ArtifactStore::open(store_dir.path(), 1 << 30).unwrap();
	let store_server = server::start(store, "127.0.0.1:0".parse().unwrap()).await.unwrap();
	let store_url = format!("http://{}", store_server.address);
	std::mem::forget(store_server);
	let key = WorkerKey::from_uri("//WorkerTest").unwrap();
	let chain = Arc::new(TestChain::default());
	let worker = Worker::with_executor(
		key.clone(),
		WorkerConfig {
			cache_dir: cache_dir.path().into(),
			cache_max_size: 1 << 30,
			cache_quota: 4 << 30,
			fetcher: FetcherConfig {
				timeout: Duration::from_secs(5),
				addresses: verity_artifact_store::AddressPolicy::Any,
				..Default::default()
			},
			output_store: Some(OutputStore::at(store_url.clone())),
			batch_policy: verity_worker::settlement::BatchPolicy {
				max_leaves: 2,
				max_age: Duration::from_secs(3600),
			},
			direct: Some(verity_worker::service::DirectIdentity {
				genesis_hash: [9; 32],
				account: [5; 32],
			}),
			chain: Some(chain.clone()),
			node_secret: Some(NODE_SECRET),
		},
		Executor::new(verity_int8::engine::Backend::Cpu),
	)
	.unwrap();
	let worker = Arc::new(worker);
	let loopback = SocketAddr::from(([127, 0, 0, 1], 0));
	let handle = service::start(worker.clone(), loopback).await.unwrap();
	let worker_url = format!("http://{}", handle.address);
	std::mem::forget(handle);
	let handle = service::start_node(worker, loopback).await.unwrap();
	let node_url = format!("http://{}", handle.address);
	std::mem::forget(handle);
	Setup {
		_dirs: (store_dir, cache_dir),
		store_url,
		worker_url,
		node_url,
		key,
		client: reqwest_like::Client::new(),
		chain,
	}
}

async fn upload(setup: &Setup, bytes: &[u8]) -> ArtifactDigest {
	let digest = ArtifactDigest::of(bytes);
	let url = format!("{}/artifacts/{}", setup.store_url, hex::encode(digest.blake2_256));
	let (status, body) = setup.client.send("PUT", &url, bytes.to_vec()).await;
	assert!(status == 200 || status == 201, "upload: {status} {}", String::from_utf8_lossy(&body));
	digest
}

fn job(
	setup: &Setup,
	artifact: ArtifactDigest,
	format: ArtifactFormat,
	schema: IoSchema,
	input: Vec<u8>,
) -> Job {
	Job {
		genesis_hash: [9; 32],
		request_id: 42,
		model: ModelVersionRef { model: 3, version: VersionNumber { major: 1, minor: 0 } },
		spec_hash: [3; 32],
		artifact,
		format,
		schema,
		locations: vec![StorageLocation::ArtifactStore(
			setup.store_url.as_bytes().to_vec().try_into().unwrap(),
		)]
		.try_into()
		.unwrap(),
		input: RequestInput::Inline(input.try_into().unwrap()),
		mode: VerificationMode::Vanilla,
		worker: [5; 32],
		zk_keys: None,
		max_tokens: None,
		claim: None,
	}
}

fn f32_bytes(values: &[f32]) -> Vec<u8> {
	values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jobs_run_verified_models_and_sign_receipts() {
	let setup = setup().await;
	let (status, info) =
		setup.client.send("GET", &format!("{}/v1/info", setup.worker_url), vec![]).await;
	assert_eq!(status, 200);
	let info: serde_json::Value = serde_json::from_slice(&info).unwrap();
	assert_eq!(info["signing_key"], hex::encode(setup.key.public()));
	assert_eq!(info["backend"], "cpu");

	let onnx = testmodels::mlp_onnx(11, &[8, 16, 3]);
	let onnx_digest = upload(&setup, &onnx).await;
	let schema = testmodels::f32_schema(&[1, 8], &[1, 3]);
	let input = f32_bytes(&testmodels::random_inputs(5, 1, 8)[0]);
	let int8 = convert::convert_to_file(&onnx, &testmodels::random_inputs(6, 32, 8)).unwrap();
	let int8_digest = upload(&setup, &int8).await;

	for (digest, format, bytes) in [
		(onnx_digest, ArtifactFormat::Onnx, &onnx),
		(int8_digest, ArtifactFormat::VerityInt8, &int8),
	] {
		let job = job(&setup, digest, format, schema.clone(), input.clone());
		let url = format!("{}/v1/jobs", setup.worker_url);
		let (status, body) = setup.as_node("POST", &url, job.encode()).await;
		assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
		let answer = Answer::decode(&mut &body[..]).unwrap();
		let direct = Executor::new(verity_int8::engine::Backend::Cpu)
			.run(format, digest.blake2_256, bytes, &schema, &input)
			.unwrap();
		assert_eq!(answer.output, ResultOutput::Inline(direct.clone().try_into().unwrap()));
		assert_eq!(answer.receipt.output_digest, blake2_256(&direct));
		assert_eq!(answer.receipt.input_digest, blake2_256(&input));
		assert_eq!(answer.receipt.model_digest, digest.blake2_256);
		assert_eq!(answer.receipt.request_id, 42);
		assert_eq!(answer.receipt.worker, [5; 32]);
		assert_eq!(answer.receipt.context, ReceiptContext::OnChain);
		assert_eq!(answer.receipt.spec_hash, [3; 32]);
		assert!(verity_client::receipts::verify(
			&answer.receipt,
			&answer.signature,
			&setup.key.public()
		));
	}
}

/// A chat job: the receipt binds the request, the streamed text and the tokens used.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chat_jobs_sign_receipts_with_token_usage() {
	let Some(gguf) = crate::llm::smollm2() else { return };
	let setup = setup().await;
	let digest = upload(&setup, gguf).await;
	let schema = IoSchema::Chat { max_context_tokens: 2048 };
	let input = crate::llm::REQUEST.as_bytes().to_vec();
	let mut job = job(&setup, digest, ArtifactFormat::Gguf, schema, input.clone());
	job.max_tokens = Some(12);
	let url = format!("{}/v1/jobs", setup.worker_url);
	let (status, body) = setup.as_node("POST", &url, job.encode()).await;
	assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
	let answer = Answer::decode(&mut &body[..]).unwrap();
	let ResultOutput::Inline(text) = &answer.output else { panic!("a short answer is inline") };
	assert!(String::from_utf8_lossy(text).contains('4'));
	assert_eq!(answer.receipt.output_digest, blake2_256(text));
	assert_eq!(answer.receipt.input_digest, blake2_256(&input));
	let usage = answer.receipt.usage.expect("a chat receipt carries its usage");
	assert!(
		usage.prompt_tokens > 10 && usage.completion_tokens > 0 && usage.completion_tokens <= 12
	);
	assert!(verity_client::receipts::verify(
		&answer.receipt,
		&answer.signature,
		&setup.key.public()
	));
}

/// A chat answer carries its generation evidence (the receipt signs its digest); the check
/// of that answer (another job, with the claim built from chain state) re-executes it and
/// signs an accepting verdict, and a verdict rejecting a claim whose tokens were altered.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chat_answers_carry_evidence_that_a_check_job_re_executes() {
	use verity_primitives::{CheckVerdict, GenerationClaim};
	let Some(gguf) = crate::llm::smollm2() else { return };
	let setup = setup().await;
	let digest = upload(&setup, gguf).await;
	let schema = IoSchema::Chat { max_context_tokens: 2048 };
	let input = crate::llm::REQUEST.as_bytes().to_vec();
	let mut chat = job(&setup, digest, ArtifactFormat::Gguf, schema, input);
	chat.max_tokens = Some(12);
	let url = format!("{}/v1/jobs", setup.worker_url);
	let (status, body) = setup.as_node("POST", &url, chat.encode()).await;
	assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
	let answer = Answer::decode(&mut &body[..]).unwrap();
	let evidence = answer.generation.expect("a chat answer carries its evidence");
	let usage = answer.receipt.usage.unwrap();
	assert!(evidence.is_well_formed());
	assert_eq!(answer.receipt.generation, Some(evidence.digest()));
	assert_eq!(evidence.tokens.len() as u32, usage.completion_tokens);

	let claim = GenerationClaim {
		original: 42,
		output_digest: answer.receipt.output_digest,
		usage,
		evidence: evidence.clone(),
	};
	let mut altered = claim.clone();
	altered.evidence.tokens[0] = altered.evidence.tokens[0].wrapping_add(1);
	for (request_id, claim, accepted) in [(43, claim, true), (44, altered, false)] {
		let mut check = chat.clone();
		(check.request_id, check.max_tokens, check.claim) = (request_id, None, Some(claim.clone()));
		let (status, body) = setup.as_node("POST", &url, check.encode()).await;
		assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
		let answer = Answer::decode(&mut &body[..]).unwrap();
		let ResultOutput::Inline(bytes) = &answer.output else { panic!("a verdict is inline") };
		assert_eq!(CheckVerdict::from_bytes(bytes), Some(claim.verdict(accepted)));
		assert_eq!((answer.receipt.usage, answer.receipt.generation), (None, None));
		assert!(answer.generation.is_none());
		assert!(verity_client::receipts::verify(
			&answer.receipt,
			&answer.signature,
			&setup.key.public()
		));
	}
}

/// The public stream of an on-chain chat job (`GET /v1/jobs/<id>/stream`): a stranger (no
/// secret) reads the text the worker signs, piece by piece, then its end; it cannot use the
/// route to post or run anything (`POST` there is an unknown route), a malformed id is a 400
/// and a job this worker never ran a 404.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn strangers_read_chat_streams_but_run_nothing_through_them() {
	let Some(gguf) = crate::llm::smollm2() else { return };
	let setup = setup().await;
	let digest = upload(&setup, gguf).await;
	let schema = IoSchema::Chat { max_context_tokens: 2048 };
	let input = crate::llm::REQUEST.as_bytes().to_vec();
	let mut job = job(&setup, digest, ArtifactFormat::Gguf, schema, input);
	job.max_tokens = Some(12);
	let jobs = format!("{}/v1/jobs", setup.worker_url);
	let (status, body) = setup.as_node("POST", &jobs, job.encode()).await;
	assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
	let answer = Answer::decode(&mut &body[..]).unwrap();
	let ResultOutput::Inline(signed) = &answer.output else { panic!("a short answer is inline") };

	let stream = format!("{jobs}/42/stream");
	let (status, body) = setup.client.send("GET", &stream, Vec::new()).await;
	assert_eq!(status, 200);
	let lines: Vec<serde_json::Value> = String::from_utf8(body)
		.unwrap()
		.lines()
		.map(|line| serde_json::from_str(line).unwrap())
		.collect();
	let text: String = lines.iter().filter_map(|line| line["text"].as_str()).collect();
	assert_eq!(text.as_bytes(), &signed[..], "the stream is the signed text");
	assert_eq!(lines.last(), Some(&serde_json::json!({"done": true})));

	assert_eq!(setup.client.send("POST", &stream, job.encode()).await.0, 404);
	assert_eq!(setup.client.send("GET", &format!("{jobs}/x/stream"), vec![]).await.0, 400);
	assert_eq!(setup.client.send("GET", &format!("{jobs}/43/stream"), vec![]).await.0, 404);
}

/// Attack (issue 17): a requester pays for fewer tokens on chain than its chat request's own
/// `max_tokens` asks, or sends a chat request the model cannot take; the worker declines it
/// as invalid input, signed, rather than work unpaid or let it expire (a timeout penalty).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chat_jobs_asking_more_than_was_paid_are_declined_as_invalid() {
	use verity_primitives::{decline_payload, DeclineReason, WorkerDecline};
	let Some(gguf) = crate::llm::smollm2() else { return };
	let setup = setup().await;
	let digest = upload(&setup, gguf).await;
	let schema = IoSchema::Chat { max_context_tokens: 2048 };
	let url = format!("{}/v1/jobs", setup.worker_url);
	let not_json = b"{\"messages\": [".to_vec();
	for (input, paid) in [(crate::llm::REQUEST.as_bytes().to_vec(), 11), (not_json, 100)] {
		let mut job = job(&setup, digest, ArtifactFormat::Gguf, schema.clone(), input.clone());
		job.max_tokens = Some(paid);
		let (status, body) = setup.as_node("POST", &url, job.encode()).await;
		assert_eq!(status, 424, "{}", String::from_utf8_lossy(&body));
		let decline = WorkerDecline::decode(&mut &body[..]).unwrap();
		assert_eq!(decline.reason, DeclineReason::InvalidInput);
		let payload =
			decline_payload(&[9; 32], 42, &blake2_256(&input), decline.reason, &decline.evidence);
		assert!(verity_client::receipts::verify_payload(
			&payload,
			&decline.signature,
			&setup.key.public()
		));
	}
}

/// Attack (issue 14, holes 1 and 2): only the node may post on-chain jobs or fetch proofs;
/// a stranger (no secret, or a wrong one) gets `401` and nothing runs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_the_node_may_post_jobs_or_fetch_proofs() {
	let setup = setup().await;
	let onnx = testmodels::mlp_onnx(11, &[8, 16, 3]);
	let digest = upload(&setup, &onnx).await;
	let schema = testmodels::f32_schema(&[1, 8], &[1, 3]);
	let input = f32_bytes(&testmodels::random_inputs(5, 1, 8)[0]);
	let job = job(&setup, digest, ArtifactFormat::Onnx, schema, input).encode();
	let jobs = format!("{}/v1/jobs", setup.worker_url);
	let proofs = format!("{}/v1/proofs/1/{}", setup.worker_url, hex::encode([0u8; 32]));
	let wrong = hex::encode([8u8; 32]);
	for (url, method, body) in [(&jobs, "POST", job.clone()), (&proofs, "GET", vec![])] {
		assert_eq!(setup.client.send(method, url, body.clone()).await.0, 401);
		let headers = [(WORKER_SECRET_HEADER, wrong.as_str())];
		assert_eq!(setup.client.send_with(method, url, body, &headers).await.0, 401);
	}
	assert_eq!(setup.as_node("POST", &jobs, job).await.0, 200);
	assert_eq!(setup.as_node("GET", &proofs, vec![]).await.0, 404);
}

/// Attack (issue 14, hole 4 by another door): strangers open more connections than the public
/// listener serves and hold them, so that the node's jobs wait until their deadline passes and
/// the worker pays the timeout penalty. The node has a listener of its own.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn strangers_filling_the_public_listener_do_not_block_the_node() {
	let setup = setup().await;
	let public = setup.worker_url.trim_start_matches("http://").to_owned();
	let mut held = Vec::new();
	for _ in 0..300 {
		held.push(tokio::net::TcpStream::connect(&public).await.unwrap());
	}
	let info = |base: &str| {
		let url = format!("{base}/v1/info");
		tokio::time::timeout(Duration::from_secs(3), async move {
			verity_artifact_store::http::http_call("GET", &url, Vec::new()).await
		})
	};
	assert!(info(&setup.worker_url).await.is_err(), "the public listener is full");
	let (status, _) = info(&setup.node_url).await.expect("the node is served at once").unwrap();
	assert_eq!(status, 200);
	// The node's routes work there, with the secret as anywhere.
	let (status, _) =
		setup.as_node("GET", &format!("{}/v1/settlements", setup.node_url), Vec::new()).await;
	assert_eq!(status, 200);
	drop(held);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_artifacts_and_inputs_get_clear_errors() {
	let setup = setup().await;
	let onnx = testmodels::mlp_onnx(12, &[4, 4, 2]);
	let digest = upload(&setup, &onnx).await;
	let schema = testmodels::f32_schema(&[1, 4], &[1, 2]);
	let url = format!("{}/v1/jobs", setup.worker_url);
	let node = |body: Vec<u8>| setup.as_node("POST", &url, body);

	// A digest no location can satisfy: the store holds other bytes under no such key.
	let mut wrong = digest;
	wrong.blake2_256[0] ^= 1;
	let (status, body) = node(
		job(&setup, wrong, ArtifactFormat::Onnx, schema.clone(), f32_bytes(&[0.0; 4])).encode(),
	)
	.await;
	assert_eq!(status, 502);
	assert!(
		String::from_utf8_lossy(&body).contains("artifact"),
		"{}",
		String::from_utf8_lossy(&body)
	);

	// Wrong input length.
	let (status, body) =
		node(job(&setup, digest, ArtifactFormat::Onnx, schema.clone(), vec![0; 3]).encode()).await;
	assert_eq!(status, 422);
	assert!(String::from_utf8_lossy(&body).contains("input"), "{}", String::from_utf8_lossy(&body));

	// Bytes that are not a model of the format claimed.
	let junk = upload(&setup, b"definitely not onnx").await;
	let (status, body) = node(
		job(&setup, junk, ArtifactFormat::Onnx, schema.clone(), f32_bytes(&[0.0; 4])).encode(),
	)
	.await;
	assert_eq!(status, 422, "{}", String::from_utf8_lossy(&body));

	// A model whose format is not what the version says (ONNX bytes as a GGUF).
	let (status, _) =
		node(job(&setup, digest, ArtifactFormat::Gguf, schema, f32_bytes(&[0.0; 4])).encode())
			.await;
	assert_eq!(status, 422);

	// A body that is not a job.
	let (status, _) = node(b"garbage".to_vec()).await;
	assert_eq!(status, 400);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn direct_requests_settle_individually_by_batch_or_privately() {
	use verity_primitives::{
		batch_proof, verify_batch_proof, BatchPosition, DirectAnswer, DirectJob, SettlementMode,
	};
	use verity_worker::settlement::{Leaf, Pending, Posted};
	let setup = setup().await;
	let onnx = testmodels::mlp_onnx(11, &[8, 16, 3]);
	let digest = upload(&setup, &onnx).await;
	let schema = testmodels::f32_schema(&[1, 8], &[1, 3]);
	let input = f32_bytes(&testmodels::random_inputs(5, 1, 8)[0]);
	let model = ModelVersionRef { model: 3, version: VersionNumber { major: 1, minor: 0 } };
	let template = job(&setup, digest, ArtifactFormat::Onnx, schema.clone(), input.clone());
	let spec = VersionSpec::<u128> {
		artifact: digest,
		format: ArtifactFormat::Onnx,
		schema: schema.clone(),
		modes: VerificationModes::of(&[VerificationMode::Vanilla]),
		price_per_inference: 1,
		price_per_token: 0,
		zk_verifying_key: None,
		locations: template.locations.clone(),
	};
	setup.chain.publish(model, spec.clone(), true);
	let direct = |request_id: u64, settlement| DirectJob {
		request_id,
		model,
		input: template.input.clone(),
		mode: VerificationMode::Vanilla,
		settlement,
	};
	let send = |body: Vec<u8>| {
		let url = format!("{}/v1/direct", setup.worker_url);
		let client = &setup.client;
		async move { client.send("POST", &url, body).await }
	};
	let pending = || async {
		let url = format!("{}/v1/settlements", setup.worker_url);
		// Only the node (its operator) reads them.
		assert_eq!(setup.client.send("GET", &url, vec![]).await.0, 401);
		let (status, body) = setup.as_node("GET", &url, vec![]).await;
		assert_eq!(status, 200);
		Pending::decode(&mut &body[..]).unwrap()
	};

	// A stored input whose declared size is not the schema's is refused before anything is
	// fetched (a stranger cannot make the worker download gigabytes for free).
	let huge = DirectJob {
		input: RequestInput::Stored {
			digest: ArtifactDigest { blake2_256: [1; 32], sha256: [2; 32], size: 16 << 30 },
			location: StorageLocation::Https(
				b"https://input.example/huge".to_vec().try_into().unwrap(),
			),
		},
		..direct(99, SettlementMode::Private)
	};
	let (status, body) = send(huge.encode()).await;
	assert_eq!(status, 422, "{}", String::from_utf8_lossy(&body));
	assert!(String::from_utf8_lossy(&body).contains("input length"));

	let mut leaves = Vec::new();
	for (request_id, settlement) in [
		(1, SettlementMode::Private),
		(2, SettlementMode::Individual),
		(3, SettlementMode::Batch),
		(4, SettlementMode::Batch),
	] {
		let (status, body) = send(direct(request_id, settlement).encode()).await;
		assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
		let answer = DirectAnswer::<[u8; 32]>::decode(&mut &body[..]).unwrap();
		// A direct receipt, for the worker's own chain and account, binding the chain's spec.
		let receipt = &answer.answer.receipt;
		assert_eq!(receipt.context, ReceiptContext::Direct);
		assert_eq!(receipt.spec_hash, spec.spec_hash());
		assert_eq!((receipt.genesis_hash, receipt.worker), ([9; 32], [5; 32]));
		assert!(verity_client::receipts::verify(
			&answer.answer.receipt,
			&answer.answer.signature,
			&setup.key.public()
		));
		let expected = (settlement == SettlementMode::Batch)
			.then(|| BatchPosition { sequence: 0, index: (request_id - 3) as u32 });
		assert_eq!(answer.batch, expected);
		leaves.push(Leaf { receipt: answer.answer.receipt, signature: answer.answer.signature });
	}

	// The individual receipt and the closed batch (2 leaves) wait to be posted; the private
	// one is nowhere.
	let waiting = pending().await;
	assert_eq!(waiting.receipts, vec![leaves[1].clone()]);
	let [batch] = &waiting.batches[..] else { panic!("one batch: {waiting:?}") };
	assert_eq!(batch.leaf_count, 2);
	// Where anyone fetches the leaves: the store's public URL, recorded on chain with the batch.
	let public = setup.store_url.as_bytes().to_vec().try_into().unwrap();
	assert_eq!(batch.leaves_at, StorageLocation::ArtifactStore(public));
	// Its leaves file is in the artifact store, and every leaf proves against the root.
	let url = format!("{}/artifacts/{}", setup.store_url, hex::encode(batch.leaves.blake2_256));
	let (status, file) = setup.client.send("GET", &url, vec![]).await;
	assert_eq!(status, 200);
	let stored = Vec::<Leaf>::decode(&mut &file[..]).unwrap();
	assert_eq!(stored, leaves[2..].to_vec());
	let encoded: Vec<Vec<u8>> = stored.iter().map(Encode::encode).collect();
	for index in 0..2u32 {
		let proof = batch_proof(&encoded, index).unwrap();
		assert!(verify_batch_proof(&batch.root, 2, index, &encoded[index as usize], &proof).is_ok());
	}

	// Reported as posted, they are forgotten.
	let posted =
		Posted { batches: vec![batch.sequence], receipts: vec![blake2_256(&leaves[1].encode())] };
	let url = format!("{}/v1/settlements/posted", setup.worker_url);
	// A stranger cannot make the worker forget what waits to be posted.
	assert_eq!(setup.client.send("POST", &url, posted.encode()).await.0, 401);
	assert_eq!(setup.as_node("POST", &url, posted.encode()).await.0, 204);
	assert_eq!(pending().await, Pending::default());
	// Garbage gets a clear 400.
	let (status, body) = send(vec![1, 2, 3]).await;
	assert_eq!(status, 400, "{}", String::from_utf8_lossy(&body));
	// The worker signs only versions the chain serves (it takes their schema from the chain,
	// never from the client), and not as an enclave: anything else would put a faulty leaf in
	// its batch.
	let retired = ModelVersionRef { model: 3, version: VersionNumber { major: 0, minor: 9 } };
	setup.chain.publish(retired, spec.clone(), false);
	for (tamper, reason) in [
		((|d: &mut DirectJob| d.mode = VerificationMode::Tee) as fn(&mut DirectJob), "enclave"),
		(|d| d.mode = VerificationMode::Zkml, "through the chain"),
		(|d| d.model.model = 4, "does not exist"),
		(|d| d.model.version = VersionNumber { major: 0, minor: 9 }, "not served"),
	] {
		let mut job = direct(7, SettlementMode::Batch);
		tamper(&mut job);
		let (status, body) = send(job.encode()).await;
		assert_eq!(status, 422);
		assert!(
			String::from_utf8_lossy(&body).contains(reason),
			"{}",
			String::from_utf8_lossy(&body)
		);
	}
	assert_eq!(pending().await, Pending::default());
}

/// Attack (issue 14, hole 4): an on-chain job whose stored input its location does not serve
/// gets a signed decline (`424`), which the node submits so that the worker is not penalized.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unfetchable_stored_input_gets_a_signed_decline() {
	use verity_primitives::{decline_payload, DeclineReason, WorkerDecline};
	let setup = setup().await;
	let onnx = testmodels::mlp_onnx(12, &[4, 4, 2]);
	let digest = upload(&setup, &onnx).await;
	let schema = testmodels::f32_schema(&[1, 4], &[1, 2]);
	let mut job = job(&setup, digest, ArtifactFormat::Onnx, schema, f32_bytes(&[0.0; 4]));
	// Sixteen bytes the store does not hold.
	job.input = RequestInput::Stored {
		digest: ArtifactDigest::of(&[7u8; 16]),
		location: StorageLocation::ArtifactStore(
			setup.store_url.as_bytes().to_vec().try_into().unwrap(),
		),
	};
	let url = format!("{}/v1/jobs", setup.worker_url);
	let (status, body) = setup.as_node("POST", &url, job.encode()).await;
	assert_eq!(status, 424, "{}", String::from_utf8_lossy(&body));
	let decline = WorkerDecline::decode(&mut &body[..]).unwrap();
	assert_eq!(decline.request_id, 42);
	assert_eq!(decline.reason, DeclineReason::InputUnavailable);
	let input = ArtifactDigest::of(&[7u8; 16]).blake2_256;
	let payload = decline_payload(&[9; 32], 42, &input, decline.reason, &decline.evidence);
	assert!(verity_client::receipts::verify_payload(
		&payload,
		&decline.signature,
		&setup.key.public()
	));
}

/// Attack: strangers flood the worker with free direct requests (here: each waits on an input
/// server that never answers) so that the node's on-chain job finds it busy and times out.
/// Direct jobs take at most `DIRECT_SLOTS` at once; the rest get `503`, and the node's job
/// still runs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_direct_requests_never_delays_the_nodes_jobs() {
	use verity_primitives::{DirectJob, SettlementMode, VersionSpec};
	use verity_worker::service::DIRECT_SLOTS;
	let setup = setup().await;
	let onnx = testmodels::mlp_onnx(11, &[8, 16, 3]);
	let digest = upload(&setup, &onnx).await;
	let schema = testmodels::f32_schema(&[1, 8], &[1, 3]);
	let input = f32_bytes(&testmodels::random_inputs(5, 1, 8)[0]);
	let template = job(&setup, digest, ArtifactFormat::Onnx, schema.clone(), input.clone());
	let model = template.model;
	let spec = VersionSpec::<u128> {
		artifact: digest,
		format: ArtifactFormat::Onnx,
		schema,
		modes: VerificationModes::of(&[VerificationMode::Vanilla]),
		price_per_inference: 1,
		price_per_token: 0,
		zk_verifying_key: None,
		locations: template.locations.clone(),
	};
	setup.chain.publish(model, spec, true);
	// An input server that accepts connections and never answers.
	let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
	let silent_url = format!("http://{}/input", silent.local_addr().unwrap());
	tokio::spawn(async move {
		let mut held = Vec::new();
		while let Ok((stream, _)) = silent.accept().await {
			held.push(stream);
		}
	});
	let stalled = |request_id: u64| DirectJob {
		request_id,
		model,
		input: RequestInput::Stored {
			digest: ArtifactDigest::of(&input),
			location: StorageLocation::Https(silent_url.as_bytes().to_vec().try_into().unwrap()),
		},
		mode: VerificationMode::Vanilla,
		settlement: SettlementMode::Private,
	};
	let url = format!("{}/v1/direct", setup.worker_url);
	let mut flood = Vec::new();
	for request_id in 0..DIRECT_SLOTS as u64 {
		let (url, body) = (url.clone(), stalled(request_id).encode());
		flood.push(tokio::spawn(async move {
			verity_artifact_store::http::http_call("POST", &url, body).await
		}));
	}
	tokio::time::sleep(Duration::from_millis(500)).await;
	let (status, body) = setup.client.send("POST", &url, stalled(99).encode()).await;
	assert_eq!(status, 503, "{}", String::from_utf8_lossy(&body));
	// While the slots are full, a stranger naming versions that do not exist costs the worker's
	// node nothing: the answer is `503` before the chain is read.
	let reads = setup.chain.reads();
	for unknown in 0..20u64 {
		let mut job = stalled(100 + unknown);
		job.model.model = 1_000_000 + unknown;
		let (status, body) = setup.client.send("POST", &url, job.encode()).await;
		assert_eq!(status, 503, "{}", String::from_utf8_lossy(&body));
	}
	assert_eq!(setup.chain.reads(), reads, "a busy worker read the chain for a stranger");
	// The node's job runs at once, on the node's own listener.
	let started = std::time::Instant::now();
	let (status, body) =
		setup.as_node("POST", &format!("{}/v1/jobs", setup.node_url), template.encode()).await;
	assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
	assert!(started.elapsed() < Duration::from_secs(4), "{:?}", started.elapsed());
	for stalled in flood {
		let (status, _) = stalled.await.unwrap().unwrap();
		assert_eq!(status, 502, "the stalled inputs fail on their own");
	}
}
