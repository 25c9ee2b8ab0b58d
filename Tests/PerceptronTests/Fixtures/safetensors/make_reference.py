"""Writes reference_written.safetensors with the reference implementation's own writer
(PyPI safetensors 0.4.5, numpy), so SafeTensorsTests.swift checks that Perceptron reads
what the reference writes:
    python3 -m venv venv && venv/bin/pip install safetensors==0.4.5 numpy
    venv/bin/python make_reference.py
"""
import numpy as np
from safetensors.numpy import save_file

tensors = {
    "layers.0.weight": np.arange(6, dtype=np.float32).reshape(2, 3) / 4,
    "layers.0.bias": np.array([-1.5, 0.0, 2.25], dtype=np.float32),
    "layers.1.weight": np.array([[1.0], [-1.0], [0.5]], dtype=np.float32),
}
save_file(tensors, "reference_written.safetensors", metadata={"format": "pt", "note": "written by safetensors 0.4.5"})
print("wrote reference_written.safetensors")
