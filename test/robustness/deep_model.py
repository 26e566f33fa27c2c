"""Prints an ONNX model whose graphs nest N deep in If attributes."""
import sys


def varint(n):
    out = b""
    while True:
        b, n = n & 0x7F, n >> 7
        if not n:
            return out + bytes([b])
        out += bytes([b | 0x80])


def ld(field, payload):
    return varint(field << 3 | 2) + varint(len(payload)) + payload


g = b""
for _ in range(int(sys.argv[1])):
    g = ld(1, ld(4, b"If") + ld(5, ld(1, b"b") + ld(6, g)))
sys.stdout.buffer.write(varint(8) + varint(8) + ld(7, g))
