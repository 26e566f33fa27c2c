#!/usr/bin/env python3
"""Generate the hand-built ONNX models that test dlc's ONNX importer.

    test/onnx/Inputs/<name>.onnx    models that must be rejected, one per error
                                    path of frontends/onnx/*.c (test/onnx/*.test
                                    check the exact diagnostics); a few become
                                    invalid only through their test's RUN lines
                                    (a symlink, a directory, stdin, an appended
                                    1 MB attribute)
    test/onnx/Inputs/truncated.onnx, random.bin
                                    a model cut short, and bytes that are no model
    test/onnx/Inputs/ext_data.bin   the external-data file those models name
    test/onnx/run/<name>/           models that must import and compute the
                                    right values, in dlc-run's layout:
                                    model.onnx, test_data_set_0/input_K.pb and
                                    output_K.pb (reference outputs)

Reference outputs come from ONNX Runtime (CPU, one thread) where it runs the
model; where it cannot (opsets older than it implements), numpy computes them
and the case says so. Models are built with onnx.helper, never checked with
onnx.checker: many are invalid on purpose. The .test files themselves, and
test/onnx/Inputs/append_big_attr.py, are written by hand.

Run from the repo root:  PY=$(tools/venv.sh test); $PY test/models/gen_onnx_tests.py

Output is deterministic: reruns with the pinned versions (test/requirements-
test.txt) give byte-identical files. Files of cases that no longer exist are
not deleted; remove the directories first for a clean regeneration.
"""
import os
import shutil
import sys

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto as T
from onnx import helper as h
from onnx import numpy_helper

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
INPUTS = os.path.join(ROOT, "test", "onnx", "Inputs")
RUNS = os.path.join(ROOT, "test", "onnx", "run")

ort.set_default_logger_severity(3)  # old opsets make ORT warn on every session


# ---- building blocks ----

def vi(name, shape, elem=T.FLOAT):
    return h.make_tensor_value_info(name, elem, shape)


def model(nodes, inputs, outputs, inits=(), opset=17, ir=8, name="g", **kw):
    g = h.make_graph(nodes, name, inputs, outputs, initializer=list(inits), **kw)
    opsets = [h.make_opsetid("", opset)] if opset is not None else []
    return h.make_model(g, opset_imports=opsets, ir_version=ir, producer_name="gen_onnx_tests")


def relu_model(**kw):
    """x: f32[2,3] -> Relu -> y, the smallest valid model."""
    return model([h.make_node("Relu", ["x"], ["y"], name="relu")],
                 [vi("x", [2, 3])], [vi("y", [2, 3])], **kw)


def f32(name, shape, values=None):
    values = np.arange(int(np.prod(shape)), dtype=np.float32) if values is None else values
    return numpy_helper.from_array(np.asarray(values, np.float32).reshape(shape), name)


def bare(name, shape, elem=T.FLOAT):
    """A TensorProto with a type and no payload (make_tensor checks sizes)."""
    t = T(name=name, data_type=elem)
    t.dims.extend(shape)
    return t


def external(name, shape, location, offset=None, length=None):
    """A float initializer whose data lives in another file."""
    t = bare(name, shape)
    t.data_location = T.EXTERNAL
    entries = [("location", location)]
    if offset is not None:
        entries.append(("offset", str(offset)))
    if length is not None:
        entries.append(("length", str(length)))
    for k, v in entries:
        e = t.external_data.add()
        e.key, e.value = k, v
    return t


def ext_model(location, offset=None, length=None, shape=(4,)):
    """y = x + w, with w (f32[4], 16 bytes) stored in an external file."""
    return model([h.make_node("Add", ["x", "w"], ["y"], name="add")],
                 [vi("x", list(shape))], [vi("y", list(shape))],
                 [external("w", list(shape), location, offset, length)])


# ---- models that must be rejected ----

ERRORS = {}


def error(fn):
    ERRORS[fn.__name__.replace("_", "-")] = fn
    return fn


@error
def op_unsupported():
    # an op type of the default domain that no opset defines: every real op
    # may get an IR op some day
    return model([h.make_node("NoSuchOp", ["x"], ["y"], name="nosuch")], [vi("x", [2])], [vi("y", [2])])


@error
def op_domain():
    m = model([h.make_node("Relu", ["x"], ["y"], name="relu", domain="com.example")],
              [vi("x", [2])], [vi("y", [2])])
    m.opset_import.append(h.make_opsetid("com.example", 1))
    return m


@error
def op_type_missing():
    return model([h.make_node("", ["x"], ["y"], name="anon")], [vi("x", [2])], [vi("y", [2])])


@error
def attr_unsupported():
    return model([h.make_node("Conv", ["x", "w"], ["y"], name="conv", foo=1)],
                 [vi("x", [1, 1, 3, 3])], [vi("y", [1, 1, 3, 3])], [f32("w", [1, 1, 1, 1])])


@error
def attr_wrong_type():
    # 'group' is an int; a list of ints is a different attribute type
    return model([h.make_node("Conv", ["x", "w"], ["y"], name="conv", group=[1])],
                 [vi("x", [1, 1, 3, 3])], [vi("y", [1, 1, 3, 3])], [f32("w", [1, 1, 1, 1])])


@error
def attr_float_for_int():
    return model([h.make_node("Softmax", ["x"], ["y"], name="softmax", axis=1.0)],
                 [vi("x", [2, 3])], [vi("y", [2, 3])])


@error
def attr_nul_byte():
    return model([h.make_node("Conv", ["x", "w"], ["y"], name="conv", auto_pad=b"NOT\0SET")],
                 [vi("x", [1, 1, 3, 3])], [vi("y", [1, 1, 3, 3])], [f32("w", [1, 1, 1, 1])])


@error
def attr_too_many():
    # Only the graph's interface: test/onnx/Inputs/append_big_attr.py appends
    # the node with a 2^20+1-value attribute (a 1 MB file is not committed).
    return model([], [vi("x", [2, 3])], [vi("y", [3, 2])])


@error
def attr_required_missing():
    return model([h.make_node("MaxPool", ["x"], ["y"], name="pool")],
                 [vi("x", [1, 1, 4, 4])], [vi("y", [1, 1, 2, 2])])


@error
def input_empty():
    return model([h.make_node("Conv", ["", "w"], ["y"], name="conv")],
                 [vi("x", [1, 1, 3, 3])], [vi("y", [1, 1, 3, 3])], [f32("w", [1, 1, 1, 1])])


@error
def input_count():
    return model([h.make_node("Relu", ["x", "x"], ["y"], name="relu")], [vi("x", [2])], [vi("y", [2])])


@error
def input_count_range():
    return model([h.make_node("Conv", ["x"], ["y"], name="conv")],
                 [vi("x", [1, 1, 3, 3])], [vi("y", [1, 1, 3, 3])])


@error
def outputs_too_many():
    return model([h.make_node("Relu", ["x"], ["y", "z"], name="relu")], [vi("x", [2])], [vi("y", [2])])


@error
def outputs_too_many_range():
    return model([h.make_node("MaxPool", ["x"], ["y", "i", "z"], name="pool", kernel_shape=[2, 2])],
                 [vi("x", [1, 1, 4, 4])], [vi("y", [1, 1, 2, 2])])


@error
def output_unsupported():
    # the Concat adapter makes one result; a second named output has no value
    return model([h.make_node("Concat", ["x", "x"], ["y", "z"], name="concat", axis=0)],
                 [vi("x", [2])], [vi("y", [4])])


@error
def input_undefined():
    return model([h.make_node("Relu", ["nope"], ["y"], name="relu")], [vi("x", [2])], [vi("y", [2])])


@error
def input_undefined_unnamed():
    # an unnamed node is named "<OpType>_<index>" in messages
    return model([h.make_node("Relu", ["x"], ["r"], name="relu"),
                  h.make_node("Add", ["r", "nope"], ["y"])], [vi("x", [2])], [vi("y", [2])])


@error
def value_twice():
    return model([h.make_node("Relu", ["x"], ["y"], name="relu1"),
                  h.make_node("Relu", ["x"], ["y"], name="relu2")],
                 [vi("x", [2])], [vi("y", [2])])


@error
def value_shadows_input():
    return model([h.make_node("Relu", ["x"], ["x"], name="relu")], [vi("x", [2])], [vi("x", [2])])


@error
def cycle():
    return model([h.make_node("Relu", ["b"], ["a"], name="relu_a"),
                  h.make_node("Relu", ["a"], ["b"], name="relu_b"),
                  h.make_node("Relu", ["x"], ["y"], name="relu_y")],
                 [vi("x", [2])], [vi("y", [2])])


@error
def init_no_name():
    return model([h.make_node("Add", ["x", "x"], ["y"], name="add")], [vi("x", [2])], [vi("y", [2])],
                 [f32("", [2])])


@error
def init_twice():
    return model([h.make_node("Add", ["x", "w"], ["y"], name="add")], [vi("x", [2])], [vi("y", [2])],
                 [f32("w", [2]), f32("w", [2])])


@error
def init_string():
    t = h.make_tensor("w", T.STRING, [1], [b"a"])
    return model([h.make_node("Identity", ["w"], ["y"], name="id")], [], [vi("y", [1], T.STRING)], [t])


@error
def init_dtype_unknown():
    t = bare("w", [1], elem=99)
    return model([h.make_node("Identity", ["w"], ["y"], name="id")], [], [vi("y", [1])], [t])


@error
def init_dtype_missing():
    t = bare("w", [1])
    t.ClearField("data_type")
    return model([h.make_node("Identity", ["w"], ["y"], name="id")], [], [vi("y", [1])], [t])


@error
def init_rank9():
    return model([h.make_node("Identity", ["w"], ["y"], name="id")], [], [vi("y", [1] * 9)],
                 [f32("w", [1] * 9)])


@error
def init_dim_negative():
    t = bare("w", [-1])
    return model([h.make_node("Identity", ["w"], ["y"], name="id")], [], [vi("y", [1])], [t])


@error
def init_too_big():
    t = bare("w", [1 << 21, 1 << 21])
    return model([h.make_node("Identity", ["w"], ["y"], name="id")], [], [vi("y", [1])], [t])


@error
def init_raw_size():
    t = bare("w", [2])
    t.raw_data = b"\0" * 5
    return model([h.make_node("Add", ["x", "w"], ["y"], name="add")], [vi("x", [2])], [vi("y", [2])], [t])


@error
def init_typed_count():
    t = bare("w", [2])
    t.float_data.extend([1.0, 2.0, 3.0])
    return model([h.make_node("Add", ["x", "w"], ["y"], name="add")], [vi("x", [2])], [vi("y", [2])], [t])


@error
def init_sparse():
    values = h.make_tensor("w_values", T.FLOAT, [1], [1.0])
    indices = h.make_tensor("w_indices", T.INT64, [1], [0])
    sp = h.make_sparse_tensor(values, indices, [2])
    return model([h.make_node("Add", ["x", "w_values"], ["y"], name="add")],
                 [vi("x", [2])], [vi("y", [2])], sparse_initializer=[sp])


@error
def input_twice():
    return model([h.make_node("Relu", ["x"], ["y"], name="relu")], [vi("x", [2]), vi("x", [2])],
                 [vi("y", [2])])


@error
def input_no_name():
    return model([h.make_node("Relu", ["x"], ["y"], name="relu")], [vi("", [2])], [vi("y", [2])])


@error
def input_no_type():
    return model([h.make_node("Relu", ["x"], ["y"], name="relu")], [h.make_empty_tensor_value_info("x")],
                 [vi("y", [2])])


@error
def input_sequence():
    seq = h.make_tensor_sequence_value_info("x", T.FLOAT, [2])
    return model([h.make_node("Relu", ["x"], ["y"], name="relu")], [seq], [vi("y", [2])])


