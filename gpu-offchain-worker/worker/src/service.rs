//! The worker as a service: runs the jobs a chain's offchain worker sends, and serves over HTTP.
//!
//! - `GET /v1/info`: `{"signing_key": hex, "backend": "cpu"|"gpu", "engines": ..., "version": ...}`, and for a
//!   worker configured with its chain account, `"account"` and `"key_proof"` (the key's
//!   signature over [`verity_primitives::key_possession_payload`] for that account only).
//! - `POST /v1/jobs` (node only: the [`WORKER_SECRET_HEADER`] must carry the node's secret,
//!   else `401`): body a SCALE [`WorkerJob`] the node's offchain worker built from chain state;
//!   answer `200` with a SCALE [`WorkerAnswer`] whose receipt is an on-chain one
//!   ([`ReceiptContext::OnChain`]), `424` with a SCALE [`WorkerDecline`] when the stored input
//!   cannot be fetched, or an error status with a one-line reason (`422` the job
//!   cannot run as given: bad input, unsupported or unloadable model; `502` no location yielded
//!   the verified artifact).
//! - `POST /v1/direct` (public): a request made to the worker directly (off chain): body a
//!   SCALE [`DirectJob`] (model version, input, mode, settlement); the worker builds the job
//!   from the version as the chain records it ([`crate::chain`]) and answers a SCALE
//!   [`DirectAnswer`] whose receipt is a direct one ([`ReceiptContext::Direct`]). See
//!   [`crate::settlement`] for how its receipt reaches the chain.
//! - `GET /v1/settlements` (node's secret required, like `/v1/jobs`): SCALE [`Pending`]:
//!   closed batches and individual receipts to post.
//! - `POST /v1/settlements/posted` (node's secret required): SCALE [`Posted`]: what the
//!   operator posted; `204`.
//! - `GET /v1/proofs/<request id>/<binding hex>` (node only, like `/v1/jobs`): the ZK proof of a ZKML job for the receipt
//!   with that binding: `200` with a SCALE [`verity_primitives::ZkProofAnswer`] once ready,
//!   `202` while proving, `500` with the reason if proving failed, `404` for a proof this
//!   worker does not make (the chain's offchain worker then posts the job again).
//!
//! The node reaches the worker on a listener of its own ([`serve_node`]: same routes, its own
//! connections), so strangers holding every connection of the public listener cannot make it
//! miss on-chain jobs.
//!
//! A job runs as: fetch the artifact into the local cache (an [`ArtifactStore`]: every byte is
//! checked against the digest the chain recorded, before it is used) -> load it (kept loaded by
//! digest; a loaded model is not read or hashed again) -> run it on the input -> sign the receipt that binds the chain, the request, the
//! model digest, the input and output digests, the mode and the worker. A ZKML job (int8
//! model, int8 schema) also loads the version's proving key (checked against the verifying
//! key's digest on chain) before it runs, and is proved in the background after the answer
//! ([`crate::zk`]).

use crate::{
	chain::{ChainView, VersionView},
	exec::{ExecError, Executor},
	jobs::Progress,
	settlement::{BatchPolicy, Closed, Pending, Posted, Settlements},
	signer::WorkerKey,
	zk::{LoadedProver, ProofState, ZkProofs},
};
use bytes::Bytes;
use codec::{Decode, Encode};
use http_body_util::{BodyExt, Full, Limited};
use hyper::{body::Incoming, header, Method, Request, Response, StatusCode};
use std::{
	net::SocketAddr,
	path::PathBuf,
	sync::{Arc, Mutex},
};
use tokio::{net::TcpListener, task::JoinHandle};
use verity_artifact_store::{
	access::presents_secret,
	fetch::{Fetcher, FetcherConfig},
	limits::ConnectionLimits,
	ArtifactStore, Quota,
};
use verity_primitives::worker_info::WorkerInfo;
use verity_primitives::{
	blake2_256, chat_output_limit, ArtifactDigest, BatchLeaf, DeclineReason, DirectAnswer,
	DirectJob, GenerationClaim, ModelVersionRef, Receipt, ReceiptContext, RequestId, RequestInput,
	ResultOutput, SettlementMode, SigningKey, StorageLocation, VerificationMode, WorkerAnswer,
	WorkerDecline, WorkerJob, MAX_INLINE_OUTPUT, WORKER_SECRET_HEADER,
};

const LOG_TARGET: &str = "worker";
/// Longest a stored input may take to fetch (the node waits 30 s for an answer).
pub const INPUT_FETCH_DEADLINE: std::time::Duration = std::time::Duration::from_secs(20);
/// Direct (off-chain) jobs running at once; more are answered `503`. On-chain jobs are not
/// limited: a flood of free direct requests never delays them.
pub const DIRECT_SLOTS: usize = 4;
/// The input cache gets this fraction of the cache quota (the rest is the models').
const INPUT_SHARE: u64 = 8;
/// Largest job body accepted.
const MAX_JOB_BYTES: usize = 1 << 20;

/// A job or answer of a chain whose accounts are 32 bytes.
pub type Job = WorkerJob<[u8; 32]>;
/// The answer to a [`Job`].
pub type Answer = WorkerAnswer<[u8; 32]>;

