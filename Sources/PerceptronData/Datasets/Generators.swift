import Foundation
import Perceptron

/// Seeded synthetic datasets: the same seed gives the same data on every run and
/// machine. Classification targets are class indices; samples are shuffled unless a
/// generator says otherwise.
public enum Generators {
    /// Like scikit-learn's `make_classification`: each class is made of Gaussian
    /// clusters (σ = 1) centred on distinct vertices of a hypercube with side
    /// 2·`classSeparation` in the `informative` dimensions; the other
    /// `features − informative` columns are N(0, 1) noise. Cluster k belongs to class
    /// k mod `classes`; samples are spread evenly over the clusters.
    /// - Throws: ``PerceptronError/invalidHyperparameter(name:value:expected:)`` when
    ///   `informative > features`, or `classes · clustersPerClass > 2^informative`.
    public static func makeClassification(samples: Int = 100, features: Int = 20, informative: Int = 2,
                                          classes: Int = 2, clustersPerClass: Int = 2, classSeparation: Double = 1,
                                          seed: UInt64 = 0) throws -> Dataset {
        try require(samples >= classes, "samples", samples, "≥ classes (\(classes))")
        try require(classes >= 2, "classes", classes, "≥ 2")
        try require(clustersPerClass >= 1, "clustersPerClass", clustersPerClass, "≥ 1")
        try require(informative >= 1 && informative <= features, "informative", informative, "in 1...features (\(features))")
        let clusters = classes * clustersPerClass
        try require(informative >= 62 || clusters <= 1 << informative, "classes · clustersPerClass", clusters,
                    "≤ 2^informative = \(informative >= 62 ? "…" : String(1 << informative))")
        var rng = DataRandom(seed: seed)
        // Distinct hypercube vertices, one per cluster.
        var vertices: [[Double]] = []
        var used = Set<[Bool]>()
        while vertices.count < clusters {
            let bits = (0..<informative).map { _ in rng.next() & 1 == 1 }
            if used.insert(bits).inserted { vertices.append(bits.map { $0 ? classSeparation : -classSeparation }) }
        }
        var x = [Float](), y = [Float]()
        x.reserveCapacity(samples * features)
        for i in 0..<samples {
            let cluster = i * clusters / samples
            for j in 0..<features {
                let centre = j < informative ? vertices[cluster][j] : 0
                x.append(Float(centre + rng.normal()))
            }
            y.append(Float(cluster % classes))
        }
        return shuffled(Dataset(name: "classification", features: Matrix(rows: samples, columns: features, elements: x),
                                targets: Matrix(column: y), featureNames: (1...features).map { "x\($0)" },
                                classNames: (0..<classes).map(String.init), task: .classification), rng: &rng)
    }

    /// Isotropic Gaussian blobs: `samplesPerCenter` points N(centre, std²·I) around each
    /// centre; class k is centre k.
    public static func blobs(centers: [[Double]], samplesPerCenter: Int = 50, std: Double = 1,
                             seed: UInt64 = 0) throws -> Dataset {
        try require(!centers.isEmpty, "centers", centers.count, "at least one centre")
        let d = centers[0].count
        try require(d > 0 && centers.allSatisfy { $0.count == d }, "centers", d, "equal, non-zero dimensions")
        try require(samplesPerCenter >= 1, "samplesPerCenter", samplesPerCenter, "≥ 1")
        try require(std >= 0 && std.isFinite, "std", std, "≥ 0")
        var rng = DataRandom(seed: seed)
        var x = [Float](), y = [Float]()
        for (k, centre) in centers.enumerated() {
            for _ in 0..<samplesPerCenter {
                for c in centre { x.append(Float(c + std * rng.normal())) }
                y.append(Float(k))
            }
        }
        return shuffled(Dataset(name: "blobs", features: Matrix(rows: y.count, columns: d, elements: x),
                                targets: Matrix(column: y), featureNames: (1...d).map { "x\($0)" },
                                classNames: (0..<centers.count).map(String.init), task: .classification), rng: &rng)
    }

