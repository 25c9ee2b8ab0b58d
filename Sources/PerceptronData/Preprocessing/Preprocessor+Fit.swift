import Foundation
import Perceptron

extension Preprocessor {
    /// Settings for ``fit(_:options:)``.
    public struct Options: Codable, Equatable, Sendable {
        /// The target column, by name or 1-based position; nil for none (features only),
        /// unless a column has role ``ColumnRole/target`` in ``roles``.
        public var target: String?
        /// Explicit roles, keyed by column name or 1-based position; they override the
        /// automatic ones.
        public var roles: [String: ColumnRole]
        /// When true, columns without an explicit role are ignored instead of guessed.
        public var onlyListedColumns: Bool
        /// Classification or regression; nil chooses from the target: text, or at most
        /// ``maxCategories`` distinct integers → classification; other numbers → regression.
        public var task: TaskKind?
        /// Scaling for automatically numeric columns.
        public var scaling: NumericScaling
        /// Regression: standardize the target (and invert it at predict).
        public var standardizeTarget: Bool
        /// Text columns with more distinct values are ignored (and the most classes a
        /// numeric target may have to be taken as classification).
        public var maxCategories: Int
        /// Text columns whose distinct values exceed this fraction of the non-empty
        /// rows (when there are at least 10) are ignored.
        public var maxDistinctFraction: Double

        public init(target: String? = nil, roles: [String: ColumnRole] = [:], onlyListedColumns: Bool = false,
                    task: TaskKind? = nil, scaling: NumericScaling = .standardize, standardizeTarget: Bool = false,
                    maxCategories: Int = 20, maxDistinctFraction: Double = 0.5) {
            self.target = target
            self.roles = roles
            self.onlyListedColumns = onlyListedColumns
            self.task = task
            self.scaling = scaling
            self.standardizeTarget = standardizeTarget
            self.maxCategories = maxCategories
            self.maxDistinctFraction = maxDistinctFraction
        }

        /// Seed 001's Titanic setup: target `Survived`; features `Pclass`, `Sex`, `Age`,
        /// `SibSp`, `Parch`, `Fare`, `Embarked`; every other column ignored.
        ///
        /// `Pclass` (1, 2, 3) is numeric, as in the seed, and standardized with the other
        /// numbers; `Sex` and `Embarked` are one-hot, so the seed's 7 columns become 10
        /// inputs: Pclass, Sex=female, Sex=male, Age, SibSp, Parch, Fare, Embarked=C,
        /// Embarked=Q, Embarked=S. Age (177 empty) and Embarked (2 empty) are imputed
        /// with the training median and most frequent port.
        public static var titanic: Options {
            Options(target: "Survived",
                    roles: ["Pclass": .numeric(.standardize), "Sex": .categorical, "Age": .numeric(.standardize),
                            "SibSp": .numeric(.standardize), "Parch": .numeric(.standardize),
                            "Fare": .numeric(.standardize), "Embarked": .categorical],
                    onlyListedColumns: true, task: .classification)
        }
    }


    /// Fits roles, imputation values, scalings, categories and the target encoding on
    /// `table` (the training rows only).
    ///
    /// - Throws: ``DataError/unknownColumn(file:column:available:)`` for a role or target
    ///   naming no column; ``DataError/nonNumericValue(file:row:column:value:)`` when a
    ///   column forced numeric holds text; ``DataError/missingTarget(file:row:column:)``;
    ///   ``DataError/invalidConfiguration(_:)`` for two targets or no usable feature;
    ///   ``DataError/emptyFile(file:)`` for a table without rows.
    public static func fit(_ table: CSVTable, options: Options = Options()) throws -> Preprocessor {
        guard table.rowCount > 0 else { throw DataError.emptyFile(file: table.source) }
        var explicit: [Int: ColumnRole] = [:]
        for (key, role) in options.roles { explicit[try table.columnIndex(key)] = role }
        var targetIndex: Int? = try options.target.map { try table.columnIndex($0) }
        for (index, role) in explicit where role == .target {
            if let t = targetIndex, t != index {
                throw DataError.invalidConfiguration(
                    "two target columns: \(table.columnNames[t]) and \(table.columnNames[index])")
            }
            targetIndex = index
        }

        var columns: [Column] = []
        var notes: [String] = []
        for (index, name) in table.columnNames.enumerated() where index != targetIndex {
            let values = table.columnValues[index]
            var role: ColumnRole
            var note: String? = nil
            if let given = explicit[index] {
                role = given
            } else if options.onlyListedColumns {
                role = .ignored
            } else {
                (role, note) = automaticRole(name: name, column: values, lines: table.lineNumbers, options: options)
            }
            if let note { notes.append("\(name): \(note)") }
            columns.append(try fitColumn(name: name, role: role, note: note, column: values, table: table))
        }

        var target: TargetEncoding? = nil
        if let t = targetIndex {
            target = try TargetEncoding.fit(column: table.columnValues[t], lines: table.lineNumbers,
                                            column: table.columnNames[t], source: table.source,
                                            task: options.task, standardize: options.standardizeTarget,
                                            maxClasses: options.maxCategories)
        }
        let fitted = Preprocessor(columns: columns, target: target, notes: notes)
        guard fitted.featureCount > 0 else {
            throw DataError.invalidConfiguration("no usable feature column in \(table.source) "
                + "(notes: \(notes.isEmpty ? "none" : notes.joined(separator: "; ")))")
        }
        return fitted
    }

