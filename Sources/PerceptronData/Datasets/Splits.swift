import Foundation
import Perceptron

/// One train/test partition of row indices (0-based).
public struct Fold: Sendable, Equatable {
    /// Rows to train on, in shuffled order.
    public var train: [Int]
    /// Rows held out, in shuffled order (ascending for k-fold without shuffling).
    public var test: [Int]
}

/// Seeded ways to split rows: a held-out test set and k-fold cross-validation.
/// Every function returns indices, so they work for a ``Dataset``, a ``CSVTable`` or
/// anything else with rows.
public enum Splits {
    /// A random train/test split; stratified when `labels` are given, so each class keeps
    /// its share in both parts.
    ///
    /// ```
    /// n_test = ⌈testFraction · n⌉;  stratified: class c gets ⌊n_test · n_c / n⌋ test rows,
    /// the remainder going to the classes with the largest fractional parts
    /// ```
    /// - Parameters:
    ///   - count: Number of rows.
    ///   - testFraction: Share of rows held out, in (0, 1).
    ///   - labels: Class index per row, to stratify; nil for a plain shuffle.
    ///   - seed: The shuffle's seed.
    /// - Throws: ``PerceptronError/invalidHyperparameter(name:value:expected:)`` when the
    ///   fraction leaves either part empty, ``PerceptronError/shapeMismatch(what:expected:got:)``
    ///   when `labels.count != count`.
    public static func trainTest(count: Int, testFraction: Double = 0.2, labels: [Int]? = nil,
                                 seed: UInt64 = 0) throws -> Fold {
        guard testFraction > 0, testFraction < 1 else {
            throw PerceptronError.invalidHyperparameter(name: "testFraction", value: "\(testFraction)", expected: "in (0, 1)")
        }
        let testCount = Int((testFraction * Double(count)).rounded(.up))
        guard testCount >= 1, testCount < count else {
            throw PerceptronError.invalidHyperparameter(
                name: "testFraction", value: "\(testFraction)",
                expected: "a share of \(count) rows leaving at least one row in each part")
        }
        var rng = DataRandom(seed: seed)
        guard let labels else {
            var order = Array(0..<count)
            rng.shuffle(&order)
            return Fold(train: Array(order[testCount...]), test: Array(order[..<testCount]))
        }
        guard labels.count == count else {
            throw PerceptronError.shapeMismatch(what: "stratification labels", expected: "\(count)", got: "\(labels.count)")
        }
        let groups = classGroups(labels)
        // Largest-remainder allocation of the test rows to the classes.
        let quotas = groups.map { Double(testCount) * Double($0.count) / Double(count) }
        var allocation = quotas.map { Int($0.rounded(.down)) }
        let byRemainder = quotas.indices.sorted { (quotas[$0] - quotas[$0].rounded(.down)) > (quotas[$1] - quotas[$1].rounded(.down)) }
        var left = testCount - allocation.reduce(0, +)
        for k in byRemainder where left > 0 && allocation[k] < groups[k].count {
            allocation[k] += 1
            left -= 1
        }
        var train: [Int] = [], test: [Int] = []
        for (k, var members) in groups.enumerated() {
            rng.shuffle(&members)
            test += members[..<allocation[k]]
            train += members[allocation[k]...]
        }
        rng.shuffle(&train)
        rng.shuffle(&test)
        return Fold(train: train, test: test)
    }

    /// K-fold cross-validation: the rows (shuffled unless `shuffle` is false) cut into
    /// `folds` contiguous parts of ⌊n/k⌋ or ⌈n/k⌉ rows (the first n mod k parts are the
    /// larger); fold i tests on part i and trains on the rest.
    /// - Throws: ``PerceptronError/invalidHyperparameter(name:value:expected:)`` unless
    ///   2 ≤ folds ≤ count.
    public static func kFold(count: Int, folds: Int = 5, shuffle: Bool = true, seed: UInt64 = 0) throws -> [Fold] {
        try checkFolds(folds, count)
        var order = Array(0..<count)
        if shuffle {
            var rng = DataRandom(seed: seed)
            rng.shuffle(&order)
        }
        var parts: [[Int]] = []
        var start = 0
        for i in 0..<folds {
            let size = count / folds + (i < count % folds ? 1 : 0)
            parts.append(Array(order[start..<(start + size)]))
            start += size
        }
        return self.folds(from: parts)
    }

    /// Stratified k-fold: each class's rows, shuffled, are dealt to the folds in turn
    /// (continuing from where the previous class stopped), so every fold holds each class
    /// in about its overall share and fold sizes differ by at most one.
    /// - Throws: as ``kFold(count:folds:shuffle:seed:)``.
    public static func stratifiedKFold(labels: [Int], folds: Int = 5, seed: UInt64 = 0) throws -> [Fold] {
        try checkFolds(folds, labels.count)
        var rng = DataRandom(seed: seed)
        var parts = Array(repeating: [Int](), count: folds)
        var next = 0
        for var members in classGroups(labels) {
            rng.shuffle(&members)
            for row in members {
                parts[next].append(row)
                next = (next + 1) % folds
            }
        }
        for i in parts.indices { rng.shuffle(&parts[i]) }
        return self.folds(from: parts)
    }

    /// Rows grouped by class, classes in ascending order.
    static func classGroups(_ labels: [Int]) -> [[Int]] {
        var groups: [Int: [Int]] = [:]
        for (row, label) in labels.enumerated() { groups[label, default: []].append(row) }
        return groups.keys.sorted().map { groups[$0]! }
    }

    static func folds(from parts: [[Int]]) -> [Fold] {
        parts.indices.map { i in
            Fold(train: parts.indices.filter { $0 != i }.flatMap { parts[$0] }, test: parts[i])
        }
    }

    static func checkFolds(_ folds: Int, _ count: Int) throws {
        guard folds >= 2, folds <= count else {
            throw PerceptronError.invalidHyperparameter(name: "folds", value: "\(folds)", expected: "in 2...\(count) (the row count)")
        }
    }
}

extension Dataset {
    /// A seeded train/test split of the samples, stratified by class for classification.
    /// - Throws: as ``Splits/trainTest(count:testFraction:labels:seed:)``.
    public func trainTestSplit(testFraction: Double = 0.2, stratified: Bool = true,
                               seed: UInt64 = 0) throws -> (train: Dataset, test: Dataset) {
        let fold = try Splits.trainTest(count: count, testFraction: testFraction,
                                        labels: stratified && task == .classification ? classIndices : nil, seed: seed)
        return (subset(fold.train), subset(fold.test))
    }
}
