#!/usr/bin/env python3
"""Generate the TensorFlow test fixtures under test/fixtures/tf/<name>/.

Each fixture is a frozen GraphDef in dlc-run's layout:
    model.pb                      (GraphDef: variables folded into constants)
    test_data_set_0/input_0.pb    (ONNX TensorProto, named like the Placeholder)
    test_data_set_0/output_K.pb   (ONNX TensorProto, named like the output node)

The models are Keras 3 models on the TensorFlow backend, with seeded random
weights (He-normal kernels, small uniform biases, batch norms with
non-trivial statistics), traced with tf.function on a TensorSpec named "x"
and frozen with convert_variables_to_constants_v2, as a Keras user would ship
them. `ops` is not a Keras model: it calls raw tf ops (FusedBatchNormV3,
Pad, ConcatV2, AvgPool, StridedSlice, ...) to cover what Keras 3 does not
emit. Reference outputs are the frozen graph's own, run by TensorFlow on CPU
(oneDNN rewrites off, one thread).

    mlp         784-256-128-64-10, ReLU, Softmax; batch 1
    cnn         Conv 32 3x3 ReLU, MaxPool 2, Conv 64 3x3 ReLU, MaxPool 2,
                Flatten, Dense 64 ReLU, Dense 10 Softmax on 28x28x1 NHWC;
                batch 1 (the architecture of test/fixtures/onnx/cnn_b1)
    classifier  100-64-64-10; the batch dim is unknown in the graph (the test
                data has 4 rows: dlc-run binds it)
    mobilenet   Conv 3x3/2 SAME, BN, ReLU6, DepthwiseConv 3x3 SAME, BN, ReLU6,
                Conv 1x1, BN, ReLU6, GlobalAveragePooling, Dense, Softmax on
                32x32x3; batch 1
    ops         raw tf ops on 16x16x3, unknown batch (2 in the data), three outputs

Run from the repo root:  PY=$(tools/venv.sh tf); $PY test/models/gen_tf_fixtures.py [name...]
Reruns with the pinned versions (test/requirements-tf.txt) give the same files.
"""
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import keras  # noqa: E402
from keras import layers as L  # noqa: E402
from onnx import numpy_helper  # noqa: E402
from tensorflow.python.framework.convert_to_constants import (  # noqa: E402
    convert_variables_to_constants_v2)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "test", "fixtures", "tf")
MAX_BYTES = 1536 * 1024


def reinit(model, seed):
    """He-normal kernels, uniform(-0.1, 0.1) biases, batch norms with
    statistics far from the identity (so a dropped BN shows)."""
    rng = np.random.default_rng(seed)
    for layer in model.layers:
        new = []
        for w in layer.weights:
            shape, name = tuple(w.shape), w.path.split("/")[-1]
            if name in ("kernel", "depthwise_kernel"):
                fan_in = int(np.prod(shape[:-1])) if name == "kernel" else int(np.prod(shape[:2]))
                v = rng.standard_normal(shape) * np.sqrt(2.0 / fan_in)
            elif name == "bias":
                v = rng.uniform(-0.1, 0.1, shape)
            elif name == "gamma":
                v = rng.uniform(0.5, 1.5, shape)
            elif name == "beta":
                v = rng.uniform(-0.2, 0.2, shape)
            elif name == "moving_mean":
                v = rng.uniform(-0.3, 0.3, shape)
            elif name == "moving_variance":
                v = rng.uniform(0.5, 2.0, shape)
            else:
                raise ValueError(f"unexpected weight {w.path}")
            new.append(v.astype(np.float32))
        if new:
            layer.set_weights(new)
    return model


def mlp():
    return keras.Sequential([keras.Input((784,)), L.Dense(256, activation="relu"),
                             L.Dense(128, activation="relu"), L.Dense(64, activation="relu"),
                             L.Dense(10, activation="softmax")])


def cnn():
    return keras.Sequential([keras.Input((28, 28, 1)), L.Conv2D(32, 3, activation="relu"),
                             L.MaxPooling2D(2), L.Conv2D(64, 3, activation="relu"),
                             L.MaxPooling2D(2), L.Flatten(), L.Dense(64, activation="relu"),
                             L.Dense(10, activation="softmax")])


def classifier():
    return keras.Sequential([keras.Input((100,)), L.Dense(64, activation="relu"),
                             L.Dense(64, activation="relu"), L.Dense(10, activation="softmax")])