/// How a worker is set up.
#[derive(Clone)]
pub struct WorkerConfig {
	/// Directory of the verified artifact cache.
	pub cache_dir: PathBuf,
	/// Largest artifact the cache takes, in bytes.
	pub cache_max_size: u64,
	/// Most bytes the cache holds; the artifacts read least recently are evicted past it.
	pub cache_quota: u64,
	/// Where remote artifact locations are resolved.
	pub fetcher: FetcherConfig,
	/// Artifact store that takes outputs larger than [`MAX_INLINE_OUTPUT`] and the leaves
	/// files of batches.
	pub output_store: Option<OutputStore>,
	/// When batches of direct requests' receipts close.
	pub batch_policy: BatchPolicy,
	/// The chain and account this worker answers direct requests for. Without it, direct
	/// requests are refused: the worker signs the receipt's genesis hash, worker account and
	/// mode, and a receipt for another chain or account in its batch would be a fault.
	pub direct: Option<DirectIdentity>,
	/// Where direct jobs' versions are read (the chain's Model Hub). Without it, direct
	/// requests are refused: the worker never takes a schema or artifact from a client.
	pub chain: Option<Arc<dyn ChainView>>,
	/// The secret the node sends on the node-only endpoints (`/v1/jobs`, `/v1/proofs`).
	/// Without it those endpoints refuse everyone.
	pub node_secret: Option<[u8; 32]>,
}

/// The artifact store a worker uploads outputs and batch leaves to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutputStore {
	/// Base URL the worker uploads to (the node's store; uploads present the node's secret).
	pub upload_url: String,
	/// Base URL under which anyone else fetches them (recorded on chain in results and
	/// batches): the store's public address, which the operator configures.
	pub public_url: String,
}

impl OutputStore {
	/// A store reached at the same URL by the worker and by everyone else.
	pub fn at(url: impl Into<String>) -> Self {
		let url = url.into();
		Self { upload_url: url.clone(), public_url: url }
	}

	/// The public location of what was uploaded.
	fn location(&self) -> Result<StorageLocation, String> {
		let url = self.public_url.as_bytes().to_vec().try_into();
		let location = StorageLocation::ArtifactStore(
			url.map_err(|_| "the output store's public URL is too long".to_owned())?,
		);
		if !location.is_well_formed() {
			return Err(format!("the output store's public URL {} is not a URL", self.public_url));
		}
		Ok(location)
	}
}

/// Whom a worker answers direct requests as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DirectIdentity {
	/// The chain's genesis hash.
	pub genesis_hash: [u8; 32],
	/// The worker's account on it.
	pub account: [u8; 32],
}

/// Why a job did not produce an answer.
#[derive(Debug, thiserror::Error)]
pub enum JobError {
	/// No location yielded bytes matching the artifact's digest.
	#[error("artifact {digest}: {reason}")]
	Artifact {
		/// The artifact's BLAKE2b-256, hex.
		digest: String,
		/// What each location did.
		reason: String,
	},
	/// The stored input could not be fetched and verified.
	#[error("input: {0}")]
	Input(String),
	/// The model did not run on the input.
	#[error(transparent)]
	Exec(#[from] ExecError),
	/// The output is too large to record and no output store is configured.
	#[error("output of {len} bytes exceeds {limit} and no output store is configured")]
	OutputTooLarge {
		/// Its length.
		len: usize,
		/// The inline limit.
		limit: u32,
	},
	/// The output could not be stored.
	#[error("output store: {0}")]
	OutputStore(String),
	/// The direct request names another chain or worker account, asks for a mode this worker
	/// cannot vouch for (TEE), or the worker has no chain identity configured.
	#[error("direct request refused: {0}")]
	NotMine(String),
	/// The direct request names a version the chain does not have or no longer serves, or the
	/// chain cannot be read.
	#[error("model version: {0}")]
	Version(String),
	/// Batch settlement needs an artifact store for the leaves files, and none is configured.
	#[error(
		"batch settlement needs an artifact store for the leaves file, and none is configured"
	)]
	NoBatchStore,
	/// A ZKML job cannot be proved: no keys given, or a proving key that does not fit.
	#[error("zkml: {0}")]
	Zk(String),
	/// The worker cannot take the job now (its proving queue is full); try again later.
	#[error("busy: {0}")]
	Busy(String),
	/// The worker's own machinery failed.
	#[error("internal: {0}")]
	Internal(String),
}

impl JobError {
	fn status(&self) -> StatusCode {
		match self {
			JobError::Artifact { .. } | JobError::Input(_) | JobError::OutputStore(_) => {
				StatusCode::BAD_GATEWAY
			},
			JobError::Exec(_)
			| JobError::OutputTooLarge { .. }
			| JobError::NoBatchStore
			| JobError::NotMine(_)
			| JobError::Version(_)
			| JobError::Zk(_) => StatusCode::UNPROCESSABLE_ENTITY,
			JobError::Busy(_) => StatusCode::SERVICE_UNAVAILABLE,
			JobError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
		}
	}
}

/// An inference worker: key, executor, artifact cache.
pub struct Worker {
	key: Arc<WorkerKey>,
	executor: Executor,
	cache: ArtifactStore,
	inputs: ArtifactStore,
	fetcher: Fetcher,
	output_store: Option<OutputStore>,
	settlements: Mutex<Settlements>,
	direct: Option<DirectIdentity>,
	chain: Option<Arc<dyn ChainView>>,
	node_secret: Option<[u8; 32]>,
	zk: Arc<ZkProofs>,
	direct_slots: tokio::sync::Semaphore,
	streams: crate::stream::JobStreams,
	jobs: crate::jobs::BackgroundJobs<Result<Answer, JobError>>,
}

