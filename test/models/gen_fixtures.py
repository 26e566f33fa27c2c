#!/usr/bin/env python3
"""Generate the ONNX test fixtures under test/fixtures/onnx/<name>/.

Each fixture uses the ONNX backend-test layout:
    model.onnx
    test_data_set_0/input_0.pb    (TensorProto, named like the graph input)
    test_data_set_0/output_0.pb   (TensorProto, named like the graph output)

Models have fixed-seed random weights (eval mode), static shapes, and are
exported with the TorchScript exporter (dynamo=False), so graphs contain plain
ops: Conv, Relu, MaxPool, Flatten, Gemm, Softmax. Reference outputs come from
ONNX Runtime (CPU, 1 thread) on the exported file, cross-checked against torch.

Run from the repo root:  PY=$(tools/venv.sh fixtures); $PY test/models/gen_fixtures.py [name...]

Reruns with the same pinned versions give byte-identical files (checked with
torch 2.8.0 / onnxruntime 1.32.0); other versions may change bytes or names.
"""
import os
import sys
import warnings

import numpy as np
import onnx
import onnxruntime as ort
import torch
from onnx import numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fmnist import cnn, mlp  # noqa: E402

# The legacy exporter is chosen on purpose (plain ops, readable node names).
warnings.filterwarnings("ignore", message="You are using the legacy TorchScript")

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "test", "fixtures", "onnx")
OPSET = 17
TOL = 1e-4

# name -> (model builder, input shape, input distribution)
MODELS = {
    "mlp_b1": (lambda: mlp([784, 256, 128, 64, 10]), (1, 784), "normal"),
    "mlp_b64": (lambda: mlp([784, 256, 128, 64, 10]), (64, 784), "normal"),
    "mlp_small": (lambda: mlp([100, 64, 64, 10]), (1, 100), "normal"),
    "cnn_b1": (lambda: cnn(), (1, 1, 28, 28), "uniform"),
    "cnn_b64": (lambda: cnn(), (64, 1, 28, 28), "uniform"),
    "cnn3_b1": (lambda: cnn(third_conv=True), (1, 1, 28, 28), "uniform"),
}


def reinit(model):
    """He-normal weights and small uniform biases. PyTorch's default init shrinks
    activations layer by layer, so the softmax outputs would all be ~0.1 and a
    broken kernel could hide inside the test tolerance; this keeps logits O(1)."""
    for mod in model.modules():
        if isinstance(mod, (torch.nn.Linear, torch.nn.Conv2d)):
            torch.nn.init.kaiming_normal_(mod.weight, nonlinearity="relu")
            torch.nn.init.uniform_(mod.bias, -0.1, 0.1)
    return model


def ort_session(path):
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1  # deterministic reductions -> stable output_0.pb
    so.inter_op_num_threads = 1
    return ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])


def write_tensor(path, array, name):
    with open(path, "wb") as f:
        f.write(numpy_helper.from_array(array, name).SerializeToString())


def gen(name):
    build, shape, dist = MODELS[name]
    torch.manual_seed(0)  # same seed per model: b1/b64 variants share weights
    model = reinit(build()).eval()
    rng = np.random.default_rng(1)
    x = (rng.random(shape) if dist == "uniform" else rng.standard_normal(shape)).astype(np.float32)

    d = os.path.join(OUT, name)
    os.makedirs(os.path.join(d, "test_data_set_0"), exist_ok=True)
    path = os.path.join(d, "model.onnx")
    with torch.no_grad():
        torch.onnx.export(model, (torch.from_numpy(x),), path, dynamo=False,
                          opset_version=OPSET, input_names=["input"],
                          output_names=["output"], do_constant_folding=True)
        want = model(torch.from_numpy(x)).numpy()

    m = onnx.load(path)
    onnx.checker.check_model(m, full_check=True)
    in_name, out_name = m.graph.input[0].name, m.graph.output[0].name
    assert len(m.graph.input) == 1, "initializers leaked into graph inputs"

    (got,) = ort_session(path).run(None, {in_name: x})
    diff = float(np.max(np.abs(got - want)))
    write_tensor(os.path.join(d, "test_data_set_0", "input_0.pb"), x, in_name)
    write_tensor(os.path.join(d, "test_data_set_0", "output_0.pb"), got, out_name)

    size = sum(os.path.getsize(os.path.join(r, f)) for r, _, fs in os.walk(d) for f in fs)
    ops = sorted({n.op_type for n in m.graph.node})
    print(f"{name:10s} in {list(x.shape)} out {list(got.shape)} "
          f"ort-vs-torch max|diff| {diff:.3g}  {size / 1024:.0f} KiB  ops {ops}")
    if diff > TOL:
        sys.exit(f"{name}: ORT and torch disagree by {diff} > {TOL}")


def main():
    names = sys.argv[1:] or list(MODELS)
    torch.set_num_threads(1)
    for n in names:
        if n not in MODELS:
            sys.exit(f"unknown model {n}; known: {' '.join(MODELS)}")
        gen(n)


if __name__ == "__main__":
    main()
