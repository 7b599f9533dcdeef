//! `verity`: the command-line client of a Verity chain.
//!
//! Every subcommand takes `--url` (the node's RPC endpoint), `--suri` (the signer's secret URI,
//! for commands that send transactions) and `--json` (machine-readable output on stdout). On
//! failure it prints one `Error:` line (or `{"error": ...}` with `--json`) and exits with 1.

use clap::Parser;
use verity_cli::{attestation, chat, demo, inference, model, settlement, zk, Global};

/// Command-line client of a Verity chain.
#[derive(Debug, Parser)]
#[command(name = "verity", version, about)]
struct Cli {
	/// RPC endpoint of a Verity node.
	#[arg(long, global = true, default_value = "ws://127.0.0.1:9944")]
	url: String,

	/// Secret URI of the signing account (e.g. `//Alice` on a dev chain, or a mnemonic).
	#[arg(long, global = true)]
	suri: Option<String>,

	/// Print machine-readable JSON instead of text.
	#[arg(long, global = true)]
	json: bool,

	#[command(subcommand)]
	command: Command,
}

#[derive(Debug, clap::Subcommand)]
enum Command {
	/// The Model Hub: models, their versions and artifacts.
	#[command(subcommand)]
	Model(model::ModelCommand),
	/// Inference workers: register, show.
	#[command(subcommand)]
	Worker(inference::WorkerCommand),
	/// Run a model version on an input through the chain; prints the output and its verified
	/// receipt.
	Infer(inference::InferArgs),
	/// Ask a chat model through the chain: the answer is printed as the worker produces it,
	/// then its receipt is verified on chain (paid for the tokens used).
	Chat(chat::ChatArgs),
	/// Receipts of settled results.
	#[command(subcommand)]
	Receipt(inference::ReceiptCommand),
	/// The dev chain's demo: publish a demo model and register the node's worker.
	#[command(subcommand)]
	Demo(demo::DemoCommand),
	/// Run a model on a worker directly (off chain); the receipt settles individually, in the
	/// worker's next batch, or privately.
	Direct(settlement::DirectArgs),
	/// Batches of receipts: post a worker's waiting settlements, check a posted batch.
	#[command(subcommand)]
	Batch(settlement::BatchCommand),
	/// TEE attestation documents (AWS Nitro Enclaves): verify one on this machine, print a
	/// worker's nonce, submit one to the chain.
	#[command(subcommand)]
	Attestation(attestation::AttestationCommand),
	/// ZKML keys: run a model's Groth16 setup, upload a version's keys.
	#[command(subcommand)]
	Zk(zk::ZkCommand),
}

fn main() {
	let cli = Cli::parse();
	let runtime = tokio::runtime::Builder::new_multi_thread()
		.enable_all()
		.build()
		.expect("a tokio runtime starts");
	let global = Global { url: cli.url, suri: cli.suri, json: cli.json };
	let result = runtime.block_on(async {
		match cli.command {
			Command::Model(command) => model::run(command, &global).await,
			Command::Worker(command) => inference::worker(command, &global).await,
			Command::Infer(args) => inference::infer(args, &global).await,
			Command::Chat(args) => chat::chat(args, &global).await,
			Command::Receipt(command) => inference::receipt(command, &global).await,
			Command::Demo(command) => demo::run(command, &global).await,
			Command::Direct(args) => settlement::direct(args, &global).await,
			Command::Batch(command) => settlement::batch(command, &global).await,
			Command::Attestation(command) => attestation::run(command, &global).await,
			Command::Zk(command) => zk::run(command, &global).await,
		}
	});
	match result {
		Ok(output) if cli.json => println!("{}", output.json),
		Ok(output) => println!("{}", output.text),
		Err(message) => {
			if cli.json {
				println!("{}", serde_json::json!({ "error": message }));
			}
			eprintln!("Error: {message}");
			std::process::exit(1);
		},
	}
}