impl Worker {
	/// A worker signing with `key`, running models on the best backend found.
	pub fn new(key: WorkerKey, config: WorkerConfig) -> Result<Self, String> {
		Self::with_executor(key, config, Executor::default())
	}

	/// A worker with a given executor.
	pub fn with_executor(
		key: WorkerKey,
		config: WorkerConfig,
		executor: Executor,
	) -> Result<Self, String> {
		let cache = ArtifactStore::open(&config.cache_dir, config.cache_max_size)
			.map_err(|e| format!("artifact cache at {}: {e}", config.cache_dir.display()))?
			.with_quota(Quota::EvictLru(config.cache_quota));
		// Stored inputs: at most the largest inline-able model's share, evicted first-read first.
		let inputs_dir = config.cache_dir.join("inputs");
		let inputs = ArtifactStore::open(&inputs_dir, config.cache_max_size)
			.map_err(|e| format!("input cache at {}: {e}", inputs_dir.display()))?
			.with_quota(Quota::EvictLru(config.cache_quota / INPUT_SHARE));
		let fetcher = Fetcher::new(config.fetcher).map_err(|e| e.to_string())?;
		Ok(Self {
			key: Arc::new(key),
			executor,
			cache,
			inputs,
			fetcher,
			output_store: config.output_store,
			settlements: Mutex::new(Settlements::new(config.batch_policy)),
			direct: config.direct,
			chain: config.chain,
			node_secret: config.node_secret,
			zk: Arc::new(ZkProofs::default()),
			direct_slots: tokio::sync::Semaphore::new(DIRECT_SLOTS),
			streams: Default::default(),
			jobs: Default::default(),
		})
	}

	/// The receipt-signing key.
	pub fn signing_key(&self) -> SigningKey {
		self.key.public()
	}