@error
def output_sequence():
    seq = h.make_tensor_sequence_value_info("y", T.FLOAT, [2])
    return model([h.make_node("Relu", ["x"], ["y"], name="relu")], [vi("x", [2])], [seq])


@error
def input_string():
    return model([h.make_node("Identity", ["x"], ["y"], name="id")], [vi("x", [2], T.STRING)],
                 [vi("y", [2], T.STRING)])


@error
def input_complex():
    return model([h.make_node("Identity", ["x"], ["y"], name="id")], [vi("x", [2], T.COMPLEX64)],
                 [vi("y", [2], T.COMPLEX64)])


@error
def input_elem_unknown():
    return model([h.make_node("Identity", ["x"], ["y"], name="id")], [vi("x", [2], 99)],
                 [vi("y", [2], 99)])


@error
def input_rank9():
    return model([h.make_node("Relu", ["x"], ["y"], name="relu")], [vi("x", [1] * 9)], [vi("y", [1] * 9)])


@error
def input_dim_negative():
    return model([h.make_node("Relu", ["x"], ["y"], name="relu")], [vi("x", [2, -3])], [vi("y", [2, 3])])


@error
def input_dim_huge():
    return model([h.make_node("Relu", ["x"], ["y"], name="relu")], [vi("x", [1 << 41])], [vi("y", [1])])


@error
def input_numel_huge():
    # every dim is in range, their product is not
    return model([h.make_node("Relu", ["x"], ["y"], name="relu")], [vi("x", [1 << 30, 1 << 30, 4])],
                 [vi("y", [1 << 30, 1 << 30, 4])])


@error
def output_not_produced():
    return model([h.make_node("Relu", ["x"], ["y"], name="relu")], [vi("x", [2])], [vi("z", [2])])


@error
def output_wrong_dtype():
    return model([h.make_node("Relu", ["x"], ["y"], name="relu")], [vi("x", [2, 3])], [vi("y", [2, 3], T.INT64)])


@error
def output_wrong_rank():
    return model([h.make_node("Relu", ["x"], ["y"], name="relu")], [vi("x", [2, 3])], [vi("y", [6])])


@error
def output_wrong_dims():
    return model([h.make_node("Relu", ["x"], ["y"], name="relu")], [vi("x", [2, 3])], [vi("y", [3, 2])])


@error
def output_twice():
    # caught after import, by the IR verifier
    return model([h.make_node("Relu", ["x"], ["y"], name="relu")], [vi("x", [2])],
                 [vi("y", [2]), vi("y", [2])])


@error
def no_outputs():
    return model([h.make_node("Relu", ["x"], ["y"], name="relu")], [vi("x", [2])], [])


@error
def no_opset():
    m = relu_model(opset=None)
    m.opset_import.append(h.make_opsetid("com.example", 1))
    return m


@error
def opset_zero():
    return relu_model(opset=0)


@error
def no_graph():
    m = relu_model()
    m.ClearField("graph")
    return m


@error
def const_value_string():
    return model([h.make_node("Constant", [], ["c"], name="const", value_string="hello"),
                  h.make_node("Identity", ["c"], ["y"], name="id")], [], [vi("y", [], T.STRING)])


@error
def const_two_attrs():
    return model([h.make_node("Constant", [], ["y"], name="const", value_float=1.0, value_int=2)],
                 [], [vi("y", [])])


@error
def const_no_output():
    return model([h.make_node("Constant", [], [""], name="const", value_float=1.0),
                  h.make_node("Relu", ["x"], ["y"], name="relu")], [vi("x", [2])], [vi("y", [2])])


@error
def const_wrong_type():
    # value_ints holding floats: the wrong attribute type, not an empty list
    a = h.make_attribute("value_ints", [1.0, 2.0])
    n = h.make_node("Constant", [], ["y"], name="const")
    n.attribute.append(a)
    return model([n], [], [vi("y", [2], T.INT64)])


@error
def const_value_not_tensor():
    a = h.make_attribute("value", 3)
    n = h.make_node("Constant", [], ["y"], name="const")
    n.attribute.append(a)
    return model([n], [], [vi("y", [])])


@error
def const_value_no_tensor():
    a = h.make_attribute("value", 3)
    a.ClearField("i")
    a.type = onnx.AttributeProto.TENSOR
    n = h.make_node("Constant", [], ["y"], name="const")
    n.attribute.append(a)
    return model([n], [], [vi("y", [])])


@error
def const_bad_tensor():
    t = bare("c", [3])
    t.raw_data = b"\0" * 8
    return model([h.make_node("Constant", [], ["y"], name="const", value=t)], [], [vi("y", [3])])


@error
def bn_training_mode():
    ins = [f32(n, [2]) for n in ("scale", "bias", "mean", "var")]
    return model([h.make_node("BatchNormalization", ["x", "scale", "bias", "mean", "var"], ["y"],
                              name="bn", training_mode=1)],
                 [vi("x", [1, 2, 2, 2])], [vi("y", [1, 2, 2, 2])], ins, opset=15)


@error
def bn_training_outputs():
    ins = [f32(n, [2]) for n in ("scale", "bias", "mean", "var")]
    return model([h.make_node("BatchNormalization", ["x", "scale", "bias", "mean", "var"],
                              ["y", "m", "v", "sm", "sv"], name="bn")],
                 [vi("x", [1, 2, 2, 2])], [vi("y", [1, 2, 2, 2])], ins, opset=9)


@error
def bn_spatial0():
    ins = [f32(n, [2]) for n in ("scale", "bias", "mean", "var")]
    return model([h.make_node("BatchNormalization", ["x", "scale", "bias", "mean", "var"], ["y"],
                              name="bn", spatial=0)],
                 [vi("x", [1, 2, 2, 2])], [vi("y", [1, 2, 2, 2])], ins, opset=7, ir=3)


@error
def softmax11_symbolic():
    return model([h.make_node("Softmax", ["x"], ["y"], name="softmax", axis=1)],
                 [vi("x", ["N", 3, 4, 5])], [vi("y", ["N", 3, 4, 5])], opset=11)


@error
def softmax11_unranked():
    return model([h.make_node("Softmax", ["x"], ["y"], name="softmax", axis=1)],
                 [h.make_tensor_value_info("x", T.FLOAT, None)], [vi("y", None)], opset=11)


@error
def softmax11_axis_range():
    return model([h.make_node("Softmax", ["x"], ["y"], name="softmax", axis=3)],
                 [vi("x", [2, 3, 4])], [vi("y", [2, 3, 4])], opset=11)


@error
def softmax11_axis_float():
    # the adapter reads 'axis' itself: a float would read as axis 0
    return model([h.make_node("Softmax", ["x"], ["y"], name="softmax", axis=1.0)],
                 [vi("x", [2, 3, 4])], [vi("y", [2, 3, 4])], opset=11)


@error
def add6_axis_float():
    return model([h.make_node("Add", ["x", "b"], ["y"], name="add", broadcast=1, axis=2.0)],
                 [vi("x", [2, 3, 4])], [vi("y", [2, 3, 4])], [f32("b", [4])], opset=6, ir=3)


@error
def bn_spatial_float():
    ins = [f32(n, [2]) for n in ("scale", "bias", "mean", "var")]
    return model([h.make_node("BatchNormalization", ["x", "scale", "bias", "mean", "var"], ["y"],
                              name="bn", spatial=1.0)],
                 [vi("x", [1, 2, 2, 2])], [vi("y", [1, 2, 2, 2])], ins, opset=7, ir=3)


@error
def add6_axis():
    # B = [3] aligned at axis 1 of A = [2,3,4]: not numpy's suffix alignment
    return model([h.make_node("Add", ["x", "b"], ["y"], name="add", broadcast=1, axis=1)],
                 [vi("x", [2, 3, 4])], [vi("y", [2, 3, 4])], [f32("b", [3])], opset=6, ir=3)


@error
def clip6_inputs():
    return model([h.make_node("Clip", ["x", "lo"], ["y"], name="clip", min=0.0)],
                 [vi("x", [2])], [vi("y", [2])], [f32("lo", [])], opset=6, ir=3)


@error
def clip6_int():
    return model([h.make_node("Clip", ["x"], ["y"], name="clip", min=0.0, max=1.0)],
                 [vi("x", [2], T.INT32)], [vi("y", [2], T.INT32)], opset=6, ir=3)


@error
def clip6_min_int():
    # an int 'min' would read as 0.0 from the float field
    return model([h.make_node("Clip", ["x"], ["y"], name="clip", min=-1, max=1.0)],
                 [vi("x", [2])], [vi("y", [2])], opset=6, ir=3)


@error
def clip6_attr():
    return model([h.make_node("Clip", ["x"], ["y"], name="clip", min=0.0, maxx=1.0)],
                 [vi("x", [2])], [vi("y", [2])], opset=6, ir=3)


@error
def reshape4_no_shape():
    return model([h.make_node("Reshape", ["x"], ["y"], name="reshape")],
                 [vi("x", [2, 3])], [vi("y", [6])], opset=4, ir=3)


@error
def reshape4_shape_floats():
    return model([h.make_node("Reshape", ["x"], ["y"], name="reshape", shape=[6.0])],
                 [vi("x", [2, 3])], [vi("y", [6])], opset=4, ir=3)


@error
def reshape4_rank9():
    return model([h.make_node("Reshape", ["x"], ["y"], name="reshape", shape=[1] * 8 + [6])],
                 [vi("x", [2, 3])], [vi("y", [1] * 8 + [6])], opset=4, ir=3)


@error
def shape_error():
    # the shape function runs at import: the error names the node
    return model([h.make_node("Conv", ["x", "w"], ["y"], name="conv")],
                 [vi("x", [1, 2, 3, 3])], [vi("y", [1, 1, 3, 3])], [f32("w", [1, 1, 1])])


@error
def ext_absolute():
    return ext_model("/etc/passwd")


@error
def ext_dotdot():
    return ext_model("../Inputs/ext_data.bin")


@error
def ext_symlink():
    # the test links link.bin beside a copy of this model to a file outside
    return ext_model("link.bin")


@error
def ext_missing():
    return ext_model("missing.bin")


@error
def ext_not_file():
    # the test makes 'dir' a directory beside a copy of this model
    return ext_model("dir")


@error
def ext_empty_location():
    return ext_model("")


@error
def ext_no_location():
    m = ext_model("ext_data.bin")
    del m.graph.initializer[0].external_data[0]
    return m


@error
def ext_long_location():
    return ext_model("d/" * 2100 + "w.bin")


@error
def ext_offset_range():
    return ext_model("ext_data.bin", offset=16)


@error
def ext_length_mismatch():
    return ext_model("ext_data.bin", offset=0, length=12)


@error
def ext_offset_negative():
    return ext_model("ext_data.bin", offset=-4)


@error
def ext_offset_garbage():
    return ext_model("ext_data.bin", offset="4x")


@error
def ext_stdin():
    # valid when loaded from a file; from stdin there is no directory
    return ext_model("ext_data.bin")


@error
def ext_const():
    # external data in a Constant's tensor resolves the same way
    t = external("c", [4], "missing.bin")
    return model([h.make_node("Constant", [], ["y"], name="const", value=t)], [], [vi("y", [4])])


def truncated():
    return relu_model().SerializeToString()[:40]


def random_bytes():
    return np.random.default_rng(7).integers(0, 256, 256, dtype=np.uint8).tobytes()


# ---- models that must run ----

def session(path):
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    so.inter_op_num_threads = 1
    return ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])


def write_tensor(path, array, name):
    with open(path, "wb") as f:
        f.write(numpy_helper.from_array(array, name).SerializeToString())