    /// The automatic role of a column and, when not plain numeric, the reason. A column
    /// whose numbers include a non-finite one (inf, 1e308) stays numeric, so that fitting
    /// it reports the value and its line instead of quietly dropping the column.
    static func automaticRole(name: String, column: CSVColumn, lines: [Int], options: Options) -> (ColumnRole, String?) {
        let values: [String]
        switch column {
        case let .numbers(numbers, nonFinite):
            if nonFinite != nil { return (.numeric(options.scaling), nil) }  // fitting reports it
            let present = numbers.filter { !$0.isNaN }
            if present.isEmpty { return (.ignored, "ignored: all missing (every value empty or a missing-value marker)") }
            if present.count >= 10, present.count == numbers.count, let note = identifierNote(name: name, numbers: present) {
                return (.ignored, note)
            }
            return (.numeric(options.scaling), nil)
        case .text(let texts):
            values = texts
        }
        var numbers: [Double] = []
        var nonFinite = 0, texts = 0, present = 0
        var firstText: (value: String, line: Int)? = nil
        for (i, v) in values.enumerated() {
            switch NumberField(v) {
            case .missing: continue
            case .number(let x): numbers.append(x)
            case .nonFinite: nonFinite += 1
            case .text:
                texts += 1
                if firstText == nil { firstText = (v, lines[i]) }
            }
            present += 1
        }
        if present == 0 { return (.ignored, "ignored: all missing (every value empty or a missing-value marker)") }
        if texts == 0 {
            if nonFinite == 0, present >= 10, present == values.count, let note = identifierNote(name: name, numbers: numbers) {
                return (.ignored, note)
            }
            return (.numeric(options.scaling), nil)
        }
        var stray = ""
        if let firstText, !numbers.isEmpty || nonFinite > 0 {
            stray = "; \(texts) non-numeric value\(texts == 1 ? "" : "s") among \(numbers.count + nonFinite) numbers, "
                + "the first \"\(firstText.value)\" at line \(firstText.line) (if it marks a missing value, list it with --na-values)"
        }
        let distinct = Set(values.lazy.filter { !isMissing($0) }.map { $0.trimmingCharacters(in: .whitespaces) }).count
        if distinct > options.maxCategories
            || (present >= 10 && Double(distinct) > options.maxDistinctFraction * Double(present)) {
            return (.ignored, "ignored: text with \(distinct) distinct values in \(present) rows; "
                + "looks like an identifier or free text (give it the categorical role to use it)" + stray)
        }
        return (.categorical, "categorical: text with \(distinct) distinct values, one-hot encoded" + stray)
    }

    /// The note for a column of distinct integers, one per row, that is consecutive or
    /// named "…id": a row identifier, not a feature. Nil for any other column.
    static func identifierNote(name: String, numbers: [Double]) -> String? {
        // Cheap tests first: most numeric columns fail at their first non-integer.
        guard let low = numbers.min(), let high = numbers.max(), numbers.allSatisfy({ $0 == $0.rounded() }) else { return nil }
        let consecutive = high - low + 1 == Double(numbers.count)
        guard consecutive || name.lowercased().hasSuffix("id") else { return nil }
        let distinct = Set(numbers)
        guard distinct.count == numbers.count else { return nil }
        return "ignored: \(distinct.count) distinct integers, one per row; "
            + "looks like a row identifier (give it a numeric role to use it)"
    }

