extension Matrix {
    /// Writes `α·op(a)·op(b) + β·c` into `c`, where `op(X)` is `X` or `Xᵀ`.
    ///
    /// ```
    /// c ← α·op(a)·op(b) + β·c
    /// ```
    ///
    /// `c` is resized to the product's shape when `beta == 0`; otherwise it must already
    /// have it. This is the one entry to the GEMM kernel: forward passes use `x·W`,
    /// weight gradients `xᵀ·δ`, input gradients `δ·Wᵀ`.
    public static func multiply(
        _ a: Matrix, _ b: Matrix,
        transposeA: Bool = false, transposeB: Bool = false,
        alpha: Float = 1, beta: Float = 0,
        into c: inout Matrix
    ) {
        multiply(a, b, transposeA: transposeA, transposeB: transposeB, alpha: alpha, beta: beta,
                 precision: .float32, into: &c)
    }

    /// ``multiply(_:_:transposeA:transposeB:alpha:beta:into:)`` in a chosen precision:
    ///
    /// ```
    /// c ← α·op(a)·op(b) + β·c                     (.float32)
    /// c ← bf16(α·op(a))·bf16(op(b)) + β·c          (.bfloat16, fp32 accumulation)
    /// ```
    ///
    /// `.bfloat16` needs ``ComputePrecision/isSupported``; callers check it once (at
    /// compile time of a model) and pass `.float32` otherwise. `prepackedB` (fp32 only) is
    /// op(b) already packed for the GEMM (``GEMM/PackedB``): the same result without
    /// packing b again.
    static func multiply(
        _ a: Matrix, _ b: Matrix,
        transposeA: Bool = false, transposeB: Bool = false,
        alpha: Float = 1, beta: Float = 0,
        precision: ComputePrecision, prepackedB: GEMM.PackedB? = nil,
        into c: inout Matrix
    ) {
        let m = transposeA ? a.columns : a.rows
        let k = transposeA ? a.rows : a.columns
        let kb = transposeB ? b.columns : b.rows
        let n = transposeB ? b.rows : b.columns
        precondition(k == kb, "GEMM inner dimensions differ: op(a) is \(m)×\(k), op(b) is \(kb)×\(n)")
        if beta == 0 {
            if c.rows != m || c.columns != n { c.resize(rows: m, columns: n) }
        } else {
            precondition(c.rows == m && c.columns == n, "GEMM output is \(c.rows)×\(c.columns), expected \(m)×\(n)")
        }
        if m == 0 || n == 0 { return }
        if k == 0 {
            // Nothing to multiply (nor to round): c ← β·c.
            c.withUnsafeMutableBufferPointer { cp in
                for i in cp.indices { cp[i] = beta == 0 ? 0 : beta * cp[i] }
            }
            return
        }
        let threads = ComputeSettings.threadCount
        a.withUnsafeBufferPointer { ap in
            b.withUnsafeBufferPointer { bp in
                c.withUnsafeMutableBufferPointer { cp in
                    switch precision {
                    case .float32:
                        GEMM.sgemm(
                            transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                            alpha: alpha, a: ap.baseAddress!, lda: a.columns,
                            b: bp.baseAddress!, ldb: b.columns,
                            beta: beta, c: cp.baseAddress!, ldc: n, threads: threads, prepackedB: prepackedB)
                    case .bfloat16:
                        BF16GEMM.gemm(
                            transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                            alpha: alpha, a: ap.baseAddress!, lda: a.columns,
                            b: bp.baseAddress!, ldb: b.columns,
                            beta: beta, c: cp.baseAddress!, ldc: n, threads: threads)
                    }
                }
            }
        }
    }

    /// The matrix product `a·b`.
    public static func matmul(_ a: Matrix, _ b: Matrix) -> Matrix {
        var c = Matrix(rows: 0, columns: 0)
        multiply(a, b, into: &c)
        return c
    }

    /// The transpose.
    public var transposed: Matrix {
        var t = Matrix(rows: columns, columns: rows)
        let (r, c) = (rows, columns)
        withUnsafeBufferPointer { src in
            t.withUnsafeMutableBufferPointer { dst in
                for i in 0..<r { for j in 0..<c { dst[j * r + i] = src[i * c + j] } }
            }
        }
        return t
    }
}

/// The former free function; ``Matrix/matmul(_:_:)`` is the matrix product of values and
/// ``Graph/matmul(_:_:name:)`` that of graph nodes.
@available(*, deprecated, renamed: "Matrix.matmul")
public func matmul(_ a: Matrix, _ b: Matrix) -> Matrix { Matrix.matmul(a, b) }
