// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "Perceptron",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "Perceptron", targets: ["Perceptron"]),
        .executable(name: "perceptron", targets: ["PerceptronCLI"]),
        .executable(name: "perceptron-bench", targets: ["PerceptronBenchmark"]),
        .executable(name: "perceptron-csv-bench", targets: ["PerceptronCSVBenchmark"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // C micro-kernels for GEMM, compiled per function with
        // __attribute__((target(...))) and chosen at run time by CPU check,
        // so the package needs no compiler flags and stays usable as a dependency.
        .target(name: "CPerceptronKernels"),
        // zlib (system library) for .gz datasets: MNIST IDX and digits.csv.gz.
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        .target(
            name: "Perceptron",
            dependencies: [
                "CPerceptronKernels", "CZlib",
            ],
            resources: [.copy("Resources/Datasets")]
        ),
        .executableTarget(
            name: "PerceptronCLI",
            dependencies: [
                "Perceptron",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "PerceptronGEMMBenchmark", dependencies: ["Perceptron"]),
        // Seed 001's training workloads, timed against the Python peers by bench/run.sh.
        .executableTarget(name: "PerceptronBenchmark", dependencies: ["Perceptron"]),
        .executableTarget(name: "PerceptronGraphBenchmark", dependencies: ["Perceptron"]),
        // Loading a CSV file, timed against pandas and polars by bench/csv/run.sh.
        .executableTarget(name: "PerceptronCSVBenchmark", dependencies: ["Perceptron"]),
        .target(name: "PerceptronTestSupport", dependencies: ["Perceptron"], path: "Sources/PerceptronTestSupport"),
        .testTarget(
            name: "PerceptronTests",
            dependencies: ["Perceptron", "PerceptronTestSupport"],
            resources: [.copy("Fixtures")]
        ),
        // A layer and an optimizer defined outside the library, registered, trained, saved and loaded.
        .testTarget(name: "PerceptronExtensionTests", dependencies: ["Perceptron"]),
        // Command parsing, and train → save → load → predict through the built `perceptron`.
        .testTarget(name: "PerceptronCLITests", dependencies: ["PerceptronCLI", "Perceptron"]),
    ]
)
