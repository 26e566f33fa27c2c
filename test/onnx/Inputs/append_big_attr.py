"""Appends to a model a Transpose node whose 'perm' has 2^20 + 1 values, one
more than dlc accepts. The 1 MB result is made by the test, not committed:
the appended bytes are a second ModelProto.graph field, which protobuf
merges into the first, adding the node.

usage: append_big_attr.py IN.onnx OUT.onnx   (standard library only)
"""
import sys


def varint(n):
    out = bytearray()
    while True:
        out.append((n & 0x7F) | (0x80 if n > 0x7F else 0))
        n >>= 7
        if not n:
            return bytes(out)


def field(num, payload):
    """A length-delimited field (wire type 2)."""
    return varint(num << 3 | 2) + varint(len(payload)) + payload


def text(num, s):
    return field(num, s.encode())


# AttributeProto: name = 1, ints = 8 (packed), type = 20 (a varint; INTS = 7)
attr = text(1, "perm") + varint(20 << 3) + varint(7) + field(8, bytes((1 << 20) + 1))
# NodeProto: input = 1, output = 2, name = 3, op_type = 4, attribute = 5
node = text(1, "x") + text(2, "y") + text(3, "transpose") + text(4, "Transpose") + field(5, attr)
# ModelProto.graph = 7, GraphProto.node = 1
with open(sys.argv[1], "rb") as f:
    data = f.read()
with open(sys.argv[2], "wb") as f:
    f.write(data + field(7, field(1, node)))
