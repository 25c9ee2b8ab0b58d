extension Matrix {
    /// Two independent products at once, each on its own core:
    ///
    /// ```
    /// c₁ ← op(a₁)·op(b₁)        c₂ ← op(a₂)·op(b₂)
    /// ```
    ///
    /// A layer's backward pass has two such products, the weight gradient `xᵀ·δ` and the
    /// input gradient `δ·Wᵀ`, with the same number of multiply–adds. Splitting each one
    /// over two threads costs a join per KC block and halves the rows each thread works on;
    /// running them side by side costs one join and keeps each product whole. With
    /// ``ComputeSettings/threadCount`` exactly 2 and at least ``minimumPairWork`` multiply–adds
    /// in each they run concurrently; otherwise one after
    /// the other, each split as ``multiply(_:_:transposeA:transposeB:alpha:beta:into:)``
    /// splits it. Either way every element is computed by the same operations, so the
    /// bits do not depend on which way was taken.
    ///
    /// `c₁` and `c₂` are resized to their products' shapes (β = 0); they must not share
    /// storage with each other or with the operands.
    static func multiplyPair(
        _ a1: Matrix, _ b1: Matrix, transposeA1: Bool = false, transposeB1: Bool = false, into c1: inout Matrix,
        _ a2: Matrix, _ b2: Matrix, transposeA2: Bool = false, transposeB2: Bool = false, into c2: inout Matrix
    ) {
        let first = Shape(a1, b1, transposeA: transposeA1, transposeB: transposeB1)
        let second = Shape(a2, b2, transposeA: transposeA2, transposeB: transposeB2)
        guard ComputeSettings.threadCount == 2, min(first.work, second.work) >= minimumPairWork else {
            multiply(a1, b1, transposeA: transposeA1, transposeB: transposeB1, into: &c1)
            multiply(a2, b2, transposeA: transposeA2, transposeB: transposeB2, into: &c2)
            return
        }
        if c1.rows != first.m || c1.columns != first.n { c1.resize(rows: first.m, columns: first.n) }
        if c2.rows != second.m || c2.columns != second.n { c2.resize(rows: second.m, columns: second.n) }
        a1.withUnsafeBufferPointer { a1p in
            b1.withUnsafeBufferPointer { b1p in
                a2.withUnsafeBufferPointer { a2p in
                    b2.withUnsafeBufferPointer { b2p in
                        c1.withUnsafeMutableBufferPointer { c1p in
                            c2.withUnsafeMutableBufferPointer { c2p in
                                let task = PairTask(
                                    first: first.call(a1p, a1.columns, b1p, b1.columns, c1p),
                                    second: second.call(a2p, a2.columns, b2p, b2.columns, c2p))
                                WorkerPool.shared.run(parts: 2, task)
                            }
                        }
                    }
                }
            }
        }
    }

    /// Below this many multiply–adds in the smaller product (about a microsecond of work)
    /// the pair runs one after the other: handing a product to the other core costs more.
    static let minimumPairWork = 1 << 16

    /// m, n, k of op(a)·op(b).
    private struct Shape {
        let m: Int, n: Int, k: Int, transposeA: Bool, transposeB: Bool

        var work: Int { m * n * k }

        init(_ a: Matrix, _ b: Matrix, transposeA: Bool, transposeB: Bool) {
            m = transposeA ? a.columns : a.rows
            k = transposeA ? a.rows : a.columns
            n = transposeB ? b.rows : b.columns
            let kb = transposeB ? b.columns : b.rows
            precondition(k == kb, "GEMM inner dimensions differ: op(a) is \(m)×\(k), op(b) is \(kb)×\(n)")
            self.transposeA = transposeA
            self.transposeB = transposeB
        }

        func call(_ a: UnsafeBufferPointer<Float>, _ lda: Int, _ b: UnsafeBufferPointer<Float>, _ ldb: Int,
                  _ c: UnsafeMutableBufferPointer<Float>) -> Call {
            Call(shape: self, a: a.baseAddress, lda: lda, b: b.baseAddress, ldb: ldb, c: c.baseAddress)
        }
    }

    /// One product's pointers (nil for an empty matrix).
    private struct Call: @unchecked Sendable {
        let shape: Shape
        let a: UnsafePointer<Float>?, lda: Int
        let b: UnsafePointer<Float>?, ldb: Int
        let c: UnsafeMutablePointer<Float>?

        func run() {
            guard shape.m > 0, shape.n > 0, let c else { return }
            guard shape.k > 0, let a, let b else {
                c.update(repeating: 0, count: shape.m * shape.n)
                return
            }
            GEMM.sgemm(transposeA: shape.transposeA, transposeB: shape.transposeB, m: shape.m, n: shape.n,
                       k: shape.k, alpha: 1, a: a, lda: lda, b: b, ldb: ldb, beta: 0, c: c, ldc: shape.n, threads: 1)
        }
    }

    private struct PairTask: ParallelTask {
        let first: Call, second: Call
        func run(_ part: Int) { part == 0 ? first.run() : second.run() }
    }
}