RUN = {}


def run(fn):
    RUN[fn.__name__.replace("_", "-")] = fn
    return fn


def rng():
    return np.random.default_rng(0)


# Each returns (model, feeds) or (model, feeds, numpy reference outputs); the
# reference is computed by ONNX Runtime unless given. A third element
# `files` ({name: bytes}) adds files beside model.onnx.

@run
def softmax11_axis1():
    """Softmax before opset 13 flattens to [2, 12] at axis 1."""
    x = rng().standard_normal((2, 3, 4)).astype(np.float32)
    m = model([h.make_node("Softmax", ["x"], ["y"], name="softmax", axis=1)],
              [vi("x", [2, 3, 4])], [vi("y", [2, 3, 4])], opset=11, ir=6)
    return m, {"x": x}


@run
def softmax11_last():
    x = rng().standard_normal((2, 3, 4)).astype(np.float32)
    m = model([h.make_node("Softmax", ["x"], ["y"], name="softmax", axis=-1)],
              [vi("x", [2, 3, 4])], [vi("y", [2, 3, 4])], opset=11, ir=6)
    return m, {"x": x}


@run
def clip6():
    x = rng().standard_normal((2, 3, 4)).astype(np.float32)
    m = model([h.make_node("Clip", ["x"], ["y"], name="clip", min=-0.5, max=0.75)],
              [vi("x", [2, 3, 4])], [vi("y", [2, 3, 4])], opset=6, ir=3)
    return m, {"x": x}


@run
def reshape4():
    """shape attribute with a 0 (copy the dim) and a -1 (inferred)."""
    x = rng().standard_normal((2, 3, 4)).astype(np.float32)
    m = model([h.make_node("Reshape", ["x"], ["y"], name="reshape", shape=[0, -1])],
              [vi("x", [2, 3, 4])], [vi("y", [2, 12])], opset=4, ir=3)
    return m, {"x": x}


@run
def dropout7():
    x = rng().standard_normal((2, 3, 4)).astype(np.float32)
    m = model([h.make_node("Dropout", ["x"], ["d"], name="dropout", ratio=0.3),
               h.make_node("Relu", ["d"], ["y"], name="relu")],
              [vi("x", [2, 3, 4])], [vi("y", [2, 3, 4])], opset=7, ir=3)
    return m, {"x": x}


@run
def batchnorm7():
    r = rng()
    x = r.standard_normal((2, 3, 4, 4)).astype(np.float32)
    scale, bias, mean = (r.standard_normal(3).astype(np.float32) for _ in range(3))
    var = r.uniform(0.5, 2.0, 3).astype(np.float32)
    inits = [numpy_helper.from_array(a, n) for a, n in
             ((scale, "scale"), (bias, "bias"), (mean, "mean"), (var, "var"))]
    m = model([h.make_node("BatchNormalization", ["x", "scale", "bias", "mean", "var"], ["y"],
                           name="bn", spatial=1, epsilon=1e-3)],
              [vi("x", [2, 3, 4, 4])], [vi("y", [2, 3, 4, 4])], inits, opset=7, ir=3)
    return m, {"x": x}


@run
def concat3():
    """Concat before opset 4 defaults axis to 1. ONNX Runtime has no Concat-1
    kernel, so numpy computes the reference."""
    r = rng()
    a = r.standard_normal((2, 3, 2)).astype(np.float32)
    b = r.standard_normal((2, 1, 2)).astype(np.float32)
    m = model([h.make_node("Concat", ["a", "b"], ["y"], name="concat")],
              [vi("a", [2, 3, 2]), vi("b", [2, 1, 2])], [vi("y", [2, 4, 2])], opset=3, ir=3)
    return m, {"a": a, "b": b}, [np.concatenate([a, b], axis=1)]


@run
def add6_broadcast():
    """Legacy broadcast=1 with axis = rank(A) - rank(B), numpy's alignment.
    ONNX Runtime has no Add-6 kernel, so numpy computes the reference."""
    r = rng()
    x = r.standard_normal((2, 3, 4)).astype(np.float32)
    b = r.standard_normal((3, 4)).astype(np.float32)
    m = model([h.make_node("Add", ["x", "b"], ["y"], name="add", broadcast=1, axis=1)],
              [vi("x", [2, 3, 4])], [vi("y", [2, 3, 4])], [numpy_helper.from_array(b, "b")],
              opset=6, ir=3)
    return m, {"x": x}, [x + b]


@run
def constants():
    """Constant nodes with value (a tensor), value_float and value_ints."""
    x = rng().standard_normal((2, 3)).astype(np.float32)
    # whole numbers (1.0, -2.0) check the C spelling of float literals
    m = model([h.make_node("Constant", [], ["scale"], name="c_value",
                           value=numpy_helper.from_array(np.array([1.0, -2.0, 0.5], np.float32), "t")),
               h.make_node("Constant", [], ["shift"], name="c_float", value_float=0.25),
               h.make_node("Constant", [], ["shape"], name="c_ints", value_ints=[3, 2]),
               h.make_node("Mul", ["x", "scale"], ["xs"], name="mul"),
               h.make_node("Add", ["xs", "shift"], ["xa"], name="add"),
               h.make_node("Reshape", ["xa", "shape"], ["y"], name="reshape")],
              [vi("x", [2, 3])], [vi("y", [3, 2])], opset=13)
    return m, {"x": x}


@run
def typed_fields():
    """Initializers in float_data and int64_data instead of raw_data."""
    r = rng()
    x = r.standard_normal((2, 3)).astype(np.float32)
    w = r.standard_normal((3, 4)).astype(np.float32)
    b = r.standard_normal(4).astype(np.float32)
    inits = [h.make_tensor("w", T.FLOAT, [3, 4], w.flatten().tolist()),
             h.make_tensor("b", T.FLOAT, [4], b.flatten().tolist()),
             h.make_tensor("shape", T.INT64, [2], [4, 2])]
    assert not inits[0].raw_data and len(inits[2].int64_data) == 2
    m = model([h.make_node("Gemm", ["x", "w", "b"], ["g"], name="gemm"),
               h.make_node("Reshape", ["g", "shape"], ["y"], name="reshape")],
              [vi("x", [2, 3])], [vi("y", [4, 2])], inits, opset=13)
    return m, {"x": x}


@run
def init_as_input():
    """An initializer also listed as a graph input (IR version 3 style): dlc
    takes it as a constant; ONNX Runtime uses it as the input's default."""
    r = rng()
    x = r.standard_normal((2, 3)).astype(np.float32)
    w = r.standard_normal((3, 3)).astype(np.float32)
    m = model([h.make_node("MatMul", ["x", "w"], ["y"], name="matmul")],
              [vi("x", [2, 3]), vi("w", [3, 3])], [vi("y", [2, 3])],
              [numpy_helper.from_array(w, "w")], opset=9, ir=3)
    return m, {"x": x}


@run
def unordered():
    """Nodes stored consumers first; the spec wants topological order."""
    x = rng().standard_normal((2, 3)).astype(np.float32)
    m = model([h.make_node("Add", ["r", "t"], ["y"], name="add"),
               h.make_node("Tanh", ["r"], ["t"], name="tanh"),
               h.make_node("Relu", ["x"], ["r"], name="relu")],
              [vi("x", [2, 3])], [vi("y", [2, 3])])
    return m, {"x": x}


@run
def unnamed_node():
    x = rng().standard_normal((2, 3)).astype(np.float32)
    m = model([h.make_node("Sigmoid", ["x"], ["s"]),
               h.make_node("Mul", ["x", "s"], ["y"], name="")],
              [vi("x", [2, 3])], [vi("y", [2, 3])])
    return m, {"x": x}


@run
def ir1_untyped_attrs():
    """IR version 1: no opset_import (opset 1) and attributes without their
    type field, so dlc infers each type from the field that is set. ONNX
    Runtime does not load IR version 1 models, so numpy computes the
    reference."""
    r = rng()
    x = r.standard_normal((2, 3)).astype(np.float32)
    w = r.standard_normal((4, 3)).astype(np.float32)
    b = r.standard_normal(4).astype(np.float32)
    gemm = h.make_node("Gemm", ["x", "w", "b"], ["y"], name="gemm", alpha=0.5, transB=1, broadcast=1)
    for a in gemm.attribute:
        a.ClearField("type")
    m = model([gemm], [vi("x", [2, 3])], [vi("y", [2, 4])],
              [numpy_helper.from_array(w, "w"), numpy_helper.from_array(b, "b")], opset=None, ir=1)
    return m, {"x": x}, [0.5 * x @ w.T + b]


@run
def external_data():
    """w lives in weights.bin beside model.onnx, after 8 bytes of padding."""
    r = rng()
    x = r.standard_normal((2, 4)).astype(np.float32)
    w = r.standard_normal((4, 3)).astype(np.float32)
    m = model([h.make_node("MatMul", ["x", "w"], ["y"], name="matmul")],
              [vi("x", [2, 4])], [vi("y", [2, 3])],
              [external("w", [4, 3], "weights.bin", offset=8, length=w.nbytes)])
    return m, {"x": x}, None, {"weights.bin": b"PADDING!" + w.tobytes() + b"tail"}


@run
def symbolic_batch():
    """Input [N, 4]: the test data fixes N = 3."""
    r = rng()
    x = r.standard_normal((3, 4)).astype(np.float32)
    w = r.standard_normal((4, 2)).astype(np.float32)
    b = r.standard_normal(2).astype(np.float32)
    m = model([h.make_node("MatMul", ["x", "w"], ["xw"], name="matmul"),
               h.make_node("Add", ["xw", "b"], ["z"], name="add"),
               h.make_node("Relu", ["z"], ["y"], name="relu")],
              [vi("x", ["N", 4])], [vi("y", ["N", 2])],
              [numpy_helper.from_array(w, "w"), numpy_helper.from_array(b, "b")])
    return m, {"x": x}


# ---- fused kernels: each is one kernel at -O2 (test/fuse/run-*.test) ----

def init(a, name):
    return numpy_helper.from_array(a, name)


@run
def fuse_conv_residual():
    """Conv (with bias) + Add(per-channel bias) + Relu + residual Add, batch
    2, 3x3 pads 1: the epilogue indexes a [1,C,1,1] and a full operand."""
    r = rng()
    x = r.standard_normal((2, 4, 5, 5)).astype(np.float32)
    w = r.standard_normal((4, 4, 3, 3)).astype(np.float32) * 0.3
    b = r.standard_normal(4).astype(np.float32)
    cb = r.standard_normal((1, 4, 1, 1)).astype(np.float32)
    m = model([h.make_node("Conv", ["x", "w", "b"], ["c"], name="conv", pads=[1, 1, 1, 1]),
               h.make_node("Add", ["c", "cb"], ["a"], name="bias"),
               h.make_node("Relu", ["a"], ["r"], name="relu"),
               h.make_node("Add", ["r", "x"], ["y"], name="residual")],
              [vi("x", [2, 4, 5, 5])], [vi("y", [2, 4, 5, 5])],
              [init(w, "w"), init(b, "b"), init(cb, "cb")])
    return m, {"x": x}


