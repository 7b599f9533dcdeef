//! The `verity-worker` program: an inference node beside (not inside) a Verity node.
//!
//! It reads its chain from the node's RPC (genesis hash, chain type, the Model Hub's versions
//! in the finalized block), serves strangers on `--listen` and its node on `--node-listen`
//! (the node is started with `--worker-url` pointing there and the same `--secret-file`),
//! and uploads large outputs and batch leaves to `--output-store` with that secret.
//! Every flag can also be given in the environment (`VERITY_WORKER_*`).

use crate::{
	chain::{CachedChain, RpcChain},
	node_rpc::NodeRpc,
	service::{self, DirectIdentity, OutputStore, Worker, WorkerConfig},
	settlement::BatchPolicy,
	signer::WorkerKey,
};
use sp_core::{
	crypto::{AccountId32, Pair as _, Ss58Codec},
	sr25519,
};
use std::{net::SocketAddr, path::PathBuf, sync::Arc, time::Duration};
use verity_artifact_store::{AddressPolicy, FetcherConfig};

/// How the worker is configured.
#[derive(Debug, Clone, clap::Parser)]
#[command(name = "verity-worker", version, about = "Verity inference worker")]
pub struct Options {
	/// The node whose chain this worker serves: its JSON-RPC URL.
	#[arg(long, env = "VERITY_WORKER_NODE_RPC", default_value = "http://127.0.0.1:9944")]
	pub node_rpc: String,

	/// Address of the public listener (direct requests, `/v1/info`).
	#[arg(long, env = "VERITY_WORKER_LISTEN", default_value = "127.0.0.1:9956")]
	pub listen: SocketAddr,

	/// Address of the listener for the node alone (on-chain jobs, proofs, settlements): its
	/// own connections, so strangers filling the public listener cannot make the worker miss
	/// on-chain jobs. Keep it on loopback or a private network.
	#[arg(long, env = "VERITY_WORKER_NODE_LISTEN", default_value = "127.0.0.1:9957")]
	pub node_listen: SocketAddr,

	/// Directory of the worker's files: the artifact cache and, by default, its key.
	#[arg(long, env = "VERITY_WORKER_DATA_DIR", default_value = "verity-worker")]
	pub data_dir: PathBuf,

	/// The receipt-signing key file (created with mode 0600 if missing). Default:
	/// `<data-dir>/signing-key`.
	#[arg(long, env = "VERITY_WORKER_KEY_FILE")]
	pub key_file: Option<PathBuf>,

	/// The signing key from a secret URI instead of a file (development only, e.g. `//Alice`).
	#[arg(long, env = "VERITY_WORKER_DEV_KEY", conflicts_with = "key_file")]
	pub dev_key: Option<String>,

	/// The secret this worker and its node share (32 bytes hex in a 0600 file, created if
	/// missing; give the node the same file with `--worker-secret-file`).
	#[arg(long, env = "VERITY_WORKER_SECRET_FILE")]
	pub secret_file: PathBuf,

	/// The worker's account (SS58): the account it proves holds its key (`/v1/info`'s
	/// `key_proof`, for `register_worker`) and answers direct requests as. Without it, direct
	/// requests are refused. Default on a development chain: Alice.
	#[arg(long, env = "VERITY_WORKER_ACCOUNT")]
	pub account: Option<String>,

	/// Most bytes the artifact cache holds; the artifacts read least recently are evicted.
	#[arg(long, env = "VERITY_WORKER_CACHE_QUOTA", default_value_t = 64 << 30)]
	pub cache_quota: u64,

	/// Largest artifact the cache takes, in bytes.
	#[arg(long, env = "VERITY_WORKER_CACHE_MAX_SIZE", default_value_t = 16 << 30)]
	pub cache_max_size: u64,

	/// Download from loopback and private-network addresses too (where a request's input, a
	/// model's artifact or a proving key is named on chain). Always on for development and
	/// local chains; on a live chain only for artifacts kept on a private network, since
	/// anyone can name a location.
	#[arg(long, env = "VERITY_WORKER_FETCH_PRIVATE")]
	pub fetch_private: bool,

	/// The artifact store large outputs and batch leaves are uploaded to (the node's store;
	/// uploads present the secret).
	#[arg(long, env = "VERITY_WORKER_OUTPUT_STORE")]
	pub output_store: Option<String>,

	/// The output store's address as others reach it (recorded on chain). Default: the
	/// upload address.
	#[arg(long, env = "VERITY_WORKER_OUTPUT_STORE_PUBLIC_URL", requires = "output_store")]
	pub output_store_public_url: Option<String>,

	/// Receipts in one batch of direct (off-chain) requests settled by batch.
	#[arg(long, env = "VERITY_WORKER_BATCH_LEAVES", default_value_t = 20)]
	pub batch_leaves: u32,

	/// Seconds after its first receipt at which a batch closes (when the operator polls).
	#[arg(long, env = "VERITY_WORKER_BATCH_AGE", default_value_t = 900)]
	pub batch_age: u64,

