#!/usr/bin/env python3
"""Writes the ONNX backend node tests, in the official layout, into a cache.

    PY=$(tools/venv.sh test); $PY test/conformance/generate.py [--out DIR] [--force]

The onnx wheel ships the node test case definitions but not their data
(onnx/backend/test/data/node), so this writes them the way onnx's
cmd_tools.generate_data does: for every case <DIR>/<test name>/model.onnx and
test_data_set_<i>/input_<j>.pb, output_<j>.pb. Beside them, test.json holds
what the official runner needs and dlc's report uses: the tolerances
(np.testing.assert_allclose(rtol, atol)), the op the test is attributed to,
and the op types of the model's nodes.

DIR defaults to ${DLC_CACHE_DIR:-$HOME/.cache/dlc}/onnx-node-tests-<onnx
version>. A stamp file (DIR/.complete) records the onnx version and this
script's hash; when it matches, nothing is written. The directory is built
beside DIR and renamed into place, so an interrupted run leaves no half
written cache. The last stdout line is DIR.
"""
import argparse
import hashlib
import json
import os
import re
import shutil
import sys
import tempfile
import warnings

import onnx
import onnx.defs
from onnx import TensorProto, numpy_helper

# Test name prefixes (after "test_" and a domain prefix such as "ai_onnx_ml_")
# that are not an op's snake_case or lower-case name.
ALIASES = {
    "basic_conv": "Conv",
    "basic_deform_conv": "DeformConv",
    "batchnorm": "BatchNormalization",
    "constant_pad": "Pad",
    "edge_pad": "Pad",
    "greater_equal": "GreaterOrEqual",
    "instancenorm": "InstanceNormalization",
    "l1normalization": "LpNormalization",
    "l2normalization": "LpNormalization",
    "less_equal": "LessOrEqual",
    "mvn": "MeanVarianceNormalization",
    "nesterov_momentum": "Momentum",
    "nllloss": "NegativeLogLikelihoodLoss",
    "reflect_pad": "Pad",
    "sce": "SoftmaxCrossEntropyLoss",
    "simple_rnn": "RNN",
    "strnormalizer": "StringNormalizer",
    "training_dropout": "Dropout",
    "tril": "Trilu",
    "triu": "Trilu",
    "wrap_pad": "Pad",
}
DOMAIN_PREFIXES = ("ai_onnx_ml_", "ai_onnx_preview_training_", "ai_onnx_preview_")


def snake(name):
    s = re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name)
    s = re.sub(r"(?<=[A-Z])([A-Z][a-z])", r"_\1", s)
    return s.lower()


def op_keys():
    """Name prefix -> op, for every op onnx defines and the aliases."""
    keys = {}
    for schema in onnx.defs.get_all_schemas_with_history():
        for key in (snake(schema.name), schema.name.lower()):
            keys[key] = schema.name
    keys.update(ALIASES)
    return keys


def attribute(test_name, node_ops, keys):
    """The op a test exercises: the op whose name is the longest prefix of the
    test name, ending the name or followed by '_' or a digit (test_and2d);
    without one, the model's first node's op."""
    name = test_name[len("test_"):] if test_name.startswith("test_") else test_name
    for prefix in DOMAIN_PREFIXES:
        if name.startswith(prefix):
            name = name[len(prefix):]
            break
    best = None
    for key in keys:
        if name.startswith(key) and (len(name) == len(key) or name[len(key)] == "_"
                                     or name[len(key)].isdigit()):
            if best is None or len(key) > len(best):
                best = key
    if best is not None:
        return keys[best]
    return node_ops[0] if node_ops else "?"


def serialize(value, vinfo):
    """A data set value as the official generator writes it."""
    t = vinfo.type
    if t.HasField("map_type"):
        return numpy_helper.from_dict(value, vinfo.name)
    if t.HasField("sequence_type"):
        return numpy_helper.from_list(value, vinfo.name)
    if t.HasField("optional_type"):
        return numpy_helper.from_optional(value, vinfo.name)
    if isinstance(value, TensorProto):
        return value
    return numpy_helper.from_array(value, vinfo.name)


def write_case(case, outdir, keys):
    os.makedirs(outdir)
    graph = case.model.graph
    with open(os.path.join(outdir, "model.onnx"), "wb") as f:
        f.write(case.model.SerializeToString())
    for i, (inputs, outputs) in enumerate(case.data_sets):
        setdir = os.path.join(outdir, f"test_data_set_{i}")
        os.makedirs(setdir)
        for kind, values, infos in (("input", inputs, graph.input), ("output", outputs, graph.output)):
            for j, value in enumerate(values):
                with open(os.path.join(setdir, f"{kind}_{j}.pb"), "wb") as f:
                    f.write(serialize(value, infos[j]).SerializeToString())
    node_ops = [n.op_type for n in graph.node]
    meta = {
        "name": case.name,
        "op": attribute(case.name, node_ops, keys),
        "node_ops": node_ops,
        "rtol": float(case.rtol),
        "atol": float(case.atol),
        "opset": {o.domain or "ai.onnx": o.version for o in case.model.opset_import},
    }
    with open(os.path.join(outdir, "test.json"), "w") as f:
        json.dump(meta, f, indent=1, sort_keys=True)
        f.write("\n")
    return meta


def default_dir():
    cache = os.environ.get("DLC_CACHE_DIR") or os.path.join(os.path.expanduser("~"), ".cache", "dlc")
    return os.path.join(cache, f"onnx-node-tests-{onnx.__version__}")


def stamp_text():
    with open(os.path.abspath(__file__), "rb") as f:
        script = hashlib.sha256(f.read()).hexdigest()
    return f"onnx {onnx.__version__}\ngenerate.py {script}\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=default_dir(), help="cache directory (default: %(default)s)")
    ap.add_argument("--force", action="store_true", help="regenerate even if the stamp matches")
    args = ap.parse_args()
    out = os.path.abspath(args.out)
    stamp = os.path.join(out, ".complete")
    want = stamp_text()
    if not args.force and os.path.exists(stamp):
        with open(stamp) as f:
            if f.read() == want:
                print(out)
                return 0

    from onnx.backend.test.case import node as node_test

    print(f"generate.py: writing the onnx {onnx.__version__} node tests into {out}", file=sys.stderr)
    with warnings.catch_warnings():  # the case generators overflow casts on purpose
        warnings.simplefilter("ignore")
        cases = node_test.collect_testcases()
    keys = op_keys()
    parent = os.path.dirname(out)
    os.makedirs(parent, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=os.path.basename(out) + ".tmp-", dir=parent)
    try:
        index = {}
        for case in cases:
            if case.kind != "node" or case.model is None:
                continue
            if case.name in index:
                raise SystemExit(f"generate.py: duplicate test name {case.name}")
            meta = write_case(case, os.path.join(tmp, case.name), keys)
            index[case.name] = meta["op"]
        with open(os.path.join(tmp, "index.json"), "w") as f:
            json.dump({"onnx": onnx.__version__, "tests": index}, f, indent=1, sort_keys=True)
            f.write("\n")
        with open(os.path.join(tmp, ".complete"), "w") as f:
            f.write(want)
        if os.path.exists(out):
            old = tempfile.mkdtemp(prefix=os.path.basename(out) + ".old-", dir=parent)
            os.rename(out, os.path.join(old, "x"))
            shutil.rmtree(old)
        os.rename(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    print(f"generate.py: {len(index)} tests", file=sys.stderr)
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
