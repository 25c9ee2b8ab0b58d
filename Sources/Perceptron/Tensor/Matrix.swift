import CPerceptronKernels
import Foundation

/// A two-dimensional `Float` matrix: row-major and batch-first (rows are samples,
/// columns are features), as in the seeds' numpy code.
///
/// `Matrix` is a value type with copy-on-write storage: copying one is O(1), and the
/// elements are copied only when a shared copy is written to. Training code keeps its
/// buffers uniquely referenced and writes into them in place, so a training step
/// allocates nothing once the buffers exist (see ``resize(rows:columns:)``).
public struct Matrix: @unchecked Sendable, Equatable {  // see MatrixStorage
    /// Number of rows (samples).
    public private(set) var rows: Int
    /// Number of columns (features).
    public private(set) var columns: Int
    /// The elements, row-major: element (i, j) is at offset `i * columns + j`; 64-byte
    /// aligned (``MatrixStorage``).
    @usableFromInline internal var storage: MatrixStorage

    /// A `rows × columns` matrix with every element equal to `value`.
    public init(rows: Int, columns: Int, repeating value: Float = 0) {
        precondition(rows >= 0 && columns >= 0, "Matrix shape must be non-negative, got \(rows)×\(columns)")
        self.rows = rows
        self.columns = columns
        self.storage = rows * columns == 0 ? .empty : MatrixStorage.initialized(count: rows * columns) { $0.initialize(repeating: value) }
    }

    /// A matrix over row-major `elements`; `elements.count` must be `rows × columns`.
    public init(rows: Int, columns: Int, elements: [Float]) {
        precondition(rows >= 0 && columns >= 0, "Matrix shape must be non-negative, got \(rows)×\(columns)")
        precondition(elements.count == rows * columns,
                     "Matrix \(rows)×\(columns) needs \(rows * columns) elements, got \(elements.count)")
        self.rows = rows
        self.columns = columns
        self.storage = elements.isEmpty ? .empty : MatrixStorage.initialized(count: elements.count) { _ = $0.initialize(from: elements) }
    }

    /// A `rows × columns` matrix whose elements `body` writes, every one of them, row-major
    /// (no zero-filling first, no intermediate array).
    public init(rows: Int, columns: Int, initializingWith body: (UnsafeMutableBufferPointer<Float>) throws -> Void) rethrows {
        precondition(rows >= 0 && columns >= 0, "Matrix shape must be non-negative, got \(rows)×\(columns)")
        self.rows = rows
        self.columns = columns
        self.storage = try MatrixStorage.initialized(count: rows * columns, by: body)
    }

    /// A matrix from nested rows; every row must have the same length.
    public init(_ nestedRows: [[Float]]) {
        let columns = nestedRows.first?.count ?? 0
        for (index, row) in nestedRows.enumerated() {
            precondition(row.count == columns, "Row \(index) has \(row.count) elements, expected \(columns)")
        }
        self.init(rows: nestedRows.count, columns: columns, elements: nestedRows.flatMap { $0 })
    }

    /// A 1 × n row vector.
    public init(row: [Float]) { self.init(rows: 1, columns: row.count, elements: row) }

    /// An n × 1 column vector.
    public init(column: [Float]) { self.init(rows: column.count, columns: 1, elements: column) }

    /// Number of elements, `rows × columns`.
    @inlinable public var count: Int { rows * columns }

    /// The shape as `(rows, columns)`.
    public var shape: (rows: Int, columns: Int) { (rows, columns) }

    /// Element (i, j).
    @inlinable public subscript(row: Int, column: Int) -> Float {
        get {
            precondition(row >= 0 && row < rows && column >= 0 && column < columns,
                         "Index (\(row), \(column)) out of range for \(rows)×\(columns)")
            return storage.pointer[row * columns + column]
        }
        set {
            precondition(row >= 0 && row < rows && column >= 0 && column < columns,
                         "Index (\(row), \(column)) out of range for \(rows)×\(columns)")
            makeStorageUnique()
            storage.pointer[row * columns + column] = newValue
        }
    }

