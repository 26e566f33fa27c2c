"""Prints an ONNX model holding N empty nodes (2 bytes each on the wire,
a protobuf-c struct each once unpacked)."""
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


opset = ld(8, ld(1, b"") + varint(2 << 3) + varint(17))
graph = ld(1, b"") * int(sys.argv[1])
sys.stdout.buffer.write(varint(8) + varint(8) + opset + ld(7, graph))