@run
def fuse_depthwise_relu6():
    """A strided depthwise conv + Clip(0, 6), MobileNet's block (opset 13:
    the bounds are operands), then a [W]-shaped scale: a broadcast along
    the last dim only."""
    r = rng()
    x = (r.standard_normal((1, 6, 7, 7)) * 4).astype(np.float32)
    w = r.standard_normal((6, 1, 3, 3)).astype(np.float32)
    s = r.standard_normal(4).astype(np.float32)
    m = model([h.make_node("Conv", ["x", "w"], ["c"], name="dw", group=6, strides=[2, 2],
                           pads=[1, 1, 1, 1]),
               h.make_node("Clip", ["c", "lo", "hi"], ["k"], name="relu6"),
               h.make_node("Mul", ["k", "s"], ["y"], name="scale")],
              [vi("x", [1, 6, 7, 7])], [vi("y", [1, 6, 4, 4])],
              [init(w, "w"), init(s, "s"), init(np.array(0, np.float32), "lo"),
               init(np.array(6, np.float32), "hi")], opset=13)
    return m, {"x": x}


@run
def fuse_gemm_chain():
    """Gemm + Div, Erf, Add, Mul, Tanh: members with and without an outside
    operand (a scalar constant)."""
    r = rng()
    x = r.standard_normal((3, 8)).astype(np.float32)
    w = r.standard_normal((5, 8)).astype(np.float32) * 0.5
    b = r.standard_normal(5).astype(np.float32)
    c = lambda v, n: init(np.array(v, np.float32), n)
    m = model([h.make_node("Gemm", ["x", "w", "b"], ["g"], name="gemm", transB=1),
               h.make_node("Div", ["g", "sqrt2"], ["d"], name="div"),
               h.make_node("Erf", ["d"], ["e"], name="erf"),
               h.make_node("Add", ["e", "one"], ["p"], name="add"),
               h.make_node("Mul", ["p", "half"], ["q"], name="mul"),
               h.make_node("Tanh", ["q"], ["y"], name="tanh")],
              [vi("x", [3, 8])], [vi("y", [3, 5])],
              [init(w, "w"), init(b, "b"), c(1.4142135, "sqrt2"), c(1.0, "one"), c(0.5, "half")])
    return m, {"x": x}


@run
def fuse_matmul_batched():
    """A batched MatMul + Add of a [N]-shaped bias + Sigmoid + Mul by a
    full operand of the result's shape."""
    r = rng()
    a = r.standard_normal((2, 3, 4)).astype(np.float32)
    bw = r.standard_normal((4, 6)).astype(np.float32)
    bias = r.standard_normal(6).astype(np.float32)
    z = r.standard_normal((2, 3, 6)).astype(np.float32)
    m = model([h.make_node("MatMul", ["a", "bw"], ["mm"], name="matmul"),
               h.make_node("Add", ["mm", "bias"], ["s"], name="add"),
               h.make_node("Sigmoid", ["s"], ["g"], name="sigmoid"),
               h.make_node("Mul", ["g", "z"], ["y"], name="gate")],
              [vi("a", [2, 3, 4]), vi("z", [2, 3, 6])], [vi("y", [2, 3, 6])],
              [init(bw, "bw"), init(bias, "bias")])
    return m, {"a": a, "z": z}


@run
def fuse_elementwise_types():
    """An elementwise chain that changes element type: Greater (bool) into
    Where, with operands broadcast from [4,1] and [5]; then Abs, Sqrt."""
    r = rng()
    x = r.standard_normal((4, 5)).astype(np.float32)
    t = r.standard_normal((4, 1)).astype(np.float32)
    z = r.standard_normal(5).astype(np.float32)
    m = model([h.make_node("Greater", ["x", "t"], ["gt"], name="greater"),
               h.make_node("Where", ["gt", "x", "z"], ["w"], name="where"),
               h.make_node("Abs", ["w"], ["a"], name="abs"),
               h.make_node("Sqrt", ["a"], ["y"], name="sqrt")],
              [vi("x", [4, 5]), vi("t", [4, 1]), vi("z", [5])], [vi("y", [4, 5])])
    return m, {"x": x, "t": t, "z": z}


@run
def fuse_conv_f64():
    """A double-precision conv with its epilogue (Relu, then a scalar Mul).
    ONNX Runtime has no f64 Conv, so numpy computes the reference."""
    r = rng()
    x = r.standard_normal((1, 2, 6, 6))
    w = r.standard_normal((3, 2, 3, 3))
    c = np.zeros((1, 3, 4, 4))
    for i in range(4):
        for j in range(4):
            c[0, :, i, j] = np.tensordot(w, x[0, :, i:i + 3, j:j + 3], axes=3)
    m = model([h.make_node("Conv", ["x", "w"], ["c"], name="conv"),
               h.make_node("Relu", ["c"], ["r"], name="relu"),
               h.make_node("Mul", ["r", "k"], ["y"], name="scale")],
              [vi("x", [1, 2, 6, 6], T.DOUBLE)], [vi("y", [1, 3, 4, 4], T.DOUBLE)],
              [init(w, "w"), init(np.array(0.25), "k")])
    return m, {"x": x}, [np.maximum(c, 0) * 0.25]


@run
def fold_pad_conv():
    """Pad (zeros, opset 13) before a strided conv and before an average
    pool: fold-pad makes them the conv's and the pool's padding."""
    r = rng()
    x = r.standard_normal((1, 3, 6, 6)).astype(np.float32)
    w = r.standard_normal((4, 3, 3, 3)).astype(np.float32)
    pads = np.array([0, 0, 1, 2, 0, 0, 2, 1], np.int64)
    m = model([h.make_node("Pad", ["x", "pads"], ["xp"], name="pad"),
               h.make_node("Conv", ["xp", "w"], ["y"], name="conv", strides=[2, 1]),
               h.make_node("Pad", ["x", "pads"], ["xq"], name="pad2"),
               h.make_node("AveragePool", ["xq"], ["z"], name="pool", kernel_shape=[3, 3])],
              [vi("x", [1, 3, 6, 6])], [vi("y", [1, 4, 4, 7]), vi("z", [1, 3, 7, 7])],
              [init(w, "w"), init(pads, "pads")], opset=13)
    return m, {"x": x}


@run
def match_gelu():
    """MatMul + bias + GELU in PyTorch's erf form (y), and the tanh form with
    Pow (z): match-gelu makes each one gelu, fused into the matmul."""
    r = rng()
    x = r.standard_normal((2, 4, 8)).astype(np.float32)
    w = r.standard_normal((8, 6)).astype(np.float32)
    b = r.standard_normal(6).astype(np.float32)
    c = lambda v, n: init(np.array(v, np.float32), n)
    m = model([h.make_node("MatMul", ["x", "w"], ["xw"], name="matmul"),
               h.make_node("Add", ["b", "xw"], ["a"], name="bias"),
               h.make_node("Div", ["a", "sqrt2"], ["d"], name="div"),
               h.make_node("Erf", ["d"], ["e"], name="erf"),
               h.make_node("Add", ["e", "one"], ["p"], name="add"),
               h.make_node("Mul", ["a", "p"], ["q"], name="mul"),
               h.make_node("Mul", ["q", "half"], ["y"], name="mul_1"),
               h.make_node("Pow", ["x", "three"], ["x3"], name="pow"),
               h.make_node("Mul", ["c", "x3"], ["cx3"], name="mul_c"),
               h.make_node("Add", ["x", "cx3"], ["s"], name="add_s"),
               h.make_node("Mul", ["s", "k"], ["t"], name="mul_k"),
               h.make_node("Tanh", ["t"], ["th"], name="tanh"),
               h.make_node("Add", ["th", "one"], ["pt"], name="add_t"),
               h.make_node("Mul", ["half", "x"], ["hx"], name="mul_h"),
               h.make_node("Mul", ["hx", "pt"], ["z"], name="mul_z")],
              [vi("x", [2, 4, 8])], [vi("y", [2, 4, 6]), vi("z", [2, 4, 8])],
              [init(w, "w"), init(b, "b"), c(1.4142135, "sqrt2"), c(1.0, "one"), c(0.5, "half"),
               c(3.0, "three"), c(0.044715, "c"), c(0.7978845608, "k")])
    return m, {"x": x}


@run
def match_layernorm():
    """LayerNorm as PyTorch exported it before opset 17 (ReduceMean, Sub,
    Pow, ReduceMean, Add, Sqrt, Div, Mul, Add; opset 13: axes attribute):
    match-layernorm makes it one layer_norm."""
    r = rng()
    x = r.standard_normal((2, 5, 16)).astype(np.float32) * 3 + 1
    g = r.standard_normal(16).astype(np.float32)
    b = r.standard_normal(16).astype(np.float32)
    c = lambda v, n: init(np.array(v, np.float32), n)
    m = model([h.make_node("ReduceMean", ["x"], ["m"], name="mean", axes=[-1]),
               h.make_node("Sub", ["x", "m"], ["d"], name="sub"),
               h.make_node("Pow", ["d", "two"], ["sq"], name="pow"),
               h.make_node("ReduceMean", ["sq"], ["v"], name="var", axes=[-1]),
               h.make_node("Add", ["v", "eps"], ["ve"], name="add_eps"),
               h.make_node("Sqrt", ["ve"], ["sd"], name="sqrt"),
               h.make_node("Div", ["d", "sd"], ["n"], name="div"),
               h.make_node("Mul", ["n", "g"], ["sc"], name="scale"),
               h.make_node("Add", ["sc", "b"], ["y"], name="shift")],
              [vi("x", [2, 5, 16])], [vi("y", [2, 5, 16])],
              [init(g, "g"), init(b, "b"), c(2.0, "two"), c(1e-5, "eps")], opset=13)
    return m, {"x": x}


@run
def match_attention():
    """Attention written out, three ways: GPT style (K transposed from a
    reshape, scores * scale, a causal Where(-inf) mask); PyTorch encoder
    style (Q and K' each scaled by a square root, no mask); and an additive
    float mask. match-attention makes each one attention node."""
    r = rng()
    B, H, L, S, D = 1, 2, 5, 6, 4
    q = r.standard_normal((B, H, L, D)).astype(np.float32)
    kr = r.standard_normal((B, S, H, D)).astype(np.float32)
    v = r.standard_normal((B, H, S, D)).astype(np.float32)
    masked = np.triu(np.ones((L, S), bool), 2)   # row i keeps keys 0..i+1
    add_mask = r.standard_normal((1, 1, L, S)).astype(np.float32)
    c = lambda val, n: init(np.array(val, np.float32), n)
    m = model([h.make_node("Transpose", ["kr"], ["kt"], name="kt", perm=[0, 2, 3, 1]),
               h.make_node("MatMul", ["q", "kt"], ["s"], name="qk"),
               h.make_node("Mul", ["s", "scale"], ["ss"], name="scale"),
               h.make_node("Where", ["masked", "ninf", "ss"], ["sm"], name="mask"),
               h.make_node("Softmax", ["sm"], ["p"], name="softmax", axis=-1),
               h.make_node("MatMul", ["p", "v"], ["y"], name="pv"),
               h.make_node("Mul", ["q", "root"], ["q2"], name="q_scale"),
               h.make_node("Mul", ["kt", "root"], ["kt2"], name="k_scale"),
               h.make_node("MatMul", ["q2", "kt2"], ["s2"], name="qk2"),
               h.make_node("Softmax", ["s2"], ["p2"], name="softmax2", axis=-1),
               h.make_node("MatMul", ["p2", "v"], ["z"], name="pv2"),
               h.make_node("Div", ["s", "sqrt_d"], ["s3"], name="div"),
               h.make_node("Add", ["s3", "add_mask"], ["s4"], name="add_mask"),
               h.make_node("Softmax", ["s4"], ["p3"], name="softmax3", axis=-1),
               h.make_node("MatMul", ["p3", "v"], ["w"], name="pv3")],
              [vi("q", [B, H, L, D]), vi("kr", [B, S, H, D]), vi("v", [B, H, S, D])],
              [vi("y", [B, H, L, D]), vi("z", [B, H, L, D]), vi("w", [B, H, L, D])],
              [c(0.5, "scale"), c(-np.inf, "ninf"), init(masked, "masked"),
               c(0.5 ** 0.5, "root"), c(2.0, "sqrt_d"), init(add_mask, "add_mask")])
    return m, {"q": q, "kr": kr, "v": v}


