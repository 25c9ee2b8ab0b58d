extension Matrix {
    /// A layer's two backward products in bf16 mixed precision, side by side on two cores:
    ///
    /// ```
    /// c₁ ← bf16(aᵀ₁)·bf16(b₁)      (weight gradient xᵀ·δ)
    /// c₂ ← bf16(a₂)·bf16(bᵀ₂)      (input gradient δ·Wᵀ)
    /// ```
    ///
    /// With ``ComputeSettings/threadCount`` exactly 2 and at least ``minimumBF16PairWork``
    /// multiply–adds in each, each product runs whole on its own core (one join instead of
    /// one per depth block, and no row split); otherwise one after the other. Every element
    /// is computed by the same operations either way (BF16GEMM's contract), so the bits do
    /// not depend on the path. Needs ``ComputePrecision/isSupported`` for bf16.
    static func multiplyBF16Pair(
        weightGradientOf x: Matrix, _ delta: Matrix, into c1: inout Matrix,
        inputGradientOf deltaAgain: Matrix, _ weight: Matrix, into c2: inout Matrix
    ) {
        let (m1, n1, k1) = (x.columns, delta.columns, x.rows)          // xᵀ·δ
        let (m2, n2, k2) = (deltaAgain.rows, weight.rows, deltaAgain.columns)  // δ·Wᵀ
        precondition(delta.rows == k1 && weight.columns == k2, "bf16 pair: shapes do not chain")
        guard ComputeSettings.threadCount == 2, min(m1 * n1 * k1, m2 * n2 * k2) >= minimumBF16PairWork,
              x.count > 0, delta.count > 0, weight.count > 0 else {
            multiply(x, delta, transposeA: true, precision: .bfloat16, into: &c1)
            multiply(deltaAgain, weight, transposeB: true, precision: .bfloat16, into: &c2)
            return
        }
        if c1.rows != m1 || c1.columns != n1 { c1.resize(rows: m1, columns: n1) }
        if c2.rows != m2 || c2.columns != n2 { c2.resize(rows: m2, columns: n2) }
        x.withUnsafeBufferPointer { xp in
            delta.withUnsafeBufferPointer { dp in
                deltaAgain.withUnsafeBufferPointer { d2p in
                    weight.withUnsafeBufferPointer { wp in
                        c1.withUnsafeMutableBufferPointer { c1p in
                            c2.withUnsafeMutableBufferPointer { c2p in
                                let task = BF16PairTask(
                                    first: .init(transposeA: true, transposeB: false, m: m1, n: n1, k: k1,
                                                 a: xp.baseAddress!, lda: x.columns, b: dp.baseAddress!, ldb: delta.columns,
                                                 c: c1p.baseAddress!),
                                    second: .init(transposeA: false, transposeB: true, m: m2, n: n2, k: k2,
                                                  a: d2p.baseAddress!, lda: deltaAgain.columns, b: wp.baseAddress!,
                                                  ldb: weight.columns, c: c2p.baseAddress!))
                                WorkerPool.shared.run(parts: 2, task)
                            }
                        }
                    }
                }
            }
        }
    }

    /// Below this many multiply–adds in the smaller product the pair runs one after the
    /// other: handing a product to the other core costs microseconds.
    static let minimumBF16PairWork = 1 << 17
}

/// One bf16 product of a pair, β = 0, C dense with ldc = n.
private struct BF16Call: @unchecked Sendable {
    let transposeA: Bool, transposeB: Bool
    let m: Int, n: Int, k: Int
    let a: UnsafePointer<Float>, lda: Int
    let b: UnsafePointer<Float>, ldb: Int
    let c: UnsafeMutablePointer<Float>

    func run() {
        BF16GEMM.gemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: 1,
                      a: a, lda: lda, b: b, ldb: ldb, beta: 0, c: c, ldc: n, threads: 1)
    }
}

/// Part 0 runs the first product, part 1 the second.
private struct BF16PairTask: ParallelTask {
    let first: BF16Call, second: BF16Call
    func run(_ part: Int) { part == 0 ? first.run() : second.run() }
}
