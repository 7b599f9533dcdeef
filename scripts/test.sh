#!/usr/bin/env bash
# Sets up the machine and runs the whole test suite: formatting, then every crate's unit
# and integration tests, including the end-to-end tests that start real nodes (and their
# `verity-worker`s), the pallet benchmarks as tests, clippy and rustdoc, all with warnings
# as errors. Every step runs even when an earlier one fails; the script fails if any did.
# Tests and binaries build in the release profile, once, for both the node and the tests.
# Extra arguments go to the main `cargo test` (e.g. `-- dev_chain` to filter tests).
set -uo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh || exit 1
failed=()
features=(--features verity-node/fast-runtime)
echo "== cargo fmt --all -- --check"
cargo fmt --all -- --check || failed+=("cargo fmt")

# Two lanes. The tests build first, with every core; once they start running (cargo then
# holds no lock on the target directory), the checks that only compile (and the benchmark
# tests) run beside them at the lowest priority. The end-to-end tests mostly wait on block
# times, so the checks use cores that would otherwise idle; `nice` keeps them from slowing
# the tests' own timings.
work="$(mktemp -d)"
# Each lane is a job with its own process group (job control), stopped with the script.
set -m
stop_lanes() {
	local groups
	groups=$(jobs -p)
	[ -z "$groups" ] || kill -TERM -- $(printf -- '-%s ' $groups) 2>/dev/null
	wait 2>/dev/null
	rm -rf "$work"
}
trap stop_lanes EXIT
trap 'exit 130' INT TERM
echo "== cargo test --release --workspace --locked --no-fail-fast ${features[*]} $*"
(
	CARGO_TERM_COLOR=never cargo test --release --workspace --locked --no-fail-fast \
		"${features[@]}" "$@" 2>&1
	echo $? >"$work/tests.rc"
) | tee "$work/tests.log" &
tests=$!

checks() {
	# Wait until the tests run (or the build failed), so that the tests build first.
	until grep -Eq '^ +Running (unittests|tests/|benches/)' "$work/tests.log" 2>/dev/null ||
		[ -e "$work/tests.rc" ] || ! kill -0 "$tests" 2>/dev/null; do
		sleep 2
	done
	check() {
		echo "== $*"
		nice -n 19 ionice -c 3 "$@" || echo "$*" >>"$work/checks.failed"
	}
	# Every pallet benchmark runs once as a test on its pallet's mock runtime. A separate cargo
	# call, because the `runtime-benchmarks` feature must not reach the node's build.
	check cargo test --release --locked --no-fail-fast -p pallet-model-registry \
		-p pallet-inference -p pallet-proofs -p pallet-validator-set --features runtime-benchmarks
	# Lints and docs check the code the tests built. `--release`, and the same environment, so
	# that build scripts (the runtime's WASM build among them) and proc-macros are the test
	# build's own and do not run again.
	check cargo clippy --release --workspace --all-targets --locked "${features[@]}" -- -D warnings
	check env RUSTDOCFLAGS="-D warnings" cargo doc --release --workspace --no-deps --locked "${features[@]}"
}
checks >"$work/checks.log" 2>&1 &
checks_pid=$!

wait "$tests"
[ "$(cat "$work/tests.rc" 2>/dev/null)" = 0 ] || failed+=("cargo test")
wait "$checks_pid"
cat "$work/checks.log"
if [ -s "$work/checks.failed" ]; then
	while IFS= read -r step; do failed+=("$step"); done <"$work/checks.failed"
fi
if [ ${#failed[@]} -gt 0 ]; then
	printf 'failed: %s\n' "${failed[@]}" >&2
	exit 1
fi
