"""Writes the ONNX fixtures the Swift tests import, and the outputs onnxruntime gives.

usage: python make_fixtures.py   (needs torch, onnx, onnxruntime, numpy; versions below)

Fixtures (all small, seeded, committed):
  torch_mlp.onnx      torch.onnx.export (TorchScript exporter, opset 17) of
                      nn.Sequential(Linear(4, 8), ReLU(), Linear(8, 6), Tanh(), Linear(6, 3), Softmax(dim=1))
  torch_mixed.onnx    torch.onnx.export, opset 17, of Flatten() on [N, 2, 3] inputs then
                      Linear, LeakyReLU, Linear, ELU, Linear(bias=False), Softplus, Linear(·, 1), Sigmoid
  torch_dynamo_gelu.onnx  torch.onnx.export with the torch.export-based exporter (the default
                      since PyTorch 2.9; needs onnxscript), opset 20, IR 10, of
                      nn.Sequential(Linear(4, 5), GELU(), Linear(5, 3), Softmax(dim=1)): Gemm, Gelu, Softmax
  torch_norm.onnx     torch.onnx.export (TorchScript exporter, opset 17) of
                      nn.Sequential(Linear(4, 6), ReLU(), BatchNorm1d(6), Linear(6, 5), Tanh(), LayerNorm(5),
                      Linear(5, 3), Softmax(dim=1)), its running statistics from 20 training-mode batches
  keras_style.onnx    the graph tf2onnx writes for a Keras Dense stack, built with onnx.helper:
                      MatMul + Add with Identity and Transpose of initializers, Relu, Softmax
  expected.json       for each fixture: the inputs and onnxruntime's outputs (float32 → float64 text)

Versions used for the committed files: torch 2.15.0, onnxscript (latest on PyPI at the time),
onnx 1.23.2, onnxruntime 1.32.0, numpy 2.4.6.
"""
import json
import os

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))



def drop_stack_traces(path):
    """The torch.export-based exporter stores each node's Python stack trace, paths of the
    machine that ran it; the committed fixture keeps the graph and drops those."""
    model = onnx.load(path)
    for node in model.graph.node:
        kept = [p for p in node.metadata_props if p.key != "pkg.torch.onnx.stack_trace"]
        del node.metadata_props[:]
        node.metadata_props.extend(kept)
    onnx.save(model, path)


def torch_fixtures():
    import torch
    from torch import nn

    torch.manual_seed(11)
    mlp = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 6), nn.Tanh(), nn.Linear(6, 3), nn.Softmax(dim=1))
    mlp.eval()
    torch.onnx.export(mlp, (torch.zeros(1, 4),), os.path.join(HERE, "torch_mlp.onnx"), opset_version=17,
                      input_names=["x"], output_names=["probabilities"],
                      dynamic_axes={"x": {0: "N"}, "probabilities": {0: "N"}}, dynamo=False)

    torch.manual_seed(12)
    mixed = nn.Sequential(nn.Flatten(), nn.Linear(6, 7), nn.LeakyReLU(0.01), nn.Linear(7, 5), nn.ELU(),
                          nn.Linear(5, 4, bias=False), nn.Softplus(), nn.Linear(4, 1), nn.Sigmoid())
    mixed.eval()
    torch.onnx.export(mixed, (torch.zeros(1, 2, 3),), os.path.join(HERE, "torch_mixed.onnx"), opset_version=17,
                      input_names=["x"], output_names=["p"], dynamic_axes={"x": {0: "N"}, "p": {0: "N"}}, dynamo=False)

    torch.manual_seed(15)
    gelu = nn.Sequential(nn.Linear(4, 5), nn.GELU(), nn.Linear(5, 3), nn.Softmax(dim=1)).eval()
    torch.onnx.export(gelu, (torch.zeros(2, 4),), os.path.join(HERE, "torch_dynamo_gelu.onnx"), opset_version=20,
                      input_names=["x"], output_names=["y"], dynamic_shapes=({0: torch.export.Dim("N")},), dynamo=True,
                      external_data=False)
    drop_stack_traces(os.path.join(HERE, "torch_dynamo_gelu.onnx"))

    torch.manual_seed(16)
    norm = nn.Sequential(nn.Linear(4, 6), nn.ReLU(), nn.BatchNorm1d(6), nn.Linear(6, 5), nn.Tanh(), nn.LayerNorm(5),
                         nn.Linear(5, 3), nn.Softmax(dim=1))
    norm.train()
    with torch.no_grad():
        for _ in range(20):
            norm(torch.randn(32, 4) * 2 + 1)
    norm.eval()
    torch.onnx.export(norm, (torch.zeros(1, 4),), os.path.join(HERE, "torch_norm.onnx"), opset_version=17,
                      input_names=["x"], output_names=["p"], dynamic_axes={"x": {0: "N"}, "p": {0: "N"}}, dynamo=False)


