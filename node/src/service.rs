//! Assembles the node: client, database, transaction pool, networking, RPC, offchain
//! workers, and block production (Aura + GRANDPA, or instant/manual seal for tests).

use std::{sync::Arc, time::Duration};

use futures::{channel::mpsc, FutureExt, StreamExt};
use sc_client_api::Backend;
use sc_consensus_aura::{ImportQueueParams, SlotProportion, StartAuraParams};
use sc_consensus_grandpa::SharedVoterState;
use sc_consensus_manual_seal::{
	consensus::{aura::AuraConsensusDataProvider, timestamp::SlotTimestampProvider},
	EngineCommand, ManualSealParams,
};
use sc_service::{error::Error as ServiceError, Configuration, TaskManager, WarpSyncConfig};
use sc_telemetry::{Telemetry, TelemetryWorker};
use sc_transaction_pool_api::{OffchainTransactionPoolFactory, TransactionPool};
use sp_blockchain::HeaderBackend;
use sp_consensus_aura::sr25519::AuthorityPair as AuraPair;
use verity_runtime::{apis::RuntimeApi, opaque::Block, Hash};

use crate::cli::{ArtifactStoreParams, Sealing, WorkerParams};

/// The host functions the runtime may call: the standard set plus the BLS12-381 arithmetic of
/// `sp-crypto-ec-utils` (pairings and multi-scalar multiplications), which the proofs pallet's
/// Groth16 verifier runs on.
pub type HostFunctions =
	(sp_io::SubstrateHostFunctions, sp_crypto_ec_utils::bls12_381::host_calls::HostFunctions);

/// The client: native node, runtime executed as WASM with [`HostFunctions`].
pub(crate) type FullClient =
	sc_service::TFullClient<Block, RuntimeApi, sc_executor::WasmExecutor<HostFunctions>>;
type FullBackend = sc_service::TFullBackend<Block>;
type FullSelectChain = sc_consensus::LongestChain<FullBackend, Block>;
type GrandpaBlockImport =
	sc_consensus_grandpa::GrandpaBlockImport<FullBackend, Block, FullClient, FullSelectChain>;
type GrandpaLink = sc_consensus_grandpa::LinkHalf<Block, FullClient, FullSelectChain>;

/// A GRANDPA justification is produced at least every this many blocks.
const GRANDPA_JUSTIFICATION_PERIOD: u32 = 512;

/// The parts shared by the full node and the chain-maintenance subcommands.
pub type Service = sc_service::PartialComponents<
	FullClient,
	FullBackend,
	FullSelectChain,
	sc_consensus::DefaultImportQueue<Block>,
	sc_transaction_pool::TransactionPoolHandle<Block, FullClient>,
	(Option<(GrandpaBlockImport, GrandpaLink)>, Option<Telemetry>),
>;