    /// Seed 004's red/blue data, not linearly separable: four Gaussian clusters of
    /// `pointsPerCluster` points with σ = `std`; blue (class 0) around (0, 1) and (1, 0),
    /// red (class 1) around (0, 0) and (1, 1). Rows are in that order (blue first, as the
    /// seed concatenates them), not shuffled.
    public static func redBlueClusters(pointsPerCluster: Int = 25, std: Double = 0.2, seed: UInt64 = 0) throws -> Dataset {
        try require(pointsPerCluster >= 1, "pointsPerCluster", pointsPerCluster, "≥ 1")
        var rng = DataRandom(seed: seed)
        var x = [Float](), y = [Float]()
        for (centre, label) in [((0.0, 1.0), 0), ((1.0, 0.0), 0), ((0.0, 0.0), 1), ((1.0, 1.0), 1)] {
            for _ in 0..<pointsPerCluster {
                x.append(Float(centre.0 + std * rng.normal()))
                x.append(Float(centre.1 + std * rng.normal()))
                y.append(Float(label))
            }
        }
        return Dataset(name: "red-blue", features: Matrix(rows: y.count, columns: 2, elements: x),
                       targets: Matrix(column: y), featureNames: ["x", "y"], classNames: ["blue", "red"],
                       task: .classification)
    }

    /// XOR: points uniform in [−1, 1]², class 1 when exactly one coordinate is positive;
    /// optional Gaussian `noise` is added to the coordinates after labelling.
    public static func xor(samples: Int = 200, noise: Double = 0, seed: UInt64 = 0) throws -> Dataset {
        try require(samples >= 1, "samples", samples, "≥ 1")
        try require(noise >= 0, "noise", noise, "≥ 0")
        var rng = DataRandom(seed: seed)
        var x = [Float](), y = [Float]()
        for _ in 0..<samples {
            let a = rng.uniform(-1, 1), b = rng.uniform(-1, 1)
            y.append((a > 0) != (b > 0) ? 1 : 0)
            x.append(Float(a + noise * rng.normal()))
            x.append(Float(b + noise * rng.normal()))
        }
        return Dataset(name: "xor", features: Matrix(rows: samples, columns: 2, elements: x), targets: Matrix(column: y),
                       featureNames: ["x", "y"], classNames: ["0", "1"], task: .classification)
    }

    /// Two interleaving half circles (as scikit-learn's `make_moons`), t evenly spaced in [0, π]:
    /// ```
    /// class 0: (cos t, sin t)        class 1: (1 − cos t, 1/2 − sin t)
    /// ```
    /// plus N(0, noise²) on each coordinate.
    public static func moons(samples: Int = 100, noise: Double = 0, seed: UInt64 = 0) throws -> Dataset {
        try require(samples >= 2, "samples", samples, "≥ 2")
        try require(noise >= 0, "noise", noise, "≥ 0")
        var rng = DataRandom(seed: seed)
        let outer = samples / 2, inner = samples - outer
        var x = [Float](), y = [Float]()
        for (count, label) in [(outer, 0), (inner, 1)] {
            for i in 0..<count {
                let t = count > 1 ? Double.pi * Double(i) / Double(count - 1) : 0
                let (a, b) = label == 0 ? (cos(t), sin(t)) : (1 - cos(t), 0.5 - sin(t))
                x.append(Float(a + noise * rng.normal()))
                x.append(Float(b + noise * rng.normal()))
                y.append(Float(label))
            }
        }
        return shuffled(Dataset(name: "moons", features: Matrix(rows: samples, columns: 2, elements: x),
                                targets: Matrix(column: y), featureNames: ["x", "y"], classNames: ["0", "1"],
                                task: .classification), rng: &rng)
    }

