"""Writes the crafted safetensors files that SafeTensorsTests.swift expects to be
rejected (one per loader check), plus one valid file. Standard library only:
    python3 make_crafted.py
"""
import json
import struct


def tensor_bytes(values):
    return struct.pack("<%df" % len(values), *values)


def build(header, data, pad=True):
    raw = json.dumps(header, separators=(",", ":")).encode()
    if pad:
        raw += b" " * ((8 - len(raw) % 8) % 8)
    return struct.pack("<Q", len(raw)) + raw + data


w = {"dtype": "F32", "shape": [2, 2], "data_offsets": [0, 16]}
b = {"dtype": "F32", "shape": [2], "data_offsets": [16, 24]}
meta = {"format": "perceptron", "version": "1"}
data = tensor_bytes([1.0, -2.0, 0.5, 3.25]) + tensor_bytes([0.0, 1.5])
valid_header = {"__metadata__": meta, "layers.0.weight": w, "layers.0.bias": b}

files = {
    # Valid: 2x2 weight and a bias, with metadata.
    "valid.safetensors": build(valid_header, data),
    # Fewer than 8 bytes.
    "truncated.safetensors": b"\x10\x00\x00\x00\x00",
    # Header length 2^62: beyond the 100 MB limit.
    "huge_header_length.safetensors": struct.pack("<Q", 1 << 62) + b"{}",
    # Header length under the limit but past the end of the file.
    "header_out_of_bounds.safetensors": struct.pack("<Q", 4096) + b'{"a":1}',
    # Not JSON.
    "invalid_json.safetensors": struct.pack("<Q", 8) + b'{"a":[1,',
    # Not UTF-8 (a lone 0xff byte inside a string).
    "invalid_utf8.safetensors": struct.pack("<Q", 8) + b'{"\xff":12}',
    # Starts with '[' rather than '{'.
    "not_an_object.safetensors": struct.pack("<Q", 8) + b"[1,2,3] ",
    # dtype F16.
    "wrong_dtype.safetensors": build({"x": {"dtype": "F16", "shape": [2], "data_offsets": [0, 4]}}, b"\0" * 4),
    # Shape [3] needs 12 bytes, offsets give 8.
    "shape_size_mismatch.safetensors": build({"x": {"dtype": "F32", "shape": [3], "data_offsets": [0, 8]}}, b"\0" * 8),
    # Second tensor starts inside the first.
    "overlapping_offsets.safetensors": build({
        "a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
        "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}}, b"\0" * 12),
    # A 4-byte hole between the tensors.
    "gap_between_offsets.safetensors": build({
        "a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]},
        "b": {"dtype": "F32", "shape": [1], "data_offsets": [8, 12]}}, b"\0" * 12),
    # First tensor does not start at 0.
    "offsets_not_from_zero.safetensors": build({"a": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}}, b"\0" * 8),
    # 4 extra bytes after the last tensor (a polyglot file could hide data there).
    "trailing_bytes.safetensors": build(valid_header, data + b"MORE"),
    # Offsets claim more bytes than the file has.
    "truncated_data.safetensors": build(valid_header, data[:20]),
    # A tensor without dtype.
    "missing_dtype.safetensors": build({"x": {"shape": [1], "data_offsets": [0, 4]}}, b"\0" * 4),
    # __metadata__ with a non-string value.
    "bad_metadata.safetensors": build({"__metadata__": {"epoch": 3}}, b""),
    # Shape whose element count overflows 64 bits.
    "overflowing_shape.safetensors": build({"x": {"dtype": "F32", "shape": [4294967296, 4294967296], "data_offsets": [0, 4]}}, b"\0" * 4),
}

for name, content in files.items():
    with open(name, "wb") as f:
        f.write(content)
print("wrote", len(files), "files")