/// Builds the client, database, pool and import queue. With `Sealing::Aura` blocks are
/// imported through GRANDPA and checked by Aura; otherwise by the manual-seal verifier.
pub fn new_partial(config: &Configuration, sealing: Sealing) -> Result<Service, ServiceError> {
	let telemetry = config
		.telemetry_endpoints
		.clone()
		.filter(|x| !x.is_empty())
		.map(|endpoints| -> Result<_, sc_telemetry::Error> {
			let worker = TelemetryWorker::new(16)?;
			let telemetry = worker.handle().new_telemetry(endpoints);
			Ok((worker, telemetry))
		})
		.transpose()?;

	let executor = sc_service::new_wasm_executor::<HostFunctions>(&config.executor);
	let (client, backend, keystore_container, task_manager) =
		sc_service::new_full_parts::<Block, RuntimeApi, _>(
			config,
			telemetry.as_ref().map(|(_, telemetry)| telemetry.handle()),
			executor,
			vec![Arc::new(sc_consensus_grandpa::GrandpaPruningFilter)],
		)?;
	let client = Arc::new(client);

	let telemetry = telemetry.map(|(worker, telemetry)| {
		task_manager.spawn_handle().spawn("telemetry", None, worker.run());
		telemetry
	});

	let select_chain = sc_consensus::LongestChain::new(backend.clone());

	let transaction_pool = Arc::from(
		sc_transaction_pool::Builder::new(
			task_manager.spawn_essential_handle(),
			client.clone(),
			config.role.is_authority().into(),
		)
		.with_options(config.transaction_pool.clone())
		.with_prometheus(config.prometheus_registry())
		.build(),
	);

	let (import_queue, grandpa) = match sealing {
		Sealing::Aura => {
			let (grandpa_block_import, grandpa_link) = sc_consensus_grandpa::block_import(
				client.clone(),
				GRANDPA_JUSTIFICATION_PERIOD,
				&client,
				select_chain.clone(),
				telemetry.as_ref().map(|x| x.handle()),
			)?;
			let cidp_client = client.clone();
			let import_queue = sc_consensus_aura::import_queue::<AuraPair, _, _, _, _, _>(
				ImportQueueParams {
					block_import: grandpa_block_import.clone(),
					justification_import: Some(Box::new(grandpa_block_import.clone())),
					client: client.clone(),
					create_inherent_data_providers: move |parent_hash, _| {
						let cidp_client = cidp_client.clone();
						async move {
							let slot_duration = sc_consensus_aura::standalone::slot_duration_at(
								&*cidp_client,
								parent_hash,
							)?;
							let timestamp = sp_timestamp::InherentDataProvider::from_system_time();
							let slot = sp_consensus_aura::inherents::InherentDataProvider::from_timestamp_and_slot_duration(
								*timestamp,
								slot_duration,
							);
							Ok((slot, timestamp))
						}
					},
					spawner: &task_manager.spawn_essential_handle(),
					registry: config.prometheus_registry(),
					check_for_equivocation: Default::default(),
					telemetry: telemetry.as_ref().map(|x| x.handle()),
					compatibility_mode: Default::default(),
				},
			)?;
			(import_queue, Some((grandpa_block_import, grandpa_link)))
		},
		Sealing::Instant | Sealing::Manual => {
			let import_queue = sc_consensus_manual_seal::import_queue(
				Box::new(client.clone()),
				&task_manager.spawn_essential_handle(),
				config.prometheus_registry(),
			);
			(import_queue, None)
		},
	};

	Ok(sc_service::PartialComponents {
		client,
		backend,
		task_manager,
		import_queue,
		keystore_container,
		select_chain,
		transaction_pool,
		other: (grandpa, telemetry),
	})
}

type FullPool = sc_transaction_pool::TransactionPoolHandle<Block, FullClient>;
type ProposerFactory = sc_basic_authorship::ProposerFactory<FullPool, FullClient>;
type ManualSealSender = mpsc::Sender<EngineCommand<Hash>>;
type ManualSealCommands = mpsc::Receiver<EngineCommand<Hash>>;

/// GRANDPA's half of the node, from the network's set-up to the voter's start.
struct GrandpaParts {
	block_import: GrandpaBlockImport,
	link: GrandpaLink,
	protocol_name: sc_network::ProtocolName,
	notification_service: Box<dyn sc_network::NotificationService>,
}

/// What block production needs of the started node.
struct Producer {
	client: Arc<FullClient>,
	pool: Arc<FullPool>,
	select_chain: FullSelectChain,
	proposer_factory: ProposerFactory,
	keystore: sp_keystore::KeystorePtr,
	telemetry: Option<sc_telemetry::TelemetryHandle>,
}

/// What consensus needs of the node's configuration, taken before the node's tasks consume it.
struct ConsensusSettings {
	role: sc_service::Role,
	force_authoring: bool,
	enable_grandpa: bool,
	name: String,
	prometheus_registry: Option<prometheus_endpoint::Registry>,
}

impl ConsensusSettings {
	fn of(config: &Configuration) -> Self {
		Self {
			role: config.role,
			force_authoring: config.force_authoring,
			enable_grandpa: !config.disable_grandpa,
			name: config.network.node_name.clone(),
			prometheus_registry: config.prometheus_registry().cloned(),
		}
	}
}

