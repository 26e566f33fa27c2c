#!/usr/bin/env python3
"""Write the TensorFlow CNN fixture's model as an NCHW ONNX model with the
same weights, for comparing the code dlc makes of the two layouts
(docs/tf.md, "NHWC vs NCHW latency"):

    PY=$(tools/venv.sh tf); $PY test/models/tf_cnn_nchw.py /tmp/cnn_nchw
    build/bin/dlc-run /tmp/cnn_nchw --bench=500
    build/bin/dlc-run test/fixtures/tf/cnn --bench=500

Conv weights are transposed HWIO -> OIHW, the first Dense weight's rows are
reordered from NHWC (h, w, c) to NCHW (c, h, w) flatten order, and the Dense
layers become Gemm with transB = 1 (as torch exports them). The input is the
fixture's, transposed to NCHW; the expected output is the fixture's.
"""
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import onnx  # noqa: E402
from onnx import TensorProto as T  # noqa: E402
from onnx import helper as h  # noqa: E402
from onnx import numpy_helper as nh  # noqa: E402
from tensorflow.core.framework import graph_pb2  # noqa: E402
from tensorflow.python.framework import tensor_util  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIXTURE = os.path.join(ROOT, "test", "fixtures", "tf", "cnn")


def main():
    if len(sys.argv) != 2:
        sys.exit(f"usage: {sys.argv[0]} OUT_DIR")
    out = sys.argv[1]
    gd = graph_pb2.GraphDef()
    with open(os.path.join(FIXTURE, "model.pb"), "rb") as f:
        gd.ParseFromString(f.read())
    c = {n.name: tensor_util.MakeNdarray(n.attr["value"].tensor) for n in gd.node if n.op == "Const"}

    def const(layer, what):
        return c[f"sequential_1/{layer}/{what}/ReadVariableOp/resource"].astype(np.float32)

    w1 = const("conv2d_1", "convolution").transpose(3, 2, 0, 1)
    b1 = const("conv2d_1", "Reshape")
    w2 = const("conv2d_1_2", "convolution").transpose(3, 2, 0, 1)
    b2 = const("conv2d_1_2", "Reshape")
    d1 = const("dense_1", "Cast")           # [1600, 64], rows in (h, w, c) order
    d1b = const("dense_1", "BiasAdd")
    d2 = const("dense_1_2", "Cast")
    d2b = const("dense_1_2", "BiasAdd")
    d1 = d1.reshape(5, 5, 64, 64).transpose(2, 0, 1, 3).reshape(1600, 64)
    inits = [nh.from_array(np.ascontiguousarray(a), n) for a, n in
             [(w1, "w1"), (b1, "b1"), (w2, "w2"), (b2, "b2"), (d1.T, "d1"), (d1b, "d1b"), (d2.T, "d2"), (d2b, "d2b")]]
    nodes = [
        h.make_node("Conv", ["x", "w1", "b1"], ["c1"], kernel_shape=[3, 3]), h.make_node("Relu", ["c1"], ["r1"]),
        h.make_node("MaxPool", ["r1"], ["p1"], kernel_shape=[2, 2], strides=[2, 2]),
        h.make_node("Conv", ["p1", "w2", "b2"], ["c2"], kernel_shape=[3, 3]), h.make_node("Relu", ["c2"], ["r2"]),
        h.make_node("MaxPool", ["r2"], ["p2"], kernel_shape=[2, 2], strides=[2, 2]),
        h.make_node("Flatten", ["p2"], ["f"]),
        h.make_node("Gemm", ["f", "d1", "d1b"], ["g1"], transB=1), h.make_node("Relu", ["g1"], ["r3"]),
        h.make_node("Gemm", ["r3", "d2", "d2b"], ["g2"], transB=1), h.make_node("Softmax", ["g2"], ["y"], axis=1)]
    g = h.make_graph(nodes, "cnn_nchw", [h.make_tensor_value_info("x", T.FLOAT, [1, 1, 28, 28])],
                     [h.make_tensor_value_info("y", T.FLOAT, [1, 10])], inits)
    m = h.make_model(g, opset_imports=[h.make_opsetid("", 17)], ir_version=8)
    onnx.checker.check_model(m)
    os.makedirs(os.path.join(out, "test_data_set_0"), exist_ok=True)
    onnx.save(m, os.path.join(out, "model.onnx"))
    data = os.path.join(FIXTURE, "test_data_set_0")
    x = nh.to_array(onnx.load_tensor(os.path.join(data, "input_0.pb"))).transpose(0, 3, 1, 2)
    y = nh.to_array(onnx.load_tensor(os.path.join(data, "output_0.pb")))
    for name, arr, tname in (("input_0.pb", x, "x"), ("output_0.pb", y, "y")):
        with open(os.path.join(out, "test_data_set_0", name), "wb") as f:
            f.write(nh.from_array(np.ascontiguousarray(arr), tname).SerializeToString())
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