    /// Fits one input column's statistics for its role.
    static func fitColumn(name: String, role: ColumnRole, note: String?, column values: CSVColumn,
                          table: CSVTable) throws -> Column {
        var column = Column(name: name, role: role, note: note, fillValue: 0, shift: 0, scale: 1,
                            categories: [], mostFrequent: "")
        switch role {
        case .ignored, .target:
            column.role = .ignored
        case .numeric(let scaling):
            var present: [Double] = []
            present.reserveCapacity(values.count)
            switch values {
            case let .numbers(numbers, nonFinite):
                if let bad = nonFinite {
                    throw DataError.nonFiniteValue(file: table.source, row: table.lineNumbers[bad.row], column: name, value: bad.text)
                }
                for x in numbers where !x.isNaN { present.append(x) }
            case .text(let texts):
              for (i, v) in texts.enumerated() {
                switch NumberField(v) {
                case .missing: continue
                case .number(let x): present.append(x)
                case .nonFinite:
                    throw DataError.nonFiniteValue(file: table.source, row: table.lineNumbers[i], column: name, value: v)
                case .text:
                    throw DataError.nonNumericValue(file: table.source, row: table.lineNumbers[i], column: name, value: v)
                }
              }
            }
            column.fillValue = median(present)
            // Statistics of the imputed column, as an imputer followed by a scaler sees it.
            // The imputed column is `present` followed by `missing` copies of the fill value; its
            // statistics are summed in that order without building it.
            let missing = values.count - present.count
            let fill = column.fillValue
            switch scaling {
            case .standardize:
                let n = Double(values.count)
                var sum = present.reduce(0, +)
                for _ in 0..<missing { sum += fill }
                let mean = sum / n
                var squares = present.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
                for _ in 0..<missing { squares += (fill - mean) * (fill - mean) }
                let variance = squares / n
                column.shift = mean
                column.scale = variance > 0 ? variance.squareRoot() : 1
            case .minMax:
                var lo = present.min() ?? fill, hi = present.max() ?? fill
                if missing > 0 { lo = Swift.min(lo, fill); hi = Swift.max(hi, fill) }
                column.shift = lo
                column.scale = hi > lo ? hi - lo : 1
            case .none:
                break
            }
        case .categorical:
            var counts: [String: Int] = [:]
            for v in values.texts where !isMissing(v) { counts[v.trimmingCharacters(in: .whitespaces), default: 0] += 1 }
            column.categories = counts.keys.sorted()
            column.mostFrequent = counts.max { a, b in a.value < b.value || (a.value == b.value && a.key > b.key) }?.key ?? ""
        }
        return column
    }

    /// The median (mean of the two middle values for an even count; 0 when empty).
    /// Found by selection (Hoare's quickselect, expected O(n)) rather than a full sort, so
    /// a 2-million-row column takes milliseconds.
    static func median(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return 0 }
        var copy = values
        let mid = copy.count / 2
        return copy.withUnsafeMutableBufferPointer { buffer -> Double in
            let upper = select(mid, in: buffer)
            guard buffer.count % 2 == 0 else { return upper }
            // After selection every value before `mid` is ≤ the upper middle: the lower middle is their largest.
            let lower = buffer[0..<mid].max()!
            return (lower + upper) / 2
        }
    }

    /// The k-th smallest value (0-based); reorders `buffer` so that values before k are ≤ it
    /// and values after k are ≥ it.
    static func select(_ k: Int, in buffer: UnsafeMutableBufferPointer<Double>) -> Double {
        var low = 0, high = buffer.count - 1
        while low < high {
            // Median of three as the pivot, then Hoare's partition.
            let middle = low + (high - low) / 2
            let pivot = Swift.max(Swift.min(buffer[low], buffer[middle]),
                                  Swift.min(Swift.max(buffer[low], buffer[middle]), buffer[high]))
            var i = low, j = high
            while i <= j {
                while buffer[i] < pivot { i += 1 }
                while buffer[j] > pivot { j -= 1 }
                if i <= j {
                    buffer.swapAt(i, j)
                    i += 1
                    j -= 1
                }
            }
            if k <= j { high = j } else if k >= i { low = i } else { return buffer[k] }
        }
        return buffer[k]
    }
}