def mobilenet():
    return keras.Sequential([
        keras.Input((32, 32, 3)),
        L.Conv2D(16, 3, strides=2, padding="same", use_bias=False), L.BatchNormalization(), L.ReLU(6.0),
        L.DepthwiseConv2D(3, padding="same", use_bias=False), L.BatchNormalization(), L.ReLU(6.0),
        L.Conv2D(32, 1, use_bias=False), L.BatchNormalization(), L.ReLU(6.0),
        L.GlobalAveragePooling2D(), L.Dense(10), L.Softmax()])


class Ops(tf.Module):
    """Raw tf ops that Keras 3 does not emit, with seeded weights."""

    def __init__(self, seed):
        rng = np.random.default_rng(seed)

        def var(*shape, scale=None, lo=None, hi=None):
            if lo is not None:
                v = rng.uniform(lo, hi, shape)
            else:
                v = rng.standard_normal(shape) * (scale or np.sqrt(2.0 / np.prod(shape[:-1])))
            return tf.Variable(v.astype(np.float32))

        self.w1, self.b1 = var(3, 3, 3, 8), var(8, lo=-0.1, hi=0.1)
        self.gamma, self.beta = var(8, lo=0.5, hi=1.5), var(8, lo=-0.2, hi=0.2)
        self.mean, self.var = var(8, lo=-0.3, hi=0.3), var(8, lo=0.5, hi=2.0)
        self.wd = var(3, 3, 8, 2, scale=0.3)
        self.w2 = var(3, 3, 8, 8)
        self.w3, self.b3 = var(24, 16), var(16, lo=-0.1, hi=0.1)
        self.w4 = var(10, 16, scale=0.3)
        self.w5, self.w6 = var(5, 3, scale=0.5), var(6, 4, scale=0.5)

    def __call__(self, x):
        p = tf.pad(x, [[0, 0], [1, 1], [1, 1], [0, 0]])                          # Pad
        c = tf.nn.bias_add(tf.nn.conv2d(p, self.w1, 1, "VALID"), self.b1)        # Conv2D, BiasAdd
        bn = tf.compat.v1.nn.fused_batch_norm(c, self.gamma, self.beta, self.mean, self.var,
                                              epsilon=1e-3, is_training=False)[0]  # FusedBatchNormV3
        r = tf.nn.relu6(bn)                                                      # [N,16,16,8]
        d = tf.nn.depthwise_conv2d(r, self.wd, [1, 2, 2, 1], "SAME")             # [N,8,8,16]
        d2 = tf.nn.conv2d(r, self.w2, 1, "SAME", dilations=2)                    # [N,16,16,8]
        a = tf.nn.avg_pool2d(d2, 3, 2, "SAME")                                   # [N,8,8,8]
        cat = tf.concat([tf.sigmoid(a), tf.tanh(d)], axis=-1)                    # [N,8,8,24]
        mx = tf.reduce_max(cat, axis=[1, 2], keepdims=True)                      # Max
        mn = tf.reduce_mean(cat, axis=[1, 2])                                    # Mean
        sq = tf.squeeze(mx, axis=[1, 2])                                         # Squeeze
        z = (mn - sq) / (tf.abs(sq) + 1.0)                                       # Sub RealDiv Abs AddV2
        t = tf.transpose(tf.expand_dims(z, 1), [0, 2, 1])                        # ExpandDims Transpose
        flat = tf.reshape(t, tf.stack([tf.shape(t)[0], -1]))                     # Shape StridedSlice Pack Reshape
        h = tf.nn.leaky_relu(tf.matmul(flat, self.w3) + self.b3, 0.1)
        probs = tf.nn.softmax(tf.matmul(h, self.w4, transpose_b=True))
        sl = cat[:, 1:, ::2, 3]                                                  # StridedSlice on data
        mp = tf.nn.max_pool2d(cat, 3, 2, "SAME")                                 # [N,4,4,24]
        aux = tf.concat([tf.reduce_sum(sl, axis=[1, 2])[:, None],
                         tf.reduce_mean(mp, axis=[1, 2])], axis=1)               # [N,25]
        return probs, aux, self.more(cat[:, :4, 2:7, 5] - 0.5)

    def more(self, v):                                                           # v: [N,4,5]
        a = tf.raw_ops.BatchMatMulV2(x=v, y=self.w5)                             # [N,4,3]
        b = tf.raw_ops.BatchMatMulV2(x=v, y=self.w6, adj_x=True, adj_y=True)     # [N,5,6]
        am = tf.cast(tf.argmax(b, axis=2, output_type=tf.int32), tf.float32)     # ArgMax, Cast
        mp = tf.pad(v, [[0, 0], [1, 2], [2, 1]], mode="REFLECT")                 # MirrorPad
        p2 = tf.raw_ops.PadV2(input=v, paddings=[[0, 0], [1, 0], [0, 1]],
                              constant_values=tf.constant(0.5))                  # PadV2
        sl = tf.slice(mp, [0, 1, 2], [-1, 3, 4])                                 # Slice
        rs = tf.math.rsqrt(tf.math.squared_difference(sl, 0.25) + 1.0)           # SquaredDifference, Rsqrt
        mn = tf.minimum(tf.maximum(tf.math.add_n([rs, rs, sl]), -0.5), 2.0)      # AddN, Maximum, Minimum
        e = (tf.nn.elu(mn) + tf.nn.selu(mn) + tf.nn.softplus(mn) + tf.square(mn)
             - tf.exp(-mn) + tf.math.log(tf.abs(mn) + 1.0))                      # Elu Selu Softplus Square Neg Exp Log
        red = tf.concat([tf.reduce_sum(e, axis=2), tf.reduce_min(e, axis=2),
                         tf.reduce_prod(1.0 + 0.1 * e, axis=2),
                         tf.reduce_mean(p2, axis=[1, 2])[:, None],
                         tf.reduce_max(a, axis=[1, 2])[:, None],
                         tf.reduce_sum(am, axis=1)[:, None]], axis=1)            # Sum Min Prod Mean Max
        return tf.nn.log_softmax(red) + tf.sigmoid(-red) * tf.tanh(red)          # LogSoftmax, [N,12]


