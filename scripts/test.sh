#!/usr/bin/env bash
# Sets up the machine and runs the whole test suite: formatting, then every crate's unit
# and integration tests, including the end-to-end tests that start real nodes (and their
# `verity-worker`s), the pallet benchmarks as tests, clippy and rustdoc, all with warnings
# as errors. Every step runs even when an earlier one fails; the script fails if any did.
# Tests and binaries build in the release profile, once, for both the node and the tests.
# Extra arguments go to every test lane's `cargo test` (e.g. `-- dev_chain` to filter tests).
set -uo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh || exit 1
failed=()
features=(--features verity-node/fast-runtime)
echo "== cargo fmt --all -- --check"
cargo fmt --all -- --check || failed+=("cargo fmt")

# The whole workspace builds first, with every core. Then lanes run side by side: the network
# tests (`zombienet/`, a 4-validator network at a time), the CLI's end-to-end tests, every
# other test, and, at the lowest priority, the checks that only compile. The end-to-end tests
# mostly wait on block times, so the lanes use cores that would otherwise idle; `nice` keeps
# the checks from slowing the tests' own timings. The pallet benchmarks (as tests) build in a
# profile of their own, so they start at once, at the lowest priority, beside the main build.
work="$(mktemp -d)"
stop_lanes() {
	local groups
	groups=$(jobs -p)
	[ -z "$groups" ] || kill -TERM -- $(printf -- '-%s ' $groups) 2>/dev/null
	wait 2>/dev/null
	rm -rf "$work"
}
trap stop_lanes EXIT
trap 'exit 130' INT TERM
# Each lane is a job with its own process group (job control), stopped with the script.
set -m

# A lane: runs "$@" in the background with its output in $work/$name.log (also on stdout for
# the `tests` lane, so that a run cut short still shows it), its status in $work/$name.rc.
lane() {
	local name=$1
	shift
	echo "== $*" >"$work/$name.log"
	[ "$name" != tests ] || echo "== $*"
	(
		CARGO_TERM_COLOR=never "$@" </dev/null 2>&1
		echo $? >"$work/$name.rc"
	) | if [ "$name" = tests ]; then tee -a "$work/$name.log"; else cat >>"$work/$name.log"; fi &
	echo $! >"$work/$name.pid"
}
lowest() { nice -n 19 ionice -c 3 "$@"; }
# Runs "$@" in a lane, whose whole process group (its tests and their nodes) is stopped after
# `$lane_limit` seconds, so that a hung test fails its lane with a message instead of running
# into CI's own limit with nothing said.
limited() {
	local group rc=0 dog
	read -r _ _ _ _ group _ <"/proc/$BASHPID/stat"
	(
		sleep "$lane_limit" || exit 0
		echo "timed out after $lane_limit s: $*" >>"$work/timeouts"
		kill -TERM -- "-$group"
	) >/dev/null 2>&1 &
	dog=$!
	"$@" || rc=$?
	pkill -P "$dog" 2>/dev/null
	kill "$dog" 2>/dev/null
	return "$rc"
}
# Every pallet benchmark runs once as a test on its pallet's mock runtime, with the
# `runtime-benchmarks` feature, which must not reach the node's build: so in their own cargo
# call and profile (`bench-tests` in Cargo.toml, with its own lock).
lane benchmarks lowest cargo test --profile bench-tests --locked --no-fail-fast \
	-p pallet-model-registry -p pallet-inference -p pallet-proofs -p pallet-validator-set -p pallet-payments \
	--features runtime-benchmarks
# The runtime-upgrade test applies the WASM that `scripts/build-runtime.sh` builds reproducibly
# (in its own fixed directory), as a voter would build a proposal: built beside the main build
# at the lowest priority; the test reads the script's output from the lane's log.
lane runtime lowest scripts/build-runtime.sh --features fast-runtime,spec-version-bump \
	--out "$work/upgrade.wasm"
export VERITY_UPGRADE_BUILD="$work/runtime.log"

echo "== cargo test --release --workspace --locked --no-run ${features[*]}"
built=true
# In the foreground without job control, so that Ctrl-C or a cancel reaches it.
set +m
cargo test --release --workspace --locked --no-run "${features[@]}" ||
	{ failed+=("cargo test (build)"); built=false; }
set -m

# Cargo holds the build's lock until a lane's tests start; the checks compile, so they start
# only once every test lane runs (or ended).
running() {
	grep -Eq '^ +Running (unittests|tests/|benches/)' "$work/$1.log" 2>/dev/null ||
		[ -e "$work/$1.rc" ] || ! kill -0 "$(cat "$work/$1.pid")" 2>/dev/null
}
# A test lane: `cargo test` of the whole workspace (so that features resolve as in the build,
# and nothing compiles again), narrowed by its arguments.
# Each is limited to 45 minutes (three times its longest run so far).
lane_limit=2700
test_lane() {
	local name=$1
	shift
	lane "$name" limited cargo test --release --workspace --locked --no-fail-fast "${features[@]}" "$@"
	until running "$name"; do sleep 2; done
}
if $built; then
	test_lane network --test network "$@"
	test_lane cli --test cli --test spam "$@"
	wait "$(cat "$work/runtime.pid")"
	test_lane tests --exclude verity-network-tests --exclude verity-cli "$@"
fi

checks() {
	check() {
		echo "== $*"
		lowest "$@" || echo "$*" >>"$work/checks.failed"
	}
	# Lints and docs check the code the tests built. `--release`, and the same environment, so
	# that build scripts (the runtime's WASM build among them) and proc-macros are the test
	# build's own and do not run again.
	check cargo clippy --release --workspace --all-targets --locked "${features[@]}" -- -D warnings
	check env RUSTDOCFLAGS="-D warnings" cargo doc --release --workspace --no-deps --locked "${features[@]}"
}
lane checks checks

wait
for name in tests cli network runtime benchmarks checks; do
	[ -e "$work/$name.log" ] || continue
	[ "$name" = tests ] || cat "$work/$name.log"
	[ "$(cat "$work/$name.rc" 2>/dev/null)" = 0 ] || failed+=("$(head -1 "$work/$name.log" | cut -c4- | sed 's/^lowest //')")
done
if [ -s "$work/timeouts" ]; then
	while IFS= read -r step; do failed+=("$step"); done <"$work/timeouts"
fi
if [ -s "$work/checks.failed" ]; then
	while IFS= read -r step; do failed+=("$step"); done <"$work/checks.failed"
fi
if [ ${#failed[@]} -gt 0 ]; then
	printf 'failed: %s\n' "${failed[@]}" >&2
	exit 1
fi
