#!/usr/bin/env python3
"""dlc against ONNX Runtime: latency of every fixture and zoo model.

    PY=/root/.cache/dlc/venv-test/bin/python     # onnx, onnxruntime, numpy
    $PY bench/compare.py --build b [--threads 1] [--rounds 5] [--seconds 1] [--dlc-arg=--cpu=generic] [NAME...]

For each model (test/fixtures/onnx/*, then the zoo in ~/.cache/dlc/zoo):
  1. dlc-run DIR --keep compiles it (dlc, then cc -O2 -march=native) and
     checks its outputs against the reference; the harness it built is kept;
  2. ONNX Runtime loads the same model.onnx on as many threads as dlc gets
     (--threads N: dlc --threads=N run with DLC_NUM_THREADS=N; ORT
     intra_op_num_threads=N, inter_op_num_threads=1, sequential execution,
     ORT_ENABLE_ALL graph optimizations) with the same inputs
     (test_data_set_0);
  3. rounds alternate the two (dlc first in even rounds, ORT first in odd
     ones); each round times the same number of runs of each after a
     warm-up, and keeps its median; the table reports the median of the
     rounds' medians.

Prints a markdown table: model, dlc ms, ORT ms, the ratio dlc/ORT (< 1: dlc
is faster), the GFLOP/s dlc reaches (2*MACs of conv, conv_transpose, gemm and
matmul, from the ONNX graph's inferred shapes), and the geometric mean of the
ratios. docs/perf.md holds the latest table and this command.
"""
import argparse
import glob
import math
import os
import re
import shutil
import statistics
import subprocess
import sys
import time

import numpy as np
import onnx
import onnxruntime as ort
from onnx import numpy_helper, shape_inference

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def models(names):
    found = []
    for d in sorted(glob.glob(os.path.join(ROOT, "test", "fixtures", "onnx", "*"))):
        found.append((os.path.basename(d), d))
    zoo = os.path.join(os.environ.get("DLC_CACHE_DIR") or os.path.expanduser("~/.cache/dlc"), "zoo")
    for d in sorted(glob.glob(os.path.join(zoo, "*"))):
        if os.path.exists(os.path.join(d, "model.onnx")):
            found.append(("zoo/" + os.path.basename(d), d))
    if names:
        found = [m for m in found if m[0] in names or os.path.basename(m[0]) in names]
    return found


# ---- FLOPs of the matrix products in the graph ----

def shapes_of(m):
    m = shape_inference.infer_shapes(m)
    s = {}
    for v in list(m.graph.value_info) + list(m.graph.input) + list(m.graph.output):
        t = v.type.tensor_type
        if t.HasField("shape"):
            s[v.name] = [d.dim_value if d.HasField("dim_value") else None for d in t.shape.dim]
    for i in m.graph.initializer:
        s[i.name] = list(i.dims)
    return m, s


def attr(node, name, default):
    for a in node.attribute:
        if a.name == name:
            return onnx.helper.get_attribute_value(a)
    return default


def flops(path):
    """2 * multiply-adds of Conv, ConvTranspose, Gemm, MatMul (None: unknown shapes)."""
    m, s = shapes_of(onnx.load(path))
    total = 0
    for n in m.graph.node:
        try:
            if n.op_type == "Conv":
                y, w = s[n.output[0]], s[n.input[1]]
                total += 2 * math.prod(y) * math.prod(w[1:])
            elif n.op_type == "ConvTranspose":
                x, w = s[n.input[0]], s[n.input[1]]
                total += 2 * math.prod(x) * math.prod(w[1:])
            elif n.op_type == "Gemm":
                a, y = s[n.input[0]], s[n.output[0]]
                k = a[0] if attr(n, "transA", 0) else a[1]
                total += 2 * math.prod(y) * k
            elif n.op_type == "MatMul":
                a, y = s[n.input[0]], s[n.output[0]]
                total += 2 * math.prod(y) * a[-1]
        except (KeyError, TypeError):
            return None
    return total


# ---- timing ----

def dlc_build(build, d, extra):
    """Compiles and checks the model; returns (harness command, build dir)."""
    p = subprocess.run([os.path.join(build, "bin", "dlc-run"), d, "--keep"] + extra,
                       capture_output=True, text=True)
    kept = re.search(r"build directory kept: (\S+)", p.stderr)
    tmp = kept.group(1) if kept else None
    if p.returncode != 0 or "FAIL" in p.stdout:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)
        raise RuntimeError(f"dlc-run failed on {d}:\n{p.stdout}{p.stderr}")
    work = os.path.join(tmp, "test_data_set_0")
    return [os.path.join(tmp, "run"), work, os.path.join(tmp, "model.weights.bin")], tmp


