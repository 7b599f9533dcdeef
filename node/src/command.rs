//! Runs the subcommand chosen on the command line.

use sc_cli::SubstrateCli;
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
	let cli = Cli::from_args();
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
			if let Some(base_path) = &cli.run.shared_params.base_path {
				ensure_writable(base_path)?;
			}
			let runner = cli.create_runner(&cli.run)?;
			let sealing = cli.sealing;
			runner.run_node_until_exit(|config| async move {
				if sealing != Sealing::Aura && config.chain_spec.chain_type() != sc_service::ChainType::Development {
					return Err(sc_cli::Error::Input(format!(
						"--sealing {sealing:?} only runs a development chain; use `--dev` or drop \
						 --sealing"
					)
					.to_lowercase()));
				}
				match config.network.network_backend {
					sc_network::config::NetworkBackendType::Libp2p =>
						service::new_full::<sc_network::NetworkWorker<Block, verity_runtime::Hash>>(
							config, sealing,
						),
					sc_network::config::NetworkBackendType::Litep2p =>
						service::new_full::<sc_network::Litep2pNetworkBackend>(config, sealing),
				}
				.map_err(sc_cli::Error::Service)
			})
		},
	}
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

/// The error as one line, with what to do when a port is taken.
pub fn explain(error: &sc_cli::Error) -> String {
	let message = error.to_string().replace('\n', " ");
	if message.contains("Address already in use") || message.contains("AddrInUse") {
		format!(
			"{message} (a port the node needs is taken by another process; stop it or choose \
			 free ports with --rpc-port, --port and --prometheus-port)"
		)
	} else {
		message
	}
}