	/// The engines this worker runs, comma-separated: `onnx` (tract), `int8` (Verity's
	/// integer engine, GPU where one is found), `llm` (GGUF chat models).
	#[arg(
		long,
		env = "VERITY_WORKER_ENGINES",
		value_delimiter = ',',
		default_value = "onnx,int8,llm"
	)]
	pub engines: Vec<crate::exec::EngineKind>,
}

/// What the node's RPC says about the chain.
struct ChainFacts {
	genesis_hash: [u8; 32],
	chain_type: String,
}

impl ChainFacts {
	fn is_test_chain(&self) -> bool {
		matches!(self.chain_type.as_str(), "Development" | "Local")
	}
}

/// Reads the chain's facts, retrying while the node is not up yet.
async fn chain_facts(rpc: &NodeRpc) -> ChainFacts {
	let mut warned = false;
	loop {
		let facts = async {
			Ok::<_, String>(ChainFacts {
				genesis_hash: rpc.genesis_hash().await?,
				chain_type: rpc.chain_type().await?,
			})
		};
		match facts.await {
			Ok(facts) => return facts,
			Err(error) => {
				// Once: the node may take a while to start, and the worker waits quietly.
				if !warned {
					log::warn!("the node at {} is not reachable yet: {error}", rpc.url());
					warned = true;
				}
				tokio::time::sleep(Duration::from_secs(1)).await;
			},
		}
	}
}

/// Runs the worker until its listeners fail.
pub async fn run(options: Options) -> Result<(), String> {
	let rpc = NodeRpc::new(&options.node_rpc);
	let facts = chain_facts(&rpc).await;
	let key = match (&options.dev_key, &options.key_file) {
		(Some(uri), _) => WorkerKey::from_uri(uri),
		(None, Some(path)) => WorkerKey::load_or_create(path),
		(None, None) => WorkerKey::load_or_create(&options.data_dir.join("signing-key")),
	}
	.map_err(|e| format!("the signing key: {e}"))?;
	let secret = verity_artifact_store::secret_file::load_or_create(&options.secret_file)
		.map_err(|e| format!("the node's secret: {e}"))?;
	let direct = account(&options, &facts)?
		.map(|account| DirectIdentity { genesis_hash: facts.genesis_hash, account });
	let chain = RpcChain::new(rpc, tokio::runtime::Handle::current());
	let config = WorkerConfig {
		cache_dir: options.data_dir.join("cache"),
		cache_max_size: options.cache_max_size,
		cache_quota: options.cache_quota,
		fetcher: FetcherConfig { addresses: fetch_policy(&options, &facts), ..Default::default() },
		output_store: options.output_store.clone().map(|upload_url| OutputStore {
			public_url: options.output_store_public_url.clone().unwrap_or(upload_url.clone()),
			upload_url,
		}),
		batch_policy: BatchPolicy {
			max_leaves: options.batch_leaves,
			max_age: Duration::from_secs(options.batch_age),
		},
		direct,
		chain: Some(Arc::new(CachedChain::new(chain))),
		node_secret: Some(secret),
	};
	let executor = crate::exec::Executor::with_engines(&options.engines);
	let worker = Arc::new(Worker::with_executor(key, config, executor)?);
	serve(worker, &options).await
}

/// Binds both listeners and serves until one fails.
async fn serve(worker: Arc<Worker>, options: &Options) -> Result<(), String> {
	let bind = |address: SocketAddr| async move {
		tokio::net::TcpListener::bind(address).await.map_err(|e| format!("{address}: {e}"))
	};
	let public = bind(options.listen).await?;
	let node = bind(options.node_listen).await?;
	log::info!(
		"🧠 Inference worker on http://{}, for its node on http://{} (signing key 0x{}, \
		 engines: {})",
		options.listen,
		options.node_listen,
		hex::encode(worker.signing_key()),
		worker.engines()
	);
	tokio::select! {
		() = service::serve(worker.clone(), public) => Err("the public listener stopped".into()),
		() = service::serve_node(worker, node) => Err("the node's listener stopped".into()),
	}
}

/// The account direct requests are answered as: `--account`, or Alice on a development chain.
fn account(options: &Options, facts: &ChainFacts) -> Result<Option<[u8; 32]>, String> {
	match &options.account {
		Some(text) => AccountId32::from_ss58check(text)
			.map(|account| Some(account.into()))
			.map_err(|e| format!("--account {text}: {e:?}")),
		None if facts.chain_type == "Development" => {
			let alice =
				sr25519::Pair::from_string("//Alice", None).map_err(|e| format!("{e:?}"))?;
			Ok(Some(alice.public().0))
		},
		None => Ok(None),
	}
}

/// Where the worker may download from: anywhere on development and local chains (or with
/// `--fetch-private`), public addresses only on a live chain.
fn fetch_policy(options: &Options, facts: &ChainFacts) -> AddressPolicy {
	if facts.is_test_chain() || options.fetch_private {
		log::warn!(
			"the inference worker downloads from any address, loopback and private networks \
			 included ({}); live chains allow public addresses only",
			if facts.is_test_chain() { "development or local chain" } else { "--fetch-private" }
		);
		AddressPolicy::Any
	} else {
		AddressPolicy::PublicOnly
	}
}