# ---- fast kernels against the reference (test/codegen/fast-*.test) ----
# Shapes hit every tail of the blocked sgemm at each --cpu: rows % 6 and % 4
# (the micro-tile heights), columns % 64 and % 16 (its widths), K above one
# block of 256 (two blocks), M above one block of 120, N above one block of
# 1024; sizes of 1; transposed, broadcast and non-constant operands.

@run
def fast_gemm_tails():
    """Gemm 13x66 over K=257 (two K blocks), alpha and beta, a [N] C, Relu."""
    r = rng()
    a = r.standard_normal((13, 257)).astype(np.float32)
    b = (r.standard_normal((257, 66)) * 0.1).astype(np.float32)
    c = r.standard_normal(66).astype(np.float32)
    m = model([h.make_node("Gemm", ["a", "b", "c"], ["g"], name="gemm", alpha=0.5, beta=2.0),
               h.make_node("Relu", ["g"], ["y"], name="relu")],
              [vi("a", [13, 257])], [vi("y", [13, 66])], [init(b, "b"), init(c, "c")])
    return m, {"a": a}


@run
def fast_gemm_transposed():
    """Gemm with both operands transposed and a full [M, N] C, then a
    residual Add of an input; and a Gemm whose B is an input (packed at
    run time) over 1050 columns (two N blocks)."""
    r = rng()
    a = r.standard_normal((20, 9)).astype(np.float32)
    b = r.standard_normal((37, 20)).astype(np.float32)
    c = r.standard_normal((9, 37)).astype(np.float32)
    z = r.standard_normal((9, 37)).astype(np.float32)
    p = r.standard_normal((3, 5)).astype(np.float32)
    q = r.standard_normal((5, 1050)).astype(np.float32)
    m = model([h.make_node("Gemm", ["a", "b", "c"], ["g"], name="gemm_tt", transA=1, transB=1),
               h.make_node("Add", ["g", "z"], ["y"], name="residual"),
               h.make_node("Gemm", ["p", "q"], ["y2"], name="gemm_dyn")],
              [vi("a", [20, 9]), vi("z", [9, 37]), vi("p", [3, 5]), vi("q", [5, 1050])],
              [vi("y", [9, 37]), vi("y2", [3, 1050])], [init(b, "b"), init(c, "c")])
    return m, {"a": a, "z": z, "p": p, "q": q}


@run
def fast_matmul_rows():
    """MatMul [2,61,24] x [24,130]: batch dims fold into 122 rows (two M
    blocks), 130 columns (64 + 64 + 2), then bias Add and Sigmoid; and
    1x1x1 products (every size 1)."""
    r = rng()
    a = r.standard_normal((2, 61, 24)).astype(np.float32)
    b = r.standard_normal((24, 130)).astype(np.float32)
    bias = r.standard_normal(130).astype(np.float32)
    s = r.standard_normal((1, 1)).astype(np.float32)
    t = r.standard_normal((1, 1)).astype(np.float32)
    m = model([h.make_node("MatMul", ["a", "b"], ["mm"], name="matmul"),
               h.make_node("Add", ["mm", "bias"], ["ab"], name="bias"),
               h.make_node("Sigmoid", ["ab"], ["y"], name="sigmoid"),
               h.make_node("MatMul", ["s", "t"], ["y1"], name="one"),
               h.make_node("Gemm", ["s", "t"], ["y2"], name="one_gemm")],
              [vi("a", [2, 61, 24]), vi("s", [1, 1])], [vi("y", [2, 61, 130]), vi("y1", [1, 1]), vi("y2", [1, 1])],
              [init(b, "b"), init(bias, "bias"), init(t, "t")])
    return m, {"a": a, "s": s}


@run
def fast_matmul_broadcast():
    """Batched MatMul of two inputs with broadcast batch dims [2,1] x [3],
    then a Mul by a [3,1,9] operand; and a 1-D A against a constant B."""
    r = rng()
    a = r.standard_normal((2, 1, 5, 7)).astype(np.float32)
    b = r.standard_normal((3, 7, 9)).astype(np.float32)
    z = r.standard_normal((3, 1, 9)).astype(np.float32)
    v = r.standard_normal(7).astype(np.float32)
    w = r.standard_normal((7, 11)).astype(np.float32)
    m = model([h.make_node("MatMul", ["a", "b"], ["mm"], name="matmul"),
               h.make_node("Mul", ["mm", "z"], ["y"], name="scale"),
               h.make_node("MatMul", ["v", "w"], ["y1"], name="vector")],
              [vi("a", [2, 1, 5, 7]), vi("b", [3, 7, 9]), vi("v", [7])],
              [vi("y", [2, 3, 5, 9]), vi("y1", [11])], [init(z, "z"), init(w, "w")])
    return m, {"a": a, "b": b, "v": v}


@run
def fast_conv_window():
    """Conv batch 2 with asymmetric pads, strides [2,1], dilations [1,2],
    bias, then Relu; a 1x1 conv with bias, Relu and a residual Add; a
    strided 1x1 conv (im2col, not the input as is)."""
    r = rng()
    x = r.standard_normal((2, 3, 9, 11)).astype(np.float32)
    w = r.standard_normal((10, 3, 3, 3)).astype(np.float32)
    b = r.standard_normal(10).astype(np.float32)
    w1 = r.standard_normal((13, 3, 1, 1)).astype(np.float32)
    b1 = r.standard_normal(13).astype(np.float32)
    w2 = r.standard_normal((7, 3, 1, 1)).astype(np.float32)
    m = model([h.make_node("Conv", ["x", "w", "b"], ["c"], name="conv", pads=[1, 2, 0, 1],
                           strides=[2, 1], dilations=[1, 2]),
               h.make_node("Relu", ["c"], ["y"], name="relu"),
               h.make_node("Conv", ["x", "w1", "b1"], ["c1"], name="pointwise"),
               h.make_node("Relu", ["c1"], ["r1"], name="relu1"),
               h.make_node("Add", ["r1", "z"], ["y1"], name="residual"),
               h.make_node("Conv", ["x", "w2"], ["y2"], name="pointwise_s2", strides=[2, 2])],
              [vi("x", [2, 3, 9, 11]), vi("z", [2, 13, 9, 11])],
              [vi("y", [2, 10, 4, 10]), vi("y1", [2, 13, 9, 11]), vi("y2", [2, 7, 5, 6])],
              [init(w, "w"), init(b, "b"), init(w1, "w1"), init(b1, "b1"), init(w2, "w2")])
    z = r.standard_normal((2, 13, 9, 11)).astype(np.float32)
    return m, {"x": x, "z": z}


@run
def fast_conv_groups():
    """Grouped conv (2 groups, pads 1), a 1-D conv (stride 2, pads), a conv
    whose K is above one block (C=30, 3x3: K=270); stride-1 convs on padded
    planes: 1-D dilated with bias and Relu, 2-D dilated with asymmetric pads
    and a residual Add, batch 2."""
    r = rng()
    x = r.standard_normal((1, 8, 6, 6)).astype(np.float32)
    w = r.standard_normal((12, 4, 3, 3)).astype(np.float32)
    s = r.standard_normal((2, 4, 20)).astype(np.float32)
    ws = r.standard_normal((5, 4, 3)).astype(np.float32)
    d = r.standard_normal((1, 30, 5, 5)).astype(np.float32)
    wd = (r.standard_normal((7, 30, 3, 3)) * 0.1).astype(np.float32)
    bs = r.standard_normal(5).astype(np.float32)
    e = r.standard_normal((2, 3, 7, 9)).astype(np.float32)
    we = r.standard_normal((3, 3, 3, 2)).astype(np.float32)
    m = model([h.make_node("Conv", ["x", "w"], ["y"], name="grouped", group=2, pads=[1, 1, 1, 1]),
               h.make_node("Conv", ["s", "ws"], ["y1"], name="conv1d", strides=[2], pads=[1, 2]),
               h.make_node("Conv", ["d", "wd"], ["y2"], name="deep", pads=[1, 1, 1, 1]),
               h.make_node("Conv", ["s", "ws", "bs"], ["c3"], name="conv1d_s1", dilations=[3], pads=[2, 4]),
               h.make_node("Relu", ["c3"], ["y3"], name="relu"),
               h.make_node("Conv", ["e", "we"], ["c4"], name="dilated", dilations=[2, 3], pads=[2, 1, 2, 2]),
               h.make_node("Add", ["c4", "e"], ["y4"], name="residual")],
              [vi("x", [1, 8, 6, 6]), vi("s", [2, 4, 20]), vi("d", [1, 30, 5, 5]), vi("e", [2, 3, 7, 9])],
              [vi("y", [1, 12, 6, 6]), vi("y1", [2, 5, 11]), vi("y2", [1, 7, 5, 5]), vi("y3", [2, 5, 20]),
               vi("y4", [2, 3, 7, 9])],
              [init(w, "w"), init(ws, "ws"), init(wd, "wd"), init(bs, "bs"), init(we, "we")])
    return m, {"x": x, "s": s, "d": d, "e": e}


@run
def fast_depthwise():
    """Depthwise convs: 3x3 stride 2 with bias and Clip(0, 6) (MobileNet),
    batch 2; 5x5 with dilation 2 and asymmetric pads, no bias; 3x3 stride
    1 with bias and Clip (a chain per channel) and with a residual Add (a
    chain per position); strides 2x3 with dilations 2x1 (six phases)."""
    r = rng()
    x = (r.standard_normal((2, 6, 9, 8)) * 3).astype(np.float32)
    w = r.standard_normal((6, 1, 3, 3)).astype(np.float32)
    b = r.standard_normal(6).astype(np.float32)
    w5 = r.standard_normal((6, 1, 5, 5)).astype(np.float32)
    lo, hi = init(np.array(0, np.float32), "lo"), init(np.array(6, np.float32), "hi")
    m = model([h.make_node("Conv", ["x", "w", "b"], ["c"], name="dw", group=6, strides=[2, 2],
                           pads=[1, 1, 1, 1]),
               h.make_node("Clip", ["c", "lo", "hi"], ["y"], name="relu6"),
               h.make_node("Conv", ["x", "w5"], ["y1"], name="dw5", group=6, dilations=[2, 2],
                           pads=[4, 3, 2, 4]),
               h.make_node("Conv", ["x", "w", "b"], ["c2"], name="dw_s1", group=6, pads=[1, 1, 1, 1]),
               h.make_node("Clip", ["c2", "lo", "hi"], ["y2"], name="relu6_s1"),
               h.make_node("Conv", ["x", "w"], ["c3"], name="dw_res", group=6, pads=[1, 1, 1, 1]),
               h.make_node("Add", ["c3", "x"], ["y3"], name="residual"),
               h.make_node("Conv", ["x", "w", "b"], ["y4"], name="dw_s23", group=6, strides=[2, 3],
                           dilations=[2, 1], pads=[0, 2, 1, 1])],
              [vi("x", [2, 6, 9, 8])],
              [vi("y", [2, 6, 5, 4]), vi("y1", [2, 6, 7, 7]), vi("y2", [2, 6, 9, 8]), vi("y3", [2, 6, 9, 8]),
               vi("y4", [2, 6, 3, 3])],
              [init(w, "w"), init(b, "b"), init(w5, "w5"), lo, hi], opset=13)
    return m, {"x": x}


