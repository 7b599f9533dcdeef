//! The pallets whose benchmarks the runtime exposes to `frame-omni-bencher`
//! (`frame-omni-bencher v1 benchmark pallet --runtime <wasm> --pallet <name> --extrinsic "*"`,
//! with the runtime built with `--features runtime-benchmarks`).

frame_benchmarking::define_benchmarks!(
	[frame_benchmarking, BaselineBench::<Runtime>]
	[frame_system, SystemBench::<Runtime>]
	[frame_system_extensions, SystemExtensionsBench::<Runtime>]
	[pallet_balances, Balances]
	[pallet_timestamp, Timestamp]
	[pallet_sudo, Sudo]
	[pallet_utility, Utility]
	[pallet_model_registry, ModelRegistry]
	[pallet_inference, Inference]
	[pallet_proofs, Proofs]
	[pallet_validator_set, ValidatorSet]
	[pallet_payments, Payments]
);