/// With manual sealing, a channel from the RPC's `engine_createBlock` to the sealing task.
fn manual_seal_channel(sealing: Sealing) -> (Option<ManualSealSender>, Option<ManualSealCommands>) {
	match sealing {
		Sealing::Manual => {
			let (sender, receiver) = mpsc::channel(64);
			(Some(sender), Some(receiver))
		},
		_ => (None, None),
	}
}

/// Builds and starts the full node.
pub fn new_full<N: sc_network::NetworkBackend<Block, Hash>>(
	config: Configuration,
	sealing: Sealing,
	artifact_store: Option<ArtifactStoreParams>,
	worker: WorkerParams,
) -> Result<TaskManager, ServiceError> {
	let sc_service::PartialComponents {
		client,
		backend,
		mut task_manager,
		import_queue,
		keystore_container,
		select_chain,
		transaction_pool,
		other: (grandpa, mut telemetry),
	} = new_partial(&config, sealing)?;
	start_store_and_worker(&config, artifact_store, &worker, &backend, &task_manager)?;

	let mut net_config = sc_network::config::FullNetworkConfiguration::<Block, Hash, N>::new(
		&config.network,
		config.prometheus_registry().cloned(),
	);
	let metrics = N::register_notification_metrics(config.prometheus_registry());
	// GRANDPA's gossip protocol and warp sync exist only with real consensus (Aura).
	let grandpa = grandpa
		.map(|(import, link)| {
			grandpa_network(&config, &backend, &mut net_config, &metrics, import, link)
		})
		.transpose()?;
	let (grandpa, warp_sync_config) = grandpa.map_or((None, None), |(g, w)| (Some(g), Some(w)));
	let (network, system_rpc_tx, tx_handler_controller, sync_service, _bitswap) =
		sc_service::build_network(sc_service::BuildNetworkParams {
			config: &config,
			net_config,
			client: client.clone(),
			transaction_pool: transaction_pool.clone(),
			spawn_handle: task_manager.spawn_handle(),
			spawn_essential_handle: task_manager.spawn_essential_handle(),
			import_queue,
			block_announce_validator_builder: None,
			warp_sync_config,
			block_relay: None,
			metrics,
			gap_sync_body_policy: None,
		})?;
	if config.offchain_worker.enabled {
		start_offchain_workers(
			&config,
			&client,
			&backend,
			&keystore_container,
			&transaction_pool,
			network.clone(),
			&task_manager,
		)?;
	}

	let settings = ConsensusSettings::of(&config);
	let (manual_seal_sender, manual_seal_commands) = manual_seal_channel(sealing);
	sc_service::spawn_tasks(sc_service::SpawnTasksParams {
		network: network.clone(),
		client: client.clone(),
		keystore: keystore_container.keystore(),
		task_manager: &mut task_manager,
		transaction_pool: transaction_pool.clone(),
		rpc_builder: rpc_builder(&client, &transaction_pool, manual_seal_sender),
		backend,
		system_rpc_tx,
		tx_handler_controller,
		sync_service: sync_service.clone(),
		config,
		telemetry: telemetry.as_mut(),
		tracing_execute_block: None,
	})?;

	let telemetry = telemetry.as_ref().map(|x| x.handle());
	let proposer_factory = sc_basic_authorship::ProposerFactory::new(
		task_manager.spawn_handle(),
		client.clone(),
		transaction_pool.clone(),
		settings.prometheus_registry.as_ref(),
		telemetry.clone(),
	);
	let keystore = keystore_container.keystore();
	let pool = transaction_pool;
	let producer = Producer { client, pool, select_chain, proposer_factory, keystore, telemetry };
	match grandpa {
		Some(grandpa) => {
			start_consensus(producer, grandpa, settings, network, sync_service, &task_manager)?
		},
		None => start_manual_seal(producer, manual_seal_commands, &task_manager),
	}
	Ok(task_manager)
}

