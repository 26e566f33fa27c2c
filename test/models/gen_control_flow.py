"""Writes the control-flow import tests' models into test/onnx (deterministic):
If with a constant and a run-time condition, If with branches of different
types (an error), Scan unrolled over a static length, and a Scan whose
scan input has no static shape (an error).
    PY=$(tools/venv.sh test); $PY test/models/gen_control_flow.py
"""
import os

import numpy as np
import onnx
from onnx import TensorProto, helper as h, numpy_helper

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "onnx")


def model(nodes, inputs, outputs, opset=17):
    g = h.make_graph(nodes, "g", inputs, outputs)
    return h.make_model(g, opset_imports=[h.make_opsetid("", opset)], producer_name="dlc-tests")


def branch(name, value):
    c = numpy_helper.from_array(np.array(value, np.float32), name + "_v")
    return h.make_graph([h.make_node("Constant", [], [name + "_out"], value=c)], name, [],
                        [h.make_tensor_value_info(name + "_out", TensorProto.FLOAT, [len(value)])])


def save_run(name, m, inputs, outputs):
    d = os.path.join(HERE, "run", name, "test_data_set_0")
    os.makedirs(d, exist_ok=True)
    onnx.save(m, os.path.join(HERE, "run", name, "model.onnx"))
    for k, (n, x) in enumerate(inputs):
        open(os.path.join(d, f"input_{k}.pb"), "wb").write(numpy_helper.from_array(x, n).SerializeToString())
    for k, (n, x) in enumerate(outputs):
        open(os.path.join(d, f"output_{k}.pb"), "wb").write(numpy_helper.from_array(x, n).SerializeToString())


def main():
    # If on a run-time condition: both branches, where() picks
    x = np.array([1.0, -2.0, 3.0], np.float32)
    m = model([h.make_node("ReduceSum", ["x"], ["s"], name="sum", keepdims=0),
               h.make_node("Greater", ["s", "zero"], ["c"], name="positive"),
               h.make_node("If", ["c"], ["y"], name="pick",
                           then_branch=branch("then", [1, 1, 1]), else_branch=branch("else", [2, 2, 2]))],
              [h.make_tensor_value_info("x", TensorProto.FLOAT, [3])],
              [h.make_tensor_value_info("y", TensorProto.FLOAT, [3])])
    m.graph.initializer.append(numpy_helper.from_array(np.array(0, np.float32), "zero"))
    save_run("if-runtime", m, [("x", x)], [("y", np.ones(3, np.float32))])
    # If on a constant condition: only the taken branch is imported
    m = model([h.make_node("Constant", [], ["c"], value=numpy_helper.from_array(np.array(False), "c")),
               h.make_node("If", ["c"], ["t"], name="pick",
                           then_branch=branch("then", [1, 1]), else_branch=branch("else", [5, 6])),
               h.make_node("Add", ["x", "t"], ["y"], name="add")],
              [h.make_tensor_value_info("x", TensorProto.FLOAT, [2])],
              [h.make_tensor_value_info("y", TensorProto.FLOAT, [2])])
    save_run("if-const", m, [("x", np.array([1, 2], np.float32))], [("y", np.array([6, 8], np.float32))])
    # If whose branches differ in shape, on a run-time condition: an error
    m = model([h.make_node("If", ["c"], ["y"], name="pick",
                           then_branch=branch("then", [1, 1]), else_branch=branch("else", [1, 2, 3]))],
              [h.make_tensor_value_info("c", TensorProto.BOOL, [])],
              [h.make_tensor_value_info("y", TensorProto.FLOAT, None)])
    onnx.save(m, os.path.join(HERE, "Inputs", "if-branch-types.onnx"))
    # Scan: a running sum (state) and each step's doubled row (scan output)
    body = h.make_graph(
        [h.make_node("Add", ["acc_in", "row"], ["acc_out"], name="acc"),
         h.make_node("Add", ["row", "row"], ["twice"], name="twice")],
        "body",
        [h.make_tensor_value_info("acc_in", TensorProto.FLOAT, [2]),
         h.make_tensor_value_info("row", TensorProto.FLOAT, [2])],
        [h.make_tensor_value_info("acc_out", TensorProto.FLOAT, [2]),
         h.make_tensor_value_info("twice", TensorProto.FLOAT, [2])])
    xs = np.arange(8, dtype=np.float32).reshape(4, 2)
    m = model([h.make_node("Scan", ["init", "xs"], ["total", "doubled"], name="scan",
                           body=body, num_scan_inputs=1, scan_output_directions=[1])],
              [h.make_tensor_value_info("init", TensorProto.FLOAT, [2]),
               h.make_tensor_value_info("xs", TensorProto.FLOAT, [4, 2])],
              [h.make_tensor_value_info("total", TensorProto.FLOAT, [2]),
               h.make_tensor_value_info("doubled", TensorProto.FLOAT, [4, 2])])
    init = np.array([10, 20], np.float32)
    save_run("scan-sum", m, [("init", init), ("xs", xs)],
             [("total", init + xs.sum(0)), ("doubled", (2 * xs)[::-1].copy())])
    # Scan over an input with a symbolic length: cannot be unrolled
    m = model([h.make_node("Scan", ["init", "xs"], ["total", "doubled"], name="scan",
                           body=body, num_scan_inputs=1)],
              [h.make_tensor_value_info("init", TensorProto.FLOAT, [2]),
               h.make_tensor_value_info("xs", TensorProto.FLOAT, ["T", 2])],
              [h.make_tensor_value_info("total", TensorProto.FLOAT, [2]),
               h.make_tensor_value_info("doubled", TensorProto.FLOAT, ["T", 2])])
    onnx.save(m, os.path.join(HERE, "Inputs", "scan-symbolic.onnx"))


if __name__ == "__main__":
    main()
