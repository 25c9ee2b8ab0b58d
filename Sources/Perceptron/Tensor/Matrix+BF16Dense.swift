extension Matrix {
    /// A dense layer's training forward pass in bf16 mixed precision, bias and activation
    /// included in the product's single parallel call:
    ///
    /// ```
    /// z ← bf16(x)·bf16(W) + b        a ← f(z),  f = ReLU or identity
    /// ```
    ///
    /// Each row block of z gets its bias and activation as soon as the GEMM finishes it,
    /// while it is still in cache (``BF16Epilogue``), instead of two more passes over z with
    /// a join each. The operations per element are those of ``multiply(_:_:transposeA:transposeB:alpha:beta:precision:prepackedB:into:)``
    /// followed by ``addRowVector(_:)`` and the activation, so the bits are the same.
    /// Needs ``ComputePrecision/isSupported`` for bf16.
    static func multiplyBF16Dense(_ x: Matrix, _ weight: Matrix, bias: Matrix?, relu: Bool,
                                  into z: inout Matrix, activated a: inout Matrix) {
        let (m, k, n) = (x.rows, x.columns, weight.columns)
        precondition(weight.rows == k, "bf16 dense: x is \(m)×\(k), W is \(weight.rows)×\(n)")
        precondition(bias.map { $0.count == n } ?? true, "bf16 dense: bias must have \(n) values")
        if z.rows != m || z.columns != n { z.resize(rows: m, columns: n) }
        if a.rows != m || a.columns != n { a.resize(rows: m, columns: n) }
        if m == 0 || n == 0 { return }
        let threads = ComputeSettings.threadCount
        x.withUnsafeBufferPointer { xp in
            weight.withUnsafeBufferPointer { wp in
                z.withUnsafeMutableBufferPointer { zp in
                    a.withUnsafeMutableBufferPointer { ap in
                        func run(_ b: UnsafePointer<Float>?) {
                            BF16GEMM.gemm(
                                transposeA: false, transposeB: false, m: m, n: n, k: k, alpha: 1,
                                a: xp.baseAddress!, lda: k, b: wp.baseAddress!, ldb: n,
                                beta: 0, c: zp.baseAddress!, ldc: n, threads: threads,
                                epilogue: BF16Epilogue(bias: b, activated: ap.baseAddress!, ldActivated: n, relu: relu))
                        }
                        if let bias { bias.withUnsafeBufferPointer { bp in run(bp.baseAddress) } } else { run(nil) }
                    }
                }
            }
        }
    }
}
