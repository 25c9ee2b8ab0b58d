"""Peer 2, the fastest common Python stack: FastAPI on uvicorn (uvloop + httptools) with onnxruntime.

    PEER_MODELS="titanic=model.safetensors" uvicorn fastapi_onnx:app --host 127.0.0.1 --port PORT \
        --workers 1 --loop uvloop --http httptools --no-access-log

The ONNX graph (Gemm + activation per Dense layer) is built here from the weights in our
safetensors file (model_file.ModelFile), not exported by Perceptron, so both peers read the
same file the same way. One onnxruntime session per model, one intra-op thread, all graph
optimizations. The route reads the body itself and answers with orjson (no pydantic
model), the fast path FastAPI offers; the request/reply shapes are `perceptron serve`'s.
"""
import os
import sys

import numpy as np
import onnx
import onnxruntime as ort
import orjson
from fastapi import FastAPI, Request
from fastapi.responses import ORJSONResponse, PlainTextResponse
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from model_file import ModelFile, RequestError  # noqa: E402

ACTIVATIONS = {"relu": "Relu", "sigmoid": "Sigmoid", "tanh": "Tanh", "softplus": "Softplus", "elu": "Elu"}


def onnx_graph(model):
    nodes, initializers = [], []
    current = "input"
    for index, (weight, bias, activation) in enumerate(model.layers):
        initializers.append(numpy_helper.from_array(weight, f"W{index}"))
        inputs = [current, f"W{index}"]
        if bias is not None:
            initializers.append(numpy_helper.from_array(bias, f"b{index}"))
            inputs.append(f"b{index}")
        nodes.append(helper.make_node("Gemm", inputs, [f"z{index}"]))
        out = f"a{index}"
        if activation == "linear":
            nodes.append(helper.make_node("Identity", [f"z{index}"], [out]))
        elif activation == "softmax":
            nodes.append(helper.make_node("Softmax", [f"z{index}"], [out], axis=1))
        elif activation == "leakyReLU":
            nodes.append(helper.make_node("LeakyRelu", [f"z{index}"], [out], alpha=0.01))
        elif activation in ACTIVATIONS:
            nodes.append(helper.make_node(ACTIVATIONS[activation], [f"z{index}"], [out]))
        else:
            raise SystemExit(f"no ONNX operator here for activation {activation}")
        current = out
    nodes.append(helper.make_node("Identity", [current], ["output"]))
    graph = helper.make_graph(
        nodes, "perceptron_mlp",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", model.input_size])],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, ["N", model.layers[-1][0].shape[1]])],
        initializers)
    proto = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    proto.ir_version = 8
    onnx.checker.check_model(proto)
    return proto.SerializeToString()


def session(model):
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    return ort.InferenceSession(onnx_graph(model), options, providers=["CPUExecutionProvider"])


models = {}
for spec in os.environ.get("PEER_MODELS", "").split(","):
    if spec:
        name, path = spec.split("=", 1)
        model = ModelFile(path)
        models[name] = (model, session(model))

app = FastAPI()


@app.post("/v1/models/{name}:predict")
async def predict(name: str, request: Request):
    if name not in models:
        return ORJSONResponse({"error": f"no model named {name}"}, status_code=404)
    model, sess = models[name]
    try:
        body = orjson.loads(await request.body())
    except orjson.JSONDecodeError:
        return ORJSONResponse({"error": "the body is not JSON"}, status_code=400)
    try:
        x = model.features(body)
    except RequestError as error:
        return ORJSONResponse({"error": str(error)}, status_code=400)
    outputs = sess.run(["output"], {"input": x})[0]
    return ORJSONResponse(model.reply(name, outputs))


@app.get("/readyz")
async def ready():
    return PlainTextResponse("ready\n")
