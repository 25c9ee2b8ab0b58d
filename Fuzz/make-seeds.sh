#!/usr/bin/env bash
# Writes the model-file and ONNX seeds (Fuzz/corpus/model-file/, Fuzz/corpus/onnx/) with the `perceptron` command,
# so that they are files the library itself saves: tiny networks, a few KB each.
# Run from anywhere; builds the command first (debug). The seeds are checked in, so this
# is only needed when the model-file format changes.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --product perceptron
bin="$(swift build --show-bin-path)/perceptron"
out=Fuzz/corpus/model-file
csv=Fuzz/corpus/csv
mkdir -p "$out"
train() { local name=$1; shift; "$bin" train "$@" --epochs 2 --seed 7 --test-split 0 -o "$out/$name.safetensors" > /dev/null; }
# Two numeric features, binary target, standardized: a preprocessor with numeric columns.
train binary-numeric --csv "$csv/numeric.csv" --target y --layers 3
# Categorical and numeric features with missing values, three classes, SGD.
train multiclass-categorical --csv "$csv/flowers.csv" --target species --layers 4,3 --optimizer sgd --activation tanh
# Regression with the optimizer's moments and the random state saved (resumable).
train regression-optimizer-state --csv "$csv/regression.gz" --target target --layers 2 --save-optimizer-state
# No hidden layer: one dense layer straight to the output.
train no-hidden --csv "$csv/categorical-missing.csv" --target survived --layers none
# Normalization layers: BatchNormalization (gamma, beta and the moving mean/variance buffers)
# and LayerNormalization (gamma, beta) between dense layers.
train batch-norm --csv "$csv/numeric.csv" --target y --layers 4,batchnorm,3
train layer-norm --csv "$csv/flowers.csv" --target species --layers 4,layernorm,3:tanh
train both-norms --csv "$csv/regression.gz" --target target --layers batchnorm,3,layernorm --save-optimizer-state
# A checkpoint (training state, history and early-stopping state beside the model).
"$bin" train --csv "$csv/flowers.csv" --target species --layers 3 --epochs 2 --seed 7 --test-split 0 \
    --early-stopping 3 --checkpoint "$out/checkpoint.safetensors" > /dev/null
# Int8 models (I8 weights, F32 scales): dynamic, and static with calibrated input ranges.
"$bin" quantize "$out/binary-numeric.safetensors" -o "$out/binary-numeric-int8.safetensors" 2> /dev/null
"$bin" quantize "$out/multiclass-categorical.safetensors" --calibrate "$csv/flowers.csv" \
    -o "$out/multiclass-categorical-int8-static.safetensors" 2> /dev/null
ls -l "$out"
# ONNX seeds (Fuzz/corpus/onnx/): the importer's test fixtures (PyTorch and Keras-style
# exports, written by Tests/PerceptronONNXTests/Fixtures/make_fixtures.py), and this
# package's own exports: the network alone (what the importer reads back) and the full
# graph with preprocessing (Sub/Div and OneHotEncoder nodes, which the importer refuses).
onnx=Fuzz/corpus/onnx
mkdir -p "$onnx"
cp Tests/PerceptronONNXTests/Fixtures/*.onnx "$onnx/"
"$bin" export "$out/both-norms.safetensors" --network-only -o "$onnx/perceptron-both-norms-network.onnx" > /dev/null
"$bin" export "$out/batch-norm.safetensors" --network-only -o "$onnx/perceptron-batch-norm-network.onnx" > /dev/null
"$bin" export "$out/both-norms.safetensors" -o "$onnx/perceptron-both-norms.onnx" > /dev/null
"$bin" export "$out/multiclass-categorical.safetensors" -o "$onnx/perceptron-categorical.onnx" > /dev/null
ls -l "$onnx"
