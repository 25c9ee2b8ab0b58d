extension Matrix {
    /// ``multiply(_:_:transposeA:transposeB:alpha:beta:into:)`` in a chosen precision:
    ///
    /// ```
    /// c ← α·op(a)·op(b) + β·c                     (.float32)
    /// c ← bf16(α·op(a))·bf16(op(b)) + β·c          (.bfloat16, fp32 accumulation)
    /// ```
    ///
    /// `.bfloat16` needs ``ComputePrecision/isSupported``; callers check it once (at
    /// compile time of a model) and pass `.float32` otherwise.
    static func multiply(
        _ a: Matrix, _ b: Matrix,
        transposeA: Bool = false, transposeB: Bool = false,
        alpha: Float = 1, beta: Float = 0,
        precision: ComputePrecision,
        into c: inout Matrix
    ) {
        // Empty operands (k == 0 or an empty result) take the fp32 path: nothing to round.
        guard precision == .bfloat16, a.count > 0, b.count > 0 else {
            multiply(a, b, transposeA: transposeA, transposeB: transposeB, alpha: alpha, beta: beta, into: &c)
            return
        }
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
        let threads = ComputeSettings.threadCount
        a.withUnsafeBufferPointer { ap in
            b.withUnsafeBufferPointer { bp in
                c.withUnsafeMutableBufferPointer { cp in
                    BF16GEMM.gemm(
                        transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                        alpha: alpha, a: ap.baseAddress!, lda: max(1, a.columns),
                        b: bp.baseAddress!, ldb: max(1, b.columns),
                        beta: beta, c: cp.baseAddress!, ldc: n, threads: threads)
                }
            }
        }
    }
}
