//! ZKML jobs on the worker service: the answer comes at once, the proof follows at
//! `GET /v1/proofs/<id>/<binding>` and verifies with the chain's verifier; a proving key whose
//! verifying key is not the chain's is refused; a job posted again with another worker field
//! proves under its own binding and never replaces the first proof.

use codec::{Decode, Encode};
use std::{net::SocketAddr, sync::Arc, time::Duration};
use verity_artifact_store::{fetch::FetcherConfig, server, ArtifactStore};
use verity_int8 as int8;
use verity_primitives::{
	zk_proof_payload, ArtifactDigest, ArtifactFormat, IoSchema, ModelVersionRef, RequestInput,
	ResultOutput, StorageLocation, TensorDtype, TensorSpec, VerificationMode, VersionNumber,
	ZkKeyDigests, ZkProofAnswer,
};
use verity_worker::{
	exec::Executor,
	service::{self, Answer, Job, Worker, WorkerConfig},
	signer::WorkerKey,
};

/// The secret the test plays the node with.
const NODE_SECRET: [u8; 32] = [7; 32];

/// A request as the node sends it (with its secret; the store ignores the header).
async fn call(method: &str, url: &str, body: Vec<u8>) -> (u16, Vec<u8>) {
	let secret = (verity_primitives::WORKER_SECRET_HEADER, hex::encode(NODE_SECRET));
	verity_artifact_store::http::http_call_with(method, url, body, &[secret]).await.unwrap()
}

/// A store and a worker; returns their URLs and the worker's key.
async fn start() -> (String, String, WorkerKey, (tempfile::TempDir, tempfile::TempDir)) {
	let (store_dir, cache_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
	let store = ArtifactStore::open(store_dir.path(), 1 << 30).unwrap();
	let served = server::start(store, "127.0.0.1:0".parse().unwrap()).await.unwrap();
	let store_url = format!("http://{}", served.address);
	std::mem::forget(served);
	let key = WorkerKey::from_uri("//ZkWorkerTest").unwrap();
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
			output_store: None,
			batch_policy: Default::default(),
			direct: None,
			chain: None,
			node_secret: Some(NODE_SECRET),
		},
		Executor::new(verity_int8::engine::Backend::Cpu),
	)
	.unwrap();
	let handle =
		service::start(Arc::new(worker), SocketAddr::from(([127, 0, 0, 1], 0))).await.unwrap();
	let worker_url = format!("http://{}", handle.address);
	std::mem::forget(handle);
	(store_url, worker_url, key, (store_dir, cache_dir))
}

async fn upload(store_url: &str, bytes: &[u8]) -> ArtifactDigest {
	let digest = ArtifactDigest::of(bytes);
	let url = format!("{store_url}/artifacts/{}", hex::encode(digest.blake2_256));
	let (status, _) = call("PUT", &url, bytes.to_vec()).await;
	assert!(status == 200 || status == 201);
	digest
}

fn int8_tensor(name: &str, len: u32) -> TensorSpec {
	TensorSpec {
		name: name.as_bytes().to_vec().try_into().unwrap(),
		dtype: TensorDtype::I8,
		shape: vec![1, len].try_into().unwrap(),
	}
}

