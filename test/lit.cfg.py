# lit configuration for dlc. The build writes lit.site.cfg.py (build paths)
# into build/test and loads this file from there: run `lit build/test`.
import os
import sys

import lit.formats

config.name = "dlc"
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".dlc", ".test"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.dlc_build_dir, "test")
config.excludes = ["unit", "fixtures", "models", "Inputs", "tools", "conformance", "regressions"]

# Tools under test first, then FileCheck and not from LLVM.
path = os.pathsep.join([os.path.join(config.dlc_build_dir, "bin"),
                        config.llvm_tools_dir,
                        config.environment.get("PATH", os.environ.get("PATH", ""))])
config.environment["PATH"] = path
config.environment["FILECHECK_OPTS"] = "-enable-var-scope"
# a sanitizer build compiles generated code with the same flags (dlc-run)
for var in ("DLC_CFLAGS", "CC", "ASAN_OPTIONS", "UBSAN_OPTIONS", "TMPDIR"):
    if var in os.environ:
        config.environment[var] = os.environ[var]

# Building generated code: the flags of the contract (C11, warnings are
# errors) and the runtime library.
cc = os.environ.get("CC", "cc")
cflags = os.environ.get("DLC_CFLAGS", "")
build = config.dlc_build_dir
config.substitutions.append(
    ("%cc", f"{cc} -std=c11 -O2 -Wall -Wextra -Werror {cflags} -I{build}/include"))
# a sanitizer build: generated code is built (and runs) with the sanitizers
if "-fsanitize" in cflags:
    config.available_features.add("sanitizers")
config.substitutions.append(("%dlcrt", f"{build}/lib/libdlcrt.a -lm"))

# The pinned test venv (onnx, onnxruntime): tools/check.sh passes it with
# --param test_python=...; tests that need ONNX Runtime say REQUIRES: onnxruntime.
test_python = lit_config.params.get("test_python") or os.environ.get("DLC_TEST_PYTHON")
if test_python and os.path.exists(test_python):
    config.available_features.add("onnxruntime")
    config.substitutions.append(("%test_python", test_python))

# The model zoo (docs/zoo.md), generated into the cache by tools/zoo.sh; its
# tests (test/zoo, REQUIRES: zoo) run when it is there and DLC_ZOO=1 asks for
# them (as tools/check.sh does with DLC_ZOO=1), so a cached zoo does not put
# models that dlc cannot compile yet into every run.
zoo = os.path.join(os.environ.get("DLC_CACHE_DIR") or os.path.expanduser("~/.cache/dlc"), "zoo")
zoo_models = ("resnet18", "mobilenet_v2", "transformer_encoder", "gpt_decoder", "lstm_classifier")
if os.environ.get("DLC_ZOO") == "1" and all(
        os.path.exists(os.path.join(zoo, m, "model.onnx")) for m in zoo_models):
    config.available_features.add("zoo")
    config.substitutions.append(("%zoo", zoo))

import shutil
if shutil.which("valgrind"):
    config.available_features.add("valgrind")

config.substitutions.append(("%python", sys.executable))
config.substitutions.append(("%dlc_src", config.dlc_src_dir))
config.substitutions.append(("%dlc_build", config.dlc_build_dir))

# The x86-64 levels this machine runs: the fast kernels' tests for AVX2 and
# AVX-512 (test/kernels) need them.
def cpu_flags():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


flags = cpu_flags()
if {"avx2", "fma"} <= flags:
    config.available_features.add("cpu-x86-64-v3")
    if {"avx512f", "avx512bw", "avx512dq", "avx512vl"} <= flags:
        config.available_features.add("cpu-x86-64-v4")
