#!/usr/bin/env bash
# Builds the runtime's WASM reproducibly and prints its BLAKE2b-256 hash: the `code_hash` that
# a runtime-upgrade referendum's `system.authorize_upgrade` must carry. Two builds of the same
# commit give the same hash on any machine and from any checkout path, because the build
# happens at a fixed path ($build, not the checkout's), with the pinned toolchain, from the
# committed lockfile, and with the cargo home's paths mapped to a fixed name
# (runtime/wasm-flags.rs).
#
# Usage: scripts/build-runtime.sh [--features a,b] [--out FILE]
#   --features  runtime features (none for a live chain; `fast-runtime` for test networks;
#               `fast-runtime,spec-version-bump` for the runtime-upgrade test)
#   --out       also copy the compressed WASM (the on-chain code) to FILE
# Prints `blake2b-256: 0x...` (and the file) on stdout; progress goes to stderr.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
# Pinned: a voter compares hashes only from the same compiler.
toolchain="1.95.0"
build="/tmp/verity-runtime-build"
features=""
out=""
while [ $# -gt 0 ]; do
	case "$1" in
		--features) features="$2"; shift 2 ;;
		--out) out="$2"; shift 2 ;;
		*) echo "usage: $0 [--features a,b] [--out FILE]" >&2; exit 2 ;;
	esac
done
rustc_version="$(rustc --version | awk '{print $2}')"
if [ "$rustc_version" != "$toolchain" ]; then
	echo "build-runtime: rustc $rustc_version, but reproducible builds use $toolchain" >&2
	exit 1
fi
rustup target list --installed 2>/dev/null | grep -qx wasm32v1-none || {
	echo "build-runtime: the wasm32v1-none target is missing (scripts/setup.sh adds it)" >&2
	exit 1
}

# One build at a time in the fixed directory, which must be ours (in a shared /tmp, another
# user's directory could swap the sources or the output between the copy and the hash).
mkdir -p -m 700 "$build"
if [ -L "$build" ] || [ ! -O "$build" ]; then
	echo "build-runtime: $build is not a directory of this user's" >&2
	exit 1
fi
chmod 700 "$build"
exec 9>"$build/lock"
flock 9

# The sources git knows (committed or not, never ignored files), copied to the fixed path
# with their times, so that an unchanged crate is not compiled again.
rm -rf "$build/src"
mkdir "$build/src"
(cd "$repo" && git ls-files -z --cached --others --exclude-standard) |
	(cd "$repo" && tar --null -T - -cf -) | tar -C "$build/src" -xf -

# `verity-runtime-wasm` (runtime/wasm) is the runtime's WASM alone: natively it compiles only
# its build script, which builds the WASM in release. Nothing from the caller's environment
# reaches the compiler.
echo "build-runtime: building in $build (features: ${features:-none})" >&2
(
	cd "$build/src"
	env -u RUSTFLAGS -u CARGO_ENCODED_RUSTFLAGS -u CARGO_BUILD_RUSTFLAGS -u WASM_BUILD_RUSTFLAGS \
		-u SKIP_WASM_BUILD -u WASM_TARGET_DIRECTORY -u WASM_BUILD_TYPE \
		CARGO_TARGET_DIR="$build/target" CARGO_TERM_COLOR=never \
		cargo build --release --locked -p verity-runtime-wasm --features "build-wasm${features:+,$features}" >&2
)
wasm="$build/target/release/wbuild/verity-runtime-wasm/verity_runtime_wasm.compact.compressed.wasm"
[ -f "$wasm" ] || { echo "build-runtime: no WASM at $wasm" >&2; exit 1; }
if [ -n "$out" ]; then
	cp "$wasm" "$out"
	echo "runtime: $out"
else
	echo "runtime: $wasm"
fi
echo "blake2b-256: 0x$(b2sum -l 256 "$wasm" | cut -d' ' -f1)"