# name -> (builder, placeholder shape, data shape)
MODELS = {
    "mlp": (mlp, (1, 784), (1, 784)),
    "cnn": (cnn, (1, 28, 28, 1), (1, 28, 28, 1)),
    "classifier": (classifier, (None, 100), (4, 100)),
    "mobilenet": (mobilenet, (1, 32, 32, 3), (1, 32, 32, 3)),
    "ops": (None, (None, 16, 16, 3), (2, 16, 16, 3)),
}


def write_tensor(path, array, name):
    with open(path, "wb") as f:
        f.write(numpy_helper.from_array(array, name).SerializeToString())


def gen(name, seed):
    build, pshape, dshape = MODELS[name]
    keras.backend.clear_session()  # layer names restart: a fixture's bytes do not depend on the others
    keras.utils.set_random_seed(seed)
    if build is None:
        module = Ops(seed)
        fn = tf.function(module.__call__)
    else:
        model = reinit(build(), seed)
        fn = tf.function(lambda x: model(x, training=False))
    concrete = fn.get_concrete_function(tf.TensorSpec(pshape, tf.float32, name="x"))
    frozen = convert_variables_to_constants_v2(concrete)
    gd = frozen.graph.as_graph_def()

    x = np.random.default_rng(seed + 100).random(dshape).astype(np.float32)
    outs = frozen(tf.constant(x))
    outs = outs if isinstance(outs, (list, tuple)) else [outs]
    out_names = [t.name.split(":")[0] for t in frozen.outputs]

    d = os.path.join(OUT, name)
    os.makedirs(os.path.join(d, "test_data_set_0"), exist_ok=True)
    with open(os.path.join(d, "model.pb"), "wb") as f:
        f.write(gd.SerializeToString(deterministic=True))
    write_tensor(os.path.join(d, "test_data_set_0", "input_0.pb"), x, "x")
    for k, (o, on) in enumerate(zip(outs, out_names)):
        write_tensor(os.path.join(d, "test_data_set_0", f"output_{k}.pb"), o.numpy(), on)

    size = sum(os.path.getsize(os.path.join(r, f)) for r, _, fs in os.walk(d) for f in fs)
    ops = sorted({n.op for n in gd.node})
    print(f"{name:10s} in {list(x.shape)} outs {[list(o.shape) for o in outs]} "
          f"{size / 1024:.0f} KiB  ops {ops}")
    if size > MAX_BYTES:
        sys.exit(f"{name}: {size} bytes, more than the {MAX_BYTES} a fixture may take")


def main():
    tf.config.threading.set_intra_op_parallelism_threads(1)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    names = sys.argv[1:] or list(MODELS)
    for i, n in enumerate(MODELS):
        if n in names:
            gen(n, seed=i + 1)
    for n in names:
        if n not in MODELS:
            sys.exit(f"unknown model {n}; known: {' '.join(MODELS)}")


if __name__ == "__main__":
    main()
