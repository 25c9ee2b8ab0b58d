#!/usr/bin/env bash
# Writes the model-file seeds (Fuzz/corpus/model-file/) with the `perceptron` command,
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
# A checkpoint (training state, history and early-stopping state beside the model).
"$bin" train --csv "$csv/flowers.csv" --target species --layers 3 --epochs 2 --seed 7 --test-split 0 \
    --early-stopping 3 --checkpoint "$out/checkpoint.safetensors" > /dev/null
ls -l "$out"
