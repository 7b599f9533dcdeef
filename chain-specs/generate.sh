#!/usr/bin/env bash
# Regenerates dev.json and local.json from the runtime's genesis presets. Run it after any
# change to the runtime or its presets; a test fails while the checked-in specs are stale.
# Uses $VERITY_NODE if set, else builds the node.
set -euo pipefail
cd "$(dirname "$0")/.."
node="${VERITY_NODE:-}"
if [ -z "$node" ]; then
	cargo build --release -p verity-node
	node="${CARGO_TARGET_DIR:-target}/release/verity-node"
fi
"$node" export-chain-spec --chain dev --output chain-specs/dev.json
"$node" export-chain-spec --chain local --output chain-specs/local.json