/// The node's artifact store (when enabled) and its search for the inference worker (when
/// one is configured), both keyed by the node's secret.
fn start_store_and_worker(
	config: &Configuration,
	artifact_store: Option<ArtifactStoreParams>,
	worker: &WorkerParams,
	backend: &Arc<FullBackend>,
	task_manager: &TaskManager,
) -> Result<(), ServiceError> {
	let secret = node_secret(config, worker)?;
	if let Some(params) = artifact_store {
		if worker.worker_url.is_some() {
			check_public_url(config, &params)?;
		}
		start_artifact_store(config, &params, task_manager, secret)?;
	}
	if let Some(url) = worker.worker_url.clone() {
		find_worker(url, backend.clone(), secret, task_manager);
	}
	Ok(())
}

/// Adds GRANDPA's gossip protocol to the network configuration; returns what the voter needs
/// and the warp sync provider (GRANDPA's authority-set proofs).
fn grandpa_network<N: sc_network::NetworkBackend<Block, Hash>>(
	config: &Configuration,
	backend: &Arc<FullBackend>,
	net_config: &mut sc_network::config::FullNetworkConfiguration<Block, Hash, N>,
	metrics: &sc_network::NotificationMetrics,
	block_import: GrandpaBlockImport,
	link: GrandpaLink,
) -> Result<(GrandpaParts, WarpSyncConfig<Block>), ServiceError> {
	let genesis_hash = backend
		.blockchain()
		.hash(0)?
		.ok_or_else(|| ServiceError::Other("the database has no genesis block".into()))?;
	let protocol_name =
		sc_consensus_grandpa::protocol_standard_name(&genesis_hash, &config.chain_spec);
	let (protocol_config, notification_service) =
		sc_consensus_grandpa::grandpa_peers_set_config::<_, N>(
			protocol_name.clone(),
			metrics.clone(),
			net_config.peer_store_handle(),
		);
	net_config.add_notification_protocol(protocol_config);
	let warp_sync = Arc::new(sc_consensus_grandpa::warp_proof::NetworkProvider::new(
		backend.clone(),
		link.shared_authority_set().clone(),
		Vec::default(),
	));
	let parts = GrandpaParts { block_import, link, protocol_name, notification_service };
	Ok((parts, WarpSyncConfig::WithProvider(warp_sync)))
}

/// The runtime's offchain workers, run on every imported block.
fn start_offchain_workers(
	config: &Configuration,
	client: &Arc<FullClient>,
	backend: &Arc<FullBackend>,
	keystore: &sc_service::KeystoreContainer,
	pool: &Arc<FullPool>,
	network: Arc<dyn sc_network::service::traits::NetworkService>,
	task_manager: &TaskManager,
) -> Result<(), ServiceError> {
	let offchain_workers = sc_offchain::OffchainWorkers::new(sc_offchain::OffchainWorkerOptions {
		runtime_api_provider: client.clone(),
		is_validator: config.role.is_authority(),
		keystore: Some(keystore.keystore()),
		offchain_db: backend.offchain_storage(),
		transaction_pool: Some(OffchainTransactionPoolFactory::new(pool.clone())),
		network_provider: Arc::new(network),
		enable_http_requests: true,
		custom_extensions: |_| vec![],
	})?;
	task_manager.spawn_handle().spawn(
		"offchain-workers-runner",
		"offchain-worker",
		offchain_workers.run(client.clone(), task_manager.spawn_handle()).boxed(),
	);
	Ok(())
}

/// The node's RPC methods (`crate::rpc`), with the manual-seal commands when sealing manually.
fn rpc_builder<Executor>(
	client: &Arc<FullClient>,
	pool: &Arc<FullPool>,
	manual_seal: Option<ManualSealSender>,
) -> Box<dyn Fn(Executor) -> Result<jsonrpsee::RpcModule<()>, ServiceError>> {
	let (client, pool) = (client.clone(), pool.clone());
	Box::new(move |_| {
		let deps = crate::rpc::FullDeps {
			client: client.clone(),
			pool: pool.clone(),
			manual_seal: manual_seal.clone(),
		};
		crate::rpc::create_full(deps).map_err(Into::into)
	})
}