	/// Where its engines compute: `gpu` when one of them uses a GPU, else `cpu`.
	pub fn backend(&self) -> &'static str {
		self.executor.device()
	}

	/// Its engines as `name@device`, comma-separated (e.g. `onnx@cpu,int8@gpu`).
	pub fn engines(&self) -> String {
		self.executor.describe()
	}

	/// Fetches `digest` from the first location that yields it, into `store` (the model cache,
	/// or the inputs' own); returns its bytes, read and checked through one open file.
	async fn fetch_from(
		&self,
		store: &ArtifactStore,
		locations: &[StorageLocation],
		digest: &ArtifactDigest,
	) -> Result<Vec<u8>, String> {
		if let Ok(bytes) = store.read_verified(digest).await {
			return Ok(bytes);
		}
		let mut failures = Vec::new();
		for location in locations {
			let fetched = self.fetcher.fetch_into_store(location, digest, store).await;
			match fetched.map_err(|e| e.to_string()) {
				// Just written and checked while written: read back without hashing again.
				Ok(_) => match store.read_written(digest).await {
					Ok(bytes) => return Ok(bytes),
					Err(error) => failures.push(format!("reading the cached copy: {error}")),
				},
				Err(error) => failures.push(error),
			}
		}
		if failures.is_empty() {
			failures.push("no location".into());
		}
		Err(failures.join("; "))
	}

	/// Fetches a model artifact or key into the model cache.
	async fn fetch(
		&self,
		locations: &[StorageLocation],
		digest: &ArtifactDigest,
	) -> Result<Vec<u8>, String> {
		self.fetch_from(&self.cache, locations, digest).await
	}

	/// Whether `presented` (the header's value) is the node's secret (compared in constant
	/// time). False when no secret is configured.
	pub fn is_node(&self, presented: Option<&[u8]>) -> bool {
		presents_secret(self.node_secret.as_ref(), presented)
	}

	/// A signed decline of on-chain request `request_id` whose stored input (with
	/// `input_digest`) could not be fetched; the evidence is the BLAKE2b-256 of the fetch
	/// errors.
	pub fn decline(
		&self,
		genesis_hash: [u8; 32],
		request_id: RequestId,
		input_digest: &[u8; 32],
		why: DeclineReason,
		reason: &str,
	) -> WorkerDecline {
		let evidence = blake2_256(reason.as_bytes());
		let signature =
			self.key.sign_decline(&genesis_hash, request_id, input_digest, why, &evidence);
		WorkerDecline { request_id, reason: why, evidence, signature }
	}

	/// Runs an on-chain job (sent by the node, built from chain state): its receipt is an
	/// on-chain one.
	pub async fn run_job(self: &Arc<Self>, job: Job) -> Result<Answer, JobError> {
		self.run(job, ReceiptContext::OnChain).await
	}

	/// [`Self::run_job`] in the background (see [`crate::jobs`]): its outcome if it finishes
	/// within [`crate::jobs::ANSWER_WAIT`] (or finished lately), else `Running`.
	pub async fn ask_job(self: &Arc<Self>, job: Job) -> Progress<Result<Answer, JobError>> {
		let worker = self.clone();
		let id = job.request_id;
		let run = || {
			let job = job.clone();
			async move { worker.run_job(job).await }
		};
		self.jobs.ask(id, &job, run, |outcome| outcome.is_ok()).await
	}

	/// Runs a job: fetch and verify the artifact (and a stored input), run the model, sign a
	/// receipt in `context`.
	async fn run(self: &Arc<Self>, job: Job, context: ReceiptContext) -> Result<Answer, JobError> {
		// A model already loaded was verified when it was read; it is not read again.
		let artifact = if self.executor.is_loaded(job.artifact.blake2_256, &job.schema) {
			// Still in use: its cached file is not the cache's first to evict.
			self.cache.touch(&job.artifact.blake2_256).await;
			Vec::new()
		} else {
			self.fetch(&job.locations, &job.artifact).await.map_err(|reason| {
				JobError::Artifact { digest: hex::encode(job.artifact.blake2_256), reason }
			})?
		};
		let input = match &job.input {
			RequestInput::Inline(bytes) => bytes.to_vec(),
			// A total deadline, well inside the node's wait for the answer: an input server that
			// stalls gets a decline in time, never a timeout penalty for the worker.
			// Inputs have a cache of their own: a flood of inputs never evicts models.
			RequestInput::Stored { digest, location } => tokio::time::timeout(
				INPUT_FETCH_DEADLINE,
				self.fetch_from(&self.inputs, core::slice::from_ref(location), digest),
			)
			.await
			.map_err(|_| {
				JobError::Input(format!("not fetched within {} s", INPUT_FETCH_DEADLINE.as_secs()))
			})?
			.map_err(JobError::Input)?,
		};
		if let Some(claim) = job.claim.clone() {
			return self.check_claim(job, context, artifact, input, claim).await;
		}
		if let Some(paid) = job.max_tokens {
			crate::exec::llm::check_paid_tokens(&input, paid)?;
		}
		let prover = match job.mode {
			VerificationMode::Zkml => Some(self.zk_prover(&job, &artifact).await?),
			_ => None,
		};
		let worker = self.clone();
		let (format, digest, schema) = (job.format, job.artifact.blake2_256, job.schema.clone());
		let zk_input = input.clone();
		// An on-chain chat job's text can be followed live (`/v1/jobs/<id>/stream`).
		let stream = (job.max_tokens.is_some() && context == ReceiptContext::OnChain)
			.then(|| self.streams.open(job.request_id));
		let live = stream.clone();
		let ran = tokio::task::spawn_blocking(move || {
			let mut output = Vec::new();
			let report = worker.executor.run_streaming(
				format,
				digest,
				&artifact,
				&schema,
				&input,
				&mut |p| {
					output.extend_from_slice(p);
					if let Some(live) = &live {
						live.push(p);
					}
					std::ops::ControlFlow::Continue(())
				},
			)?;
			Ok::<_, ExecError>((output, report))
		})
		.await
		.map_err(|e| JobError::Internal(e.to_string()))
		.and_then(|ran| ran.map_err(JobError::from));
		if let Some(stream) = &stream {
			// Only what the public input explains; the worker's own failures by their kind.
			stream.finish(ran.as_ref().map(|_| ()).map_err(|error| match error {
				JobError::Exec(ExecError::BadInput(why)) => format!("invalid input: {why}"),
				_ => "the worker could not run the job".into(),
			}));
		}
		let (output, report) = ran?;
		// The chain's bound: the text fits the tokens the receipt reports.
		if let (Some(_), Some(usage)) = (job.max_tokens, report.usage) {
			let (tokens, limit) =
				(usage.completion_tokens, chat_output_limit(usage.completion_tokens));
			if output.len() as u64 > limit {
				return Err(JobError::Exec(ExecError::Output(format!(
					"{} bytes of text exceed the chain's bound of {limit} for {tokens} tokens",
					output.len()
				))));
			}
		}
		let zk_output = prover.is_some().then(|| output.clone());
		let output = self.record_output(output).await?;
		let mut receipt = job_receipt(&job, context, &output);
		receipt.usage = report.usage;
		receipt.generation = report.generation.as_ref().map(|evidence| evidence.digest());
		let signature = self.key.sign(&receipt);
		if let (Some(prover), Some(zk_output)) = (prover, zk_output) {
			let as_i8 = |bytes: Vec<u8>| bytes.into_iter().map(|b| b as i8).collect::<Vec<i8>>();
			self.zk
				.start(
					self.key.clone(),
					job.genesis_hash,
					job.request_id,
					prover,
					as_i8(zk_input),
					as_i8(zk_output),
					receipt.zk_binding(),
				)
				.map_err(JobError::Busy)?;
		}
		log::info!(
			target: LOG_TARGET,
			"request {} on model {}: {} output bytes, receipt signed",
			job.request_id,
			job.model,
			output.len()
		);
		Ok(WorkerAnswer { receipt, output, signature, generation: report.generation })
	}

	/// Runs the check of a chat result: re-executes the claim (one prefill) instead of
	/// generating, and signs its [`verity_primitives::CheckVerdict`] as the output.
	async fn check_claim(
		self: &Arc<Self>,
		job: Job,
		context: ReceiptContext,
		artifact: Vec<u8>,
		input: Vec<u8>,
		claim: GenerationClaim,
	) -> Result<Answer, JobError> {
		let worker = self.clone();
		let (format, digest, schema) = (job.format, job.artifact.blake2_256, job.schema.clone());
		let checked = tokio::task::spawn_blocking(move || {
			let check =
				worker.executor.check(format, digest, &artifact, &schema, &input, &claim)?;
			Ok::<_, ExecError>((claim.verdict(check.accepted), check))
		})
		.await
		.map_err(|e| JobError::Internal(e.to_string()))?;
		let (verdict, check) = checked.map_err(JobError::from)?;
		let output = self.record_output(verdict.to_bytes()).await?;
		let receipt = job_receipt(&job, context, &output);
		let signature = self.key.sign(&receipt);
		log::info!(
			target: LOG_TARGET,
			"request {}: checked request {}'s result: {} ({})",
			job.request_id,
			verdict.original,
			if verdict.accepted { "accepted" } else { "rejected" },
			check.detail
		);
		Ok(WorkerAnswer { receipt, output, signature, generation: None })
	}

	/// The prover of a ZKML job's version: loaded once, from the model and the proving key
	/// fetched by digest (refused when its verifying key is not the chain's).
	async fn zk_prover(&self, job: &Job, artifact: &[u8]) -> Result<Arc<LoadedProver>, JobError> {
		let keys = job.zk_keys.as_ref().ok_or_else(|| {
			JobError::Zk("a ZKML job must carry the digests of the version's ZK keys".into())
		})?;
		if !self.zk.has_room() {
			return Err(JobError::Busy("the proving queue is full".into()));
		}
		let digest = job.artifact.blake2_256;
		if let Some(prover) = self.zk.loaded(digest, keys) {
			return Ok(prover);
		}
		let model = if artifact.is_empty() {
			self.fetch(&job.locations, &job.artifact).await.map_err(|reason| {
				JobError::Artifact { digest: hex::encode(job.artifact.blake2_256), reason }
			})?
		} else {
			artifact.to_vec()
		};
		let proving_key =
			self.fetch(&job.locations, &keys.proving_key).await.map_err(|reason| {
				JobError::Artifact { digest: hex::encode(keys.proving_key.blake2_256), reason }
			})?;
		let zk = self.zk.clone();
		let keys = keys.clone();
		tokio::task::spawn_blocking(move || zk.load(digest, &keys, &model, &proving_key))
			.await
			.map_err(|e| JobError::Internal(e.to_string()))?
			.map_err(JobError::Zk)
	}

	/// Where the ZK proof of `request` for the receipt with `binding` stands, if this worker
	/// proves it.
	pub fn proof_state(&self, request: RequestId, binding: &[u8; 32]) -> Option<ProofState> {
		self.zk.state(request, binding)
	}

	/// Runs a request made directly to the worker and queues its receipt by its settlement
	/// mode. The job is built from the version the chain records, never from the client.
	pub async fn run_direct(
		self: &Arc<Self>,
		direct: DirectJob,
	) -> Result<DirectAnswer<[u8; 32]>, JobError> {
		let identity = self.direct_identity(&direct)?;
		if direct.settlement == SettlementMode::Batch && self.output_store.is_none() {
			return Err(JobError::NoBatchStore);
		}
		// Direct jobs take at most DIRECT_SLOTS at once, so on-chain jobs (whose deadlines
		// cost stake) always find the worker free enough to answer in time; the slot is taken
		// before the chain is read, so strangers naming random versions cannot turn the
		// worker into a flood of reads against its node.
		let _slot = self.direct_slots.try_acquire().map_err(|_| {
			JobError::Busy(format!("{DIRECT_SLOTS} direct requests are running; try again"))
		})?;
		let version = self.read_version(direct.model).await?;
		let job = self.direct_job(&direct, identity, version)?;
		let answer = self.run(job, ReceiptContext::Direct).await?;
		let leaf = BatchLeaf { receipt: answer.receipt.clone(), signature: answer.signature };
		let batch = match direct.settlement {
			SettlementMode::Private => None,
			SettlementMode::Individual => {
				self.settlements().add_individual(leaf);
				None
			},
			SettlementMode::Batch => {
				let (position, closed) = self.settlements().add_to_batch(leaf);
				if let Some(closed) = closed {
					self.store_batch(closed).await;
				}
				Some(position)
			},
		};
		Ok(DirectAnswer { answer, batch })
	}

	/// The chain's record of `model` (read off the async executor: a chain view may block).
	async fn read_version(&self, model: ModelVersionRef) -> Result<VersionView, JobError> {
		let Some(chain) = self.chain.clone() else {
			return Err(JobError::NotMine("this worker cannot read the chain's versions".into()));
		};
		tokio::task::spawn_blocking(move || chain.version(&model))
			.await
			.map_err(|e| JobError::Version(format!("reading {model}: {e}")))?
			.map_err(JobError::Version)?
			.ok_or_else(|| JobError::Version(format!("{model} does not exist")))
	}

	/// The chain and account a direct request is answered for, if this worker takes it.
	fn direct_identity(&self, direct: &DirectJob) -> Result<DirectIdentity, JobError> {
		let Some(identity) = self.direct else {
			return Err(JobError::NotMine("this worker has no chain identity configured".into()));
		};
		if direct.mode == VerificationMode::Tee {
			return Err(JobError::NotMine("this worker runs outside an enclave".into()));
		}
		if direct.mode == VerificationMode::Zkml {
			return Err(JobError::NotMine("ZKML requests go through the chain".into()));
		}
		Ok(identity)
	}

	/// The job of a direct request: this worker's chain and account, the version as the chain
	/// records it (active only), the client's input and mode.
	fn direct_job(
		&self,
		direct: &DirectJob,
		identity: DirectIdentity,
		version: VersionView,
	) -> Result<Job, JobError> {
		if !version.active {
			return Err(JobError::Version(format!("{} is not served any more", direct.model)));
		}
		if !version.spec.modes.contains(direct.mode) {
			return Err(JobError::Version(format!(
				"{} is not offered in {} mode",
				direct.model,
				direct.mode.name()
			)));
		}
		let spec = version.spec;
		// A stored input must be the size the schema says before anything is fetched.
		if let RequestInput::Stored { digest, .. } = &direct.input {
			let expected = match &spec.schema {
				verity_primitives::IoSchema::Tensors { inputs, .. } => {
					verity_primitives::tensors_encoded_len(inputs)
				},
				_ => None,
			};
			if expected != Some(digest.size) {
				return Err(JobError::Exec(ExecError::InputLength {
					expected: expected.unwrap_or_default() as usize,
					got: digest.size as usize,
				}));
			}
		}
		Ok(WorkerJob {
			genesis_hash: identity.genesis_hash,
			request_id: direct.request_id,
			model: direct.model,
			spec_hash: spec.spec_hash(),
			artifact: spec.artifact,
			format: spec.format,
			schema: spec.schema,
			locations: spec.locations,
			input: direct.input.clone(),
			mode: direct.mode,
			worker: identity.account,
			zk_keys: None,
			// A direct chat request pays for what its own `max_tokens` asks.
			max_tokens: None,
			claim: None,
		})
	}

	fn settlements(&self) -> std::sync::MutexGuard<'_, Settlements> {
		self.settlements.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
	}

	/// Stores a closed batch's leaves file in the artifact store and queues the batch; on
	/// failure keeps it to try again at the next poll.
	async fn store_batch(&self, closed: Closed) {
		let stored = match &self.output_store {
			Some(store) => self.upload(store, &closed.leaves_file, &closed.leaves).await,
			None => Err("no artifact store configured".into()),
		};
		match stored {
			Ok(leaves_at) => {
				log::info!(
					target: LOG_TARGET,
					"batch {} closed: {} receipts, root {}",
					closed.sequence,
					closed.leaf_count,
					hex::encode(closed.root)
				);
				self.settlements().queue(closed.sealed(leaves_at));
			},
			Err(error) => {
				log::warn!(
					target: LOG_TARGET,
					"batch {}: storing its leaves failed ({error}); will retry",
					closed.sequence
				);
				self.settlements().retry_later(closed);
			},
		}
	}

	/// Uploads `bytes` to the output store with the node's secret; returns their public
	/// location.
	async fn upload(
		&self,
		store: &OutputStore,
		bytes: &[u8],
		digest: &ArtifactDigest,
	) -> Result<StorageLocation, String> {
		let location = store.location()?;
		let file = tempfile::NamedTempFile::new_in(self.cache.dir()).map_err(|e| e.to_string())?;
		tokio::fs::write(file.path(), bytes).await.map_err(|e| e.to_string())?;
		let secret = self.node_secret.as_ref();
		self.fetcher
			.upload_to_store_with(&store.upload_url, file.path(), digest, secret)
			.await
			.map_err(|e| e.to_string())?;
		Ok(location)
	}

	/// Closes an over-age batch, retries unstored ones, and returns what waits to be posted.
	pub async fn pending_settlements(&self) -> Pending {
		let closed = self.settlements().close_if_old();
		let mut to_store = self.settlements().take_unstored();
		to_store.extend(closed);
		for closed in to_store {
			self.store_batch(closed).await;
		}
		self.settlements().pending()
	}

	/// Forgets settlements the operator posted.
	pub fn settlements_posted(&self, posted: &Posted) {
		self.settlements().posted(posted);
	}

	/// Inline when small enough, else uploaded to the output store and recorded by digest.
	async fn record_output(&self, output: Vec<u8>) -> Result<ResultOutput, JobError> {
		if output.len() <= MAX_INLINE_OUTPUT as usize {
			return Ok(ResultOutput::Inline(output.try_into().expect("length checked")));
		}
		let Some(store) = &self.output_store else {
			return Err(JobError::OutputTooLarge { len: output.len(), limit: MAX_INLINE_OUTPUT });
		};
		let digest = ArtifactDigest::of(&output);
		let location = self.upload(store, &output, &digest).await.map_err(JobError::OutputStore)?;
		debug_assert_eq!(digest.blake2_256, blake2_256(&output));
		Ok(ResultOutput::Stored { digest, location })
	}
}

