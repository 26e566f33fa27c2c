#!/usr/bin/env python3
"""Generate the model zoo into ${DLC_CACHE_DIR:-~/.cache/dlc}/zoo/<name>/.

The zoo is too big to commit (ResNet-18 alone is ~45 MB), so it is generated
into the cache. Each model uses the ONNX backend-test layout, like the
fixtures (test/models/gen_fixtures.py):
    model.onnx
    test_data_set_0/input_K.pb    (TensorProto, named like graph input K)
    test_data_set_0/output_K.pb   (TensorProto, named like graph output K)
    info.json                     (what zoo.json lists for this model)
    .dlc-stamp                    (hash of this script and the pins)
and zoo.json beside the models lists every model: input shapes, op types
(sorted, with counts), the ORT-vs-torch difference, size, generation time.

Models (random weights, fixed seeds, eval mode, static shapes):
    resnet18             torchvision ResNet-18, weights=None, 1x3x224x224
    mobilenet_v2         torchvision MobileNetV2, 1x3x224x224
    transformer_encoder  token embedding + 2-layer nn.TransformerEncoder
                         (d=128, 2 heads, ffn 512) + mean pool + Linear(10);
                         int64 ids [1,128]
    gpt_decoder          GPT: token + learned position embedding, 2 pre-LN
                         blocks of causal self-attention + GELU MLP, final LN,
                         LM head (d=128, 2 heads, vocab 1000); int64 ids [1,64]
    lstm_classifier      Embedding(1000,64) + LSTM(64,128) + Linear(5) on the
                         last hidden state; int64 ids [1,32]
Exported with the TorchScript exporter (dynamo=False, opset 17). Reference
outputs come from ONNX Runtime (CPU, all graph optimizations, 1 thread) on the
exported file, cross-checked against torch at the zoo's tolerance.

A model whose directory is complete and whose stamp matches is not
regenerated (--force regenerates). Run from the repo root:
    PY=$(tools/venv.sh fixtures); $PY test/models/gen_zoo.py [--force] [name...]
or tools/zoo.sh, which also runs dlc-run over the zoo (docs/zoo.md).
"""
import fcntl
import hashlib
import json
import math
import os
import shutil
import sys
import time
import warnings
from collections import Counter

import numpy as np
import onnx
import onnxruntime as ort
import torch
import torchvision
from onnx import numpy_helper
from torch import nn

# The legacy exporter is chosen on purpose (plain ops, readable node names).
warnings.filterwarnings("ignore", message="You are using the legacy TorchScript")
warnings.filterwarnings("ignore", message=".*enable_nested_tensor.*")
warnings.filterwarnings("ignore", message="Exporting a model to ONNX with a batch_size other than 1")

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
CACHE = os.environ.get("DLC_CACHE_DIR") or os.path.join(os.path.expanduser("~"), ".cache", "dlc")
OUT = os.path.join(CACHE, "zoo")
OPSET = 17
RTOL, ATOL = 1e-3, 1e-4  # the zoo's dlc-run tolerance; ORT must meet it vs torch
VOCAB = 1000


# ---- models ----

def perturb_norms(model):
    """Random affine parameters for every BatchNorm/LayerNorm: at their defaults
    (scale 1, shift 0) a kernel that drops the affine part would still pass."""
    for mod in model.modules():
        if isinstance(mod, (nn.BatchNorm2d, nn.LayerNorm)):
            nn.init.uniform_(mod.weight, 0.5, 1.5)
            nn.init.uniform_(mod.bias, -0.2, 0.2)
    return model


def calibrate_bn(model, shape, batches=2):
    """Set BatchNorm running statistics from train-mode passes over random
    images (cumulative average), so eval-mode BN really normalizes: with the
    fresh statistics (mean 0, var 1) activations grow through the network."""
    for mod in model.modules():
        if isinstance(mod, nn.BatchNorm2d):
            mod.reset_running_stats()
            mod.momentum = None
    model.train()
    with torch.no_grad():
        for _ in range(batches):
            model(torch.randn(8, *shape[1:]))
    return model.eval()


def vision(ctor):
    def build():
        model = perturb_norms(ctor(weights=None))  # seeded torchvision init
        return calibrate_bn(model, (1, 3, 224, 224))
    return build