/// Real consensus: Aura authoring in this validator's slots (an authority only) and the
/// GRANDPA voter (an observer on other nodes).
fn start_consensus(
	producer: Producer,
	grandpa: GrandpaParts,
	settings: ConsensusSettings,
	network: Arc<dyn sc_network::service::traits::NetworkService>,
	sync: Arc<sc_network_sync::SyncingService<Block>>,
	task_manager: &TaskManager,
) -> Result<(), ServiceError> {
	let GrandpaParts { block_import, link, protocol_name, notification_service } = grandpa;
	let authority = settings.role.is_authority();
	if authority {
		start_aura(&producer, block_import, settings.force_authoring, sync.clone(), task_manager)?;
	}
	if !settings.enable_grandpa {
		return Ok(());
	}
	let config = sc_consensus_grandpa::Config {
		gossip_duration: Duration::from_millis(333),
		justification_generation_period: GRANDPA_JUSTIFICATION_PERIOD,
		name: Some(settings.name),
		observer_enabled: false,
		keystore: authority.then(|| producer.keystore.clone()),
		local_role: settings.role,
		telemetry: producer.telemetry.clone(),
		protocol_name,
	};
	let voter = sc_consensus_grandpa::run_grandpa_voter(sc_consensus_grandpa::GrandpaParams {
		config,
		link,
		network,
		sync,
		notification_service,
		voting_rule: sc_consensus_grandpa::VotingRulesBuilder::default().build(),
		prometheus_registry: settings.prometheus_registry,
		shared_voter_state: SharedVoterState::empty(),
		telemetry: producer.telemetry,
		offchain_tx_pool_factory: OffchainTransactionPoolFactory::new(producer.pool),
	})?;
	task_manager.spawn_essential_handle().spawn_blocking("grandpa-voter", None, voter);
	Ok(())
}

/// Aura block authoring in this validator's slots.
fn start_aura(
	producer: &Producer,
	block_import: GrandpaBlockImport,
	force_authoring: bool,
	sync: Arc<sc_network_sync::SyncingService<Block>>,
	task_manager: &TaskManager,
) -> Result<(), ServiceError> {
	let slot_duration = sc_consensus_aura::slot_duration(&*producer.client)?;
	let aura =
		sc_consensus_aura::start_aura::<AuraPair, _, _, _, _, _, _, _, _, _, _>(StartAuraParams {
			slot_duration,
			client: producer.client.clone(),
			select_chain: producer.select_chain.clone(),
			block_import,
			proposer_factory: producer.proposer_factory.clone(),
			create_inherent_data_providers: move |_, ()| async move {
				let timestamp = sp_timestamp::InherentDataProvider::from_system_time();
				let slot = sp_consensus_aura::inherents::InherentDataProvider::from_timestamp_and_slot_duration(
					*timestamp,
					slot_duration,
				);
				Ok((slot, timestamp))
			},
			force_authoring,
			backoff_authoring_blocks: Option::<()>::None,
			keystore: producer.keystore.clone(),
			sync_oracle: sync.clone(),
			justification_sync_link: sync,
			block_proposal_slot_portion: SlotProportion::new(2f32 / 3f32),
			max_block_proposal_slot_portion: None,
			telemetry: producer.telemetry.clone(),
			compatibility_mode: Default::default(),
		})?;
	task_manager.spawn_essential_handle().spawn_blocking("aura", Some("block-authoring"), aura);
	Ok(())
}