    /// Row `i` as an array.
    public func row(_ i: Int) -> [Float] {
        precondition(i >= 0 && i < rows, "Row \(i) out of range for \(rows) rows")
        return Array(UnsafeBufferPointer(start: storage.pointer + i * columns, count: columns))
    }

    /// The rows as nested arrays.
    public var nestedRows: [[Float]] { (0..<rows).map { row($0) } }

    /// Changes the shape to `rows × columns`, keeping the storage's capacity so that a
    /// buffer reused for a smaller last batch and then a full batch again does not
    /// reallocate. The contents are unspecified afterwards (new elements are zero).
    public mutating func resize(rows newRows: Int, columns newColumns: Int) {
        precondition(newRows >= 0 && newColumns >= 0, "Matrix shape must be non-negative")
        let newCount = newRows * newColumns
        if !isKnownUniquelyReferenced(&storage) || newCount > storage.elementCapacity {
            storage = storage.copy(capacity: max(newCount, storage.elementCapacity))
        }
        storage.setCount(newCount)
        rows = newRows
        columns = newColumns
    }

    /// Calls `body` with a pointer to the elements (row-major).
    @inlinable public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try body(storage.buffer)
    }

    /// Calls `body` with a mutable pointer to the elements (row-major), copying the
    /// storage first only if it is shared.
    @inlinable public mutating func withUnsafeMutableBufferPointer<R>(
        _ body: (inout UnsafeMutableBufferPointer<Float>) throws -> R
    ) rethrows -> R {
        makeStorageUnique()
        var buffer = UnsafeMutableBufferPointer(start: storage.pointer, count: storage.count)
        defer { precondition(buffer.baseAddress == storage.pointer && buffer.count == storage.count,
                             "Matrix.withUnsafeMutableBufferPointer: the buffer must not be replaced") }
        return try body(&buffer)
    }

    /// Copies the elements first if another matrix shares them (copy-on-write); the empty
    /// storage, which has no elements to write, stays shared.
    @inlinable mutating func makeStorageUnique() {
        if !isKnownUniquelyReferenced(&storage) && storage.count > 0 { storage = storage.copy() }
    }

    /// Whether every element is finite (no NaN, no ±Inf).
    public var isFinite: Bool {
        withUnsafeBufferPointer { p in p.baseAddress.map { ParallelKernels.allFinite(p.count, $0) } ?? true }
    }

    /// The first non-finite element's position, if any.
    public func firstNonFinite() -> (row: Int, column: Int, value: Float)? {
        if isFinite { return nil }
        return withUnsafeBufferPointer { p in
            for (i, x) in p.enumerated() where !x.isFinite {
                return (i / max(columns, 1), i % max(columns, 1), x)
            }
            return nil
        }
    }

    public static func == (lhs: Matrix, rhs: Matrix) -> Bool {
        guard lhs.rows == rhs.rows && lhs.columns == rhs.columns else { return false }
        // As [Float]'s ==: one shared buffer is equal to itself (NaNs included), else element by element.
        return lhs.storage === rhs.storage || lhs.storage.buffer.elementsEqual(rhs.storage.buffer)
    }
}

extension Matrix: CustomStringConvertible {
    public var description: String {
        let shown = min(rows, 8)
        var lines = (0..<shown).map { i in
            "[" + row(i).prefix(8).map { String(format: "%.4g", Double($0)) }.joined(separator: ", ")
                + (columns > 8 ? ", …" : "") + "]"
        }
        if rows > shown { lines.append("… (\(rows - shown) more rows)") }
        return "Matrix \(rows)×\(columns)\n" + lines.joined(separator: "\n")
    }
}

extension Matrix {
    /// The elements, row-major: element (i, j) is `elements[i * columns + j]`. A new array
    /// each time (the matrix keeps its elements in aligned storage of its own), so a loop
    /// reads `matrix[i, j]` or ``withUnsafeBufferPointer(_:)`` instead, or takes it once.
    public var elements: [Float] { Array(storage.buffer) }
}
