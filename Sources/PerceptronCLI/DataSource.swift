import Foundation
import Perceptron
import PerceptronData

/// Training data, loaded but not yet split: a table (bundled dataset or CSV file) that a
/// ``Preprocessor`` turns into numbers, or ready-made matrices (MNIST, a generator).
struct DataSource {
    enum Content {
        /// A table and the preprocessing options to fit on its training rows.
        case table(CSVTable, Preprocessor.Options)
        /// Numeric features and targets (class indices or values).
        case matrices(Dataset)
    }

    /// "titanic", "mnist", "moons", or the CSV path.
    var name: String
    var content: Content
    /// MNIST's official test set, used instead of a random split.
    var officialTest: Dataset?
    var task: TaskKind
    /// Class index per row (classification), to stratify splits.
    var labels: [Int]?

    var rowCount: Int {
        switch content {
        case .table(let table, _): return table.rowCount
        case .matrices(let data): return data.count
        }
    }

    /// Loads the data the options name (Titanic when they name none).
    static func load(_ options: DataOptions, seed: UInt64) throws -> DataSource {
        if let csv = options.csv {
            let table = try options.csvReading.read(csv, hasHeader: !options.noHeader)
            return try fromTable(name: csv, table: table,
                                 options: Preprocessor.Options(target: options.target, task: options.task)
                                    .adding(roles: options.columnRoles(), for: table))
        }
        let name = (options.dataset ?? "titanic").lowercased()
        if name == "mnist" {
            let folder = URL(fileURLWithPath: options.dataDir ?? ".")
            let train = try MNIST.load(from: folder, split: .train)
            let test = try MNIST.load(from: folder, split: .test)
            return DataSource(name: name, content: .matrices(train), officialTest: test, task: .classification, labels: nil)
        }
        if Generators.names.contains(name) || name == "red-blue" {
            // Through the preprocessor like a CSV file, so every feature is standardized.
            let (table, roles) = try Generators.named(name, seed: seed).asTable(source: name)
            let generated = Preprocessor.Options(target: "target", roles: roles, task: options.task)
            return try fromTable(name: name, table: table, options: generated.adding(roles: options.columnRoles(), for: table))
        }
        let info = try Datasets.info(name)
        guard info.bundled else { throw CLIError("dataset \(name) is not bundled") }
        var table = try Datasets.table(name)
        if name == "titanic" {
            var titanic = Preprocessor.Options.titanic
            if let task = options.task { titanic.task = task }
            return try fromTable(name: name, table: table, options: titanic.adding(roles: options.columnRoles(), for: table))
        }
        let target = Datasets.targetColumn(name)
        if info.task == .classification, let t = table.columnNames.firstIndex(of: target) {
            // Class indices → the dataset's class names, so reports and predictions read "setosa", not "0".
            table.columns[t] = table.columns[t].map { field in
                Int(field.trimmingCharacters(in: .whitespaces)).flatMap { info.classNames.indices.contains($0) ? info.classNames[$0] : nil } ?? field
            }
        }
        return try fromTable(name: name, table: table,
                             options: Preprocessor.Options(target: target, task: options.task ?? info.task)
                                .adding(roles: options.columnRoles(), for: table))
    }

    /// A table source; the task and stratification labels come from the target over all rows
    /// (the features' statistics are fitted later, on the training rows only).
    static func fromTable(name: String, table: CSVTable, options: Preprocessor.Options) throws -> DataSource {
        let all = try Preprocessor.fit(table, options: options)
        guard let task = all.task else { throw CLIError("\(name): no target column") }
        var fixed = options
        fixed.task = task
        // Regression targets are standardized for training (and mapped back at predict and in
        // the reported mse/mae/rmse/r2, which are in the target's units; "loss" is not).
        fixed.standardizeTarget = task == .regression
        var labels: [Int]? = nil
        if task == .classification {
            labels = try all.transformTarget(table).elements.map { Int($0) }
            if all.classNames.count < 2, let target = options.target {
                throw CLIError("\(name): the target column \"\(target)\" holds \(all.classNames.count) class"
                    + (all.classNames.first.map { " (\"\($0)\")" } ?? "") + "; classification needs at least 2 (--task regression for a numeric target)")
            }
        }
        return DataSource(name: name, content: .table(table, fixed), officialTest: nil, task: task, labels: labels)
    }

    /// The held-out split: MNIST's official test set, else a seeded (stratified) share of the rows.
    func split(testFraction: Double, seed: UInt64) throws -> Fold? {
        if officialTest != nil || testFraction == 0 { return nil }
        return try checkedSplit(testFraction: testFraction, seed: seed)
    }

    /// The training rows before preprocessing (all rows when `rows` is nil); nil for
    /// matrix data.
    func trainingTable(rows: [Int]?) -> CSVTable? {
        guard case .table(let table, _) = content else { return nil }
        return rows.map { table.selectingRows($0) } ?? table
    }

    /// Numbers for the training rows (all rows when `rows` is nil) and the test rows, with
    /// preprocessing fitted on the training rows only.
    func prepare(train rows: [Int]?, test testRows: [Int]?) throws -> PreparedData {
        switch content {
        case let .table(table, options):
            let trainTable = rows.map { table.selectingRows($0) } ?? table
            let preprocessor = try Preprocessor.fit(trainTable, options: options)
            let (x, y) = try preprocessor.transform(trainTable)
            var test: (Matrix, Matrix)? = nil
            if let testRows {
                let testTable = table.selectingRows(testRows)
                let (tx, ty) = try preprocessor.transform(testTable)
                test = (tx, ty!)
            }
            return PreparedData(task: task, classNames: preprocessor.classNames, featureNames: preprocessor.featureNames,
                                preprocessor: preprocessor, train: (x, y!), test: test)
        case let .matrices(data):
            let train = rows.map { data.subset($0) } ?? data
            var test: (Matrix, Matrix)? = nil
            if let testRows {
                let t = data.subset(testRows)
                test = (t.features, t.targets)
            } else if let official = officialTest {
                test = (official.features, official.targets)
            }
            let classes = task == .classification
                ? (data.classNames.isEmpty ? classNamesFromTargets(data.targets) : data.classNames) : []
            return PreparedData(task: task, classNames: classes, featureNames: data.featureNames, preprocessor: nil,
                                train: (train.features, train.targets), test: test)
        }
    }

    /// "0", "1", … up to the largest class index seen.
    private func classNamesFromTargets(_ y: Matrix) -> [String] {
        let top = Int(y.elements.max() ?? 0)
        return (0...max(top, 1)).map(String.init)
    }
}

/// Numbers ready to train on.
struct PreparedData {
    var task: TaskKind
    var classNames: [String]
    var featureNames: [String]
    var preprocessor: Preprocessor?
    /// Features and targets (n × 1: class index or value).
    var train: (x: Matrix, y: Matrix)
    var test: (x: Matrix, y: Matrix)?
}