/// Instant or manual sealing (tests and the dev chain): a block for each transaction, or on
/// each `engine_createBlock` call.
fn start_manual_seal(
	producer: Producer,
	manual_seal_commands: Option<ManualSealCommands>,
	task_manager: &TaskManager,
) {
	let Producer { client, pool, select_chain, proposer_factory, .. } = producer;
	// Each block gets an Aura pre-digest and a timestamp one slot after its parent, so the
	// runtime's Aura and Timestamp pallets accept it as they would a real one.
	let consensus_data_provider = AuraConsensusDataProvider::new(client.clone());
	// Only the timestamp is inherent data: Aura has no inherent extrinsic, and manual seal
	// counts inherent data entries to tell an empty block.
	let cidp_client = client.clone();
	let create_inherent_data_providers = move |_, ()| {
		let client = cidp_client.clone();
		async move { Ok(SlotTimestampProvider::new_aura(client)?) }
	};
	let commands_stream: futures::stream::BoxStream<'static, EngineCommand<Hash>> =
		match manual_seal_commands {
			Some(commands) => commands.boxed(),
			None => instant_seal_commands(pool.clone()),
		};
	let authorship = sc_consensus_manual_seal::run_manual_seal(ManualSealParams {
		block_import: client.clone(),
		env: proposer_factory,
		client,
		pool,
		commands_stream,
		select_chain,
		consensus_data_provider: Some(Box::new(consensus_data_provider)),
		create_inherent_data_providers,
	});
	task_manager.spawn_essential_handle().spawn_blocking(
		"manual-seal",
		Some("block-authoring"),
		authorship,
	);
}

/// Instant sealing: a block, finalized at once, for each transaction that enters the pool, and
/// again every half second while ready transactions wait. A block can have no room for them:
/// the session pallet's rotation takes a whole block (every 10 blocks with `fast-runtime`), so
/// that block is sealed without them and the next one takes them; without the retry the
/// chain would wait for another transaction.
fn instant_seal_commands(
	pool: Arc<FullPool>,
) -> futures::stream::BoxStream<'static, EngineCommand<Hash>> {
	let arrivals = pool.import_notification_stream().map(|_| false);
	let retries = futures::stream::unfold((), |()| async {
		tokio::time::sleep(Duration::from_millis(500)).await;
		Some((true, ()))
	});
	futures::stream::select(arrivals, retries)
		.filter(move |retry| futures::future::ready(!retry || pool.status().ready > 0))
		.map(|retry| EngineCommand::SealNewBlock {
			// A retry seals a block even when the waiting transactions do not fit yet.
			create_empty: retry,
			finalize: true,
			parent_hash: None,
			sender: None,
		})
		.boxed()
}

/// On a live chain the store's public URL goes on chain with every batch and stored output, so
/// it must be one others can reach: given, and not a loopback or unspecified address.
fn check_public_url(
	config: &Configuration,
	store: &ArtifactStoreParams,
) -> Result<(), ServiceError> {
	if config.chain_spec.chain_type() != sc_service::ChainType::Live {
		return Ok(());
	}
	let url = store.public_url();
	let authority = url.split("://").nth(1).unwrap_or("").split('/').next().unwrap_or("");
	let host = match authority.strip_prefix('[') {
		Some(v6) => v6.split(']').next().unwrap_or(""),
		None => authority.rsplit_once(':').map_or(authority, |(host, _)| host),
	};
	let local = host.is_empty()
		|| host.eq_ignore_ascii_case("localhost")
		|| host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback() || ip.is_unspecified());
	if store.artifact_store_public_url.is_none() || local {
		return Err(ServiceError::Other(format!(
			"the artifact store's public URL is {url}: on a live chain, batches and stored \
			 outputs record it for anyone to fetch; give --artifact-store-public-url with an \
			 address others can reach"
		)));
	}
	Ok(())
}

/// The secret the node shares with its inference worker and artifact store (created if
/// missing): `--worker-secret-file`, or `<base>/chains/<id>/worker/node-secret`.
fn node_secret(config: &Configuration, worker: &WorkerParams) -> Result<[u8; 32], ServiceError> {
	let path = worker
		.worker_secret_file
		.clone()
		.unwrap_or_else(|| config.data_path.join("worker/node-secret"));
	verity_artifact_store::secret_file::load_or_create(&path)
		.map_err(|e| ServiceError::Other(format!("worker secret: {e}")))
}

