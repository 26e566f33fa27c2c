#!/bin/bash
# What each -O level does to the fixtures and the model zoo: nodes as
# imported (-O0), nodes after simplification (-O1), kernels in the generated
# C at -O1 and -O2 (fusion), and the arena at -O2: planned, the naive sum of
# all buffers, and the liveness lower bound. Prints a markdown table
# (docs/optimizer.md holds the last one).
#
#   bench/optimizer.sh [BUILD]     BUILD: the build directory (default build)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
dlc=$build/bin/dlc
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

models=()
for f in test/fixtures/onnx/*/model.onnx; do
	models+=("$f")
done
zoo=${DLC_ZOO_DIR:-$HOME/.cache/dlc/zoo}
for f in "$zoo"/*/model.onnx; do
	[ -f "$f" ] && models+=("$f")
done

nodes() { # model level: nodes (constants are not nodes)
	"$dlc" "$1" "$2" --emit=ir "${@:3}" | grep -cE '^  %.* = [a-z_0-9]+\(' || true
}
kernels() { # model level: kernel functions in the generated C
	"$dlc" "$1" "$2" -o "$tmp/m.c" "${@:3}" >/dev/null
	sed -n 's/.*: \([0-9]*\) kernels,.*/\1/p' "$tmp/m.c" | head -1
}
echo "| model | nodes -O0 | nodes -O1 | kernels -O1 | kernels -O2 | arena -O1 | arena -O2 | naive -O2 | lower bound | planned / lower |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for m in "${models[@]}"; do
	name=$(basename "$(dirname "$m")")
	case $m in "$zoo"/*) name="zoo/$name" ;; esac
	n0=$(nodes "$m" -O0)
	n1=$(nodes "$m" -O1)
	k1=$(kernels "$m" -O1)
	k2=$(kernels "$m" -O2)
	a1=$("$dlc" "$m" -O1 -v -o "$tmp/m.c" 2>&1 | sed -n 's/.*planned \([0-9]*\) bytes.*/\1/p')
	read -r a2 naive lower < <("$dlc" "$m" -O2 -v -o "$tmp/m.c" 2>&1 |
		sed -n 's/.*planned \([0-9]*\) bytes, naive \([0-9]*\), lower bound \([0-9]*\).*/\1 \2 \3/p')
	ratio=$(awk -v a="$a2" -v b="$lower" 'BEGIN { printf "%.3f", b ? a / b : 1 }')
	echo "| $name | $n0 | $n1 | $k1 | $k2 | $a1 | $a2 | $naive | $lower | $ratio |"
done
