import CPerceptronKernels
import Foundation

extension Matrix {
    /// Applies `f` to each element, writing into `result` (resized to this shape).
    @inlinable
    public func map(into result: inout Matrix, _ f: (Float) -> Float) {
        if result.rows != rows || result.columns != columns { result.resize(rows: rows, columns: columns) }
        withUnsafeBufferPointer { src in
            result.withUnsafeMutableBufferPointer { dst in
                for i in 0..<src.count { dst[i] = f(src[i]) }
            }
        }
    }

    /// A new matrix with `f` applied to each element.
    @inlinable
    public func map(_ f: (Float) -> Float) -> Matrix {
        var result = Matrix(rows: rows, columns: columns)
        map(into: &result, f)
        return result
    }

    /// Combines this matrix with `other` element by element into `result`.
    @inlinable
    public func zip(_ other: Matrix, into result: inout Matrix, _ f: (Float, Float) -> Float) {
        precondition(rows == other.rows && columns == other.columns,
                     "Elementwise shapes differ: \(rows)×\(columns) and \(other.rows)×\(other.columns)")
        if result.rows != rows || result.columns != columns { result.resize(rows: rows, columns: columns) }
        withUnsafeBufferPointer { a in
            other.withUnsafeBufferPointer { b in
                result.withUnsafeMutableBufferPointer { dst in
                    for i in 0..<a.count { dst[i] = f(a[i], b[i]) }
                }
            }
        }
    }

    /// A new matrix combining this one and `other` element by element.
    @inlinable
    public func zip(_ other: Matrix, _ f: (Float, Float) -> Float) -> Matrix {
        var result = Matrix(rows: rows, columns: columns)
        zip(other, into: &result, f)
        return result
    }

    /// Adds the 1 × columns row vector `bias` to every row, in place (broadcasting).
    ///
    /// ```
    /// zᵢⱼ ← zᵢⱼ + bⱼ
    /// ```
    public mutating func addRowVector(_ bias: Matrix) {
        precondition(bias.rows == 1 && bias.columns == columns,
                     "Bias is \(bias.rows)×\(bias.columns), expected 1×\(columns)")
        let (r, c) = (rows, columns)
        bias.withUnsafeBufferPointer { b in
            withUnsafeMutableBufferPointer { z in
                if let zp = z.baseAddress, let bp = b.baseAddress { ParallelKernels.addRowVector(rows: r, columns: c, zp, bp) }
            }
        }
    }

    /// Writes the column sums (a 1 × columns row) into `result`.
    ///
    /// ```
    /// sⱼ = Σᵢ xᵢⱼ
    /// ```
    public func sumColumns(into result: inout Matrix) {
        if result.rows != 1 || result.columns != columns { result.resize(rows: 1, columns: columns) }
        let (r, c) = (rows, columns)
        if c == 0 { return }
        withUnsafeBufferPointer { x in
            result.withUnsafeMutableBufferPointer { s in
                guard let xp = x.baseAddress else { return s.update(repeating: 0) }
                ParallelKernels.sumColumns(rows: r, columns: c, xp, s.baseAddress!)
            }
        }
    }

    /// The column sums as a 1 × columns row.
    public func sumColumns() -> Matrix {
        var s = Matrix(rows: 1, columns: columns)
        sumColumns(into: &s)
        return s
    }

    /// Row-wise softmax into `result`, stable for large inputs (the row maximum is
    /// subtracted before exponentiating):
    ///
    /// ```
    /// softmax(z)ᵢⱼ = exp(zᵢⱼ − maxₖ zᵢₖ) / Σₖ exp(zᵢₖ − maxₖ zᵢₖ)
    /// ```
    public func softmaxRows(into result: inout Matrix) {
        if result.rows != rows || result.columns != columns { result.resize(rows: rows, columns: columns) }
        let (r, c) = (rows, columns)
        withUnsafeBufferPointer { z in
            result.withUnsafeMutableBufferPointer { p in
                for i in 0..<r {
                    let row = i * c
                    var maximum = -Float.infinity
                    for j in 0..<c { maximum = Swift.max(maximum, z[row + j]) }
                    var total: Float = 0
                    for j in 0..<c {
                        let e = Foundation.exp(z[row + j] - maximum)
                        p[row + j] = e
                        total += e
                    }
                    let inverse = 1 / total
                    for j in 0..<c { p[row + j] *= inverse }
                }
            }
        }
    }