@run
def fast_depthwise_blocks():
    """Depthwise convs on planes whose sums take several blocks of 512
    (40x40, stride 1; 41x41, stride 2, with bias and ReLU)."""
    r = rng()
    x = r.standard_normal((1, 2, 40, 40)).astype(np.float32)
    x2 = r.standard_normal((1, 2, 81, 81)).astype(np.float32)
    w = r.standard_normal((2, 1, 3, 3)).astype(np.float32)
    w2 = r.standard_normal((2, 1, 3, 3)).astype(np.float32)
    b2 = r.standard_normal(2).astype(np.float32)
    m = model([h.make_node("Conv", ["x", "w"], ["y"], name="dw", group=2, pads=[1, 1, 1, 1]),
               h.make_node("Conv", ["x2", "w2", "b2"], ["c2"], name="dw_s2", group=2, strides=[2, 2],
                           pads=[1, 1, 1, 1]),
               h.make_node("Relu", ["c2"], ["y2"], name="relu")],
              [vi("x", [1, 2, 40, 40]), vi("x2", [1, 2, 81, 81])],
              [vi("y", [1, 2, 40, 40]), vi("y2", [1, 2, 41, 41])],
              [init(w, "w"), init(w2, "w2"), init(b2, "b2")])
    return m, {"x": x, "x2": x2}


@run
def fast_depthwise_multiplier():
    """Convs with one input channel a group on the depthwise kernel: the
    first conv of one-channel images (1 -> 8 channels, 13x13, bias and
    ReLU), a channel multiplier of 2 (3 -> 6 channels, stride 2, rows of
    16), a 1-D one (1 -> 4 channels), and one big enough to be split for
    threads (1 -> 16 channels on 40x40, batch 3: a part starts inside an
    image), its channels' means the output."""
    r = rng()
    x = r.standard_normal((3, 1, 15, 15)).astype(np.float32)
    w = r.standard_normal((8, 1, 3, 3)).astype(np.float32)
    b = r.standard_normal(8).astype(np.float32)
    xm = r.standard_normal((1, 3, 32, 32)).astype(np.float32)
    wm = r.standard_normal((6, 1, 3, 3)).astype(np.float32)
    x1 = r.standard_normal((2, 1, 40)).astype(np.float32)
    w1 = r.standard_normal((4, 1, 5)).astype(np.float32)
    xs = r.standard_normal((3, 1, 40, 40)).astype(np.float32)
    ws = r.standard_normal((16, 1, 3, 3)).astype(np.float32)
    m = model([h.make_node("Conv", ["x", "w", "b"], ["c"], name="first"),
               h.make_node("Relu", ["c"], ["y"], name="relu"),
               h.make_node("Conv", ["xm", "wm"], ["ym"], name="mult2", group=3, strides=[2, 2],
                           pads=[1, 1, 1, 1]),
               h.make_node("Conv", ["x1", "w1"], ["y1"], name="conv1d", pads=[2, 2]),
               h.make_node("Conv", ["xs", "ws"], ["cs"], name="split"),
               h.make_node("Relu", ["cs"], ["rs"], name="relu_split"),
               h.make_node("GlobalAveragePool", ["rs"], ["ys"], name="means")],
              [vi("x", [3, 1, 15, 15]), vi("xm", [1, 3, 32, 32]), vi("x1", [2, 1, 40]),
               vi("xs", [3, 1, 40, 40])],
              [vi("y", [3, 8, 13, 13]), vi("ym", [1, 6, 16, 16]), vi("y1", [2, 4, 40]),
               vi("ys", [3, 16, 1, 1])],
              [init(w, "w"), init(b, "b"), init(wm, "wm"), init(w1, "w1"), init(ws, "ws")])
    return m, {"x": x, "xm": xm, "x1": x1, "xs": xs}


@run
def fast_conv_rows():
    """Pointwise convs whose planes are whole vectors read the input in
    place (no packing): 8x8 with bias and ReLU (tails of rows and panels),
    with a residual, grouped 1x1 on 4x4, 300 channels (two K blocks) on 4x4
    at batch 2, a 5x5 plane (packed, as before), and one big enough to be
    split for threads (its channels' means the output)."""
    r = rng()
    x = r.standard_normal((1, 5, 8, 8)).astype(np.float32)
    xg = r.standard_normal((1, 6, 4, 4)).astype(np.float32)
    xk = r.standard_normal((2, 300, 4, 4)).astype(np.float32)
    x5 = r.standard_normal((1, 5, 5, 5)).astype(np.float32)
    w = r.standard_normal((7, 5, 1, 1)).astype(np.float32)
    b = r.standard_normal(7).astype(np.float32)
    wr = r.standard_normal((5, 5, 1, 1)).astype(np.float32)
    wg = r.standard_normal((4, 3, 1, 1)).astype(np.float32)
    wk = (r.standard_normal((8, 300, 1, 1)) * 0.1).astype(np.float32)
    xs = r.standard_normal((1, 26, 16, 16)).astype(np.float32)
    ws = r.standard_normal((80, 26, 1, 1)).astype(np.float32)
    m = model([h.make_node("Conv", ["x", "w", "b"], ["c"], name="pw"),
               h.make_node("Relu", ["c"], ["y"], name="relu"),
               h.make_node("Conv", ["x", "wr"], ["cr"], name="pw_res"),
               h.make_node("Add", ["cr", "x"], ["yr"], name="residual"),
               h.make_node("Conv", ["xg", "wg"], ["yg"], name="pw_groups", group=2),
               h.make_node("Conv", ["xk", "wk"], ["yk"], name="pw_k300"),
               h.make_node("Conv", ["x5", "w", "b"], ["y5"], name="pw_packed"),
               h.make_node("Conv", ["xs", "ws"], ["cs"], name="pw_split"),
               h.make_node("GlobalAveragePool", ["cs"], ["ys"], name="means")],
              [vi("x", [1, 5, 8, 8]), vi("xg", [1, 6, 4, 4]), vi("xk", [2, 300, 4, 4]), vi("x5", [1, 5, 5, 5]),
               vi("xs", [1, 26, 16, 16])],
              [vi("y", [1, 7, 8, 8]), vi("yr", [1, 5, 8, 8]), vi("yg", [1, 4, 4, 4]), vi("yk", [2, 8, 4, 4]),
               vi("y5", [1, 7, 5, 5]), vi("ys", [1, 80, 1, 1])],
              [init(w, "w"), init(b, "b"), init(wr, "wr"), init(wg, "wg"), init(wk, "wk"), init(ws, "ws")])
    return m, {"x": x, "xg": xg, "xk": xk, "x5": x5, "xs": xs}


@run
def fast_depthwise_passes():
    """The depthwise kernel's two forms: rows a whole number of vectors wide
    computed in place (a 16x16 max pool), others at the planes' width into
    a buffer (12 and 20 wide), with a chain per channel (ReLU6) or per
    position (a residual), and a 7x7 filter whose 49 taps take two passes."""
    r = rng()
    x = r.standard_normal((1, 2, 20, 20)).astype(np.float32)
    x3 = r.standard_normal((1, 3, 12, 12)).astype(np.float32)
    x4 = r.standard_normal((1, 2, 16, 16)).astype(np.float32)
    w7 = r.standard_normal((2, 1, 7, 7)).astype(np.float32)
    b7 = r.standard_normal(2).astype(np.float32)
    w3 = r.standard_normal((3, 1, 3, 3)).astype(np.float32)
    lo, hi = init(np.array(0, np.float32), "lo"), init(np.array(1.5, np.float32), "hi")
    m = model([h.make_node("Conv", ["x", "w7", "b7"], ["c"], name="dw7", group=2, pads=[3, 3, 3, 3]),
               h.make_node("Clip", ["c", "lo", "hi"], ["y"], name="relu6"),
               h.make_node("Conv", ["x3", "w3"], ["c3"], name="dw_res", group=3, pads=[1, 1, 1, 1]),
               h.make_node("Add", ["c3", "x3"], ["y3"], name="residual"),
               h.make_node("MaxPool", ["x4"], ["y4"], name="pool_rows", kernel_shape=[3, 3],
                           pads=[1, 1, 1, 1])],
              [vi("x", [1, 2, 20, 20]), vi("x3", [1, 3, 12, 12]), vi("x4", [1, 2, 16, 16])],
              [vi("y", [1, 2, 20, 20]), vi("y3", [1, 3, 12, 12]), vi("y4", [1, 2, 16, 16])],
              [init(w7, "w7"), init(b7, "b7"), init(w3, "w3"), lo, hi], opset=13)
    return m, {"x": x, "x3": x3, "x4": x4}


@run
def fast_max_pool():
    """MaxPools on the depthwise kernel's phase planes (outputs of at least
    256 elements): ResNet's 3x3 stride 2 pad 1; 2x2 stride 1; 3x3 strides
    3x2 with asymmetric pads and ceil_mode; a small one (the reference
    kernel); one of 256 15x15 planes (the reference kernel on one thread,
    split by channels on more), their means the output."""
    r = rng()
    x = r.standard_normal((1, 2, 40, 40)).astype(np.float32)
    xs = r.standard_normal((2, 3, 8, 8)).astype(np.float32)
    xt = r.standard_normal((1, 4, 31, 31)).astype(np.float32)
    reps = init(np.array([1, 64, 1, 1], np.int64), "reps")
    m = model([h.make_node("MaxPool", ["x"], ["ya"], name="resnet", kernel_shape=[3, 3], strides=[2, 2],
                           pads=[1, 1, 1, 1]),
               h.make_node("MaxPool", ["x"], ["yb"], name="s1", kernel_shape=[2, 2]),
               h.make_node("MaxPool", ["x"], ["yc"], name="ceil", kernel_shape=[3, 3], strides=[3, 2],
                           pads=[0, 1, 2, 0], ceil_mode=1),
               h.make_node("MaxPool", ["xs"], ["yd"], name="small", kernel_shape=[2, 2], strides=[2, 2]),
               h.make_node("Tile", ["xt", "reps"], ["t"], name="tile"),
               h.make_node("MaxPool", ["t"], ["p"], name="planes", kernel_shape=[3, 3], strides=[2, 2]),
               h.make_node("GlobalAveragePool", ["p"], ["ye"], name="mean")],
              [vi("x", [1, 2, 40, 40]), vi("xs", [2, 3, 8, 8]), vi("xt", [1, 4, 31, 31])],
              [vi("ya", [1, 2, 20, 20]), vi("yb", [1, 2, 39, 39]), vi("yc", [1, 2, 14, 20]),
               vi("yd", [2, 3, 4, 4]), vi("ye", [1, 256, 1, 1])], [reps], opset=12)
    return m, {"x": x, "xs": xs, "xt": xt}


@run
def fast_max_pool_direct():
    """MaxPools whose windows all lie inside the input, read straight from
    it on AVX-512 (no planes): 2x2 stride 2 on 26x26 (one partial vector a
    row, two loads a tap), 3x3 stride 1 on 20x20 (a whole vector, then 2),
    2x2 stride 2 on 37x37 (a whole vector, then 2, the last column unread),
    batch 2, and a ReLU after it."""
    r = rng()
    x = r.standard_normal((2, 3, 26, 26)).astype(np.float32)
    x2 = r.standard_normal((1, 2, 20, 20)).astype(np.float32)
    x3 = r.standard_normal((2, 2, 37, 37)).astype(np.float32)
    m = model([h.make_node("MaxPool", ["x"], ["y"], name="s2", kernel_shape=[2, 2], strides=[2, 2]),
               h.make_node("MaxPool", ["x2"], ["y2"], name="s1", kernel_shape=[3, 3]),
               h.make_node("MaxPool", ["x3"], ["p3"], name="s2_relu", kernel_shape=[2, 2], strides=[2, 2]),
               h.make_node("Relu", ["p3"], ["y3"], name="relu")],
              [vi("x", [2, 3, 26, 26]), vi("x2", [1, 2, 20, 20]), vi("x3", [2, 2, 37, 37])],
              [vi("y", [2, 3, 13, 13]), vi("y2", [1, 2, 18, 18]), vi("y3", [2, 2, 18, 18])])
    return m, {"x": x, "x2": x2, "x3": x3}