class TransformerEncoderClassifier(nn.Module):
    def __init__(self, vocab=VOCAB, d=128, heads=2, ffn=512, layers=2, classes=10):
        super().__init__()
        self.embed = nn.Embedding(vocab, d)
        layer = nn.TransformerEncoderLayer(d, heads, ffn, dropout=0.0, batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        self.head = nn.Linear(d, classes)

    def forward(self, ids):
        h = self.encoder(self.embed(ids))
        return self.head(h.mean(dim=1))


class CausalSelfAttention(nn.Module):
    def __init__(self, d, heads, seq):
        super().__init__()
        self.heads = heads
        self.scale = 1.0 / math.sqrt(d // heads)
        self.qkv = nn.Linear(d, 3 * d)
        self.proj = nn.Linear(d, d)
        # the causal mask lives in the model: True where a position may attend
        self.register_buffer("mask", torch.tril(torch.ones(seq, seq, dtype=torch.bool))
                             .view(1, 1, seq, seq), persistent=False)

    def forward(self, x):
        b, t, c = x.size()
        q, k, v = self.qkv(x).split(c, dim=2)
        q = q.view(b, t, self.heads, c // self.heads).transpose(1, 2)
        k = k.view(b, t, self.heads, c // self.heads).transpose(1, 2)
        v = v.view(b, t, self.heads, c // self.heads).transpose(1, 2)
        att = (q @ k.transpose(-2, -1)) * self.scale
        att = att.masked_fill(~self.mask[:, :, :t, :t], float("-inf"))
        y = torch.softmax(att, dim=-1) @ v
        return self.proj(y.transpose(1, 2).contiguous().view(b, t, c))


class Block(nn.Module):
    def __init__(self, d, heads, seq):
        super().__init__()
        self.ln1 = nn.LayerNorm(d)
        self.attn = CausalSelfAttention(d, heads, seq)
        self.ln2 = nn.LayerNorm(d)
        self.mlp = nn.Sequential(nn.Linear(d, 4 * d), nn.GELU(), nn.Linear(4 * d, d))

    def forward(self, x):
        x = x + self.attn(self.ln1(x))
        return x + self.mlp(self.ln2(x))


class GPT(nn.Module):
    def __init__(self, vocab=VOCAB, d=128, heads=2, layers=2, seq=64):
        super().__init__()
        self.tok = nn.Embedding(vocab, d)
        self.pos = nn.Embedding(seq, d)
        self.blocks = nn.Sequential(*[Block(d, heads, seq) for _ in range(layers)])
        self.ln_f = nn.LayerNorm(d)
        self.head = nn.Linear(d, vocab, bias=False)

    def forward(self, ids):
        t = ids.size(1)
        pos = torch.arange(t, dtype=torch.long, device=ids.device)
        x = self.blocks(self.tok(ids) + self.pos(pos))
        return self.head(self.ln_f(x))


class LSTMClassifier(nn.Module):
    def __init__(self, vocab=VOCAB, emb=64, hidden=128, classes=5):
        super().__init__()
        self.embed = nn.Embedding(vocab, emb)
        self.lstm = nn.LSTM(emb, hidden, batch_first=True)
        self.head = nn.Linear(hidden, classes)

    def forward(self, ids):
        _, (h, _) = self.lstm(self.embed(ids))
        return self.head(h[-1])


def tokens(build):
    return lambda: perturb_norms(build())


# name -> (model builder, input shape, input kind: "image" N(0,1) float32 or
# "ids" int64 uniform over the vocabulary)
MODELS = {
    "resnet18": (vision(torchvision.models.resnet18), (1, 3, 224, 224), "image"),
    "mobilenet_v2": (vision(torchvision.models.mobilenet_v2), (1, 3, 224, 224), "image"),
    "transformer_encoder": (tokens(TransformerEncoderClassifier), (1, 128), "ids"),
    "gpt_decoder": (tokens(GPT), (1, 64), "ids"),
    "lstm_classifier": (tokens(LSTMClassifier), (1, 32), "ids"),
}


# ---- generation ----

def stamp():
    """A hash of this script and the pins it ran under."""
    h = hashlib.sha256()
    for p in (os.path.abspath(__file__),
              os.path.join(ROOT, "test", "requirements-test.txt"),
              os.path.join(ROOT, "test", "requirements-fixtures.txt")):
        with open(p, "rb") as f:
            h.update(f.read())
    return h.hexdigest()


def complete(d, want_stamp):
    try:
        with open(os.path.join(d, ".dlc-stamp")) as f:
            if f.read().strip() != want_stamp:
                return False
        with open(os.path.join(d, "info.json")) as f:
            info = json.load(f)
    except (OSError, ValueError):
        return False
    files = ["model.onnx"] + [f"test_data_set_0/input_{k}.pb" for k in range(len(info["inputs"]))] \
        + [f"test_data_set_0/output_{k}.pb" for k in range(len(info["outputs"]))]
    return all(os.path.isfile(os.path.join(d, f)) for f in files)


def ort_session(path):
    so = ort.SessionOptions()
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    so.intra_op_num_threads = 1  # deterministic reductions -> stable output_K.pb
    so.inter_op_num_threads = 1
    return ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])


def write_tensor(path, array, name):
    with open(path, "wb") as f:
        f.write(numpy_helper.from_array(array, name).SerializeToString())


def value_info(v, array):
    return {"name": v.name, "shape": list(array.shape), "dtype": str(array.dtype)}


def gen(name, want_stamp):
    build, shape, kind = MODELS[name]
    start = time.monotonic()
    torch.manual_seed(0)
    model = build().eval()
    rng = np.random.default_rng(1)
    if kind == "image":
        x = rng.standard_normal(shape).astype(np.float32)
    else:
        x = rng.integers(0, VOCAB, shape, dtype=np.int64)

    # Written beside the final directory and renamed into place when done, so
    # an interrupted run never leaves a half-written model that looks complete.
    final = os.path.join(OUT, name)
    d = final + ".tmp"
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(os.path.join(d, "test_data_set_0"))
    path = os.path.join(d, "model.onnx")
    in_name = "input_ids" if kind == "ids" else "input"
    with torch.no_grad():
        torch.onnx.export(model, (torch.from_numpy(x),), path, dynamo=False,
                          opset_version=OPSET, input_names=[in_name],
                          output_names=["logits"], do_constant_folding=True)
        want = [model(torch.from_numpy(x)).numpy()]

    m = onnx.load(path)
    onnx.checker.check_model(m, full_check=True)
    assert len(m.graph.input) == 1, "initializers leaked into graph inputs"
    got = ort_session(path).run(None, {m.graph.input[0].name: x})
    diff = max(float(np.max(np.abs(g - w))) for g, w in zip(got, want))
    agree = all(np.allclose(g, w, rtol=RTOL, atol=ATOL) for g, w in zip(got, want))

    write_tensor(os.path.join(d, "test_data_set_0", "input_0.pb"), x, m.graph.input[0].name)
    for k, (v, g) in enumerate(zip(m.graph.output, got)):
        write_tensor(os.path.join(d, "test_data_set_0", f"output_{k}.pb"), g, v.name)

    counts = Counter(n.op_type if n.domain in ("", "ai.onnx") else f"{n.domain}.{n.op_type}"
                     for n in m.graph.node)
    info = {
        "name": name,
        "inputs": [value_info(m.graph.input[0], x)],
        "outputs": [value_info(v, g) for v, g in zip(m.graph.output, got)],
        "ops": dict(sorted(counts.items())),
        "nodes": len(m.graph.node),
        "ort_vs_torch_max_abs_diff": diff,
        "size_bytes": sum(os.path.getsize(os.path.join(r, f))
                          for r, _, fs in os.walk(d) for f in fs),
        "gen_seconds": round(time.monotonic() - start, 1),
    }
    if not agree:
        sys.exit(f"{name}: ORT and torch disagree (max|diff| {diff:.3g}) beyond "
                 f"rtol {RTOL}, atol {ATOL}")
    with open(os.path.join(d, "info.json"), "w") as f:
        json.dump(info, f, indent=1)
        f.write("\n")
    with open(os.path.join(d, ".dlc-stamp"), "w") as f:
        f.write(want_stamp + "\n")
    shutil.rmtree(final, ignore_errors=True)
    os.rename(d, final)
    return info


def describe(info, note):
    ops = " ".join(f"{op}:{n}" for op, n in info["ops"].items())
    print(f"{info['name']:20s} {note:9s} in {info['inputs'][0]['shape']} "
          f"{info['inputs'][0]['dtype']} out {info['outputs'][0]['shape']} "
          f"ort-vs-torch max|diff| {info['ort_vs_torch_max_abs_diff']:.3g}  "
          f"{info['size_bytes'] / 2**20:.1f} MiB  {info['gen_seconds']} s\n"
          f"{'':20s} ops {ops}", flush=True)


def main():
    args = sys.argv[1:]
    force = "--force" in args
    names = [a for a in args if a != "--force"] or list(MODELS)
    for n in names:
        if n not in MODELS:
            sys.exit(f"unknown model {n}; known: {' '.join(MODELS)}")
    torch.set_num_threads(1)
    # eval-mode nn.TransformerEncoderLayer would take its fused fast path
    # (aten::_transformer_encoder_layer_fwd), which has no ONNX export
    torch.backends.mha.set_fastpath_enabled(False)
    os.makedirs(OUT, exist_ok=True)
    # one generator at a time per cache (tools/zoo.sh and check.sh may race)
    lock = open(os.path.join(OUT, ".lock"), "w")
    fcntl.flock(lock, fcntl.LOCK_EX)
    want = stamp()
    for n in names:
        d = os.path.join(OUT, n)
        if not force and complete(d, want):
            with open(os.path.join(d, "info.json")) as f:
                describe(json.load(f), "(cached)")
            continue
        describe(gen(n, want), "generated")

    # zoo.json: every complete model in the cache, in MODELS order
    models = []
    for n in MODELS:
        if complete(os.path.join(OUT, n), want):
            with open(os.path.join(OUT, n, "info.json")) as f:
                models.append(json.load(f))
    versions = {"torch": torch.__version__, "torchvision": torchvision.__version__,
                "onnx": onnx.__version__, "onnxruntime": ort.__version__, "opset": OPSET}
    with open(os.path.join(OUT, "zoo.json"), "w") as f:
        json.dump({"versions": versions, "rtol": RTOL, "atol": ATOL, "models": models}, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
