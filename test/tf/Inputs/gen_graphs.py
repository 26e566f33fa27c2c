#!/usr/bin/env python3
"""Write the small hand-made GraphDefs that test dlc's TensorFlow importer.

    test/tf/Inputs/<name>.pb     one GraphDef per case below: models that must
                                 be rejected (one per error path of
                                 frontends/tf/*.c) and small valid ones whose
                                 IR the .test files check
    test/tf/run/<name>/          some of the valid ones in dlc-run's layout,
                                 with inputs and reference outputs computed
                                 here in plain Python (ONNX TensorProto files)

Stdlib only: the protobuf wire format is written byte by byte from the field
numbers of the public TensorFlow schema (frontends/tf/graph.proto), so the
files are reproducible without TensorFlow and may be invalid on purpose.
The .test files are written by hand.

Run from the repo root:  python3 test/tf/Inputs/gen_graphs.py
"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))

# DataType
FLOAT, DOUBLE, INT32, UINT8, INT16, INT8, STRING, COMPLEX64, INT64, BOOL = 1, 2, 3, 4, 5, 6, 7, 8, 9, 10
HALF = 19

# ---- wire format ----


def varint(n):
    n &= (1 << 64) - 1
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def key(field, wire):
    return varint(field << 3 | wire)


def ld(field, data):
    """A length-delimited field (bytes, string, message, packed)."""
    return key(field, 2) + varint(len(data)) + data


def vint(field, n):
    return key(field, 0) + varint(n)


def fixed32(field, x):
    return key(field, 5) + struct.pack("<f", x)


def text(field, s):
    return ld(field, s.encode())


# ---- messages ----


def shape(dims, unknown_rank=False):
    """TensorShapeProto: dim = 2 (Dim: size = 1), unknown_rank = 3."""
    out = b"".join(ld(2, vint(1, d)) for d in dims)
    return out + (vint(3, 1) if unknown_rank else b"")


def tensor(dtype, dims, content=None, floats=None, ints=None, int64s=None, halfs=None, bools=None):
    """TensorProto: dtype = 1, tensor_shape = 2, tensor_content = 4,
    float_val = 5, int_val = 7, int64_val = 10, bool_val = 11, half_val = 13
    (repeated scalars packed, as TensorFlow writes them)."""
    out = vint(1, dtype) + ld(2, shape(dims))
    if content is not None:
        out += ld(4, content)
    if floats is not None:
        out += ld(5, b"".join(struct.pack("<f", f) for f in floats))
    if ints is not None:
        out += ld(7, b"".join(varint(i) for i in ints))
    if int64s is not None:
        out += ld(10, b"".join(varint(i) for i in int64s))
    if bools is not None:
        out += ld(11, b"".join(varint(int(b)) for b in bools))
    if halfs is not None:
        out += ld(13, b"".join(varint(h) for h in halfs))
    return out


# AttrValue: list = 1, s = 2, i = 3, f = 4, b = 5, type = 6, shape = 7, tensor = 8
def a_s(s):
    return ld(2, s.encode() if isinstance(s, str) else s)


def a_i(n):
    return vint(3, n)


def a_f(x):
    return fixed32(4, x)


def a_b(b):
    return vint(5, int(b))


def a_type(t):
    return vint(6, t)


def a_shape(dims, unknown_rank=False):
    return ld(7, shape(dims, unknown_rank))


def a_tensor(t):
    return ld(8, t)


def a_ints(values):
    """ListValue with i = 3 (packed)."""
    return ld(1, ld(3, b"".join(varint(v) for v in values)) if values else b"")


def node(name, op, inputs=(), **attrs):
    """NodeDef: name = 1, op = 2, input = 3, attr = 5 (map entries: key = 1,
    value = 2). Attribute values are encoded AttrValues, sorted by key."""
    out = text(1, name) + text(2, op)
    out += b"".join(text(3, i) for i in inputs)
    for k in sorted(attrs):
        out += ld(5, text(1, k) + ld(2, attrs[k]))
    return out


def graph(*nodes):
    """GraphDef: node = 1."""
    return b"".join(ld(1, n) for n in nodes)


# ---- building blocks ----


def placeholder(name, dims, dtype=FLOAT):
    return node(name, "Placeholder", dtype=a_type(dtype), shape=a_shape(dims))


def const_f32(name, dims, values):
    return node(name, "Const", dtype=a_type(FLOAT),
                value=a_tensor(tensor(FLOAT, dims, content=struct.pack(f"<{len(values)}f", *values))))


def const_i32(name, values, dims=None):
    dims = [len(values)] if dims is None else dims
    return node(name, "Const", dtype=a_type(INT32), value=a_tensor(tensor(INT32, dims, ints=values)))


def unary(name, op, x, **attrs):
    return node(name, op, [x], T=a_type(FLOAT), **attrs)


def conv2d(name, x, w, padding="VALID", strides=(1, 1, 1, 1), op="Conv2D", **attrs):
    return node(name, op, [x, w], T=a_type(FLOAT), padding=a_s(padding), strides=a_ints(strides),
                data_format=a_s(attrs.pop("data_format", "NHWC")), **attrs)


def filt(name, dims):
    n = 1
    for d in dims:
        n *= d
    return const_f32(name, dims, [0.01 * (i % 7 - 3) for i in range(n)])


def relu_graph(**attrs):
    return graph(placeholder("x", [1, 4]), unary("relu", "Relu", "x", **attrs))


CASES = {}


def case(name, data):
    CASES[name] = data


# ---- graphs that must be rejected ----

case("op-unsupported", graph(placeholder("x", [1, 4]), unary("foo", "FooBar", "x")))
case("placeholder-no-shape", graph(node("x", "Placeholder", dtype=a_type(FLOAT)), unary("relu", "Relu", "x")))
case("placeholder-unknown-rank", graph(node("x", "Placeholder", dtype=a_type(FLOAT), shape=a_shape([], True)),
                                       unary("relu", "Relu", "x")))
case("placeholder-string", graph(placeholder("x", [2], STRING), node("id", "Identity", ["x"], T=a_type(STRING))))
case("placeholder-no-dtype", graph(node("x", "Placeholder", shape=a_shape([1, 4])), unary("relu", "Relu", "x")))
case("placeholder-dim", graph(placeholder("x", [1, -2]), unary("relu", "Relu", "x")))
case("conv-nchw", graph(placeholder("x", [1, 3, 8, 8]), filt("w", [3, 3, 3, 4]),
                        conv2d("conv2d/Conv2D", "x", "w", data_format="NCHW")))
case("conv-padding", graph(placeholder("x", [1, 8, 8, 3]), filt("w", [3, 3, 3, 4]),
                           conv2d("conv", "x", "w", padding="FULL")))
case("conv-strides-batch", graph(placeholder("x", [1, 8, 8, 3]), filt("w", [3, 3, 3, 4]),
                                 conv2d("conv", "x", "w", strides=(2, 1, 1, 1))))
case("conv-strides-count", graph(placeholder("x", [1, 8, 8, 3]), filt("w", [3, 3, 3, 4]),
                                 conv2d("conv", "x", "w", strides=(1, 1))))
case("conv-explicit-count", graph(placeholder("x", [1, 8, 8, 3]), filt("w", [3, 3, 3, 4]),
                                  conv2d("conv", "x", "w", padding="EXPLICIT", explicit_paddings=a_ints([1, 1]))))
case("conv-filter-rank", graph(placeholder("x", [1, 8, 8, 3]), filt("w", [3, 3, 3]), conv2d("conv", "x", "w")))
case("conv-input-rank", graph(placeholder("x", [8, 8, 3]), filt("w", [3, 3, 3, 4]), conv2d("conv", "x", "w")))
case("pool-ksize", graph(placeholder("x", [1, 8, 8, 3]),
                         node("pool", "MaxPool", ["x"], T=a_type(FLOAT), ksize=a_ints([1, 2, 2]),
                              strides=a_ints([1, 2, 2, 1]), padding=a_s("VALID"))))
case("attr-unsupported", relu_graph(foo=a_i(1)))
case("attr-wrong-kind", graph(placeholder("a", [2, 3]), placeholder("b", [3, 4]),
                              node("mm", "MatMul", ["a", "b"], T=a_type(FLOAT), transpose_a=a_i(1))))
case("matmul-rank", graph(placeholder("a", [2, 2, 3]), placeholder("b", [3, 4]),
                          node("mm", "MatMul", ["a", "b"], T=a_type(FLOAT))))
BN_INPUTS = [const_f32(n, [4], [1.0, 2.0, 0.5, 1.5]) for n in ("scale", "offset", "mean", "var")]
case("bn-training", graph(placeholder("x", [1, 2, 2, 4]), *BN_INPUTS,
                          node("bn", "FusedBatchNormV3", ["x", "scale", "offset", "mean", "var"],
                               T=a_type(FLOAT), U=a_type(FLOAT), epsilon=a_f(0.001))))
case("bn-stat-used", graph(placeholder("x", [1, 2, 2, 4]), *BN_INPUTS,
                           node("bn", "FusedBatchNormV3", ["x", "scale", "offset", "mean", "var"],
                                T=a_type(FLOAT), U=a_type(FLOAT), is_training=a_b(False)),
                           node("use", "Identity", ["bn:1"], T=a_type(FLOAT))))
case("const-complex", graph(node("c", "Const", dtype=a_type(COMPLEX64),
                                 value=a_tensor(tensor(COMPLEX64, [1]))), node("id", "Identity", ["c"])))
case("const-content-size", graph(node("c", "Const", dtype=a_type(FLOAT),
                                      value=a_tensor(tensor(FLOAT, [3], content=b"\0" * 8))),
                                 unary("relu", "Relu", "c")))
case("const-too-many", graph(node("c", "Const", dtype=a_type(FLOAT),
                                  value=a_tensor(tensor(FLOAT, [2], floats=[1, 2, 3]))),
                             unary("relu", "Relu", "c")))
case("const-splat-huge", graph(node("c", "Const", dtype=a_type(FLOAT),
                                    value=a_tensor(tensor(FLOAT, [1 << 20, 1 << 12], floats=[1.0]))),
                               unary("relu", "Relu", "c")))
case("const-dtype-mismatch", graph(node("c", "Const", dtype=a_type(INT32),
                                        value=a_tensor(tensor(FLOAT, [1], floats=[1.0]))),
                                   unary("relu", "Relu", "c")))
case("const-no-value", graph(node("c", "Const", dtype=a_type(FLOAT)), unary("relu", "Relu", "c")))
case("input-undefined", graph(placeholder("x", [1, 4]), node("add", "AddV2", ["x", "y"], T=a_type(FLOAT))))
case("control-undefined", graph(placeholder("x", [1, 4]), node("relu", "Relu", ["x", "^init"], T=a_type(FLOAT))))
case("input-index", graph(placeholder("x", [1, 4]), unary("relu", "Relu", "x:3")))
case("cycle", graph(placeholder("x", [1, 4]), node("a", "AddV2", ["x", "b"], T=a_type(FLOAT)),
                    unary("b", "Relu", "a"), unary("out", "Sigmoid", "b")))
case("duplicate-name", graph(placeholder("x", [1, 4]), unary("relu", "Relu", "x"), unary("relu", "Tanh", "x")))
case("node-no-op", graph(placeholder("x", [1, 4]), node("relu", "", ["x"])))
case("no-outputs", graph(const_f32("c", [2], [1.0, 2.0]), node("n", "NoOp", ["^c"])))
case("reduce-axes-dynamic", graph(placeholder("x", [2, 3]), placeholder("axes", [1], INT32),
                                  node("mean", "Mean", ["x", "axes"], T=a_type(FLOAT), keep_dims=a_b(False))))
case("div-int", graph(placeholder("a", [3], INT32), placeholder("b", [3], INT32),
                      node("div", "Div", ["a", "b"], T=a_type(INT32))))
case("mirrorpad-symmetric", graph(placeholder("x", [1, 4]), const_i32("p", [0, 0, 1, 1], [2, 2]),
                                  node("pad", "MirrorPad", ["x", "p"], T=a_type(FLOAT), mode=a_s("SYMMETRIC"))))
case("strided-slice-ellipsis", graph(placeholder("x", [2, 3, 4]), const_i32("b", [0, 0]), const_i32("e", [1, 1]),
                                     const_i32("s", [1, 1]),
                                     node("ss", "StridedSlice", ["x", "b", "e", "s"], T=a_type(FLOAT),
                                          Index=a_type(INT32), ellipsis_mask=a_i(3))))
case("strided-slice-stride0", graph(placeholder("x", [2, 3]), const_i32("b", [0]), const_i32("e", [1]),
                                    const_i32("s", [0]),
                                    node("ss", "StridedSlice", ["x", "b", "e", "s"], T=a_type(FLOAT),
                                         Index=a_type(INT32))))
case("squeeze-not-one", graph(placeholder("x", [2, 3]),
                              node("sq", "Squeeze", ["x"], T=a_type(FLOAT), squeeze_dims=a_ints([1]))))
case("fill-dynamic", graph(placeholder("d", [2], INT32), const_f32("v", [], [1.0]),
                           node("fill", "Fill", ["d", "v"], T=a_type(FLOAT), index_type=a_type(INT32))))

# ---- valid graphs whose IR the tests check ----

# symbolic batch: stays symbolic at import, --input-shape binds it
case("symbolic-batch", graph(placeholder("x", [-1, 4]), unary("relu", "Relu", "x")))
# symbolic spatial dims: SAME padding becomes auto_pad SAME_UPPER
case("same-symbolic", graph(placeholder("x", [-1, -1, -1, 3]), filt("w", [3, 3, 3, 4]),
                            conv2d("conv", "x", "w", padding="SAME", strides=(1, 2, 2, 1))))
# SAME on known dims: explicit pads, the extra one at the end; depthwise
# with a channel multiplier; a non-constant filter is transposed by a node
case("same-static", graph(placeholder("x", [1, 7, 8, 2]), filt("w", [3, 3, 2, 4]),
                          conv2d("conv", "x", "w", padding="SAME", strides=(1, 2, 2, 1)),
                          filt("dw", [3, 3, 4, 2]),
                          conv2d("dwconv", "conv", "dw", padding="SAME", op="DepthwiseConv2dNative",
                                 dilations=a_ints([1, 2, 2, 1])),
                          placeholder("f", [1, 1, 8, 8]),
                          conv2d("pw", "dwconv", "f", padding="EXPLICIT",
                                 explicit_paddings=a_ints([0, 0, 1, 2, 3, 4, 0, 0]))))
# consumer listed before its operands; Identity chains; unused nodes
case("unordered", graph(node("out", "Identity", ["sig"], T=a_type(FLOAT)),
                        unary("sig", "Sigmoid", "r6"), unary("r6", "Relu6", "x"),
                        placeholder("x", [2, 3]), placeholder("unused", [5]),
                        node("dead", "FooBar", ["unused"])))
# constants: typed value fields, splat (last value repeats), empty = zeros,
# half bits, int64, bool; folded arithmetic
case("consts", graph(
    placeholder("x", [3]),
    node("splat", "Const", dtype=a_type(FLOAT), value=a_tensor(tensor(FLOAT, [3], floats=[2.0]))),
    node("zeros", "Const", dtype=a_type(FLOAT), value=a_tensor(tensor(FLOAT, [3]))),
    node("half", "Const", dtype=a_type(HALF), value=a_tensor(tensor(HALF, [2], halfs=[0x3C00, 0xC000]))),
    node("i64", "Const", dtype=a_type(INT64), value=a_tensor(tensor(INT64, [2], int64s=[-1, 1 << 40]))),
    node("flag", "Const", dtype=a_type(BOOL), value=a_tensor(tensor(BOOL, [2], bools=[True, False]))),
    node("eps", "Const", dtype=a_type(FLOAT), value=a_tensor(tensor(FLOAT, [], floats=[0.25]))),
    node("folded", "AddV2", ["zeros", "eps"], T=a_type(FLOAT)),
    node("rs", "Rsqrt", ["folded"], T=a_type(FLOAT)),
    node("mul", "Mul", ["x", "rs"], T=a_type(FLOAT)),
    node("add", "AddV2", ["mul", "splat"], T=a_type(FLOAT)),
    node("castf", "Cast", ["half"], SrcT=a_type(HALF), DstT=a_type(FLOAT)),
    node("i64id", "Identity", ["i64"], T=a_type(INT64)),
    node("flagnot", "LogicalNot", ["flag"])))
# shape arithmetic on a static input folds to a constant
SHAPE_NODES = [
    node("shape", "Shape", ["x"], T=a_type(FLOAT), out_type=a_type(INT32)),
    const_i32("b", [0]), const_i32("e", [1]), const_i32("s", [1]),
    node("batch", "StridedSlice", ["shape", "b", "e", "s"], T=a_type(INT32), Index=a_type(INT32),
         shrink_axis_mask=a_i(1)),
    const_i32("minus1", [-1], []),
    node("target", "Pack", ["batch", "minus1"], T=a_type(INT32), N=a_i(2), axis=a_i(0)),
    node("flat", "Reshape", ["x", "target"], T=a_type(FLOAT), Tshape=a_type(INT32)),
]
case("shape-fold", graph(placeholder("x", [2, 3, 4]), *SHAPE_NODES))
case("shape-symbolic", graph(placeholder("x", [-1, 3, 4]), *SHAPE_NODES))
# the remaining ops of the list, one each
case("ops", graph(
    placeholder("x", [2, 4, 4, 3]),
    const_f32("bias", [3], [0.1, 0.2, 0.3]),
    node("biasadd", "BiasAdd", ["x", "bias"], T=a_type(FLOAT), data_format=a_s("NHWC")),
    node("avg", "AvgPool", ["biasadd"], T=a_type(FLOAT), ksize=a_ints([1, 3, 3, 1]), strides=a_ints([1, 1, 1, 1]),
         padding=a_s("SAME"), data_format=a_s("NHWC")),
    const_i32("perm", [0, 3, 1, 2]),
    node("tr", "Transpose", ["avg", "perm"], T=a_type(FLOAT), Tperm=a_type(INT32)),
    const_i32("axes", [2, 3]),
    node("max", "Max", ["tr", "axes"], T=a_type(FLOAT), Tidx=a_type(INT32), keep_dims=a_b(True)),
    const_i32("pads", [0, 0, 0, 0, 1, 2, 0, 0], [4, 2]),
    node("pad", "Pad", ["max", "pads"], T=a_type(FLOAT), Tpaddings=a_type(INT32)),
    const_i32("dim", [-1], []),
    node("ed", "ExpandDims", ["pad", "dim"], T=a_type(FLOAT), Tdim=a_type(INT32)),
    node("sq", "Squeeze", ["ed"], T=a_type(FLOAT), squeeze_dims=a_ints([-1])),
    const_i32("axis", [1], []),
    node("cat2", "ConcatV2", ["sq", "sq", "axis"], T=a_type(FLOAT), N=a_i(2), Tidx=a_type(INT32)),
    node("r6", "Relu6", ["cat2"], T=a_type(FLOAT)),
    node("lrelu", "LeakyRelu", ["r6"], T=a_type(FLOAT), alpha=a_f(0.1)),
    node("sub", "Sub", ["lrelu", "r6"], T=a_type(FLOAT)),
    node("div", "RealDiv", ["sub", "lrelu"], T=a_type(FLOAT)),
    node("exp", "Exp", ["div"], T=a_type(FLOAT)),
    node("am", "ArgMax", ["exp", "axis"], T=a_type(FLOAT), Tidx=a_type(INT32), output_type=a_type(INT32)),
    node("sm", "Softmax", ["exp"], T=a_type(FLOAT))))
# FusedBatchNormV3 in inference mode, NHWC and NCHW
case("bn", graph(placeholder("x", [1, 2, 2, 4]), *BN_INPUTS,
                 node("bn", "FusedBatchNormV3", ["x", "scale", "offset", "mean", "var"],
                      T=a_type(FLOAT), U=a_type(FLOAT), epsilon=a_f(0.001), is_training=a_b(False)),
                 placeholder("y", [1, 4, 3, 3]),
                 node("bn_nchw", "FusedBatchNormV3", ["y", "scale", "offset", "mean", "var"],
                      T=a_type(FLOAT), U=a_type(FLOAT), data_format=a_s("NCHW"), is_training=a_b(False))))


# ---- reference values, in plain Python ----


def numel(dims):
    n = 1
    for d in dims:
        n *= d
    return n


def values(dims, k=7):
    """Deterministic inputs in [-0.6, 0.6]."""
    return [((i * k) % 13 - 6) / 10 for i in range(numel(dims))]


def filt_values(dims):
    return [0.01 * (i % 7 - 3) for i in range(numel(dims))]


def index(dims, *idx):
    off = 0
    for d, i in zip(dims, idx):
        off = off * d + i
    return off


def same_pads(size, k, s, d):
    """TensorFlow's SAME rule: the extra pad at the end."""
    out = -(-size // s)
    total = max((out - 1) * s + (k - 1) * d + 1 - size, 0)
    return total // 2, total - total // 2


def conv_nhwc(x, xd, w, wd, strides, dil, pads, depthwise=False):
    """NHWC convolution; w is HWIO (HW C M for depthwise). pads: (top,
    bottom, left, right). Returns (values, dims)."""
    n, h, wi, c = xd
    kh, kw = wd[0], wd[1]
    cout = wd[2] * wd[3] if depthwise else wd[3]
    oh = (h + pads[0] + pads[1] - (kh - 1) * dil[0] - 1) // strides[0] + 1
    ow = (wi + pads[2] + pads[3] - (kw - 1) * dil[1] - 1) // strides[1] + 1
    out = []
    for b in range(n):
        for y in range(oh):
            for xx in range(ow):
                for o in range(cout):
                    acc = 0.0
                    for i in range(kh):
                        for j in range(kw):
                            iy = y * strides[0] + i * dil[0] - pads[0]
                            ix = xx * strides[1] + j * dil[1] - pads[2]
                            if not (0 <= iy < h and 0 <= ix < wi):
                                continue
                            if depthwise:
                                ci, m = divmod(o, wd[3])
                                acc += x[index(xd, b, iy, ix, ci)] * w[index(wd, i, j, ci, m)]
                            else:
                                for ci in range(c):
                                    acc += x[index(xd, b, iy, ix, ci)] * w[index(wd, i, j, ci, o)]
                    out.append(acc)
    return out, [n, oh, ow, cout]


def onnx_tensor(name, dims, vals, kind="f"):
    """ONNX TensorProto: dims = 1, data_type = 2, name = 8, raw_data = 9."""
    code = {"f": 1, "q": 7, "?": 9, "i": 6}[kind]
    raw = struct.pack(f"<{len(vals)}{kind}", *vals)
    return b"".join(vint(1, d) for d in dims) + vint(2, code) + text(8, name) + ld(9, raw)


def run_same_static():
    xd = [1, 7, 8, 2]
    x = values(xd)
    w, wd = filt_values([3, 3, 2, 4]), [3, 3, 2, 4]
    ph, pw = same_pads(7, 3, 2, 1), same_pads(8, 3, 2, 1)
    y, yd = conv_nhwc(x, xd, w, wd, (2, 2), (1, 1), ph + pw)
    dw, dwd = filt_values([3, 3, 4, 2]), [3, 3, 4, 2]
    ph, pw = same_pads(yd[1], 3, 1, 2), same_pads(yd[2], 3, 1, 2)
    z, zd = conv_nhwc(y, yd, dw, dwd, (1, 1), (2, 2), ph + pw, depthwise=True)
    fd = [1, 1, 8, 8]
    f = values(fd, 5)
    out, od = conv_nhwc(z, zd, f, fd, (1, 1), (1, 1), (1, 2, 3, 4))
    return {"x": (xd, x), "f": (fd, f)}, {"pw": (od, out)}


def run_bn():
    xd, yd = [1, 2, 2, 4], [1, 4, 3, 3]
    x, y = values(xd), values(yd, 5)
    p = [1.0, 2.0, 0.5, 1.5]  # scale = offset = mean = var

    def bn(v, c, eps):
        return p[c] * (v - p[c]) / (p[c] + eps) ** 0.5 + p[c]

    a = [bn(v, i % 4, 0.001) for i, v in enumerate(x)]
    b = [bn(v, (i // 9) % 4, 0.0001) for i, v in enumerate(y)]
    return {"x": (xd, x), "y": (yd, y)}, {"bn": (xd, a), "bn_nchw": (yd, b)}


def run_consts():
    x = [1.0, 2.0, 3.0]
    return {"x": ([3], x)}, {"add": ([3], [v * 2 + 2 for v in x]), "castf": ([2], [1.0, -2.0]),
                             "i64id": ([2], [-1, 1 << 40], "q"), "flagnot": ([2], [False, True], "?")}


def run_shape_symbolic():
    x = values([2, 3, 4])
    return {"x": ([2, 3, 4], x)}, {"flat": ([2, 12], x)}


def run_symbolic_batch():
    x = values([3, 4])
    return {"x": ([3, 4], x)}, {"relu": ([3, 4], [max(v, 0.0) for v in x])}


RUNS = {"same-static": run_same_static, "bn": run_bn, "consts": run_consts,
        "shape-symbolic": run_shape_symbolic, "symbolic-batch": run_symbolic_batch}


def write_run(name, fn):
    d = os.path.join(os.path.dirname(HERE), "run", name)
    os.makedirs(os.path.join(d, "test_data_set_0"), exist_ok=True)
    with open(os.path.join(d, "model.pb"), "wb") as f:
        f.write(CASES[name])
    ins, outs = fn()
    for kind, tensors in (("input", ins), ("output", outs)):
        for k, (tname, spec) in enumerate(tensors.items()):
            dims, vals = spec[0], spec[1]
            fmt = spec[2] if len(spec) > 2 else "f"
            path = os.path.join(d, "test_data_set_0", f"{kind}_{k}.pb")
            with open(path, "wb") as f:
                f.write(onnx_tensor(tname, dims, vals, fmt))


def main():
    for name, data in CASES.items():
        with open(os.path.join(HERE, name + ".pb"), "wb") as f:
            f.write(data)
    for name, fn in RUNS.items():
        write_run(name, fn)
    print(f"{len(CASES)} graphs written to {HERE}, {len(RUNS)} run directories")


if __name__ == "__main__":
    main()