/// A running worker service.
pub struct ServiceHandle {
	/// The address it listens on.
	pub address: SocketAddr,
	task: JoinHandle<()>,
}

impl ServiceHandle {
	/// Stops accepting connections.
	pub fn stop(self) {
		self.task.abort();
	}
}

/// Serves `worker` on `address` (port 0 picks one) on a task of the current tokio runtime.
pub async fn start(worker: Arc<Worker>, address: SocketAddr) -> std::io::Result<ServiceHandle> {
	let listener = TcpListener::bind(address).await?;
	let address = listener.local_addr()?;
	let task = tokio::spawn(serve(worker, listener));
	Ok(ServiceHandle { address, task })
}

/// [`start`] for the node's own listener ([`serve_node`]).
pub async fn start_node(
	worker: Arc<Worker>,
	address: SocketAddr,
) -> std::io::Result<ServiceHandle> {
	let listener = TcpListener::bind(address).await?;
	let address = listener.local_addr()?;
	let task = tokio::spawn(serve_node(worker, listener));
	Ok(ServiceHandle { address, task })
}

/// Serves `worker` on its public `listener` until the task ends (the node spawns this), within
/// the default [`ConnectionLimits`] (256 connections, 10 s for headers, 10 minutes a
/// connection).
pub async fn serve(worker: Arc<Worker>, listener: TcpListener) {
	serve_with(worker, listener, ConnectionLimits::default()).await
}

