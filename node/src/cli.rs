//! Command-line interface of `verity-node`.

use sc_cli::RunCmd;

/// How the node produces blocks.
#[derive(Debug, Copy, Clone, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Sealing {
	/// Aura slots with GRANDPA finality: the real consensus, one block per slot.
	#[default]
	Aura,
	/// A block as soon as a transaction enters the pool, finalized at once (fast tests).
	Instant,
	/// A block only when asked over RPC (`engine_createBlock`, `engine_finalizeBlock`).
	Manual,
}

/// The `verity-node` command line.
#[derive(Debug, clap::Parser)]
#[command(
	propagate_version = true,
	args_conflicts_with_subcommands = true,
	subcommand_negates_reqs = true
)]
pub struct Cli {
	#[command(subcommand)]
	pub subcommand: Option<Subcommand>,

	#[clap(flatten)]
	pub run: RunCmd,

	/// How blocks are produced. `instant` and `manual` need a single-validator chain such
	/// as `--dev`, replace Aura and GRANDPA, and use the single-state transaction pool.
	#[arg(long, value_enum, default_value_t = Sealing::Aura)]
	pub sealing: Sealing,

	#[clap(flatten)]
	pub artifact_store: ArtifactStoreParams,

	#[clap(flatten)]
	pub worker: WorkerParams,
}

/// The inference worker whose assigned requests this node's offchain worker relays: a
/// `verity-worker` process beside the node (or on a GPU machine, or in an enclave).
#[derive(Debug, Clone, clap::Args)]
pub struct WorkerParams {
	/// The inference worker's URL for this node (its `--node-listen` listener, e.g.
	/// `http://127.0.0.1:9957`); its signing key is read from its `/v1/info`. Without it the
	/// node relays no requests.
	#[arg(long, value_name = "URL")]
	pub worker_url: Option<String>,

	/// The secret the node, its artifact store and its inference worker share (32 bytes hex in
	/// a 0600 file): the worker runs on-chain jobs and serves proofs only to whoever presents
	/// it, and the store takes uploads from other machines only with it. Created if missing.
	/// Default: `<base-path>/chains/<chain>/worker/node-secret`; give the worker the same file
	/// (`verity-worker --secret-file`).
	#[arg(long, value_name = "PATH")]
	pub worker_secret_file: Option<std::path::PathBuf>,
}

/// The node's artifact store: model artifacts, content-addressed, served over HTTP.
#[derive(Debug, Clone, clap::Args)]
pub struct ArtifactStoreParams {
	/// Do not run the artifact store.
	#[arg(long)]
	pub no_artifact_store: bool,

	/// Address the artifact store's HTTP service listens on.
	#[arg(long, value_name = "IP:PORT", default_value = "127.0.0.1:9955")]
	pub artifact_store_addr: std::net::SocketAddr,

	/// Largest artifact the store accepts, in bytes (default 16 GiB, the runtime's limit).
	#[arg(long, value_name = "BYTES", default_value_t = 16 << 30)]
	pub artifact_store_max_size: u64,

	/// Most bytes the store holds in all; uploads past it are refused with 507 (default
	/// 64 GiB).
	#[arg(long, value_name = "BYTES", default_value_t = 64 << 30)]
	pub artifact_store_quota: u64,

	/// The URL under which others reach this store (behind a proxy, or on a public address):
	/// recorded on chain with the worker's batches and stored outputs, so that anyone can
	/// fetch and challenge them. Default: `http://<artifact-store-addr>`.
	#[arg(long, value_name = "URL")]
	pub artifact_store_public_url: Option<String>,

	/// Whether uploads from this machine (loopback) need no secret. Uploads from elsewhere
	/// always need the node's secret (`--worker-secret-file`). Default: true on development
	/// and local chains, false on live ones.
	#[arg(long, value_name = "BOOL")]
	pub artifact_store_loopback_uploads: Option<bool>,
}

impl ArtifactStoreParams {
	/// The store's address for this node's own worker.
	pub fn local_url(&self) -> String {
		format!("http://{}", self.artifact_store_addr)
	}

	/// The store's address for everyone else.
	pub fn public_url(&self) -> String {
		self.artifact_store_public_url.clone().unwrap_or_else(|| self.local_url())
	}
}

/// Subcommands beside running the node.
#[derive(Debug, clap::Subcommand)]
#[allow(clippy::large_enum_variant)]
pub enum Subcommand {
	/// Key management (generate, inspect, insert into the keystore, ...).
	#[command(subcommand)]
	Key(sc_cli::KeySubcommand),

	/// Export a chain spec built from a runtime preset (`--chain dev|local`) as JSON.
	ExportChainSpec(sc_cli::ExportChainSpecCmd),

	/// Build a chain spec (legacy; prefer `export-chain-spec`).
	BuildSpec(sc_cli::BuildSpecCmd),

	/// Validate blocks.
	CheckBlock(sc_cli::CheckBlockCmd),

	/// Export blocks.
	ExportBlocks(sc_cli::ExportBlocksCmd),

	/// Export the state of a given block into a chain spec.
	ExportState(sc_cli::ExportStateCmd),

	/// Import blocks.
	ImportBlocks(sc_cli::ImportBlocksCmd),

	/// Remove the whole chain database.
	PurgeChain(sc_cli::PurgeChainCmd),

	/// Revert the chain to a previous state.
	Revert(sc_cli::RevertCmd),

	/// Database metadata.
	ChainInfo(sc_cli::ChainInfoCmd),
}
