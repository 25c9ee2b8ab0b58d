import Foundation
import Perceptron

extension TargetEncoding {
    /// Fits the encoding on a training column; a numeric one without passing through text.
    static func fit(column data: CSVColumn, lines: [Int], column: String, source: String,
                    task requested: TaskKind?, standardize: Bool, maxClasses: Int) throws -> TargetEncoding {
        guard case let .numbers(values, nonFinite) = data else {
            return try fit(values: data.texts, lines: lines, column: column, source: source, task: requested,
                           standardize: standardize, maxClasses: maxClasses)
        }
        if let bad = nonFinite { throw DataError.nonFiniteValue(file: source, row: lines[bad.row], column: column, value: bad.text) }
        if let i = values.firstIndex(where: \.isNaN) { throw DataError.missingTarget(file: source, row: lines[i], column: column) }
        let distinct = Set(values)
        let task = requested ?? (distinct.count <= maxClasses && distinct.allSatisfy { $0 == $0.rounded() }
            ? .classification : .regression)
        switch task {
        case .classification:
            return TargetEncoding(column: column, task: .classification,
                                  classNames: distinct.sorted().map(Self.canonicalName), shift: 0, scale: 1)
        case .regression:
            var shift = 0.0, scale = 1.0
            if standardize {
                let n = Double(values.count)
                shift = values.reduce(0, +) / n
                let variance = values.reduce(0) { $0 + ($1 - shift) * ($1 - shift) } / n
                scale = variance > 0 ? variance.squareRoot() : 1
            }
            return TargetEncoding(column: column, task: .regression, classNames: [], shift: shift, scale: scale)
        }
    }

    /// Encodes a column; a numeric one without passing through text.
    func encode(column data: CSVColumn, lines: [Int], source: String) throws -> Matrix {
        guard case let .numbers(values, nonFinite) = data,
              task == .regression || classNames.allSatisfy({ Double($0) != nil }) else {
            return try encode(values: data.texts, lines: lines, source: source)
        }
        if let bad = nonFinite { throw DataError.nonFiniteValue(file: source, row: lines[bad.row], column: column, value: bad.text) }
        var out = [Float](repeating: 0, count: values.count)
        var index: [Double: Int] = [:]
        for (k, name) in classNames.enumerated() { index[Double(name)!] = k }
        for (i, y) in values.enumerated() {
            if y.isNaN { throw DataError.missingTarget(file: source, row: lines[i], column: column) }
            switch task {
            case .classification:
                guard let k = index[y] else {
                    throw DataError.unknownClass(file: source, row: lines[i], column: column, value: CSVColumn.text(of: y),
                                                 known: classNames)
                }
                out[i] = Float(k)
            case .regression:
                out[i] = Float((y - shift) / scale)
            }
        }
        return Matrix(rows: values.count, columns: 1, elements: out)
    }

    /// Fits the encoding on training values.
    static func fit(values: [String], lines: [Int], column: String, source: String,
                    task requested: TaskKind?, standardize: Bool, maxClasses: Int) throws -> TargetEncoding {
        for (i, v) in values.enumerated() where isMissing(v) {
            throw DataError.missingTarget(file: source, row: lines[i], column: column)
        }
        let numbers = values.map(parseNumber)
        let fields = values.map(NumberField.init)
        if let bad = fields.firstIndex(of: .nonFinite), !fields.contains(.text) {
            // A numeric target with inf or 1e308 in it: name the value, not a class called "inf".
            throw DataError.nonFiniteValue(file: source, row: lines[bad], column: column, value: values[bad])
        }
        let allNumeric = numbers.allSatisfy { $0 != nil }
        let task: TaskKind
        if let requested {
            task = requested
        } else if allNumeric {
            let distinct = Set(numbers.map { $0! })
            let integral = distinct.allSatisfy { $0 == $0.rounded() }
            task = integral && distinct.count <= maxClasses ? .classification : .regression
        } else {
            task = .classification
        }

        switch task {
        case .classification:
            let names: [String]
            if allNumeric {
                names = Set(numbers.map { $0! }).sorted().map(Self.canonicalName)
            } else {
                names = Set(values.map { $0.trimmingCharacters(in: .whitespaces) }).sorted()
            }
            return TargetEncoding(column: column, task: .classification, classNames: names, shift: 0, scale: 1)
        case .regression:
            var ys: [Double] = []
            ys.reserveCapacity(values.count)
            for (i, v) in values.enumerated() {
                guard let y = numbers[i] else {
                    if NumberField(v) == .nonFinite {
                        throw DataError.nonFiniteValue(file: source, row: lines[i], column: column, value: v)
                    }
                    throw DataError.nonNumericValue(file: source, row: lines[i], column: column, value: v)
                }
                ys.append(y)
            }
            var shift = 0.0, scale = 1.0
            if standardize {
                let n = Double(ys.count)
                shift = ys.reduce(0, +) / n
                let variance = ys.reduce(0) { $0 + ($1 - shift) * ($1 - shift) } / n
                scale = variance > 0 ? variance.squareRoot() : 1
            }
            return TargetEncoding(column: column, task: .regression, classNames: [], shift: shift, scale: scale)
        }
    }

    /// A number's class name: "3" for 3.0, "2.5" for 2.5.
    static func canonicalName(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }

    /// Encodes target fields as an n × 1 matrix (class index, or scaled value).
    /// - Throws: ``DataError/missingTarget(file:row:column:)``,
    ///   ``DataError/unknownClass(file:row:column:value:known:)``,
    ///   ``DataError/nonNumericValue(file:row:column:value:)``.
    func encode(values: [String], lines: [Int], source: String) throws -> Matrix {
        var out = [Float](repeating: 0, count: values.count)
        var index: [String: Int] = [:]
        for (i, name) in classNames.enumerated() { index[name] = i }
        let numericClasses = classNames.allSatisfy { Double($0) != nil }
        for (i, raw) in values.enumerated() {
            if isMissing(raw) { throw DataError.missingTarget(file: source, row: lines[i], column: column) }
            switch task {
            case .classification:
                var key = raw.trimmingCharacters(in: .whitespaces)
                if numericClasses, let number = parseNumber(key) { key = Self.canonicalName(number) }
                guard let k = index[key] else {
                    throw DataError.unknownClass(file: source, row: lines[i], column: column, value: raw, known: classNames)
                }
                out[i] = Float(k)
            case .regression:
                guard let y = parseNumber(raw) else {
                    if NumberField(raw) == .nonFinite {
                        throw DataError.nonFiniteValue(file: source, row: lines[i], column: column, value: raw)
                    }
                    throw DataError.nonNumericValue(file: source, row: lines[i], column: column, value: raw)
                }
                out[i] = Float((y - shift) / scale)
            }
        }
        return Matrix(rows: values.count, columns: 1, elements: out)
    }
}
