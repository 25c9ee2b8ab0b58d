import XCTest
@testable import Perceptron

/// Checks `GEMM.sgemm` against a naive double-precision reference.
///
/// Tolerance: a float32 dot product of length k accumulated with FMAs has error at most
/// about k·ε·Σₚ|aᵢₚ||bₚⱼ| (ε = 2⁻²⁴, the unit roundoff), plus one rounding each for α
/// (folded into A when packing) and the β·C update. The check allows
/// `4·(k + 2)·ε·(|α|·Σₚ|aᵢₚ||bₚⱼ| + |β|·|cᵢⱼ|) + 1e-30` per element: a factor 4 above the
/// bound, yet still orders of magnitude below the error of a wrong index or missed term.
final class GEMMTests: XCTestCase {
    private struct Case {
        var transposeA: Bool, transposeB: Bool
        var m: Int, n: Int, k: Int
        var alpha: Float = 1, beta: Float = 0
        var padA = 0, padB = 0, padC = 0
        var nanC = false
    }

    /// Runs one case with `threads` and `kernel`, returning C; checks it against the reference.
    @discardableResult
    private func check(_ t: Case, threads: Int = 1, kernel: GEMM.Kernel = GEMM.Kernel.best,
                       file: StaticString = #filePath, line: UInt = #line) -> [Float] {
        let aRows = t.transposeA ? t.k : t.m, aCols = t.transposeA ? t.m : t.k
        let bRows = t.transposeB ? t.n : t.k, bCols = t.transposeB ? t.k : t.n
        let lda = aCols + t.padA, ldb = bCols + t.padB, ldc = t.n + t.padC
        let a = lcgValues(max(1, aRows * lda), seed: UInt64(t.m * 131 + t.k))
        let b = lcgValues(max(1, bRows * ldb), seed: UInt64(t.n * 17 + t.k * 3 + 1))
        let c0: [Float] = t.nanC ? Array(repeating: .nan, count: max(1, t.m * ldc))
                                 : lcgValues(max(1, t.m * ldc), seed: 99)
        var c = c0
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                c.withUnsafeMutableBufferPointer { pc in
                    GEMM.sgemm(transposeA: t.transposeA, transposeB: t.transposeB, m: t.m, n: t.n, k: t.k,
                               alpha: t.alpha, a: pa.baseAddress!, lda: lda, b: pb.baseAddress!, ldb: ldb,
                               beta: t.beta, c: pc.baseAddress!, ldc: ldc, threads: threads, kernel: kernel,
                               ignoreParallelThresholds: true)
                }
            }
        }
        let eps = Double(Float.ulpOfOne) / 2
        for i in 0..<t.m {
            for j in 0..<ldc {
                let got = c[i * ldc + j]
                if j >= t.n {  // padding columns of C must be untouched
                    XCTAssertEqual(got.bitPattern, c0[i * ldc + j].bitPattern,
                                   "padding C[\(i),\(j)] written", file: file, line: line)
                    continue
                }
                var sum = 0.0, magnitude = 0.0
                for p in 0..<t.k {
                    let av = Double(t.transposeA ? a[p * lda + i] : a[i * lda + p])
                    let bv = Double(t.transposeB ? b[j * ldb + p] : b[p * ldb + j])
                    sum += av * bv
                    magnitude += abs(av * bv)
                }
                var expected = Double(t.alpha) * sum
                var bound = abs(Double(t.alpha)) * magnitude
                if t.beta != 0 {
                    expected += Double(t.beta) * Double(c0[i * ldc + j])
                    bound += abs(Double(t.beta) * Double(c0[i * ldc + j]))
                }
                let tolerance = 4 * Double(t.k + 2) * eps * bound + 1e-30
                if !(abs(Double(got) - expected) <= tolerance) {
                    XCTFail("\(t) kernel \(kernel) threads \(threads): C[\(i),\(j)] = \(got), expected \(expected) ± \(tolerance)",
                            file: file, line: line)
                    return c
                }
            }
        }
        return c
    }

    private let sizes = [1, 3, 17, 33, 100]

    func testAllTransposeCombinationsAndOddSizes() {
        for ta in [false, true] {
            for tb in [false, true] {
                for (m, n, k) in [(1, 1, 1), (3, 17, 33), (17, 33, 3), (33, 100, 17), (100, 3, 33),
                                  (1, 100, 33), (4, 33, 17), (13, 10, 64), (25, 49, 1), (100, 100, 3)] {
                    check(Case(transposeA: ta, transposeB: tb, m: m, n: n, k: k))
                }
            }
        }
    }

    func testEveryKernelFamily() {
        for kernel in GEMM.Kernel.allCases where kernel.isSupported {
            for ta in [false, true] {
                for tb in [false, true] {
                    for m in [5, 17, 33] {
                        for n in [3, 17, 40] {
                            check(Case(transposeA: ta, transposeB: tb, m: m, n: n, k: 19, alpha: 0.5, beta: 0.25),
                                  kernel: kernel)
                        }
                    }
                    // Few rows take the unpacked vector–matrix path.
                    check(Case(transposeA: ta, transposeB: tb, m: 1, n: 150, k: 37), kernel: kernel)
                }
            }
        }
    }

    func testLeadingDimensionsLargerThanWidth() {
        for ta in [false, true] {
            for tb in [false, true] {
                for (m, n, k) in [(17, 33, 3), (1, 17, 100), (33, 3, 17), (100, 17, 33)] {
                    check(Case(transposeA: ta, transposeB: tb, m: m, n: n, k: k, beta: 0.5, padA: 3, padB: 5, padC: 7))
                }
            }
        }
    }

    func testAlphaAndBeta() {
        for (alpha, beta) in [(Float(2), Float(1)), (-0.5, 0.75), (1, -1), (0.1, 3)] {
            for (m, n, k) in [(3, 33, 17), (33, 17, 100), (1, 100, 3)] {
                check(Case(transposeA: false, transposeB: true, m: m, n: n, k: k, alpha: alpha, beta: beta))
                check(Case(transposeA: true, transposeB: false, m: m, n: n, k: k, alpha: alpha, beta: beta))
            }
        }
    }

    func testBetaZeroOverwritesNaN() {
        for ta in [false, true] {
            for tb in [false, true] {
                for (m, n, k) in [(1, 17, 3), (17, 33, 17), (33, 10, 100), (2, 3, 1)] {
                    let c = check(Case(transposeA: ta, transposeB: tb, m: m, n: n, k: k, alpha: 0.5, nanC: true))
                    XCTAssertFalse(c.contains { $0.isNaN }, "NaN survived for \(m)×\(n)×\(k)")
                }
            }
        }
    }

    func testZeroDepthAndZeroAlphaScaleC() {
        // BLAS requires lda ≥ max(1, k) even when k == 0, hence padA: 1.
        check(Case(transposeA: false, transposeB: false, m: 3, n: 5, k: 0, beta: 0.5, padA: 1))
        check(Case(transposeA: false, transposeB: false, m: 3, n: 5, k: 0, padA: 1, nanC: true))
        check(Case(transposeA: true, transposeB: true, m: 4, n: 6, k: 7, alpha: 0, beta: 2))
    }

    func testThreadCountsGiveIdenticalBits() {
        // `check` passes ignoreParallelThresholds, so these small products really are split
        // over the threads (row blocks, B chunks, column slices).
        for ta in [false, true] {
            for tb in [false, true] {
                let packed = Case(transposeA: ta, transposeB: tb, m: 100, n: 120, k: 90, alpha: 0.7, beta: 0.3)
                let one = check(packed, threads: 1)
                let two = check(packed, threads: 2)
                XCTAssertEqual(one.map(\.bitPattern), two.map(\.bitPattern))
                let vector = Case(transposeA: ta, transposeB: tb, m: 1, n: 300, k: 450)
                XCTAssertEqual(check(vector, threads: 1).map(\.bitPattern), check(vector, threads: 2).map(\.bitPattern))
                XCTAssertEqual(check(vector, threads: 2).map(\.bitPattern), check(vector, threads: 2).map(\.bitPattern))
                // More threads than cores or slices: still the same bits.
                XCTAssertEqual(one.map(\.bitPattern), check(packed, threads: 7).map(\.bitPattern))
                XCTAssertEqual(check(vector, threads: 1).map(\.bitPattern), check(vector, threads: 64).map(\.bitPattern))
            }
        }
        // Narrow op(B) (n ≤ 32): A is read in place, rows split across threads.
        for ta in [false, true] {
            let narrow = Case(transposeA: ta, transposeB: false, m: 200, n: 20, k: 300, alpha: 1.5, beta: 1)
            XCTAssertEqual(check(narrow, threads: 1).map(\.bitPattern), check(narrow, threads: 2).map(\.bitPattern))
        }
        // Few rows and many columns: two row blocks of 12 and 8.
        // (n > 256 also packs B in parallel chunks.)
        let wide = Case(transposeA: false, transposeB: true, m: 20, n: 400, k: 200)
        XCTAssertEqual(check(wide, threads: 1).map(\.bitPattern), check(wide, threads: 2).map(\.bitPattern))
    }

    func testWideProductsReadAInPlaceWithEdgeRows() {
        // Several panels of B (n > 32, a last narrow one), m not a multiple of 12 (edge rows
        // copied) and k over several KC blocks: the path every large product takes on AVX-512.
        let kc = GEMMBlocking.forKernel(.best).kc
        for ta in [false, true] {
            for tb in [false, true] {
                for (m, n, k) in [(37, 70, 2 * kc + 5), (12, 48, kc), (25, 33, 7), (5, 100, kc + 1)] {
                    check(Case(transposeA: ta, transposeB: tb, m: m, n: n, k: k, alpha: 0.75, beta: 0.5))
                    check(Case(transposeA: ta, transposeB: tb, m: m, n: n, k: k, padA: 3, padB: 1, padC: 2, nanC: true))
                }
            }
        }
    }

    /// A transposed A read by more than two panels of B (a weight gradient xᵀ·δ) is packed
    /// on AVX-512 instead of read in place: the same numbers in the same operations, so the
    /// bits of the same product with A stored row-major, with α and β, on one and two
    /// threads, for every kernel family the CPU runs.
    func testTransposedAGivesTheBitsOfRowMajorA() {
        let kc = GEMMBlocking.forKernel(.best).kc
        for kernel in GEMM.Kernel.allCases where kernel.isSupported {
            for (m, n, k) in [(50, 200, 300), (37, 97, kc + 3), (12, 65, 40)] {
                let a = lcgValues(m * k, seed: UInt64(m + n)), b = lcgValues(k * n, seed: UInt64(k))
                var aT = [Float](repeating: 0, count: m * k)
                for i in 0..<m { for p in 0..<k { aT[p * m + i] = a[i * k + p] } }
                let c0 = lcgValues(m * n, seed: 3)
                func product(_ transposeA: Bool, threads: Int) -> [UInt32] {
                    var c = c0
                    GEMM.sgemm(transposeA: transposeA, transposeB: false, m: m, n: n, k: k, alpha: 0.75,
                               a: transposeA ? aT : a, lda: transposeA ? m : k, b: b, ldb: n, beta: 0.5,
                               c: &c, ldc: n, threads: threads, kernel: kernel, ignoreParallelThresholds: true)
                    return c.map(\.bitPattern)
                }
                let rowMajor = product(false, threads: 1)
                XCTAssertEqual(product(true, threads: 1), rowMajor, "\(kernel) \(m)×\(n)×\(k), 1 thread")
                XCTAssertEqual(product(true, threads: 2), rowMajor, "\(kernel) \(m)×\(n)×\(k), 2 threads")
            }
        }
    }

    /// A row-major A read by more than four panels of B is packed on AVX-512, by four or
    /// fewer read in place: the same FMAs in the same order either way, so a wide product
    /// has, column for column, the bits of its slices of ≤ 128 columns (with α and β, edge
    /// rows, several depth blocks, one and two threads).
    func testRowMajorAPackedForManyPanelsGivesTheBitsOfInPlace() {
        let kc = GEMMBlocking.forKernel(.best).kc
        for kernel in GEMM.Kernel.allCases where kernel.isSupported {
            for (m, n, k) in [(50, 200, 300), (37, 161, kc + 3), (45, 256, 40)] {
                let a = lcgValues(m * k, seed: UInt64(m + k)), b = lcgValues(k * n, seed: UInt64(n))
                let c0 = lcgValues(m * n, seed: 5)
                func product(columns: Range<Int>, threads: Int) -> [UInt32] {
                    var c = c0
                    b.withUnsafeBufferPointer { pb in
                        c.withUnsafeMutableBufferPointer { pc in
                            GEMM.sgemm(transposeA: false, transposeB: false, m: m, n: columns.count, k: k, alpha: 0.75,
                                       a: a, lda: k, b: pb.baseAddress! + columns.lowerBound, ldb: n, beta: 0.5,
                                       c: pc.baseAddress! + columns.lowerBound, ldc: n, threads: threads,
                                       kernel: kernel, ignoreParallelThresholds: true)
                        }
                    }
                    return c.map(\.bitPattern)
                }
                var sliced = c0.map(\.bitPattern)
                for start in stride(from: 0, to: n, by: 128) {
                    let columns = start ..< min(n, start + 128)
                    let slice = product(columns: columns, threads: 1)
                    for i in 0..<m { for j in columns { sliced[i * n + j] = slice[i * n + j] } }
                }
                for threads in [1, 2] {
                    let differing = zip(product(columns: 0..<n, threads: threads), sliced).filter { $0 != $1 }.count
                    XCTAssertEqual(differing, 0, "\(kernel) \(m)×\(n)×\(k), \(threads) threads: elements whose bits differ")
                }
            }
        }
    }

    /// The last m mod 12 rows of a product that reads A in place (AVX-512, at most four
    /// panels of B) run a 4- or 8-row body over A where it lies when one covers them
    /// exactly, and are packed into a zero-padded 12-row panel otherwise. Each row is the
    /// same FMA chain either way, so the first rows of a 48-row product (no last rows) must
    /// have the bits of products of 40, 44 and 45 rows, A row-major or transposed, with α
    /// and β, on one and two threads.
    func testLastRowsReadInPlaceGiveTheBitsOfFullGroups() {
        let (n, k) = (64, 70)
        for kernel in GEMM.Kernel.allCases where kernel.isSupported {
            for transposeA in [false, true] {
                let full = 48
                let lda = transposeA ? full : k
                let a = lcgValues(full * k, seed: 21), b = lcgValues(k * n, seed: 22)
                let c0 = lcgValues(full * n, seed: 23)
                func product(rows m: Int, threads: Int) -> [UInt32] {
                    var c = c0
                    GEMM.sgemm(transposeA: transposeA, transposeB: false, m: m, n: n, k: k, alpha: 0.75,
                               a: a, lda: lda, b: b, ldb: n, beta: 0.5, c: &c, ldc: n,
                               threads: threads, kernel: kernel, ignoreParallelThresholds: true)
                    return Array(c.prefix(m * n).map(\.bitPattern))
                }
                let reference = product(rows: full, threads: 1)
                for m in [40, 44, 45] {
                    for threads in [1, 2] {
                        XCTAssertEqual(product(rows: m, threads: threads), Array(reference.prefix(m * n)),
                                       "\(kernel) transposeA \(transposeA), \(m) rows, \(threads) threads")
                    }
                }
            }
        }
    }

    func testColumnSplitOfFewRowsGivesIdenticalBits() {
        // 2 micro-rows are too few to share by rows, so the threads take column slices.
        for ta in [false, true] {
            for tb in [false, true] {
                let few = Case(transposeA: ta, transposeB: tb, m: 21, n: 150, k: 70, alpha: 1, beta: 0.5)
                let one = check(few, threads: 1)
                XCTAssertEqual(one.map(\.bitPattern), check(few, threads: 2).map(\.bitPattern))
                XCTAssertEqual(one.map(\.bitPattern), check(few, threads: 5).map(\.bitPattern))
            }
        }
    }

    /// Products of at most `GEMM.swappedRowLimit` rows run transposed (Cᵀ = op(B)ᵀ·op(A)ᵀ);
    /// one row more takes the packed path. The 32 rows of the first must carry the bits of
    /// the first 32 rows of the second (same FMA chains, same KC blocks: k = 1500 spans two),
    /// with α and β, for every transpose, on one and two threads, with every kernel family
    /// the CPU runs (AVX2 swaps only when α = 1: its packed A holds α·A, its swapped path
    /// would scale the weight instead; 200 = 33·6 + 2 leaves AVX2 edge rows).
    func testSwappedFewRowProductsMatchPackedPathBits() {
        let (n, k) = (200, 1500)
        let limit = GEMM.swappedRowLimit
        let kernels = GEMM.Kernel.allCases.filter(\.isSupported)
        let settings: [(GEMM.Kernel, Float)] = kernels.flatMap { kernel in [0.75, 1].map { (kernel, $0) } }
        for (kernel, alpha) in settings {
            for ta in [false, true] {
                for tb in [false, true] {
                    let lda = ta ? limit + 1 : k, ldb = tb ? k : n
                    let a = lcgValues((ta ? k : limit + 1) * lda, seed: 7)
                    let b = lcgValues((tb ? n : k) * ldb, seed: 8)
                    let c0 = lcgValues((limit + 1) * n, seed: 9)
                    func run(_ m: Int, threads: Int) -> [Float] {
                        var c = c0
                        a.withUnsafeBufferPointer { pa in
                            b.withUnsafeBufferPointer { pb in
                                c.withUnsafeMutableBufferPointer { pc in
                                    GEMM.sgemm(transposeA: ta, transposeB: tb, m: m, n: n, k: k, alpha: alpha,
                                               a: pa.baseAddress!, lda: lda, b: pb.baseAddress!, ldb: ldb, beta: 0.5,
                                               c: pc.baseAddress!, ldc: n, threads: threads, kernel: kernel,
                                               ignoreParallelThresholds: true)
                                }
                            }
                        }
                        return Array(c.prefix(limit * n))
                    }
                    let packed = run(limit + 1, threads: 1).map(\.bitPattern)
                    let label = "\(kernel) α \(alpha) ta \(ta) tb \(tb)"
                    XCTAssertEqual(run(limit, threads: 1).map(\.bitPattern), packed, label)
                    XCTAssertEqual(run(limit, threads: 2).map(\.bitPattern), packed, "\(label), 2 threads")
                    XCTAssertEqual(run(5, threads: 1).prefix(5 * n).map(\.bitPattern), Array(packed.prefix(5 * n)), "\(label), 5 rows")
                }
            }
        }
    }

    /// A layer's forward x·W of at most `GEMM.smallRowLimit` rows runs row by row (the
    /// vector–matrix kernel). Its rows must carry the bits they have in a larger product,
    /// so a prediction does not depend on the batch it is made in (PredictorTests). k = 700
    /// spans two KC blocks of the AVX2 kernel (KC = 384 from a 32 KiB L1d) and one of the
    /// AVX-512 kernel (KC ≥ 1024), with a depth left over after the AVX2 kernel's passes of
    /// 8 rows; n = 150 leaves a ragged last column panel, n = 1100 crosses the AVX2 kernel's
    /// 1024-column chunk of partial sums; β ≠ 0 takes the scaled stores. AVX2 (run on
    /// AVX-512 CPUs too) is also checked at α ≠ 1: its row kernel scales x[p] as packing
    /// scales A. AVX-512's scales the finished sum instead, so its rows match the packed
    /// path at α = 1 only, the α of every layer product.
    func testRowByRowProductsMatchPackedPathBits() {
        let (rows, k) = (9, 700)
        let kernels = Set([GEMM.Kernel.best, .avx2].filter(\.isSupported))
        var settings: [(GEMM.Kernel, n: Int, alpha: Float, beta: Float)] = kernels.flatMap { kernel in
            [(kernel, 150, 1, 0), (kernel, 1100, 1, 0), (kernel, 150, 1, 0.5), (kernel, 1100, 1, 1)]
        }
        if kernels.contains(.avx2) { settings += [(.avx2, 150, 0.75, 0.5), (.avx2, 1100, -1.5, 1)] }
        for (kernel, n, alpha, beta) in settings {
            assertRowByRowMatchesPackedPath(a: lcgValues(rows * k, seed: 11), rows: rows, k: k, n: n,
                                            kernel: kernel, alpha: alpha, beta: beta)
        }
    }

    /// The AVX-512 and AVX2 row kernels read only the rows of B where x[p] is not ±0 (an image's
    /// background, a one-hot row): the sums have the packed path's bits all the same. Rows of
    /// A ~75 % zeros (+0 and −0), one all zero, one zero through a whole 256-entry chunk of the
    /// index list, one with a NaN and an Inf (not zeros: their rows are read); n = 10, 64 and
    /// 150 take the 128-column loop's full and masked blocks, 512 and 1100 the wide rows.
    func testRowByRowSkipsZerosOfXWithTheSameBits() {
        let (rows, k) = (9, 700)
        var a = lcgValues(rows * k, seed: 21)
        for i in 0..<(rows * k) where i % 4 != 1 { a[i] = i % 8 == 0 ? -0.0 : 0 }
        for p in 0..<k { a[2 * k + p] = 0 }             // row 2: all zero
        for p in 256..<600 { a[3 * k + p] = -0.0 }      // row 3: zero through the second chunk
        a[4 * k + 5] = .nan
        a[4 * k + 9] = .infinity
        for kernel in Set([GEMM.Kernel.best, .avx2].filter(\.isSupported)) {
            for n in [10, 64, 150, 512, 1100] {
                for beta: Float in [0, 0.5] {
                    assertRowByRowMatchesPackedPath(a: a, rows: rows, k: k, n: n, kernel: kernel, alpha: 1, beta: beta)
                }
            }
        }
    }

    /// op(A)·B for the first 1…smallRowLimit rows of `a` (rows × k), on 1 and 2 threads,
    /// against the same rows of the packed product of all `rows`: no bit may differ.
    private func assertRowByRowMatchesPackedPath(a: [Float], rows: Int, k: Int, n: Int, kernel: GEMM.Kernel,
                                                 alpha: Float, beta: Float, file: StaticString = #filePath, line: UInt = #line) {
        let b = lcgValues(k * n, seed: 12)
        let c0 = beta == 0 ? [Float](repeating: .nan, count: rows * n) : lcgValues(rows * n, seed: 13)
        func run(_ m: Int, threads: Int) -> [UInt32] {
            var c = Array(c0.prefix(m * n))
            a.withUnsafeBufferPointer { pa in
                b.withUnsafeBufferPointer { pb in
                    c.withUnsafeMutableBufferPointer { pc in
                        GEMM.sgemm(transposeA: false, transposeB: false, m: m, n: n, k: k, alpha: alpha,
                                   a: pa.baseAddress!, lda: k, b: pb.baseAddress!, ldb: n, beta: beta,
                                   c: pc.baseAddress!, ldc: n, threads: threads, kernel: kernel,
                                   ignoreParallelThresholds: true)
                    }
                }
            }
            return c.map(\.bitPattern)
        }
        let packed = run(rows, threads: 1)
        for m in 1...GEMM.smallRowLimit {
            for threads in [1, 2] {
                let differing = zip(run(m, threads: threads), packed.prefix(m * n)).filter { $0 != $1 }.count
                XCTAssertEqual(differing, 0, "\(kernel) n \(n) α \(alpha) β \(beta), \(m) rows, \(threads) threads: elements whose bits differ",
                               file: file, line: line)
            }
        }
    }

    func testNarrowWeightGradientPath() {
        // Aᵀ·B with n ≤ 12 and m ≥ 2n (a 10-wide output layer's xᵀ·δ) takes the unpacked
        // narrow kernel on AVX-512 and AVX2: every n, row counts off the 32-row (AVX-512)
        // and 8-row (AVX2) slices, padding, every kernel family the CPU runs.
        for kernel in GEMM.Kernel.allCases where kernel.isSupported {
            for n in 1...12 {
                for (m, k) in [(2 * n + 1, 9), (33, 300), (64, 1000), (70, 1)] where m >= 2 * n {
                    check(Case(transposeA: true, transposeB: false, m: m, n: n, k: k), kernel: kernel)
                    check(Case(transposeA: true, transposeB: false, m: m, n: n, k: k, alpha: -1.5, beta: 0.5, padA: 2, padB: 3, padC: 1),
                          kernel: kernel)
                    check(Case(transposeA: true, transposeB: false, m: m, n: n, k: k, beta: 1, nanC: false), kernel: kernel)
                }
            }
        }
        let wide = Case(transposeA: true, transposeB: false, m: 100, n: 10, k: 50, beta: 1)
        XCTAssertEqual(check(wide, threads: 1).map(\.bitPattern), check(wide, threads: 3).map(\.bitPattern))
        let nan = check(Case(transposeA: true, transposeB: false, m: 40, n: 10, k: 20, nanC: true))
        XCTAssertFalse(nan.contains { $0.isNaN })
    }
}