def dlc_time(cmd, runs, threads):
    env = dict(os.environ, DLC_NUM_THREADS=str(threads))
    p = subprocess.run(cmd + [str(runs)], capture_output=True, text=True, check=True, env=env)
    return float(re.search(r"median=([0-9.]+)", p.stdout).group(1))


def ort_session(d, threads):
    so = ort.SessionOptions()
    so.intra_op_num_threads = threads
    so.inter_op_num_threads = 1
    so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    sess = ort.InferenceSession(os.path.join(d, "model.onnx"), so, providers=["CPUExecutionProvider"])
    feeds = {}
    names = [i.name for i in sess.get_inputs()]
    for k, f in enumerate(sorted(glob.glob(os.path.join(d, "test_data_set_0", "input_*.pb")),
                                 key=lambda p: int(re.search(r"_(\d+)\.pb", p).group(1)))):
        t = onnx.TensorProto()
        with open(f, "rb") as fh:
            t.ParseFromString(fh.read())
        feeds[t.name if t.name in names else names[k]] = numpy_helper.to_array(t)
    return sess, feeds


def ort_time(sess, feeds, runs):
    sess.run(None, feeds)  # warm-up
    t = []
    for _ in range(runs):
        t0 = time.perf_counter()
        sess.run(None, feeds)
        t.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(t)


def measure(build, name, d, args):
    cmd, tmp = dlc_build(build, d, args.dlc_arg + [f"--threads={args.threads}"])
    t = args.threads
    try:
        sess, feeds = ort_session(d, t)
        # runs per round: about args.seconds of the slower one, at least 5
        est = max(dlc_time(cmd, 1, t), ort_time(sess, feeds, 1), 1e-3)
        runs = max(5, min(2000, int(args.seconds * 1e3 / est)))
        dlc_ms, ort_ms = [], []
        for r in range(args.rounds):
            if r % 2 == 0:
                dlc_ms.append(dlc_time(cmd, runs, t))
                ort_ms.append(ort_time(sess, feeds, runs))
            else:
                ort_ms.append(ort_time(sess, feeds, runs))
                dlc_ms.append(dlc_time(cmd, runs, t))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return statistics.median(dlc_ms), statistics.median(ort_ms), runs, dlc_ms, ort_ms


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("names", nargs="*", help="models to run (default: all)")
    ap.add_argument("--build", default="build", help="dlc build directory")
    ap.add_argument("--rounds", type=int, default=5, help="alternating rounds (median kept)")
    ap.add_argument("--seconds", type=float, default=1.0, help="about this long per round and side")
    ap.add_argument("--dlc-arg", action="append", default=[], help="extra dlc-run option")
    ap.add_argument("--threads", type=int, default=1,
                    help="threads on both sides: dlc --threads=N with DLC_NUM_THREADS=N, "
                         "ORT intra_op_num_threads=N (default 1)")
    ap.add_argument("-v", "--verbose", action="store_true", help="print every round's medians")
    args = ap.parse_args()
    if args.rounds < 3:
        ap.error("--rounds must be at least 3")
    build = os.path.abspath(args.build)
    print(f"onnxruntime {ort.__version__}, {args.threads} thread(s) each; dlc-run {' '.join(args.dlc_arg) or '(defaults)'}; "
          f"{args.rounds} alternating rounds, median of round medians\n")
    print("| model | dlc ms | ORT ms | dlc/ORT | dlc GFLOP/s | ORT GFLOP/s |")
    print("|---|---:|---:|---:|---:|---:|")
    ratios = []
    for name, d in models(args.names):
        try:
            dms, oms, runs, dl, ol = measure(build, name, d, args)
        except RuntimeError as e:
            print(f"| {name} | error | | | | |")
            print(e, file=sys.stderr)
            continue
        f = flops(os.path.join(d, "model.onnx"))
        gf = lambda ms: f"{f / ms / 1e6:.1f}" if f else "?"
        ratios.append(dms / oms)
        print(f"| {name} | {dms:.3f} | {oms:.3f} | {dms / oms:.2f} | {gf(dms)} | {gf(oms)} |", flush=True)
        if args.verbose:
            print(f"<!-- {name}: {runs} runs/round; dlc {dl}; ort {ol} -->", flush=True)
    if ratios:
        geo = math.exp(sum(math.log(r) for r in ratios) / len(ratios))
        print(f"| **geomean** | | | **{geo:.2f}** | | |")


if __name__ == "__main__":
    main()
