#!/usr/bin/env python3
"""Fashion-MNIST test-set accuracy of a batch-1 ONNX model under ONNX Runtime.

Usage: PY=$(tools/venv.sh test); $PY test/models/ort_accuracy.py MODEL.onnx
Prints "onnxruntime accuracy: 90.87%". Input is pixel/255 as f32[1,1,28,28]
(reshaped to the model's input shape, so a flat [1,784] model works too);
the prediction is the argmax of output 0. Needs only numpy + onnxruntime.
"""
import os
import sys

import numpy as np
import onnxruntime as ort

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fmnist import load_fmnist  # noqa: E402


def ort_accuracy(model_path):
    """Return the accuracy in percent over the 10,000 test images."""
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1  # batch-1 inference: threading only adds overhead
    sess = ort.InferenceSession(model_path, so, providers=["CPUExecutionProvider"])
    inp = sess.get_inputs()[0]
    shape = [d if isinstance(d, int) else 1 for d in inp.shape]
    x, y = load_fmnist("t10k")
    correct = 0
    for i in range(len(y)):
        (out,) = sess.run([sess.get_outputs()[0].name], {inp.name: x[i].reshape(shape)})
        correct += int(np.argmax(out) == y[i])
    return 100.0 * correct / len(y)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(f"usage: {sys.argv[0]} MODEL.onnx")
    print(f"onnxruntime accuracy: {ort_accuracy(sys.argv[1]):.2f}%")
