"""Peer 1, the stack seed 003 describes: Flask with PyTorch eager.

    gunicorn --bind 127.0.0.1:PORT --workers 1 --threads T 'flask_torch:create_app("model.safetensors", name="titanic")'

The network is a torch.nn.Sequential of Linear layers and activations whose weights come
from our safetensors file (model_file.ModelFile), run under torch.inference_mode() on one
intra-op thread. The route and the request/reply shapes are `perceptron serve`'s.
"""
import os
import sys

import torch
from flask import Flask, jsonify, request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from model_file import ModelFile, RequestError  # noqa: E402

ACTIVATIONS = {
    "relu": torch.nn.ReLU, "sigmoid": torch.nn.Sigmoid, "tanh": torch.nn.Tanh, "linear": torch.nn.Identity,
    "leakyReLU": lambda: torch.nn.LeakyReLU(0.01), "elu": torch.nn.ELU, "softplus": torch.nn.Softplus,
    "gelu": torch.nn.GELU, "softmax": lambda: torch.nn.Softmax(dim=1),
}


def network(model):
    modules = []
    for weight, bias, activation in model.layers:
        linear = torch.nn.Linear(weight.shape[0], weight.shape[1], bias=bias is not None)
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(weight.T.copy()))  # ours is in x out, torch's out x in
            if bias is not None:
                linear.bias.copy_(torch.from_numpy(bias))
        modules += [linear, ACTIVATIONS[activation]()]
    return torch.nn.Sequential(*modules).eval()


def create_app(*specs):
    """specs: "name=path" strings (several models, as `perceptron serve --model`)."""
    torch.set_num_threads(1)
    models = {}
    for spec in specs:
        name, path = spec.split("=", 1)
        model = ModelFile(path)
        models[name] = (model, network(model))
    app = Flask(__name__)

    @app.post("/v1/models/<name>:predict")
    def predict(name):
        if name not in models:
            return jsonify(error=f"no model named {name}"), 404
        model, net = models[name]
        body = request.get_json(silent=True)
        if body is None:
            return jsonify(error="the body is not JSON"), 400
        try:
            x = model.features(body)
        except RequestError as error:
            return jsonify(error=str(error)), 400
        with torch.inference_mode():
            outputs = net(torch.from_numpy(x)).numpy()
        return jsonify(model.reply(name, outputs))

    @app.get("/readyz")
    def ready():
        return "ready\n"

    return app
