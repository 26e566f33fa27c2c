#!/usr/bin/env bash
# The README's first command: installs what is missing, builds dlc, compiles
# the bundled Fashion-MNIST classifier to C, builds it with the example
# program and classifies the 10,000 test images.
#   DLC_BUILD_DIR   build directory (default: build)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${DLC_BUILD_DIR:-build}
data=/usr/share/datasets/fashion-mnist

tools/deps.sh
cmake -S . -B "$build" >/dev/null
cmake --build "$build" -j"$(nproc)" >/dev/null

out="$build/examples/fashion_mnist"
mkdir -p "$out"
for f in t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
  [ -f "$out/$f" ] || gunzip -c "$data/$f.gz" > "$out/$f"
done

# model.onnx -> fmnist.c + fmnist.h (weights embedded: the model is small)
"$build/bin/dlc" examples/fashion_mnist/model.onnx -o "$out/fmnist.c"
${CC:-cc} -std=c11 -O2 -march=native -Wall -Wextra -Werror \
  -I"$build/include" -I"$out" examples/fashion_mnist/main.c "$out/fmnist.c" \
  "$build/lib/libdlcrt.a" -lm -o "$out/classify"
"$out/classify" "$out/t10k-images-idx3-ubyte" "$out/t10k-labels-idx1-ubyte"
echo "onnxruntime: Fashion-MNIST test accuracy $(cat examples/fashion_mnist/ort_accuracy.txt)% (recorded when the model was made; test/e2e checks it live)"