    /// Sum of all elements (accumulated in `Double`).
    public func sum() -> Float {
        withUnsafeBufferPointer { p in
            var total: Double = 0
            for x in p { total += Double(x) }
            return Float(total)
        }
    }

    /// Index of the largest element in each row.
    public func argmaxRows() -> [Int] {
        (0..<rows).map { i in
            withUnsafeBufferPointer { p in
                var best = 0
                var bestValue = -Float.infinity
                for j in 0..<columns where p[i * columns + j] > bestValue {
                    bestValue = p[i * columns + j]
                    best = j
                }
                return best
            }
        }
    }

    /// Copies the rows at `indices` (in order) into `result`, resized to `indices.count × columns`.
    public func gatherRows<C: Collection>(_ indices: C, into result: inout Matrix) where C.Element == Int {
        let c = columns
        if result.rows != indices.count || result.columns != c { result.resize(rows: indices.count, columns: c) }
        // A minibatch of a large data set: rows scattered over memory, copied by all cores.
        let contiguous: Void? = indices.withContiguousStorageIfAvailable { list in
            withUnsafeBufferPointer { src in
                result.withUnsafeMutableBufferPointer { dst in
                    guard let from = src.baseAddress, let to = dst.baseAddress, let rowList = list.baseAddress else { return }
                    ParallelKernels.gatherRows(rowList, count: list.count, rows: rows, columns: c, from, to)
                }
            }
        }
        if contiguous != nil { return }
        withUnsafeBufferPointer { src in
            result.withUnsafeMutableBufferPointer { dst in
                var out = 0
                for i in indices {
                    precondition(i >= 0 && i < rows, "Row index \(i) out of range for \(rows) rows")
                    let from = src.baseAddress! + i * c
                    (dst.baseAddress! + out).update(from: from, count: c)
                    out += c
                }
            }
        }
    }

    /// The rows at `indices`, in order.
    public func gatherRows<C: Collection>(_ indices: C) -> Matrix where C.Element == Int {
        var result = Matrix(rows: 0, columns: columns)
        gatherRows(indices, into: &result)
        return result
    }

    /// Rows `range` as a new matrix (one contiguous copy).
    public func gatherRows(_ range: Range<Int>) -> Matrix {
        precondition(range.lowerBound >= 0 && range.upperBound <= rows, "Row range \(range) out of 0..<\(rows)")
        return Matrix(rows: range.count, columns: columns) { rows in
            rows.baseAddress!.initialize(from: storage.pointer + range.lowerBound * columns, count: rows.count)
        }
    }

    /// The former name of ``gatherRows(_:)-(Range<Int>)``, which sat beside the row count ``rows``.
    @available(*, deprecated, renamed: "gatherRows")
    public func rows(_ range: Range<Int>) -> Matrix { gatherRows(range) }
}

// MARK: - Arithmetic operators (allocating; for user code and tests, not hot loops)

extension Matrix {
    public static func + (lhs: Matrix, rhs: Matrix) -> Matrix { lhs.zip(rhs, +) }
    public static func - (lhs: Matrix, rhs: Matrix) -> Matrix { lhs.zip(rhs, -) }
    /// Elementwise (Hadamard) product.
    public static func * (lhs: Matrix, rhs: Matrix) -> Matrix { lhs.zip(rhs, *) }
    public static func * (lhs: Float, rhs: Matrix) -> Matrix { rhs.map { lhs * $0 } }
    public static func * (lhs: Matrix, rhs: Float) -> Matrix { lhs.map { $0 * rhs } }
    public static prefix func - (x: Matrix) -> Matrix { x.map { -$0 } }
}