def keras_style_fixture():
    rng = np.random.default_rng(13)
    w0 = rng.normal(size=(5, 4)).astype(np.float32)
    b0 = rng.normal(size=(4,)).astype(np.float32)
    w1t = rng.normal(size=(3, 4)).astype(np.float32)  # stored transposed, un-transposed by a Transpose node
    b1 = rng.normal(size=(3,)).astype(np.float32)
    nodes = [
        helper.make_node("Identity", ["w0"], ["w0_read"], name="dense/MatMul/ReadVariableOp"),
        helper.make_node("MatMul", ["input_1", "w0_read"], ["z0"], name="dense/MatMul"),
        helper.make_node("Add", ["z0", "b0"], ["z0b"], name="dense/BiasAdd"),
        helper.make_node("Relu", ["z0b"], ["a0"], name="dense/Relu"),
        helper.make_node("Transpose", ["w1t"], ["w1"], name="dense_1/kernel/transpose", perm=[1, 0]),
        helper.make_node("MatMul", ["a0", "w1"], ["z1"], name="dense_1/MatMul"),
        helper.make_node("Add", ["z1", "b1"], ["z1b"], name="dense_1/BiasAdd"),
        helper.make_node("Softmax", ["z1b"], ["dense_1"], name="dense_1/Softmax", axis=-1),
    ]
    graph = helper.make_graph(
        nodes, "keras_style",
        [helper.make_tensor_value_info("input_1", TensorProto.FLOAT, ["unk__0", 5])],
        [helper.make_tensor_value_info("dense_1", TensorProto.FLOAT, ["unk__0", 3])],
        [numpy_helper.from_array(w0, "w0"), numpy_helper.from_array(b0, "b0"),
         numpy_helper.from_array(w1t, "w1t"), numpy_helper.from_array(b1, "b1")])
    model = helper.make_model(graph, producer_name="tf2onnx-style", opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 7
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(HERE, "keras_style.onnx"))


def expected():
    rng = np.random.default_rng(14)
    inputs = {
        "torch_mlp.onnx": rng.normal(size=(6, 4)).astype(np.float32),
        "torch_mixed.onnx": rng.normal(size=(6, 2, 3)).astype(np.float32),
        "keras_style.onnx": rng.normal(size=(6, 5)).astype(np.float32),
        "torch_dynamo_gelu.onnx": rng.normal(size=(6, 4)).astype(np.float32),
        "torch_norm.onnx": (rng.normal(size=(6, 4)) * 2 + 1).astype(np.float32),
    }
    out = {}
    for name, x in inputs.items():
        path = os.path.join(HERE, name)
        onnx.checker.check_model(onnx.load(path))
        session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
        y = session.run(None, {session.get_inputs()[0].name: x})[0]
        out[name] = {"input_shape": list(x.shape), "input": x.reshape(-1).astype(float).tolist(),
                     "output_shape": list(y.shape), "output": y.reshape(-1).astype(float).tolist()}
    with open(os.path.join(HERE, "expected.json"), "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    torch_fixtures()
    keras_style_fixture()
    expected()
    print("make_fixtures: wrote torch_mlp.onnx, torch_mixed.onnx, torch_dynamo_gelu.onnx, torch_norm.onnx, keras_style.onnx, expected.json")
