import Perceptron
import PerceptronData

extension Dataset {
    /// The generated rows as a table (features, then the target column "target"), with
    /// roles that make every feature numeric and standardized, so generated data goes
    /// through the same preprocessing as a CSV file: scaled on the training rows, and the
    /// scaling saved with the model for `predict`.
    ///
    /// Values are written with Swift's shortest round-trip form of a `Float`, so the table
    /// parses back to exactly the generated numbers. Class targets are written by name when
    /// the generator names its classes, else as their index.
    func asTable(source: String) -> (table: CSVTable, roles: [String: ColumnRole]) {
        var columns: [[String]] = (0..<features.columns).map { j in
            (0..<count).map { i in "\(features[i, j])" }
        }
        let target = (0..<count).map { i -> String in
            let value = targets[i, 0]
            if task == .classification {
                let k = Int(value)
                return classNames.indices.contains(k) ? classNames[k] : String(k)
            }
            return "\(value)"
        }
        columns.append(target)
        let names = featureNames.count == features.columns ? featureNames : (0..<features.columns).map { "x\($0 + 1)" }
        var roles: [String: ColumnRole] = [:]
        for name in names { roles[name] = .numeric(.standardize) }
        return (CSVTable(source: source, columnNames: names + ["target"], columns: columns), roles)
    }
}
