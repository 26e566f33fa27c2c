"""Writes the bad-input corpus of test/robustness/Inputs (deterministic).

Raw protobuf damage is written byte by byte (standard library only); the
models that must compile (zero-size tensors, NaN/Inf constants) are built
with onnx and their reference outputs with numpy:
    PY=$(tools/venv.sh test); $PY test/robustness/make_inputs.py
"""
import os
import sys

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "Inputs")


def varint(n):
    out = b""
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out += bytes([b | 0x80])
        else:
            return out + bytes([b])


def key(field, wire):
    return varint(field << 3 | wire)


def ld(field, payload):
    return key(field, 2) + varint(len(payload)) + payload


def write(name, data):
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(data)


def raw_cases():
    ir8 = key(1, 0) + varint(8)
    opset = ld(8, ld(1, b"") + key(2, 0) + varint(17))
    # the graph field (7) sent as a varint instead of a message
    write("wire-type.onnx", ir8 + opset + key(7, 0) + varint(5))
    # wire type 7 does not exist
    write("wire-type-invalid.onnx", ir8 + opset + key(7, 7) + b"\x00")
    # a length prefix past the end of the file
    write("length-past-end.onnx", ir8 + opset + key(7, 2) + varint(1 << 20) + b"\x0a\x00")
    # a length prefix past the end of its enclosing message
    node = ld(4, b"Relu") + key(1, 2) + varint(200) + b"x"
    write("length-past-parent.onnx", ir8 + opset + ld(7, ld(1, node)))
    # a varint of 11 bytes
    write("varint-overflow.onnx", key(1, 0) + b"\xff" * 10 + b"\x01")
    # graphs nested in attributes 100 deep (protobuf-c would recurse)
    g = b""
    for _ in range(100):
        g = ld(1, ld(4, b"If") + ld(5, ld(1, b"then_branch") + ld(6, g)))
    write("deep-nesting.onnx", ir8 + opset + ld(7, g))
    # a tensor whose element count overflows 64-bit byte sizes
    dims = b"".join(key(1, 0) + varint(1 << 40) for _ in range(3))
    tensor = dims + key(2, 0) + varint(1) + ld(8, b"w")
    write("numel-overflow.onnx", ir8 + opset + ld(7, ld(5, tensor)))


def model_cases():
    import numpy as np
    import onnx
    from onnx import helper as h, numpy_helper, TensorProto

    def save_run(name, model, inputs, outputs):
        d = os.path.join(HERE, name)
        os.makedirs(os.path.join(d, "test_data_set_0"), exist_ok=True)
        onnx.save(model, os.path.join(d, "model.onnx"))
        for k, (n, x) in enumerate(inputs):
            with open(os.path.join(d, "test_data_set_0", f"input_{k}.pb"), "wb") as f:
                f.write(numpy_helper.from_array(x, n).SerializeToString())
        for k, (n, x) in enumerate(outputs):
            with open(os.path.join(d, "test_data_set_0", f"output_{k}.pb"), "wb") as f:
                f.write(numpy_helper.from_array(x, n).SerializeToString())

    def model(nodes, inputs, outputs, inits=()):
        g = h.make_graph(nodes, "g", inputs, outputs, initializer=list(inits))
        return h.make_model(g, opset_imports=[h.make_opsetid("", 17)], producer_name="dlc-tests")

    # zero-size tensors flow through elementwise ops and a concat
    x = np.zeros((0, 3), np.float32)
    z = np.arange(6, dtype=np.float32).reshape(2, 3)
    m = model([h.make_node("Relu", ["x"], ["r"], name="relu"),
               h.make_node("Concat", ["r", "z"], ["y"], name="cat", axis=0)],
              [h.make_tensor_value_info("x", TensorProto.FLOAT, [0, 3]),
               h.make_tensor_value_info("z", TensorProto.FLOAT, [2, 3])],
              [h.make_tensor_value_info("y", TensorProto.FLOAT, [2, 3])])
    save_run("zero-size", m, [("x", x), ("z", z)], [("y", np.concatenate([x, z]))])

    # NaN and infinities in constants are data: they compile and propagate
    c = np.array([np.nan, np.inf, -np.inf, 1.0], np.float32)
    x = np.array([1.0, 2.0, 3.0, 4.0], np.float32)
    m = model([h.make_node("Add", ["x", "c"], ["y"], name="add")],
              [h.make_tensor_value_info("x", TensorProto.FLOAT, [4])],
              [h.make_tensor_value_info("y", TensorProto.FLOAT, [4])],
              [numpy_helper.from_array(c, "c")])
    save_run("nan-inf-const", m, [("x", x)], [("y", x + c)])


if __name__ == "__main__":
    os.makedirs(HERE, exist_ok=True)
    raw_cases()
    if "--raw-only" not in sys.argv:
        model_cases()
