#!/usr/bin/env bash
# Starts the 4-validator local network (Alice, Bob, Charlie, Dave; Aura + GRANDPA) as local processes
# with zombienet's native provider, and keeps it running until interrupted (Ctrl-C stops every
# node). Usage: zombienet/spawn.sh [RUN_DIR]; the node binary is $VERITY_NODE or the one in the
# cargo target directory. Each node's RPC port, log and PID are in RUN_DIR/zombie.json.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
node="${VERITY_NODE:-${CARGO_TARGET_DIR:-$here/../target}/release/verity-node}"
run="${1:-$(mktemp -d)/network}"
[ -x "$node" ] || { echo "no node binary at $node: build it (cargo build --release -p verity-node) or set VERITY_NODE" >&2; exit 1; }
[ -x "$here/node_modules/.bin/zombienet" ] || (cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
work="$(dirname "$run")"
mkdir -p "$work"
"$node" export-chain-spec --chain "$here/../chain-specs/local.json" --raw > "$work/verity-local-raw.json" 2>/dev/null
sed -e "s|@NODE@|$node|" -e "s|@SPEC@|$work/verity-local-raw.json|" "$here/local.toml" > "$work/network.toml"
echo "zombienet: network in $run" >&2
exec "$here/node_modules/.bin/zombienet" spawn "$work/network.toml" --provider native --dir "$run" --force --logType text < /dev/null
