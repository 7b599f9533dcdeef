//! Runs the subcommand chosen on the command line.

use sc_cli::{DefaultConfigurationValues, SubstrateCli};
use sc_service::PartialComponents;
use verity_runtime::opaque::Block;

use crate::{
	chain_spec,
	cli::{Cli, Sealing, Subcommand},
	service,
};

impl SubstrateCli for Cli {
	fn impl_name() -> String {
		"Verity Node".into()
	}

	fn impl_version() -> String {
		env!("SUBSTRATE_CLI_IMPL_VERSION").into()
	}

	fn description() -> String {
		env!("CARGO_PKG_DESCRIPTION").into()
	}

	fn author() -> String {
		env!("CARGO_PKG_AUTHORS").into()
	}

	fn support_url() -> String {
		"https://github.com/verity-chain/verity/issues".into()
	}

	fn copyright_start_year() -> i32 {
		2026
	}

	fn load_spec(&self, id: &str) -> Result<Box<dyn sc_service::ChainSpec>, String> {
		chain_spec::load(id)
	}
}

/// Parses the command line and runs the node or the chosen subcommand.
pub fn run() -> sc_cli::Result<()> {
	let mut cli = Cli::from_args();
	// The maintenance subcommands read blocks produced by Aura (the real chain).
	let sealing = Sealing::Aura;

	match &cli.subcommand {
		Some(Subcommand::Key(cmd)) => cmd.run(&cli),
		Some(Subcommand::ExportChainSpec(cmd)) => {
			let spec = cli.load_spec(&cmd.chain)?;
			cmd.run(spec)
		},
		Some(Subcommand::BuildSpec(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.sync_run(|config| cmd.run(config.chain_spec, config.network))
		},
		Some(Subcommand::CheckBlock(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.async_run(|config| {
				let PartialComponents { client, task_manager, import_queue, .. } =
					service::new_partial(&config, sealing)?;
				Ok((cmd.run(client, import_queue), task_manager))
			})
		},
		Some(Subcommand::ExportBlocks(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.async_run(|config| {
				let PartialComponents { client, task_manager, .. } =
					service::new_partial(&config, sealing)?;
				Ok((cmd.run(client, config.database), task_manager))
			})
		},
		Some(Subcommand::ExportState(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.async_run(|config| {
				let PartialComponents { client, task_manager, .. } =
					service::new_partial(&config, sealing)?;
				Ok((cmd.run(client, config.chain_spec), task_manager))
			})
		},
		Some(Subcommand::ImportBlocks(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.async_run(|config| {
				let PartialComponents { client, task_manager, import_queue, .. } =
					service::new_partial(&config, sealing)?;
				Ok((cmd.run(client, import_queue), task_manager))
			})
		},
		Some(Subcommand::PurgeChain(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.sync_run(|config| cmd.run(config.database))
		},
		Some(Subcommand::Revert(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.async_run(|config| {
				let PartialComponents { client, task_manager, backend, .. } =
					service::new_partial(&config, sealing)?;
				let aux_revert = Box::new(|client, _, blocks| {
					sc_consensus_grandpa::revert(client, blocks)?;
					Ok(())
				});
				Ok((cmd.run(client, backend, Some(aux_revert)), task_manager))
			})
		},
		Some(Subcommand::ChainInfo(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.sync_run(|config| cmd.run::<Block>(&config))
		},
		None => {
			preflight(&cli)?;
			if cli.sealing != Sealing::Aura {
				// A transaction that the fork-aware pool takes between two of its views (an
				// offchain worker's, submitted as a block is imported) waits for the next
				// block's view; with instant seal that block never comes. The single-state
				// pool has no views: every transaction it takes is announced at once.
				cli.run.pool_config.pool_type = sc_cli::TransactionPoolType::SingleState;
			}
			let runner = cli.create_runner(&cli.run)?;
			let sealing = cli.sealing;
			let store = (!cli.artifact_store.no_artifact_store).then(|| cli.artifact_store.clone());
			let worker = cli.worker.clone();
			runner.run_node_until_exit(|config| async move {
				match config.network.network_backend {
					sc_network::config::NetworkBackendType::Libp2p => {
						service::new_full::<sc_network::NetworkWorker<Block, verity_runtime::Hash>>(
							config, sealing, store, worker,
						)
					},
					sc_network::config::NetworkBackendType::Litep2p => {
						service::new_full::<sc_network::Litep2pNetworkBackend>(
							config, sealing, store, worker,
						)
					},
				}
				.map_err(sc_cli::Error::Service)
			})
		},
	}
}

/// Checks, before anything starts, the mistakes that would otherwise surface late or not at
/// all: an unusable base path, a seal mode on a multi-validator chain, and taken ports (the
/// RPC server would silently move to a random port; the artifact store would not start).
fn preflight(cli: &Cli) -> sc_cli::Result<()> {
	let shared = &cli.run.shared_params;
	if let Some(base_path) = &shared.base_path {
		ensure_writable(base_path)?;
	}
	let spec = cli.load_spec(&shared.chain_id(shared.is_dev()))?;
	if cli.sealing != Sealing::Aura && spec.chain_type() != sc_service::ChainType::Development {
		let mode = clap::ValueEnum::to_possible_value(&cli.sealing)
			.map(|value| value.get_name().to_owned())
			.unwrap_or_default();
		return Err(sc_cli::Error::Input(format!(
			"--sealing {mode} only runs a development chain; use --dev or drop --sealing"
		)));
	}
	let rpc = &cli.run.rpc_params;
	if rpc.experimental_rpc_endpoint.is_empty() {
		let external = rpc.rpc_external || rpc.unsafe_rpc_external;
		let port = rpc.rpc_port.unwrap_or_else(<() as DefaultConfigurationValues>::rpc_listen_port);
		ensure_port_free("RPC", external, port, "--rpc-port")?;
	}
	let prometheus = &cli.run.prometheus_params;
	if !prometheus.no_prometheus {
		ensure_port_free(
			"Prometheus",
			prometheus.prometheus_external,
			prometheus
				.prometheus_port
				.unwrap_or_else(<() as DefaultConfigurationValues>::prometheus_listen_port),
			"--prometheus-port",
		)?;
	}
	let store = &cli.artifact_store;
	if !store.no_artifact_store {
		std::net::TcpListener::bind(store.artifact_store_addr).map(drop).map_err(|e| {
			sc_cli::Error::Input(format!(
				"artifact store address {} is not available ({e}); stop the process using it, \
				 choose another with --artifact-store-addr, or pass --no-artifact-store",
				store.artifact_store_addr
			))
		})?;
	}
	Ok(())
}

fn ensure_port_free(what: &str, external: bool, port: u16, flag: &str) -> sc_cli::Result<()> {
	let ip: std::net::IpAddr = if external { [0, 0, 0, 0].into() } else { [127, 0, 0, 1].into() };
	std::net::TcpListener::bind((ip, port)).map(drop).map_err(|e| {
		sc_cli::Error::Input(format!(
			"{what} port {ip}:{port} is not available ({e}); stop the process using it or \
			 choose another port with {flag}"
		))
	})
}

/// Fails early, with a hint, when the node could not write its database and keys under
/// `base_path`.
fn ensure_writable(base_path: &std::path::Path) -> sc_cli::Result<()> {
	let probe = base_path.join(".verity-write-probe");
	std::fs::create_dir_all(base_path)
		.and_then(|()| std::fs::write(&probe, b""))
		.and_then(|()| std::fs::remove_file(&probe))
		.map_err(|e| {
			sc_cli::Error::Input(format!(
				"base path {} is not writable ({e}); pass a writable directory with --base-path \
				 or use --tmp",
				base_path.display()
			))
		})
}

/// The error as one line, with what to do for the failures that need a hint.
pub fn explain(error: &sc_cli::Error) -> String {
	let message = error.to_string().replace('\n', " ");
	let hint = if message.contains("Address already in use") || message.contains("AddrInUse") {
		"a port the node needs is taken by another process; stop it or choose free ports with \
		 --rpc-port, --port and --prometheus-port"
	} else if message.contains("Error parsing spec file") {
		"the chain spec's genesis is not in a format this node reads; regenerate the spec with \
		 `verity-node export-chain-spec`"
	} else {
		return message;
	};
	format!("{message} ({hint})")
}
