"""Shared helpers for the test model scripts: the Fashion-MNIST IDX reader and
the model definitions (kept here so the fixtures and the trained example use
the same architecture). Only needs numpy unless a torch model is built."""
import gzip
import os
from collections import OrderedDict

import numpy as np

FMNIST_DIR = os.environ.get("DLC_FMNIST_DIR", "/usr/share/datasets/fashion-mnist")


def read_idx(path):
    """Read a (gzipped) IDX file into a numpy array of its native dtype/shape."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    # Header: two zero bytes, a dtype code, the number of dims, then one
    # big-endian uint32 per dim. Fashion-MNIST only uses 0x08 (uint8).
    if data[0] != 0 or data[1] != 0 or data[2] != 0x08:
        raise ValueError(f"{path}: not a uint8 IDX file")
    ndim = data[3]
    shape = tuple(int(d) for d in np.frombuffer(data, ">u4", ndim, 4))
    arr = np.frombuffer(data, np.uint8, offset=4 + 4 * ndim)
    return arr.reshape(shape)


def load_fmnist(split):
    """split 'train' or 't10k' -> (images float32 [N,1,28,28] in [0,1], labels int64 [N])."""
    x = read_idx(os.path.join(FMNIST_DIR, f"{split}-images-idx3-ubyte.gz"))
    y = read_idx(os.path.join(FMNIST_DIR, f"{split}-labels-idx1-ubyte.gz"))
    # Normalisation is pixel/255 only: the C side must reproduce it exactly.
    x = (x.astype(np.float32) / 255.0)[:, None, :, :]
    return x, y.astype(np.int64)


# Layers are named (fc1, relu1, ...) so exported node names read "/fc1/Gemm" and
# initializers "fc1.weight" rather than "/0/Gemm" and "0.weight".

def mlp(sizes):
    """Linear layers of the given sizes, ReLU between them, Softmax at the end."""
    import torch.nn as nn

    layers = []
    for i in range(1, len(sizes)):
        layers.append((f"fc{i}", nn.Linear(sizes[i - 1], sizes[i])))
        if i < len(sizes) - 1:
            layers.append((f"relu{i}", nn.ReLU()))
    layers.append(("softmax", nn.Softmax(dim=1)))
    return nn.Sequential(OrderedDict(layers))


def cnn(third_conv=False, softmax=True):
    """Conv(1->32,3) ReLU MaxPool2 Conv(32->64,3) ReLU MaxPool2 [Conv(64->64,3) ReLU]
    Flatten Linear(->64) ReLU Linear(64->10) [Softmax], for 1x28x28 inputs."""
    import torch.nn as nn

    layers = [
        ("conv1", nn.Conv2d(1, 32, 3)), ("relu1", nn.ReLU()), ("pool1", nn.MaxPool2d(2)),   # 28->26->13
        ("conv2", nn.Conv2d(32, 64, 3)), ("relu2", nn.ReLU()), ("pool2", nn.MaxPool2d(2)),  # 13->11->5
    ]
    side = 5
    if third_conv:
        layers += [("conv3", nn.Conv2d(64, 64, 3)), ("relu3", nn.ReLU())]                 # 5->3
        side = 3
    layers += [
        ("flatten", nn.Flatten()),
        ("fc1", nn.Linear(64 * side * side, 64)), ("relu4", nn.ReLU()),
        ("fc2", nn.Linear(64, 10)),
    ]
    if softmax:
        layers.append(("softmax", nn.Softmax(dim=1)))
    return nn.Sequential(OrderedDict(layers))