/// Serves `worker` on a listener only its node reaches (loopback, or a private network), with
/// connections of its own: however many strangers hold the public listener's connections,
/// the node's offchain worker still gets its on-chain jobs run and its proofs fetched in time
/// (a worker that could not be reached would pay the timeout penalty). The routes are the
/// same; the node-only ones still need the node's secret.
pub async fn serve_node(worker: Arc<Worker>, listener: TcpListener) {
	serve_with(worker, listener, NODE_LIMITS).await
}

/// The node listener's limits: few clients, and jobs of at most the node's 30 s wait.
pub const NODE_LIMITS: ConnectionLimits = ConnectionLimits {
	max_connections: 64,
	header_timeout: std::time::Duration::from_secs(10),
	connection_timeout: std::time::Duration::from_secs(600),
};

async fn serve_with(worker: Arc<Worker>, listener: TcpListener, limits: ConnectionLimits) {
	verity_artifact_store::limits::serve(listener, limits, LOG_TARGET, move |_peer, request| {
		let worker = worker.clone();
		async move { route(&worker, request).await }
	})
	.await
}

fn reply(status: StatusCode, content_type: &str, body: Vec<u8>) -> Response<Full<Bytes>> {
	Response::builder()
		.status(status)
		.header(header::CONTENT_TYPE, content_type)
		.body(Full::new(Bytes::from(body)))
		.expect("static headers are valid")
}