/// Polls the proof of `request` for `binding` until it is ready.
async fn proof(worker_url: &str, request: u64, binding: &[u8; 32]) -> ZkProofAnswer {
	let url = format!("{worker_url}/v1/proofs/{request}/{}", hex::encode(binding));
	for _ in 0..600 {
		let (status, body) = call("GET", &url, Vec::new()).await;
		match status {
			200 => return ZkProofAnswer::decode(&mut &body[..]).unwrap(),
			202 => tokio::time::sleep(Duration::from_millis(50)).await,
			other => panic!("{other}: {}", String::from_utf8_lossy(&body)),
		}
	}
	panic!("no proof within 30 s")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_zkml_job_is_answered_then_proved_for_its_own_receipt() {
	let (store_url, worker_url, key, _dirs) = start().await;
	let model = verity_zkml::reference_mlp(&[8, 16, 4], 5);
	let keys = verity_zkml::setup_from_seed(&model, [5; 32]).unwrap();
	let artifact = upload(&store_url, &int8::encode_file(&model)).await;
	let proving_key = upload(&store_url, &keys.proving_key).await;
	let input: Vec<i8> = vec![3, -7, 100, -128, 127, 0, 55, -20];
	let mut job = Job {
		genesis_hash: [9; 32],
		request_id: 7,
		model: ModelVersionRef { model: 1, version: VersionNumber { major: 1, minor: 0 } },
		spec_hash: [1; 32],
		artifact,
		format: ArtifactFormat::VerityInt8,
		schema: IoSchema::Tensors {
			inputs: vec![int8_tensor("x", 8)].try_into().unwrap(),
			outputs: vec![int8_tensor("y", 4)].try_into().unwrap(),
		},
		locations: vec![StorageLocation::ArtifactStore(
			store_url.as_bytes().to_vec().try_into().unwrap(),
		)]
		.try_into()
		.unwrap(),
		input: RequestInput::Inline(
			input.iter().map(|x| *x as u8).collect::<Vec<_>>().try_into().unwrap(),
		),
		mode: VerificationMode::Zkml,
		worker: [5; 32],
		zk_keys: Some(ZkKeyDigests {
			proving_key,
			verifying_key: ArtifactDigest::of(&keys.verifying_key),
		}),
		max_tokens: None,
		claim: None,
	};
	let jobs = format!("{worker_url}/v1/jobs");

	// The fast path: the engine's output and a signed receipt, at once.
	let (status, body) = call("POST", &jobs, job.encode()).await;
	assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
	let answer = Answer::decode(&mut &body[..]).unwrap();
	let expected: Vec<u8> = model.forward(&input).unwrap().iter().map(|x| *x as u8).collect();
	assert_eq!(answer.output, ResultOutput::Inline(expected.clone().try_into().unwrap()));
	let binding = answer.receipt.zk_binding();

	// The verification path: the proof verifies with the chain's verifier, and is signed.
	let proved = proof(&worker_url, 7, &binding).await;
	let output: Vec<i8> = expected.iter().map(|b| *b as i8).collect();
	verity_zkml::verify_native(&keys.verifying_key, &proved.proof, &binding, &input, &output)
		.expect("the served proof verifies");
	{
		use sp_core::{sr25519, Pair};
		assert!(sr25519::Pair::verify(
			&sr25519::Signature::from_raw(proved.signature),
			zk_proof_payload(&[9; 32], 7, &binding, &proved.proof),
			&sr25519::Public::from_raw(key.public()),
		));
	}

	// The same request posted again naming another worker account: its own binding, and the
	// first proof stays.
	let mut other = job.clone();
	other.worker = [6; 32];
	let (status, body) = call("POST", &jobs, other.encode()).await;
	assert_eq!(status, 200);
	let other_binding = Answer::decode(&mut &body[..]).unwrap().receipt.zk_binding();
	assert_ne!(other_binding, binding);
	assert_eq!(proof(&worker_url, 7, &binding).await, proved);

	// A proof nobody asked for, and a malformed path.
	let (status, _) =
		call("GET", &format!("{worker_url}/v1/proofs/8/{}", hex::encode(binding)), vec![]).await;
	assert_eq!(status, 404);
	let (status, _) = call("GET", &format!("{worker_url}/v1/proofs/7/zz"), vec![]).await;
	assert_eq!(status, 400);

	// A proving key whose verifying key is not the chain's is refused before anything runs.
	job.request_id = 9;
	job.zk_keys = Some(ZkKeyDigests {
		proving_key,
		verifying_key: ArtifactDigest::of(b"another verifying key"),
	});
	let (status, body) = call("POST", &jobs, job.encode()).await;
	assert_eq!(status, 422);
	assert!(String::from_utf8_lossy(&body).contains("the chain verifies with"));
	// And a ZKML job without keys.
	job.zk_keys = None;
	let (status, _) = call("POST", &jobs, job.encode()).await;
	assert_eq!(status, 422);
}
