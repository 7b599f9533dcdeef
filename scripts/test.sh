#!/usr/bin/env bash
# Sets up the machine and runs the whole test suite: formatting, then every crate's unit
# and integration tests, including the end-to-end tests that start real nodes.
# Everything builds in the release profile, once, for both the node binary and the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cargo fmt --all -- --check
cargo test --release --workspace --locked --no-fail-fast --features verity-node/fast-runtime "$@"
# Every pallet benchmark runs once as a test on its pallet's mock runtime. A separate cargo
# call, because the `runtime-benchmarks` feature must not reach the node's build.
cargo test --release --locked --no-fail-fast -p pallet-model-registry -p pallet-inference -p pallet-proofs --features runtime-benchmarks