@run
def fast_conv_gather():
    """Convs whose im2col matrix is gathered from padded planes: stride 2
    on 60 channels (K = 540, two K blocks), batch 2; 130 output channels
    (too many for planes on one thread) with asymmetric pads, strides
    [2,1], dilations [1,2], bias and ReLU; grouped (2 groups of 5
    channels, stride 2); 1-D with stride 2 and dilation 2, batch 2."""
    r = rng()
    x1 = r.standard_normal((2, 60, 5, 5)).astype(np.float32)
    w1 = (0.2 * r.standard_normal((4, 60, 3, 3))).astype(np.float32)
    x2 = r.standard_normal((1, 2, 9, 11)).astype(np.float32)
    w2 = r.standard_normal((130, 2, 3, 3)).astype(np.float32)
    b2 = r.standard_normal(130).astype(np.float32)
    x3 = r.standard_normal((1, 10, 7, 7)).astype(np.float32)
    w3 = r.standard_normal((6, 5, 3, 3)).astype(np.float32)
    x4 = r.standard_normal((2, 20, 30)).astype(np.float32)
    w4 = r.standard_normal((5, 20, 3)).astype(np.float32)
    m = model([h.make_node("Conv", ["x1", "w1"], ["y1"], name="strided", strides=[2, 2], pads=[1, 1, 1, 1]),
               h.make_node("Conv", ["x2", "w2", "b2"], ["c2"], name="wide", pads=[1, 2, 0, 1],
                           strides=[2, 1], dilations=[1, 2]),
               h.make_node("Relu", ["c2"], ["y2"], name="relu"),
               h.make_node("Conv", ["x3", "w3"], ["y3"], name="grouped", group=2, strides=[2, 2],
                           pads=[1, 1, 1, 1]),
               h.make_node("Conv", ["x4", "w4"], ["y4"], name="conv1d", strides=[2], pads=[1, 1],
                           dilations=[2])],
              [vi("x1", [2, 60, 5, 5]), vi("x2", [1, 2, 9, 11]), vi("x3", [1, 10, 7, 7]), vi("x4", [2, 20, 30])],
              [vi("y1", [2, 4, 3, 3]), vi("y2", [1, 130, 4, 10]), vi("y3", [1, 6, 4, 4]), vi("y4", [2, 5, 14])],
              [init(w1, "w1"), init(w2, "w2"), init(b2, "b2"), init(w3, "w3"), init(w4, "w4")])
    return m, {"x1": x1, "x2": x2, "x3": x3, "x4": x4}


@run
def fast_conv_winograd():
    """3x3 stride-1 convs by Winograd F(2x2, 3x3): 16 -> 20 channels on
    13x11 (odd: the last tile row and column half outside), bias and ReLU;
    16 -> 17 channels (a row tail of 5), pads [0, 1, 1, 0], no bias."""
    r = rng()
    x1 = r.standard_normal((1, 16, 13, 11)).astype(np.float32)
    w1 = (0.2 * r.standard_normal((20, 16, 3, 3))).astype(np.float32)
    b1 = r.standard_normal(20).astype(np.float32)
    x2 = r.standard_normal((1, 16, 12, 17)).astype(np.float32)
    w2 = (0.2 * r.standard_normal((17, 16, 3, 3))).astype(np.float32)
    m = model([h.make_node("Conv", ["x1", "w1", "b1"], ["c1"], name="odd", pads=[1, 1, 1, 1]),
               h.make_node("Relu", ["c1"], ["y1"], name="relu1"),
               h.make_node("Conv", ["x2", "w2"], ["y2"], name="pads", pads=[0, 1, 1, 0])],
              [vi("x1", [1, 16, 13, 11]), vi("x2", [1, 16, 12, 17])],
              [vi("y1", [1, 20, 13, 11]), vi("y2", [1, 17, 11, 16])],
              [init(w1, "w1"), init(b1, "b1"), init(w2, "w2")])
    return m, {"x1": x1, "x2": x2}


@run
def fast_conv_winograd_residual():
    """A Winograd conv (16 channels on 12x12, batch 2) with bias, a residual
    Add and ReLU: a chain read per position."""
    r = rng()
    x = r.standard_normal((2, 16, 12, 12)).astype(np.float32)
    w = (0.2 * r.standard_normal((16, 16, 3, 3))).astype(np.float32)
    b = r.standard_normal(16).astype(np.float32)
    m = model([h.make_node("Conv", ["x", "w", "b"], ["c"], name="residual", pads=[1, 1, 1, 1]),
               h.make_node("Add", ["c", "x"], ["a"], name="add"),
               h.make_node("Relu", ["a"], ["y"], name="relu")],
              [vi("x", [2, 16, 12, 12])], [vi("y", [2, 16, 12, 12])], [init(w, "w"), init(b, "b")])
    return m, {"x": x}


@run
def fuse_conv_pool():
    """MaxPools that end a depthwise kernel (pooled from its buffer of sums,
    the conv's output never stored): a one-channel image's conv with bias
    and ReLU, then 2x2 stride 2 (batch 2); a depthwise conv with Clip, then
    3x3 stride 1; a 2x2 stride 3 pool (the reference kernel's comparisons
    in the fused kernel). Not fused: a pool after a residual Add (read per
    position), a padded pool, one after a conv of several input channels."""
    r = rng()
    x = r.standard_normal((2, 1, 14, 14)).astype(np.float32)
    w = r.standard_normal((4, 1, 3, 3)).astype(np.float32)
    b = r.standard_normal(4).astype(np.float32)
    xd = r.standard_normal((1, 3, 12, 12)).astype(np.float32)
    wd = r.standard_normal((3, 1, 3, 3)).astype(np.float32)
    w2 = r.standard_normal((3, 3, 3, 3)).astype(np.float32)
    wr = r.standard_normal((3, 1, 3, 3)).astype(np.float32)
    lo, hi = init(np.array(0, np.float32), "lo"), init(np.array(2, np.float32), "hi")
    m = model([h.make_node("Conv", ["x", "w", "b"], ["c"], name="first"),
               h.make_node("Relu", ["c"], ["r"], name="relu"),
               h.make_node("MaxPool", ["r"], ["y"], name="pool", kernel_shape=[2, 2], strides=[2, 2]),
               h.make_node("Conv", ["xd", "wd"], ["cd"], name="dw", group=3, pads=[1, 1, 1, 1]),
               h.make_node("Clip", ["cd", "lo", "hi"], ["rd"], name="clip"),
               h.make_node("MaxPool", ["rd"], ["yd"], name="pool3", kernel_shape=[3, 3]),
               h.make_node("Conv", ["x", "w"], ["c3"], name="first_s3"),
               h.make_node("MaxPool", ["c3"], ["y3"], name="pool_s3", kernel_shape=[2, 2], strides=[3, 3]),
               h.make_node("Conv", ["xd", "wr"], ["ce"], name="dw_res", group=3, pads=[1, 1, 1, 1]),
               h.make_node("Add", ["ce", "xd"], ["re"], name="residual"),
               h.make_node("MaxPool", ["re"], ["ye"], name="pool_res", kernel_shape=[2, 2], strides=[2, 2]),
               h.make_node("Conv", ["xd", "wr"], ["cp"], name="dw_pad", group=3),
               h.make_node("MaxPool", ["cp"], ["yp"], name="pool_pad", kernel_shape=[2, 2], pads=[1, 1, 1, 1]),
               h.make_node("Conv", ["xd", "w2"], ["cc"], name="channels"),
               h.make_node("MaxPool", ["cc"], ["yc"], name="pool_channels", kernel_shape=[2, 2], strides=[2, 2])],
              [vi("x", [2, 1, 14, 14]), vi("xd", [1, 3, 12, 12])],
              [vi("y", [2, 4, 6, 6]), vi("yd", [1, 3, 10, 10]), vi("y3", [2, 4, 4, 4]), vi("ye", [1, 3, 6, 6]),
               vi("yp", [1, 3, 11, 11]), vi("yc", [1, 3, 5, 5])],
              [init(w, "w"), init(b, "b"), init(wd, "wd"), init(w2, "w2"), init(wr, "wr"), lo, hi], opset=13)
    return m, {"x": x, "xd": xd}


@run
def fast_conv_phases():
    """Convs on padded planes whose product runs in blocks of output rows:
    3x3 stride 1 on 40x40 (24 rows a block, then 16), with bias and ReLU;
    the first convs of images at stride 2, read from phase planes: 3x3
    pad 1 and 7x7 pad 3 (ResNet's) on 64x64 (31 rows a block, then 1),
    two channels (one would take the depthwise kernel)."""
    r = rng()
    xa = r.standard_normal((1, 2, 40, 40)).astype(np.float32)
    xb = r.standard_normal((1, 2, 64, 64)).astype(np.float32)
    wa = (0.3 * r.standard_normal((4, 2, 3, 3))).astype(np.float32)
    ba = r.standard_normal(4).astype(np.float32)
    wb = (0.3 * r.standard_normal((2, 2, 3, 3))).astype(np.float32)
    wc = (0.1 * r.standard_normal((2, 2, 7, 7))).astype(np.float32)
    m = model([h.make_node("Conv", ["xa", "wa", "ba"], ["ca"], name="blocks", pads=[1, 1, 1, 1]),
               h.make_node("Relu", ["ca"], ["ya"], name="relu"),
               h.make_node("Conv", ["xb", "wb"], ["yb"], name="s2", strides=[2, 2], pads=[1, 1, 1, 1]),
               h.make_node("Conv", ["xb", "wc"], ["yc"], name="s2k7", strides=[2, 2], pads=[3, 3, 3, 3])],
              [vi("xa", [1, 2, 40, 40]), vi("xb", [1, 2, 64, 64])],
              [vi("ya", [1, 4, 40, 40]), vi("yb", [1, 2, 32, 32]), vi("yc", [1, 2, 32, 32])],
              [init(wa, "wa"), init(ba, "ba"), init(wb, "wb"), init(wc, "wc")])
    return m, {"xa": xa, "xb": xb}


# ---- writing ----

def write(path, data):
    with open(path, "wb") as f:
        f.write(data)


def gen_errors():
    os.makedirs(INPUTS, exist_ok=True)
    write(os.path.join(INPUTS, "ext_data.bin"), np.arange(4, dtype=np.float32).tobytes())
    for name, fn in ERRORS.items():
        write(os.path.join(INPUTS, name + ".onnx"), fn().SerializeToString())
    write(os.path.join(INPUTS, "truncated.onnx"), truncated())
    write(os.path.join(INPUTS, "random.bin"), random_bytes())
    print(f"{len(ERRORS) + 2} error inputs in {os.path.relpath(INPUTS, ROOT)}")


