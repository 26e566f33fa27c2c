#!/bin/sh
# The sgemm kernel against the FMA peak: a model of one MatMul
# y = A[M,K] B[K,N] (B a constant, so packed at compile time), timed by
# dlc-run --bench, single thread; GFLOP/s = 2 M N K / latency, beside
# bench/peak.c's measured peak. The machine is shared, so both take their
# best: the fastest of 100 runs, the highest of 5 peak probes (medians
# mix in time slices lost to other processes, differently for each), the
# two alternating in 5 rounds (20 runs, one probe) so that both see the
# same spells of contention (one after the other, they read 78-85%).
#
#   bench/sgemm.sh [BUILD] [SIZE] [extra dlc-run args, e.g. --cpu=x86-64-v3]
#
# BUILD defaults to build, SIZE to 1024 (M = N = K). Needs python with
# onnx and numpy (PY, default the test venv).
set -e
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
size=${2:-1024}
[ $# -gt 0 ] && shift
[ $# -gt 0 ] && shift
PY=${PY:-/root/.cache/dlc/venv-test/bin/python}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$PY" - "$tmp/mm" "$size" <<'EOF'
import os, sys
import numpy as np
import onnx
from onnx import helper, numpy_helper, TensorProto
d, n = sys.argv[1], int(sys.argv[2])
rng = np.random.default_rng(0)
a = rng.standard_normal((n, n), dtype=np.float32)
b = rng.standard_normal((n, n), dtype=np.float32) / np.float32(np.sqrt(n))
g = helper.make_graph([helper.make_node("MatMul", ["a", "b"], ["y"])], "sgemm",
                      [helper.make_tensor_value_info("a", TensorProto.FLOAT, [n, n])],
                      [helper.make_tensor_value_info("y", TensorProto.FLOAT, [n, n])],
                      [numpy_helper.from_array(b, "b")])
m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])
os.makedirs(os.path.join(d, "test_data_set_0"))
onnx.save(m, os.path.join(d, "model.onnx"))
y = (a.astype(np.float64) @ b.astype(np.float64)).astype(np.float32)
for name, t in (("input_0", numpy_helper.from_array(a, "a")), ("output_0", numpy_helper.from_array(y, "y"))):
    with open(os.path.join(d, "test_data_set_0", name + ".pb"), "wb") as f:
        f.write(t.SerializeToString())
EOF

cc -O2 -march=native "$root/bench/peak.c" -o "$tmp/peak"
out=$("$build/bin/dlc-run" "$tmp/mm" --keep "$@" 2>&1)
echo "$out" | grep -E '^(PASS|FAIL)'
run=$(echo "$out" | sed -n 's/.*build directory kept: //p')
trap 'rm -rf "$tmp" "$run"' EXIT
w=$run/model.weights.bin
[ -f "$w" ] || w=none
: >"$tmp/ms"
: >"$tmp/peaks"
for round in 1 2 3 4 5; do
	"$tmp/peak" | sed -n 's/.*avx512[^0-9]*\([0-9.]*\).*/\1/p' >>"$tmp/peaks"
	(cd "$run" && ./run test_data_set_0 "$w" 20) 2>&1 |
		sed -n 's/.*latency_ms .* min=\([0-9.e+-]*\).*/\1/p' >>"$tmp/ms"
done
ms=$(sort -g "$tmp/ms" | head -1)
peak=$(sort -g "$tmp/peaks" | tail -1)
"$PY" -c "
n, ms, peak = $size, $ms, float('${peak:-0}' or 0)
gf = 2 * n ** 3 / (ms * 1e-3) / 1e9
print(f'sgemm {n}x{n}x{n}: {ms:.3f} ms, {gf:.1f} GFLOP/s' + (f', {100 * gf / peak:.0f}% of the AVX-512 FMA peak ({peak:.1f} GFLOP/s)' if peak else ''))
"