    /// Two concentric circles (as scikit-learn's `make_circles`): class 0 on the unit
    /// circle, class 1 on the circle of radius `factor`, angles evenly spaced, plus
    /// N(0, noise²) on each coordinate.
    public static func circles(samples: Int = 100, noise: Double = 0, factor: Double = 0.8,
                               seed: UInt64 = 0) throws -> Dataset {
        try require(samples >= 2, "samples", samples, "≥ 2")
        try require(factor > 0 && factor < 1, "factor", factor, "in (0, 1)")
        try require(noise >= 0, "noise", noise, "≥ 0")
        var rng = DataRandom(seed: seed)
        let outer = samples / 2, inner = samples - outer
        var x = [Float](), y = [Float]()
        for (count, radius, label) in [(outer, 1.0, 0), (inner, factor, 1)] {
            for i in 0..<count {
                let t = 2 * Double.pi * Double(i) / Double(count)
                x.append(Float(radius * cos(t) + noise * rng.normal()))
                x.append(Float(radius * sin(t) + noise * rng.normal()))
                y.append(Float(label))
            }
        }
        return shuffled(Dataset(name: "circles", features: Matrix(rows: samples, columns: 2, elements: x),
                                targets: Matrix(column: y), featureNames: ["x", "y"], classNames: ["0", "1"],
                                task: .classification), rng: &rng)
    }

    /// One-feature linear regression with uniform noise, seed 001's "Drujba housing" line:
    /// ```
    /// y = slope·x + intercept + b,   b ~ U(noise.lowerBound, noise.upperBound),   x ~ U(xRange)
    /// ```
    /// with defaults slope 1837.5, intercept 14376.52, b ~ U(0, 10000), and x (the size,
    /// m²) ~ U(20, 120), the range being our choice (the seed does not give one).
    public static func linearRegression(samples: Int = 50, slope: Double = 1837.5, intercept: Double = 14376.52,
                                        noise: ClosedRange<Double> = 0...10000, xRange: ClosedRange<Double> = 20...120,
                                        seed: UInt64 = 0) throws -> Dataset {
        try require(samples >= 1, "samples", samples, "≥ 1")
        var rng = DataRandom(seed: seed)
        var x = [Float](), y = [Float]()
        for _ in 0..<samples {
            let size = rng.uniform(xRange.lowerBound, xRange.upperBound)
            let b = rng.uniform(noise.lowerBound, noise.upperBound)
            x.append(Float(size))
            y.append(Float(slope * size + intercept + b))
        }
        return Dataset(name: "linear", features: Matrix(column: x), targets: Matrix(column: y), featureNames: ["x"],
                       classNames: [], task: .regression)
    }

    /// The generator names accepted by ``named(_:seed:)``.
    public static let names = ["blobs", "classification", "xor", "moons", "circles", "linear"]

    /// A generator by name with its defaults: "blobs" is seed 004's red/blue clusters,
    /// "classification" is ``makeClassification(samples:features:informative:classes:clustersPerClass:classSeparation:seed:)``
    /// with 500 samples of 20 features, "xor", "moons" and "circles" have 500 samples
    /// (moons and circles with noise 0.1; circles with radius factor 0.5, since at
    /// scikit-learn's default 0.8 the rings, 0.2 apart, overlap under noise 0.1 so that no
    /// classifier can pass about 84%), "linear" is seed 001's housing line.
    /// - Throws: ``DataError/unknownDataset(name:available:)``.
    public static func named(_ name: String, seed: UInt64 = 0) throws -> Dataset {
        switch name.lowercased() {
        case "blobs", "red-blue": return try redBlueClusters(seed: seed)
        case "classification": return try makeClassification(samples: 500, seed: seed)
        case "xor": return try xor(samples: 500, seed: seed)
        case "moons": return try moons(samples: 500, noise: 0.1, seed: seed)
        case "circles": return try circles(samples: 500, noise: 0.1, factor: 0.5, seed: seed)
        case "linear": return try linearRegression(seed: seed)
        default: throw DataError.unknownDataset(name: name, available: names)
        }
    }

    static func shuffled(_ data: Dataset, rng: inout DataRandom) -> Dataset {
        var order = Array(0..<data.count)
        rng.shuffle(&order)
        return data.subset(order)
    }

    static func require<T>(_ condition: Bool, _ name: String, _ value: T, _ expected: String) throws {
        if !condition { throw PerceptronError.invalidHyperparameter(name: name, value: "\(value)", expected: expected) }
    }
}
