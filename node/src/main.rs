#![doc = include_str!("../README.md")]
// `sc_service::Error` and `sc_cli::Error` are large; the node returns them as polkadot-sdk's
// own nodes do.
#![allow(clippy::result_large_err)]

mod chain_spec;
mod cli;
mod command;
mod rpc;
mod service;

fn main() {
	if let Err(error) = command::run() {
		// One line that says what went wrong and what to do; no backtrace.
		eprintln!("Error: {}", command::explain(&error));
		std::process::exit(1);
	}
}