def gen_run(name, fn):
    case = fn()
    m, feeds = case[0], case[1]
    want = case[2] if len(case) > 2 else None
    files = case[3] if len(case) > 3 else {}
    d = os.path.join(RUNS, name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(os.path.join(d, "test_data_set_0"))
    path = os.path.join(d, "model.onnx")
    write(path, m.SerializeToString())
    for f, data in files.items():
        write(os.path.join(d, f), data)
    how = "numpy"
    if want is None:
        want = session(path).run(None, feeds)
        how = "onnxruntime"
    for k, (n, a) in enumerate(feeds.items()):
        write_tensor(os.path.join(d, "test_data_set_0", f"input_{k}.pb"), a, n)
    for k, (o, a) in enumerate(zip(m.graph.output, want)):
        write_tensor(os.path.join(d, "test_data_set_0", f"output_{k}.pb"), np.asarray(a), o.name)
    size = sum(os.path.getsize(os.path.join(r, f)) for r, _, fs in os.walk(d) for f in fs)
    assert size < 100 * 1024, f"{name}: {size} bytes"
    print(f"run/{name:16s} reference by {how:11s} {size} bytes")


@run
def recurrent_dots():
    """LSTM and GRU (with biases) whose gate dot products are long enough to
    be summed in 16 lanes, with a remainder: input 37, hidden 35 (the GRU's
    reset-gated product is of 35 elements too)."""
    r = rng()
    S, B, I, H = 5, 2, 37, 35
    x = r.standard_normal((S, B, I)).astype(np.float32)
    g = lambda *shape: (0.2 * r.standard_normal(shape)).astype(np.float32)
    m = model([h.make_node("LSTM", ["x", "wl", "rl", "bl"], ["yl"], name="lstm",
                           hidden_size=H),
               h.make_node("GRU", ["x", "wg", "rg", "bg"], ["yg"], name="gru", hidden_size=H)],
              [vi("x", [S, B, I])], [vi("yl", [S, 1, B, H]), vi("yg", [S, 1, B, H])],
              [init(g(1, 4 * H, I), "wl"), init(g(1, 4 * H, H), "rl"), init(g(1, 8 * H), "bl"),
               init(g(1, 3 * H, I), "wg"), init(g(1, 3 * H, H), "rg"), init(g(1, 6 * H), "bg")])
    return m, {"x": x}


@run
def recurrent_packed():
    """Recurrent nets on the packed row products, every form: a
    bidirectional LSTM with peepholes, sequence lengths, initial and final
    states; a bidirectional GRU with linear_before_reset; a reverse RNN
    whose 66 gate rows are one full panel and a 2-column one."""
    r = rng()
    S, B, I, H, HR = 4, 3, 16, 24, 66
    x = r.standard_normal((S, B, I)).astype(np.float32)
    g = lambda *shape: (0.2 * r.standard_normal(shape)).astype(np.float32)
    lens = np.array([4, 2, 3], np.int32)
    m = model([h.make_node("LSTM", ["x", "wl", "rl", "bl", "lens", "h0", "c0", "pl"], ["yl", "yl_h", "yl_c"],
                           name="lstm", hidden_size=H, direction="bidirectional"),
               h.make_node("GRU", ["x", "wg", "rg", "bg"], ["yg"], name="gru", hidden_size=H,
                           direction="bidirectional", linear_before_reset=1),
               h.make_node("RNN", ["x", "wr", "rr", "br"], ["yr"], name="rnn", hidden_size=HR,
                           direction="reverse")],
              [vi("x", [S, B, I])],
              [vi("yl", [S, 2, B, H]), vi("yl_h", [2, B, H]), vi("yl_c", [2, B, H]), vi("yg", [S, 2, B, H]),
               vi("yr", [S, 1, B, HR])],
              [init(g(2, 4 * H, I), "wl"), init(g(2, 4 * H, H), "rl"), init(g(2, 8 * H), "bl"),
               init(lens, "lens"), init(g(2, B, H), "h0"), init(g(2, B, H), "c0"), init(g(2, 3 * H), "pl"),
               init(g(2, 3 * H, I), "wg"), init(g(2, 3 * H, H), "rg"), init(g(2, 6 * H), "bg"),
               init(g(1, HR, I), "wr"), init(g(1, HR, HR), "rr"), init(g(1, 2 * HR), "br")])
    return m, {"x": x}


@run
def threads_splits():
    """Two convs big enough to be split for threads: the first by column
    panels (225 output positions), the second, with 64 positions and 40
    channels, by row panels; ReLU fused into both."""
    r = rng()
    x = r.standard_normal((1, 8, 30, 30)).astype(np.float32)
    w1 = (0.2 * r.standard_normal((32, 8, 3, 3))).astype(np.float32)
    w2 = (0.1 * r.standard_normal((40, 32, 3, 3))).astype(np.float32)
    b2 = r.standard_normal(40).astype(np.float32)
    m = model([h.make_node("Conv", ["x", "w1"], ["c1"], name="cols", strides=[2, 2], pads=[1, 1, 1, 1]),
               h.make_node("Relu", ["c1"], ["r1"], name="relu1"),
               h.make_node("Conv", ["r1", "w2", "b2"], ["c2"], name="rows", strides=[2, 2], pads=[1, 1, 1, 1]),
               h.make_node("Relu", ["c2"], ["y"], name="relu2")],
              [vi("x", [1, 8, 30, 30])], [vi("y", [1, 40, 8, 8])],
              [init(w1, "w1"), init(w2, "w2"), init(b2, "b2")])
    return m, {"x": x}


@run
def threads_planes():
    """Convs that read padded planes from scratch, split for threads: a
    stride-1 conv on one image (by blocks of output rows: 7 and 6 on two
    threads; 15 channels: Winograd takes 16 and more) and one on three
    images with bias and ReLU (by images)."""
    r = rng()
    xa = r.standard_normal((1, 15, 13, 13)).astype(np.float32)
    xb = r.standard_normal((3, 16, 8, 8)).astype(np.float32)
    wa = (0.2 * r.standard_normal((24, 15, 3, 3))).astype(np.float32)
    wb = (0.2 * r.standard_normal((16, 16, 3, 3))).astype(np.float32)
    bb = r.standard_normal(16).astype(np.float32)
    m = model([h.make_node("Conv", ["xa", "wa"], ["ya"], name="rows", pads=[1, 1, 1, 1]),
               h.make_node("Conv", ["xb", "wb", "bb"], ["cb"], name="images", pads=[1, 1, 1, 1]),
               h.make_node("Relu", ["cb"], ["yb"], name="relu")],
              [vi("xa", [1, 15, 13, 13]), vi("xb", [3, 16, 8, 8])],
              [vi("ya", [1, 24, 13, 13]), vi("yb", [3, 16, 8, 8])],
              [init(wa, "wa"), init(wb, "wb"), init(bb, "bb")])
    return m, {"xa": xa, "xb": xb}


@run
def threads_depthwise():
    """A 9x9 depthwise conv with a residual Add, split for threads by
    channels (24 of them); a 3x3 one (140 000 flops: depthwise convs split
    from 100 000), its channels' means the output."""
    r = rng()
    x = r.standard_normal((1, 24, 18, 18)).astype(np.float32)
    w = (0.2 * r.standard_normal((24, 1, 9, 9))).astype(np.float32)
    w3 = r.standard_normal((24, 1, 3, 3)).astype(np.float32)
    m = model([h.make_node("Conv", ["x", "w"], ["c"], name="channels", group=24, pads=[4, 4, 4, 4]),
               h.make_node("Add", ["c", "x"], ["y"], name="residual"),
               h.make_node("Conv", ["x", "w3"], ["c3"], name="small", group=24, pads=[1, 1, 1, 1]),
               h.make_node("GlobalAveragePool", ["c3"], ["y3"], name="means")],
              [vi("x", [1, 24, 18, 18])], [vi("y", [1, 24, 18, 18]), vi("y3", [1, 24, 1, 1])],
              [init(w, "w"), init(w3, "w3")])
    return m, {"x": x}


@run
def threads_planes_channels():
    """A 1-D conv on planes (one output row: split for threads by output
    channels, each part filling all the planes), its channels' means the
    output."""
    r = rng()
    x = r.standard_normal((1, 16, 400)).astype(np.float32)
    w = (0.2 * r.standard_normal((40, 16, 3))).astype(np.float32)
    m = model([h.make_node("Conv", ["x", "w"], ["c"], name="channels", pads=[1, 1]),
               h.make_node("GlobalAveragePool", ["c"], ["y"], name="means")],
              [vi("x", [1, 16, 400])], [vi("y", [1, 40, 1])], [init(w, "w")])
    return m, {"x": x}


@run
def threads_depthwise_rows():
    """A depthwise conv on one image whose rows are whole vectors (32
    wide), split for threads by output rows, each part filling the plane
    rows they read; then one of stride 2 (the phase planes' rows); their
    channels' means the output."""
    r = rng()
    x = r.standard_normal((1, 8, 32, 32)).astype(np.float32)
    w = r.standard_normal((8, 1, 3, 3)).astype(np.float32)
    b = r.standard_normal(8).astype(np.float32)
    x2 = r.standard_normal((1, 2, 64, 64)).astype(np.float32)
    w2 = r.standard_normal((8, 1, 3, 3)).astype(np.float32)
    m = model([h.make_node("Conv", ["x", "w", "b"], ["c"], name="rows", group=8, pads=[1, 1, 1, 1]),
               h.make_node("Relu", ["c"], ["r"], name="relu"),
               h.make_node("GlobalAveragePool", ["r"], ["y"], name="means"),
               h.make_node("Conv", ["x2", "w2"], ["c2"], name="rows_s2", group=2, strides=[2, 2],
                           pads=[1, 1, 1, 1]),
               h.make_node("GlobalAveragePool", ["c2"], ["y2"], name="means2")],
              [vi("x", [1, 8, 32, 32]), vi("x2", [1, 2, 64, 64])],
              [vi("y", [1, 8, 1, 1]), vi("y2", [1, 8, 1, 1])],
              [init(w, "w"), init(b, "b"), init(w2, "w2")])
    return m, {"x": x, "x2": x2}


@run
def threads_gather():
    """A stride-2 conv on 20 channels (its im2col gathered from planes)
    split for threads, each part with its own planes; its channels' means
    the output."""
    r = rng()
    x = r.standard_normal((1, 20, 24, 24)).astype(np.float32)
    w = (0.2 * r.standard_normal((30, 20, 3, 3))).astype(np.float32)
    m = model([h.make_node("Conv", ["x", "w"], ["c"], name="gather", strides=[2, 2], pads=[1, 1, 1, 1]),
               h.make_node("GlobalAveragePool", ["c"], ["y"], name="means")],
              [vi("x", [1, 20, 24, 24])], [vi("y", [1, 30, 1, 1])], [init(w, "w")])
    return m, {"x": x}


@run
def threads_winograd():
    """Winograd convs split for threads: 16 channels on 20x20 (by blocks of
    tile rows), 32 on 12x12 (one block: by output channels); their
    channels' means the output."""
    r = rng()
    x = r.standard_normal((1, 16, 20, 20)).astype(np.float32)
    w = (0.2 * r.standard_normal((16, 16, 3, 3))).astype(np.float32)
    x2 = r.standard_normal((1, 32, 12, 12)).astype(np.float32)
    w2 = (0.2 * r.standard_normal((32, 32, 3, 3))).astype(np.float32)
    m = model([h.make_node("Conv", ["x", "w"], ["c"], name="blocks", pads=[1, 1, 1, 1]),
               h.make_node("GlobalAveragePool", ["c"], ["y"], name="means"),
               h.make_node("Conv", ["x2", "w2"], ["c2"], name="rows", pads=[1, 1, 1, 1]),
               h.make_node("GlobalAveragePool", ["c2"], ["y2"], name="means2")],
              [vi("x", [1, 16, 20, 20]), vi("x2", [1, 32, 12, 12])], [vi("y", [1, 16, 1, 1]), vi("y2", [1, 32, 1, 1])],
              [init(w, "w"), init(w2, "w2")])
    return m, {"x": x, "x2": x2}


def main():
    gen_errors()
    for name, fn in RUN.items():
        gen_run(name, fn)


if __name__ == "__main__":
    sys.exit(main())
