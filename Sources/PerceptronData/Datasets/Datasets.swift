import Foundation
import Perceptron

/// The datasets that ship with Perceptron (package resources, no download), MNIST
/// (fetched, see ``fetchMNIST(from:to:)``) and the seeded generators, by name.
public enum Datasets {
    /// One catalog entry.
    public struct Info: Sendable, Equatable {
        /// The name to pass to ``load(_:)`` or ``table(_:)``.
        public var name: String
        /// Number of samples.
        public var rows: Int
        /// Number of input columns (before one-hot encoding, for Titanic).
        public var features: Int
        /// Classification or regression.
        public var task: TaskKind
        /// Class names in class-index order (empty for regression).
        public var classNames: [String]
        /// Whether the data ships inside the package (MNIST does not).
        public var bundled: Bool
        /// One line about the data and where it comes from.
        public var description: String
    }

    /// The catalog of real datasets.
    public static let list: [Info] = [
        Info(name: "titanic", rows: 891, features: 7, task: .classification, classNames: ["0", "1"], bundled: true,
             description: "Kaggle Titanic train.csv: survival (Survived) from Pclass, Sex, Age, SibSp, Parch, Fare, Embarked"),
        Info(name: "iris", rows: 150, features: 4, task: .classification,
             classNames: ["setosa", "versicolor", "virginica"], bundled: true,
             description: "Fisher's iris flowers: 4 measurements in cm, 3 species (scikit-learn copy)"),
        Info(name: "wine", rows: 178, features: 13, task: .classification,
             classNames: ["class_0", "class_1", "class_2"], bundled: true,
             description: "UCI wine: 13 chemical measurements, 3 cultivars (scikit-learn copy)"),
        Info(name: "breast_cancer", rows: 569, features: 30, task: .classification,
             classNames: ["malignant", "benign"], bundled: true,
             description: "Breast cancer Wisconsin (diagnostic): 30 cell-nucleus features (scikit-learn copy)"),
        Info(name: "digits", rows: 1797, features: 64, task: .classification,
             classNames: (0...9).map(String.init), bundled: true,
             description: "8×8 optical digits, pixel values 0–16 (scikit-learn copy)"),
        Info(name: "diabetes", rows: 442, features: 10, task: .regression, classNames: [], bundled: true,
             description: "Diabetes progression after one year from 10 raw baseline variables (scikit-learn copy, unscaled)"),
        Info(name: "mnist", rows: 70000, features: 784, task: .classification,
             classNames: (0...9).map(String.init), bundled: false,
             description: "MNIST handwritten digits 28×28, 60000 train + 10000 test; fetch with Datasets.fetchMNIST"),
    ]

    /// The catalog entry for `name`.
    /// - Throws: ``DataError/unknownDataset(name:available:)``.
    public static func info(_ name: String) throws -> Info {
        guard let info = list.first(where: { $0.name == name.lowercased() }) else {
            throw DataError.unknownDataset(name: name, available: list.map(\.name))
        }
        return info
    }

    /// A bundled dataset as a table of string columns: the features under their names
    /// and the target last, in a column named by ``targetColumn(_:)`` (class indices
    /// "0", "1", … or the regression value). Titanic is its original CSV, all 12 columns.
    ///
    /// Use this with ``Preprocessor`` when rows will be split: fit on the training rows.
    /// - Throws: ``DataError/unknownDataset(name:available:)``, or a parse error
    ///   should a resource be damaged.
    public static func table(_ name: String) throws -> CSVTable {
        let info = try info(name)
        switch info.name {
        case "titanic":
            return try titanicTable()
        case "iris", "wine", "breast_cancer":
            return try scikitLearnTable(info)
        case "digits":
            let raw = try CSVTable.read(contentsOf: try resource("digits.csv.gz"), hasHeader: false, delimiter: ",")
            return renamed(raw, names: featureNames(info.name) + ["target"], source: "digits.csv.gz")
        case "diabetes":
            let x = try CSVTable.read(contentsOf: try resource("diabetes_data_raw.csv.gz"), hasHeader: false, delimiter: " ")
            let y = try CSVTable.read(contentsOf: try resource("diabetes_target.csv.gz"), hasHeader: false, delimiter: ",")
            guard x.rowCount == y.rowCount else {
                throw DataError.raggedRow(file: "diabetes_target.csv.gz", row: y.rowCount, expected: x.rowCount, got: y.rowCount)
            }
            return CSVTable(source: "diabetes_data_raw.csv.gz", columnNames: featureNames("diabetes") + ["target"],
                            columnValues: x.columnValues + y.columnValues, lineNumbers: x.lineNumbers)
        default:
            throw DataError.invalidConfiguration("\(info.name) is not bundled; see Datasets.fetchMNIST")
        }
    }

    /// The target column's name in ``table(_:)``: "Survived" for Titanic, else "target".
    public static func targetColumn(_ name: String) -> String {
        name.lowercased() == "titanic" ? "Survived" : "target"
    }

    /// Titanic's original `train.csv` (891 rows, 12 columns; `Name` holds quoted commas).
    public static func titanicTable() throws -> CSVTable {
        try CSVTable.read(contentsOf: try resource("titanic.csv"))
    }

