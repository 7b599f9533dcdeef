//! `verity-worker`: Verity's inference node, beside a Verity node (see
//! [`verity_worker::daemon`]).

use clap::Parser;

fn main() {
	env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info")).init();
	let options = verity_worker::daemon::Options::parse();
	let runtime = match tokio::runtime::Runtime::new() {
		Ok(runtime) => runtime,
		Err(error) => {
			eprintln!("verity-worker: cannot start the async runtime: {error}");
			std::process::exit(1);
		},
	};
	if let Err(error) = runtime.block_on(verity_worker::daemon::run(options)) {
		eprintln!("verity-worker: {error}");
		std::process::exit(1);
	}
}
