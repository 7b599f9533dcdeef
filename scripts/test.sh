#!/usr/bin/env bash
# Sets up the machine and runs the whole test suite: formatting, then every crate's unit
# and integration tests, including the end-to-end tests that start real nodes (and their
# `verity-worker`s), the pallet benchmarks as tests, clippy and rustdoc, all with warnings
# as errors. Every step runs even when an earlier one fails; the script fails if any did.
# Tests and binaries build in the release profile, once, for both the node and the tests.
set -uo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh || exit 1
failed=()
step() {
	echo "== $*"
	"$@" || failed+=("$*")
}
features=(--features verity-node/fast-runtime)
step cargo fmt --all -- --check
step cargo test --release --workspace --locked --no-fail-fast "${features[@]}" "$@"
# Every pallet benchmark runs once as a test on its pallet's mock runtime. A separate cargo
# call, because the `runtime-benchmarks` feature must not reach the node's build.
step cargo test --release --locked --no-fail-fast -p pallet-model-registry -p pallet-inference \
	-p pallet-proofs -p pallet-validator-set --features runtime-benchmarks
# Lints and docs check the code the tests built. `--release`, and the same environment, so that
# build scripts (the runtime's WASM build among them) and proc-macros are the test build's own
# and do not run again.
step cargo clippy --release --workspace --all-targets --locked "${features[@]}" -- -D warnings
export RUSTDOCFLAGS="-D warnings"
step cargo doc --release --workspace --no-deps --locked "${features[@]}"
if [ ${#failed[@]} -gt 0 ]; then
	printf 'failed: %s\n' "${failed[@]}" >&2
	exit 1
fi
