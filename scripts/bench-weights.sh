#!/usr/bin/env bash
# Measures the weights of Verity's own pallets and rewrites their `src/weights.rs`.
# Needs frame-omni-bencher (`cargo install frame-omni-bencher --version 0.28.0 --locked`;
# it builds RocksDB, so also `apt-get install libclang-dev`). The benchmark runtime builds into
# its own target directory, so its WASM never replaces the node's.
set -euo pipefail
cd "$(dirname "$0")/.."
target="${CARGO_TARGET_DIR:-target}/benchmarks"
CARGO_TARGET_DIR="$target" cargo build --release --locked -p verity-runtime --features runtime-benchmarks
wasm="$target/release/wbuild/verity-runtime/verity_runtime.compact.wasm"
for pallet in model-registry inference proofs validator-set payments; do
	frame-omni-bencher v1 benchmark pallet --runtime "$wasm" --pallet "pallet_${pallet//-/_}" \
		--extrinsic "*" --steps 2 --repeat 20 --template scripts/weight-template.hbs \
		--output "pallets/$pallet/src/weights.rs"
done
