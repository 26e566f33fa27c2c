"""Compares the accuracy lines printed by the dlc example and by
test/models/ort_accuracy.py; exits 1 if they differ by more than the limit."""
import re
import sys


def accuracy(path):
    text = open(path).read()
    m = re.search(r"accuracy:? ([0-9.]+)%", text)
    if not m:
        sys.exit(f"{path}: no accuracy line in {text!r}")
    return float(m.group(1))


dlc, ort, limit = accuracy(sys.argv[1]), accuracy(sys.argv[2]), float(sys.argv[3])
diff = abs(dlc - ort)
print(f"accuracy dlc={dlc:.2f}% onnxruntime={ort:.2f}% difference={diff:.2f}% "
      f"{'<=' if diff <= limit else '>'} {limit}%")
sys.exit(0 if diff <= limit else 1)