fn text(status: StatusCode, message: &str) -> Response<Full<Bytes>> {
	reply(status, "text/plain; charset=utf-8", message.as_bytes().to_vec())
}

/// A response body of any route: a whole one, or a job's live stream.
type AnyBody = http_body_util::combinators::BoxBody<Bytes, std::convert::Infallible>;

/// `GET /v1/jobs/<request id>/stream` (public: see [`crate::stream`]), or the other routes.
async fn route(worker: &Arc<Worker>, request: Request<Incoming>) -> Response<AnyBody> {
	let path = request.uri().path();
	let stream_of = path.strip_prefix("/v1/jobs/").and_then(|rest| rest.strip_suffix("/stream"));
	match (request.method(), stream_of) {
		(&Method::GET, Some(id)) => match id.parse::<RequestId>() {
			Ok(id) => match worker.streams.get(id) {
				Some(stream) => Response::builder()
					.status(StatusCode::OK)
					.header(header::CONTENT_TYPE, "application/x-ndjson")
					.body(stream.body().boxed())
					.unwrap_or_else(|_| Response::new(Full::default().boxed())),
				None => text(
					StatusCode::NOT_FOUND,
					"this worker runs no chat job with this request id (not started yet, or 					 finished a while ago)",
				)
				.map(BodyExt::boxed),
			},
			Err(_) => text(StatusCode::BAD_REQUEST, "expected /v1/jobs/<request id>/stream")
				.map(BodyExt::boxed),
		},
		_ => handle(worker, request).await.map(BodyExt::boxed),
	}
}