/// Opens the artifact store under the chain's data directory and serves it over HTTP on a task
/// of the node: anyone may read; uploads need the node's secret, or (on development and local
/// chains, unless told otherwise) to come from this machine; all within the store's quota.
fn start_artifact_store(
	config: &Configuration,
	params: &ArtifactStoreParams,
	task_manager: &TaskManager,
	secret: [u8; 32],
) -> Result<(), ServiceError> {
	use verity_artifact_store::{access::UploadPolicy, ArtifactStore, Quota};
	let directory = config.data_path.join("artifacts");
	let store = ArtifactStore::open(&directory, params.artifact_store_max_size)
		.map_err(|e| {
			ServiceError::Other(format!("artifact store at {}: {e}", directory.display()))
		})?
		.with_quota(Quota::Refuse(params.artifact_store_quota));
	let open_on_loopback = params.artifact_store_loopback_uploads.unwrap_or(matches!(
		config.chain_spec.chain_type(),
		sc_service::ChainType::Development | sc_service::ChainType::Local
	));
	let uploads = UploadPolicy { secret: Some(secret), open_on_loopback };
	let listener = bind(params.artifact_store_addr, "artifact store address")?;
	log::info!(
		"📦 Artifact store on {} (public URL {}; files in {})",
		params.local_url(),
		params.public_url(),
		directory.display()
	);
	task_manager.spawn_handle().spawn(
		"artifact-store",
		None,
		verity_artifact_store::server::serve(store, uploads, listener),
	);
	Ok(())
}

/// Tells the inference pallet's offchain worker where this node's inference worker listens,
/// which key it signs with and the secret it requires (entries of the node's persistent
/// offchain storage).
fn announce_worker(backend: &FullBackend, url: &str, signing_key: [u8; 32], secret: [u8; 32]) {
	use codec::Encode;
	use sp_core::offchain::{OffchainStorage, STORAGE_PREFIX};
	let Some(mut storage) = backend.offchain_storage() else {
		log::warn!("no offchain storage: the inference worker will get no requests");
		return;
	};
	storage.set(
		STORAGE_PREFIX,
		verity_primitives::OFFCHAIN_WORKER_URL_KEY,
		&url.as_bytes().to_vec().encode(),
	);
	storage.set(STORAGE_PREFIX, verity_primitives::OFFCHAIN_WORKER_SIGNING_KEY_KEY, &signing_key);
	storage.set(STORAGE_PREFIX, verity_primitives::OFFCHAIN_WORKER_SECRET_KEY, &secret);
}

/// Waits (on a task of the node) until the inference worker at `url` answers its `/v1/info`,
/// then announces it to the offchain worker.
fn find_worker(url: String, backend: Arc<FullBackend>, secret: [u8; 32], tasks: &TaskManager) {
	tasks.spawn_handle().spawn("worker-info", None, async move {
		let mut warned = false;
		loop {
			match worker_signing_key(&url).await {
				Ok(key) => {
					log::info!(
						"🧠 Using the inference worker at {url} (signing key 0x{})",
						hex::encode(key)
					);
					announce_worker(&backend, &url, key, secret);
					return;
				},
				Err(error) => {
					if !warned {
						log::warn!("inference worker at {url} not reachable yet: {error}");
						warned = true;
					}
					tokio::time::sleep(Duration::from_millis(500)).await;
				},
			}
		}
	});
}

/// The signing key the worker at `url` gives in its `/v1/info`.
async fn worker_signing_key(url: &str) -> Result<[u8; 32], String> {
	let url = format!("{}/v1/info", url.trim_end_matches('/'));
	let (status, body) = verity_artifact_store::http::http_call("GET", &url, Vec::new()).await?;
	if status != 200 {
		return Err(format!("status {status}"));
	}
	verity_primitives::worker_info::WorkerInfo::from_json(&body).map(|info| info.signing_key)
}

/// A non-blocking tokio listener on `address` (`what` names it in errors).
fn bind(
	address: std::net::SocketAddr,
	what: &str,
) -> Result<tokio::net::TcpListener, ServiceError> {
	std::net::TcpListener::bind(address)
		.and_then(|listener| listener.set_nonblocking(true).map(|()| listener))
		.and_then(tokio::net::TcpListener::from_std)
		.map_err(|e| ServiceError::Other(format!("{what} {address}: {e}")))
}
