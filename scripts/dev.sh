#!/usr/bin/env bash
# Sets up the machine, builds the node and starts the single-validator dev chain
# (Aura + GRANDPA, temporary database, RPC on ws://127.0.0.1:9944, Prometheus on
# http://127.0.0.1:9615/metrics). Extra arguments go to the node, e.g.
# `scripts/dev.sh --sealing instant`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
# Built exactly as the test suite builds it (same targets and features: governance periods
# of a few blocks, `fast-runtime`),
# so that scripts/dev.sh and scripts/test.sh share one build instead of compiling twice.
cargo test --release --workspace --locked --features verity-node/fast-runtime --no-run
exec "${CARGO_TARGET_DIR:-target}/release/verity-node" --dev "$@"
