#!/usr/bin/env bash
# Regenerates Sources/PerceptronONNX/Generated/onnx.pb.swift from the vendored
# Sources/PerceptronONNX/Proto/onnx.proto.
#
# Needs protoc (Debian: `apt-get install protobuf-compiler`) and builds swift-protobuf's
# protoc-gen-swift plugin at the version Package.swift resolves (a release build of the
# plugin takes about 10 minutes on 2 cores; CI does not run this script, the generated
# file is committed).
#
# The .proto itself comes from the `onnx` wheel on PyPI (onnx/onnx.proto inside it); to
# update it: `pip install onnx==X` in a virtualenv, copy site-packages/onnx/onnx.proto over
# Sources/PerceptronONNX/Proto/onnx.proto (keeping its SPDX licence header) and note the
# version in Sources/PerceptronONNX/Proto/README.md, then run this script.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v protoc >/dev/null; then
    echo "generate-onnx-proto: protoc not found (Debian: apt-get install protobuf-compiler)" >&2
    exit 1
fi

swift package resolve
PLUGIN_SOURCE=.build/checkouts/swift-protobuf
if [ ! -d "$PLUGIN_SOURCE" ]; then
    echo "generate-onnx-proto: $PLUGIN_SOURCE missing after swift package resolve" >&2
    exit 1
fi
# Build in a scratch folder of our own, so the checkout SwiftPM manages stays untouched.
SCRATCH=.build-protoc-gen-swift
swift build --package-path "$PLUGIN_SOURCE" --scratch-path "$SCRATCH" -c release --product protoc-gen-swift
PLUGIN="$(swift build --package-path "$PLUGIN_SOURCE" --scratch-path "$SCRATCH" -c release --show-bin-path)/protoc-gen-swift"

protoc --plugin=protoc-gen-swift="$PLUGIN" \
    --swift_out=Sources/PerceptronONNX/Generated \
    --swift_opt=Visibility=Internal \
    -I Sources/PerceptronONNX/Proto \
    onnx.proto
echo "generate-onnx-proto: wrote Sources/PerceptronONNX/Generated/onnx.pb.swift"
