#!/usr/bin/env bash
# Sets up the machine, builds, and starts the single-validator dev chain (Aura + GRANDPA,
# temporary database, RPC on ws://127.0.0.1:9944, Prometheus on http://127.0.0.1:9615/metrics)
# with its artifact store (http://127.0.0.1:9955), and a `verity-worker` inference node beside
# it (http://127.0.0.1:9956 public, http://127.0.0.1:9957 for the node; both share the secret
# in .verity-dev/node-secret); then publishes the demo model and registers the worker
# (`verity demo setup`, which also publishes the demo model's ZKML version 0@1.1 with fresh
# Groth16 keys, and SmolLM2-135M-Instruct as the demo chat model 1@1.0 where
# scripts/fetch-models.sh can fetch it), and prints the commands that run an inference. Ctrl-C stops the node.
# Extra arguments go to the node, e.g. `scripts/dev.sh --sealing instant`. The worker's cache and
# key are kept in .verity-dev/worker between runs.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
# Built exactly as the test suite builds it (same targets and features: governance periods
# of a few blocks, `fast-runtime`),
# so that scripts/dev.sh and scripts/test.sh share one build instead of compiling twice.
cargo test --release --workspace --locked --features verity-node/fast-runtime --no-run
bin="${CARGO_TARGET_DIR:-target}/release"
dir=.verity-dev
mkdir -p "$dir"
worker=
"$bin/verity-node" --dev --worker-url http://127.0.0.1:9957 --worker-secret-file "$dir/node-secret" "$@" &
node=$!
trap 'kill $node $worker 2>/dev/null; wait $node $worker 2>/dev/null' EXIT INT TERM
# Alice registers the worker in `demo setup`; on a development chain the worker answers direct
# requests as her (`--account` names another). It waits for the node's RPC.
for attempt in $(seq 60); do [ -f "$dir/node-secret" ] && break; sleep 0.5; done
"$bin/verity-worker" --node-rpc http://127.0.0.1:9944 --secret-file "$dir/node-secret" \
	--data-dir "$dir/worker" --output-store http://127.0.0.1:9955 &
worker=$!
# The demo chat model (SmolLM2-135M-Instruct), where scripts/fetch-models.sh can get it.
chat_args=()
if gguf=$(scripts/fetch-models.sh smollm2 2>/dev/null | sed -n 's/^smollm2 //p') && [ -n "$gguf" ]; then
	chat_args=(--chat-model "$gguf")
fi
for attempt in $(seq 60); do
	if "$bin/verity" --suri //Alice demo setup --write-input demo-input.json "${chat_args[@]}" 2>/tmp/verity-demo.err; then
		break
	fi
	for pid in $node $worker; do
		if ! kill -0 "$pid" 2>/dev/null; then
			echo "the node or its worker stopped" >&2
			exit 1
		fi
	done
	[ "$attempt" = 60 ] && { cat /tmp/verity-demo.err >&2; exit 1; }
	sleep 1
done
echo "Dev chain running. In another shell, run an inference (prints the output and its verified receipt):"
echo "  $bin/verity --suri //Bob infer 0@1.0 --input demo-input.json"
echo "or a ZKML one (answered at once, paid when the chain has verified its Groth16 proof):"
echo "  $bin/verity --suri //Bob infer 0@1.1 --mode zkml --input demo-zk-input.json"
if [ ${#chat_args[@]} -gt 0 ]; then
	echo "or ask the demo chat model (streamed, then verified on chain, paid per token):"
	echo "  $bin/verity --suri //Bob chat 1@1.0 \"What is the capital of France?\""
else
	echo "(no demo chat model: scripts/fetch-models.sh smollm2 failed)"
fi
wait "$node"