async fn handle(worker: &Arc<Worker>, request: Request<Incoming>) -> Response<Full<Bytes>> {
	match (request.method(), request.uri().path()) {
		(&Method::GET, "/v1/info") | (&Method::GET, "/health") => {
			// The proof that its configured account holds the key (what `register_worker`
			// takes); only for that account, so it helps nobody else register the key.
			let registration = worker.direct.map(|identity| {
				let proof = worker.key.key_proof(&identity.genesis_hash, &identity.account);
				(identity.account, proof)
			});
			let identity = WorkerInfo { signing_key: worker.signing_key(), registration };
			let mut info = identity.to_json();
			info["backend"] = worker.backend().into();
			info["engines"] = worker.engines().into();
			info["version"] = env!("CARGO_PKG_VERSION").into();
			reply(StatusCode::OK, "application/json", info.to_string().into_bytes())
		},
		(_, "/v1/jobs") | (_, "/v1/proofs") if !is_node(worker, &request) => {
			text(StatusCode::UNAUTHORIZED, "only the node may call this endpoint")
		},
		(_, path)
			if (path.starts_with("/v1/proofs/") || path.starts_with("/v1/settlements"))
				&& !is_node(worker, &request) =>
		{
			text(StatusCode::UNAUTHORIZED, "only the node may call this endpoint")
		},
		(&Method::POST, "/v1/jobs") => {
			let job = match decode_body::<Job>(request).await {
				Ok(job) => job,
				Err(response) => return response,
			};
			let (request_id, genesis_hash) = (job.request_id, job.genesis_hash);
			let input_digest = job.input.digest();
			let outcome = match worker.ask_job(job).await {
				Progress::Done(outcome) => outcome,
				Progress::Running => {
					log::info!(target: LOG_TARGET, "request {request_id}: still running");
					return text(StatusCode::ACCEPTED, "running; ask again");
				},
			};
			match outcome.as_ref() {
				Ok(answer) => reply(StatusCode::OK, "application/octet-stream", answer.encode()),
				// The requester's stored input is unavailable: a signed decline, which the node
				// submits so that the request is refunded without a timeout penalty.
				Err(JobError::Input(reason)) => {
					log::warn!(target: LOG_TARGET, "request {request_id}: input: {reason}");
					let why = DeclineReason::InputUnavailable;
					let decline =
						worker.decline(genesis_hash, request_id, &input_digest, why, reason);
					reply(StatusCode::FAILED_DEPENDENCY, "application/octet-stream", decline.encode())
				},
				// A chat request the model cannot take (the chain only checks its size): declined
				// likewise, as invalid input; anyone can re-check that from the input.
				Err(JobError::Exec(ExecError::BadInput(reason))) => {
					log::warn!(target: LOG_TARGET, "request {request_id}: invalid input: {reason}");
					let why = DeclineReason::InvalidInput;
					let decline =
						worker.decline(genesis_hash, request_id, &input_digest, why, reason);
					reply(StatusCode::FAILED_DEPENDENCY, "application/octet-stream", decline.encode())
				},
				Err(error) => {
					log::warn!(target: LOG_TARGET, "request {request_id}: {error}");
					text(error.status(), &error.to_string())
				},
			}
		},
		(&Method::POST, "/v1/direct") => {
			let direct = match decode_body::<DirectJob>(request).await {
				Ok(direct) => direct,
				Err(response) => return response,
			};
			let request_id = direct.request_id;
			match worker.run_direct(direct).await {
				Ok(answer) => reply(StatusCode::OK, "application/octet-stream", answer.encode()),
				Err(error) => {
					log::warn!(target: LOG_TARGET, "direct request {request_id}: {error}");
					text(error.status(), &error.to_string())
				},
			}
		},
		(&Method::GET, path) if path.starts_with("/v1/proofs/") => {
			let mut parts = path["/v1/proofs/".len()..].splitn(2, '/');
			let request_id = parts.next().and_then(|id| id.parse::<RequestId>().ok());
			let binding = parts
				.next()
				.and_then(|hex_text| hex::decode(hex_text).ok())
				.and_then(|bytes| <[u8; 32]>::try_from(bytes).ok());
			let (Some(request_id), Some(binding)) = (request_id, binding) else {
				return text(
					StatusCode::BAD_REQUEST,
					"expected /v1/proofs/<request id>/<binding: 64 hex digits>",
				);
			};
			match worker.proof_state(request_id, &binding) {
				Some(ProofState::Ready(answer)) => {
					reply(StatusCode::OK, "application/octet-stream", answer.encode())
				},
				Some(ProofState::Proving) => text(StatusCode::ACCEPTED, "proving"),
				Some(ProofState::Failed(reason)) => {
					text(StatusCode::INTERNAL_SERVER_ERROR, &reason)
				},
				None => text(StatusCode::NOT_FOUND, "this worker proves no such request"),
			}
		},
		(&Method::GET, "/v1/settlements") => reply(
			StatusCode::OK,
			"application/octet-stream",
			worker.pending_settlements().await.encode(),
		),
		(&Method::POST, "/v1/settlements/posted") => match decode_body::<Posted>(request).await {
			Ok(posted) => {
				worker.settlements_posted(&posted);
				reply(StatusCode::NO_CONTENT, "text/plain", Vec::new())
			},
			Err(response) => response,
		},
		_ => text(
			StatusCode::NOT_FOUND,
			"unknown route: GET /v1/info, POST /v1/jobs, POST /v1/direct, GET /v1/proofs/<id>/<binding>, \
			 GET /v1/settlements, POST /v1/settlements/posted",
		),
	}
}

/// Whether the request carries the node's secret.
fn is_node(worker: &Worker, request: &Request<Incoming>) -> bool {
	worker.is_node(request.headers().get(WORKER_SECRET_HEADER).map(|value| value.as_bytes()))
}

/// The receipt of `job`'s `output` in `context`, with no usage or evidence (a tensor result,
/// or a check's verdict; a chat answer adds its own). On-chain receipts are dated by their
/// block (0 here), and are the same bytes every time the job runs (a restarted worker proves
/// the binding the chain recorded); direct ones by the worker's clock.
fn job_receipt(job: &Job, context: ReceiptContext, output: &ResultOutput) -> Receipt<[u8; 32]> {
	Receipt {
		genesis_hash: job.genesis_hash,
		context,
		request_id: job.request_id,
		model: job.model,
		spec_hash: job.spec_hash,
		model_digest: job.artifact.blake2_256,
		input_digest: job.input.digest(),
		output_digest: output.digest(),
		mode: job.mode,
		worker: job.worker,
		usage: None,
		generation: None,
		timestamp_ms: match context {
			ReceiptContext::OnChain => 0,
			ReceiptContext::Direct => now_ms(),
		},
	}
}

/// The wall clock in Unix milliseconds (what direct receipts are dated by).
fn now_ms() -> u64 {
	std::time::SystemTime::now()
		.duration_since(std::time::UNIX_EPOCH)
		.map(|elapsed| elapsed.as_millis() as u64)
		.unwrap_or_default()
}

/// Reads a SCALE body of at most [`MAX_JOB_BYTES`], or the error response to send.
async fn decode_body<T: Decode>(request: Request<Incoming>) -> Result<T, Response<Full<Bytes>>> {
	let body = match Limited::new(request.into_body(), MAX_JOB_BYTES).collect().await {
		Ok(body) => body.to_bytes(),
		Err(error) => return Err(text(StatusCode::PAYLOAD_TOO_LARGE, &error.to_string())),
	};
	T::decode(&mut &body[..])
		.map_err(|error| text(StatusCode::BAD_REQUEST, &format!("body does not decode: {error}")))
}