    /// A bundled dataset as matrices: raw (unscaled) features, targets, names.
    ///
    /// Titanic's features come from ``Preprocessor/Options/titanic`` fitted on all 891
    /// rows, which suits a quick look; to evaluate, split ``titanicTable()`` first and fit
    /// the preprocessor on the training rows only.
    /// - Throws: ``DataError/unknownDataset(name:available:)``.
    public static func load(_ name: String) throws -> Dataset {
        let info = try info(name)
        let table = try table(info.name)
        if info.name == "titanic" {
            let pre = try Preprocessor.fit(table, options: .titanic)
            let (x, y) = try pre.transform(table)
            return Dataset(name: info.name, features: x, targets: y!, featureNames: pre.featureNames,
                           classNames: pre.classNames, task: .classification)
        }
        let d = table.columnNames.count - 1
        var x = [Float](repeating: 0, count: table.rowCount * d)
        var y = [Float](repeating: 0, count: table.rowCount)
        for c in 0...d {
            let name = table.columnNames[c]
            for (r, field) in table.columnValues[c].texts.enumerated() {
                guard let value = Float(field.trimmingCharacters(in: .whitespaces)) else {
                    throw DataError.nonNumericValue(file: table.source, row: table.lineNumbers[r], column: name, value: field)
                }
                if c < d { x[r * d + c] = value } else { y[r] = value }
            }
        }
        return Dataset(name: info.name, features: Matrix(rows: table.rowCount, columns: d, elements: x),
                       targets: Matrix(rows: table.rowCount, columns: 1, elements: y),
                       featureNames: Array(table.columnNames.prefix(d)), classNames: info.classNames, task: info.task)
    }

    /// The URL of a bundled resource file.
    static func resource(_ file: String) throws -> URL {
        let url = try datasetsFolder().appendingPathComponent(file)
        guard FileManager.default.fileExists(atPath: url.path) else { throw DataError.missingResource(name: file) }
        return url
    }

    /// The bundled Datasets folder, through `Bundle.module` when its resource bundle sits
    /// beside the executable (`swift run`, `swift test`, an installed binary with its
    /// bundle), else the package's source folder when the binary was moved away from its
    /// bundle but the checkout is still there. A missing bundle is a thrown error rather
    /// than the `fatalError` that `Bundle.module` would raise.
    static func datasetsFolder() throws -> URL {
        let beside = ["Perceptron_Perceptron.resources", "Perceptron_Perceptron.bundle"].map {
            Bundle.main.bundleURL.appendingPathComponent($0).path
        }
        if beside.contains(where: { FileManager.default.fileExists(atPath: $0) }),
           let folder = Bundle.module.url(forResource: "Datasets", withExtension: nil) {
            return folder
        }
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Resources/Datasets")
        if FileManager.default.fileExists(atPath: source.path) { return source }
        throw DataError.missingResource(name: "Perceptron_Perceptron.resources/Datasets (beside \(Bundle.main.bundleURL.path))")
    }

    /// Reads one of scikit-learn's CSVs whose first line is
    /// `n_samples,n_features,<class name 0>,<class name 1>,…` rather than column names,
    /// checking the counts it announces.
    static func scikitLearnTable(_ info: Info) throws -> CSVTable {
        let file = "\(info.name == "wine" ? "wine_data" : info.name).csv"
        let url = try resource(file)
        let text = try String(contentsOf: url, encoding: .utf8)
        guard let newline = text.firstIndex(of: "\n") else { throw DataError.emptyFile(file: file) }
        let header = text[..<newline].split(separator: ",").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        guard header.count >= 2, let samples = Int(header[0]), let features = Int(header[1]) else {
            throw DataError.invalidConfiguration("\(file): first line is not n_samples,n_features,classes…")
        }
        let body = try CSVTable.parse(String(text[text.index(after: newline)...]), hasHeader: false, delimiter: ",", source: file)
        guard body.columnNames.count == features + 1 else {
            throw DataError.raggedRow(file: file, row: 2, expected: features + 1, got: body.columnNames.count)
        }
        guard body.rowCount == samples else {
            throw DataError.invalidConfiguration("\(file): header announces \(samples) rows, found \(body.rowCount)")
        }
        var table = renamed(body, names: featureNames(info.name) + ["target"], source: file)
        table.lineNumbers = body.lineNumbers.map { $0 + 1 }  // the odd header is line 1
        return table
    }

    static func renamed(_ table: CSVTable, names: [String], source: String) -> CSVTable {
        precondition(names.count == table.columnNames.count, "\(source): expected \(names.count) columns")
        return CSVTable(source: source, columnNames: names, columnValues: table.columnValues, lineNumbers: table.lineNumbers)
    }

    /// Feature names as scikit-learn gives them (from the datasets' descr/*.rst).
    static func featureNames(_ name: String) -> [String] {
        switch name {
        case "iris":
            return ["sepal length (cm)", "sepal width (cm)", "petal length (cm)", "petal width (cm)"]
        case "wine":
            return ["alcohol", "malic_acid", "ash", "alcalinity_of_ash", "magnesium", "total_phenols", "flavanoids",
                    "nonflavanoid_phenols", "proanthocyanins", "color_intensity", "hue",
                    "od280/od315_of_diluted_wines", "proline"]
        case "breast_cancer":
            let base = ["radius", "texture", "perimeter", "area", "smoothness", "compactness", "concavity",
                        "concave points", "symmetry", "fractal dimension"]
            return base.map { "mean \($0)" } + base.map { "\($0) error" } + base.map { "worst \($0)" }
        case "digits":
            return (0..<64).map { "pixel_\($0 / 8)_\($0 % 8)" }
        case "diabetes":
            return ["age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6"]
        default:
            return []
        }
    }
}
