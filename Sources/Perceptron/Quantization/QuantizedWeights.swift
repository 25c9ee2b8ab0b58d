import CPerceptronKernels

/// A weight matrix quantized to int8 with one symmetric scale per output column
/// (per output unit of a Dense layer), packed for the int8 kernel:
///
/// ```
/// s[j] = max_p |W[p, j]| / 127          (1 for an all-zero column, whose q are 0)
/// q[p, j] = clamp(round_half_even(W[p, j] / s[j]), −127, 127)      W ≈ s[j]·q
/// ```
/// W is in × out (the Dense layout). The column sums Σ_p q[p, j] are kept for the kernel's
/// zero-point correction (see ``QuantizedGEMM``).
struct QuantizedWeights: Sendable {
    /// in (rows of W).
    let rows: Int
    /// out (columns of W).
    let columns: Int
    /// q, row-major rows × columns.
    let values: [Int8]
    /// s, one per column.
    let scales: [Float]
    let columnSums: [Int32]
    /// q in the kernel's packed layout.
    let packed: [Int8]
    let kernel: QuantizedGEMM.Kernel

    /// Quantizes a float matrix (finite values).
    init(quantizing w: Matrix, kernel: QuantizedGEMM.Kernel = .best) {
        var scales = [Float](repeating: 1, count: w.columns)
        for j in 0..<w.columns {
            var largest: Float = 0
            for p in 0..<w.rows { largest = max(largest, abs(w[p, j])) }
            if largest > 0 { scales[j] = largest / 127 }
        }
        var values = [Int8](repeating: 0, count: w.count)
        w.withUnsafeBufferPointer { source in
            for p in 0..<w.rows {
                for j in 0..<w.columns {
                    let q = (source[p * w.columns + j] / scales[j]).rounded(.toNearestOrEven)
                    values[p * w.columns + j] = Int8(max(-127, min(127, q)))
                }
            }
        }
        self.init(rows: w.rows, columns: w.columns, values: values, scales: scales, kernel: kernel)
    }

    /// Weights already quantized (e.g. read from a file).
    init(rows: Int, columns: Int, values: [Int8], scales: [Float], kernel: QuantizedGEMM.Kernel = .best) {
        precondition(values.count == rows * columns && scales.count == columns,
                     "quantized weights \(rows)×\(columns) need \(rows * columns) values and \(columns) scales")
        self.rows = rows
        self.columns = columns
        self.values = values
        self.scales = scales
        self.kernel = kernel
        var sums = [Int32](repeating: 0, count: columns)
        var packed = [Int8](repeating: 0, count: max(1, pk_qgemm_packed_b_size(kernel.rawValue, rows, columns)))
        values.withUnsafeBufferPointer { q in
            if rows > 0 && columns > 0 {
                pk_qgemm_column_sums(rows, columns, q.baseAddress, columns, &sums)
                pk_qgemm_pack_b(kernel.rawValue, rows, columns, q.baseAddress, columns, &packed)
            }
        }
        self.columnSums = sums
        self.packed = packed
    }

    /// s[j]·q[p, j], in × out.
    func dequantized() -> Matrix {
        var w = Matrix(rows: rows, columns: columns)
        for p in 0..<rows { for j in 0..<columns { w[p, j] = scales[j] * Float(values[p * columns + j]) } }
        return w
    }
}
