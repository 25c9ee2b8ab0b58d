// swift-tools-version: 6.0
// libFuzzer targets for Perceptron's parsers, in a package of their own so that the
// main package's plain `swift build` / `swift test` never need a fuzzing toolchain.
// Build and run them with Fuzz/run.sh (it adds the sanitizer and coverage flags);
// a plain `swift build` here fails to link, since libFuzzer supplies `main`.
import PackageDescription

let package = Package(
    name: "PerceptronFuzz",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "Perceptron", path: "..")],
    targets: [
        // ModelFile.load(from: Data): safetensors header, JSON metadata, tensors, then a prediction.
        .executableTarget(name: "FuzzModelFile", dependencies: [.product(name: "Perceptron", package: "Perceptron"),
                                                                .product(name: "PerceptronData", package: "Perceptron")]),
        // CSVTable.read (the CLI's entry), then Preprocessor fit + transform on the table.
        .executableTarget(name: "FuzzCSV", dependencies: [.product(name: "Perceptron", package: "Perceptron"),
                                                          .product(name: "PerceptronData", package: "Perceptron")]),
        // MNIST.loadImages / loadLabels: IDX headers and payloads, raw or gzip.
        .executableTarget(name: "FuzzIDX", dependencies: [.product(name: "Perceptron", package: "Perceptron"),
                                                          .product(name: "PerceptronData", package: "Perceptron")]),
        // ONNXImport.convert(Data): protobuf decoding, the chain of layers, every tensor; then a prediction.
        .executableTarget(name: "FuzzONNX", dependencies: [
            .product(name: "Perceptron", package: "Perceptron"),
            .product(name: "PerceptronONNX", package: "Perceptron"),
        ]),
        // `perceptron serve`'s predict bodies (JSON instances/inputs, CSV) through RequestDecoder,
        // the network and PredictionWriter; needs none of the server's HTTP packages.
        .executableTarget(name: "FuzzServeRequest", dependencies: [
            .product(name: "Perceptron", package: "Perceptron"),
            .product(name: "PerceptronData", package: "Perceptron"),
            .product(name: "PerceptronServeRequests", package: "Perceptron"),
        ]),
    ]
)
