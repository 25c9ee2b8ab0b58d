import CPerceptronKernels
import XCTest
@testable import Perceptron

/// The packed-A products skip the steps p at which all rows of a packed panel of A are ±0
/// (`pk_sgemm_packed_a_zero_steps`: 12-row panels on AVX-512, 6-row on AVX2). Exact
/// equality with the dense kernels, no tolerance: a skipped step adds ±0 to sums that
/// start at +0 and so are never −0, which leaves their bits; the kept steps are added in
/// the same order.
final class ZeroStepSkippingTests: XCTestCase {
    private let isa = GEMM.Kernel.avx512.rawValue

    /// m × k values (row-major) whose 12-row panels have zero steps: panel q is all ±0 at
    /// the p with (p + q) % 3 ≠ 0 (p = 0 and the last p among them), except the panels in
    /// `dense`, which keep every step. A step whose only non-zero is a subnormal, one with a
    /// NaN and one with −Inf must be kept.
    private func panelled(rows m: Int, depth k: Int, dense: Set<Int>, seed: UInt64) -> [Float] {
        var a = lcgValues(m * k, seed: seed)
        for i in 0..<m where !dense.contains(i / 12) {
            for p in 0..<k where (p + i / 12) % 3 != 0 { a[i * k + p] = (i + p) % 2 == 0 ? 0 : -0.0 }
        }
        if m > 12, k > 7, !dense.contains(0) {
            a[5 * k + 1] = .leastNonzeroMagnitude  // the only non-zero of panel 0's step 1
            a[3 * k + 2] = .nan
            a[11 * k + 4] = -.infinity
        }
        return a
    }

    private func bits(_ values: [Float]) -> [UInt32] { values.map(\.bitPattern) }

    func testKernelGivesTheDenseKernelsBitsAndSkips() throws {
        guard GEMM.Kernel.avx512.isSupported else { throw XCTSkip("the zero-step kernel is AVX-512; this CPU has none") }
        // Panels sparse, sparse, dense, then sparse again: the dense one ends compaction for
        // the rest of the block, so both kernels run. m = 45 leaves a 9-row last panel; n
        // = 80 a 16-wide last panel of B; k = 1 a single step.
        for (m, k, n) in [(45, 100, 80), (12, 1, 32), (5, 33, 16), (48, 300, 64)] {
            let a = panelled(rows: m, depth: k, dense: [2], seed: UInt64(m * k))
            let b = lcgValues(k * n, seed: 3)
            var packedA = [Float](repeating: 0, count: pk_sgemm_packed_a_size(isa, m, k))
            pk_sgemm_pack_a(isa, m, k, a, k, 1, 1, &packedA)
            var packedB = [Float](repeating: 0, count: pk_sgemm_packed_b_size(isa, k, n))
            pk_sgemm_pack_b(isa, k, n, b, n, 1, &packedB)
            for (alpha, beta): (Float, Float) in [(1, 0), (1, 1), (-1.5, 0.5)] {
                let c0 = beta == 0 ? [Float](repeating: .nan, count: m * n) : lcgValues(m * n, seed: 4)
                var dense = c0
                pk_sgemm_packed_a(isa, m, n, k, packedA, alpha, packedB, &dense, n, beta)
                var skipped = c0
                var compacted = packedA
                var steps = [Int32](repeating: -1, count: pk_sgemm_zero_steps_scratch_size(isa, m, k))
                steps.withUnsafeMutableBytes { scratch in
                    pk_sgemm_packed_a_zero_steps(isa, m, n, k, &compacted, alpha, packedB, &skipped, n, beta, scratch.baseAddress)
                }
                let label = "\(m) × \(n) × \(k), α \(alpha), β \(beta)"
                XCTAssertEqual(bits(skipped), bits(dense), label)
                // Panel 0 kept exactly its non-zero steps: the skipping happened.
                let nonZeroSteps = (0..<k).filter { p in (0..<min(12, m)).contains { a[$0 * k + p].bitPattern & 0x7FFF_FFFF != 0 } }
                XCTAssertEqual(Int(steps[0]), nonZeroSteps.count, label)
                XCTAssertLessThan(nonZeroSteps.count, k == 1 ? 2 : k, label)
                if nonZeroSteps.count < k {  // a panel without zero steps is left as it is, unlisted
                    XCTAssertEqual(steps[1...nonZeroSteps.count].map(Int.init), nonZeroSteps, label)
                }
            }
        }
    }

    /// A wide product (n columns of C) may look past dense panels: up to panels·n/512 of
    /// them (`pk_compact_panels`). With the first panel dense and 512 columns, the sparse
    /// panels after it are compacted all the same (MNIST's xᵀ: sparse rows of the image after
    /// its dense middle), and the block, no longer packed as it was, must not go to the dense
    /// kernel whole: the bits of the dense kernel, for each kernel family this CPU has.
    func testWideProductsLookPastADensePanel() throws {
        let (m, k, n) = (48, 90, 512)
        let a = panelled(rows: m, depth: k, dense: [0], seed: 31)
        let b = lcgValues(k * n, seed: 32)
        let c0 = lcgValues(m * n, seed: 33)
        func nonZero(_ rows: Range<Int>, _ steps: Range<Int>) -> Bool {
            rows.contains { i in steps.contains { a[i * k + $0].bitPattern & 0x7FFF_FFFF != 0 } }
        }
        var families = 0
        for kernel in [GEMM.Kernel.avx512, .avx2] where kernel.isSupported {
            families += 1
            let isa = kernel.rawValue, mr = Int(pk_sgemm_mr(isa))
            var packedA = [Float](repeating: 0, count: pk_sgemm_packed_a_size(isa, m, k))
            pk_sgemm_pack_a(isa, m, k, a, k, 1, 1, &packedA)
            var packedB = [Float](repeating: 0, count: pk_sgemm_packed_b_size(isa, k, n))
            pk_sgemm_pack_b(isa, k, n, b, n, 1, &packedB)
            var dense = c0
            pk_sgemm_macro(isa, m, n, k, packedA, packedB, &dense, n, 1)
            var skipped = c0
            var steps = [Int32](repeating: -1, count: pk_sgemm_zero_steps_scratch_size(isa, m, k))
            steps.withUnsafeMutableBytes { scratch in
                pk_sgemm_packed_a_zero_steps(isa, m, n, k, &packedA, 1, packedB, &skipped, n, 1, scratch.baseAddress)
            }
            XCTAssertEqual(bits(skipped), bits(dense), "\(kernel)")
            let last = m / mr - 1  // a panel of the sparse last 12 rows
            let kept = (0..<k).filter { nonZero(last * mr..<(last + 1) * mr, $0..<($0 + 1)) }
            XCTAssertEqual(Int(steps[last * (k + 1)]), kept.count, "\(kernel)")
            XCTAssertLessThan(kept.count, k, "\(kernel)")
        }
        if BF16GEMM.Kernel.avx512bf16.isSupported {
            families += 1
            let pairs = (k + 1) / 2
            var packedA = [UInt32](repeating: 0, count: pk_bf16_packed_a_size(m, k))
            pk_bf16_pack_a(m, k, a, k, 1, 1, &packedA)
            var packedB = [UInt32](repeating: 0, count: pk_bf16_packed_b_size(k, n))
            pk_bf16_pack_b(k, n, b, n, 1, &packedB)
            var dense = c0
            pk_bf16_macro(m, n, k, packedA, packedB, &dense, n, 1)
            var skipped = c0
            var steps = [Int32](repeating: -1, count: pk_bf16_zero_steps_scratch_size(m, k))
            pk_bf16_macro_zero_steps(m, n, k, &packedA, packedB, &skipped, n, 1, &steps)
            XCTAssertEqual(bits(skipped), bits(dense), "bf16")
            let kept = (0..<pairs).filter { q in (36..<48).contains { bf16PairNonZero(a, k: k, row: $0, pair: q) } }
            XCTAssertEqual(Int(steps[3 * (pairs + 1)]), kept.count, "bf16")
            XCTAssertLessThan(kept.count, pairs, "bf16")
        }
        if families == 0 { throw XCTSkip("no zero-step kernel on this CPU") }
    }

    /// The AVX2 form, as GEMM calls it: A packed with α in it (6-row panels), the product
    /// with α 1 against `pk_sgemm_macro` over the same panels, and each 6-row panel's kept
    /// list equal to its non-zero steps (the 12-row pattern leaves both halves of a panel
    /// zero at the same steps; the dense 12-row panel 2 is the 6-row panels 4 and 5).
    func testAVX2KernelGivesTheMacroKernelsBitsAndSkips() throws {
        guard GEMM.Kernel.avx2.isSupported else { throw XCTSkip("this CPU has no AVX2") }
        let isa = GEMM.Kernel.avx2.rawValue
        for (m, k, n) in [(45, 100, 40), (6, 1, 16), (5, 33, 8), (48, 300, 64), (13, 50, 20)] {
            let a = panelled(rows: m, depth: k, dense: [2], seed: UInt64(m * k + 1))
            let b = lcgValues(k * n, seed: 5)
            var packedB = [Float](repeating: 0, count: pk_sgemm_packed_b_size(isa, k, n))
            pk_sgemm_pack_b(isa, k, n, b, n, 1, &packedB)
            for (alpha, beta): (Float, Float) in [(1, 0), (1, 1), (-1.5, 0.5)] {
                var packedA = [Float](repeating: 0, count: pk_sgemm_packed_a_size(isa, m, k))
                pk_sgemm_pack_a(isa, m, k, a, k, 1, alpha, &packedA)
                let c0 = beta == 0 ? [Float](repeating: .nan, count: m * n) : lcgValues(m * n, seed: 6)
                var dense = c0
                pk_sgemm_macro(isa, m, n, k, packedA, packedB, &dense, n, beta)
                var skipped = c0
                var steps = [Int32](repeating: -1, count: pk_sgemm_zero_steps_scratch_size(isa, m, k))
                steps.withUnsafeMutableBytes { scratch in
                    pk_sgemm_packed_a_zero_steps(isa, m, n, k, &packedA, 1, packedB, &skipped, n, beta, scratch.baseAddress)
                }
                let label = "AVX2 \(m) × \(n) × \(k), α \(alpha), β \(beta)"
                XCTAssertEqual(bits(skipped), bits(dense), label)
                for q in 0..<((m + 5) / 6) {
                    let list = Array(steps[(q * (k + 1))...].prefix(k + 1))
                    let nonZeroSteps = (0..<k).filter { p in (6 * q..<min(6 * q + 6, m)).contains { a[$0 * k + p].bitPattern & 0x7FFF_FFFF != 0 } }
                    if q == 0 { XCTAssertLessThan(nonZeroSteps.count, k == 1 ? 2 : k, label) }
                    if Int(list[0]) < k {  // compacted: exactly its non-zero steps, in order
                        XCTAssertEqual(list[1...Int(list[0])].map(Int.init), nonZeroSteps, "\(label), panel \(q)")
                    } else if q < 4 {      // before the dense panel, every panel with a zero step is compacted
                        XCTAssertEqual(nonZeroSteps.count, k, "\(label), panel \(q)")
                    }
                }
            }
        }
    }

    /// Through `GEMM.sgemm` on AVX2, every packed product skips: against the AVX-512
    /// product of the same operands, whose elements are the same single FMA chains over p
    /// (a skipped step adds ±0 in either), no bit may differ, A row-major and transposed, on
    /// 1 and 2 threads.
    func testAVX2ProductsMatchThePathThatMultipliesEveryStep() throws {
        guard GEMM.Kernel.avx2.isSupported, GEMM.Kernel.avx512.isSupported else {
            throw XCTSkip("needs AVX2 and, for the reference, AVX-512")
        }
        let (m, k, n) = (100, 300, 128)
        let a = panelled(rows: m, depth: k, dense: [3], seed: 19)
        var aT = [Float](repeating: 0, count: m * k)
        for i in 0..<m { for p in 0..<k { aT[p * m + i] = a[i * k + p] } }
        let b = lcgValues(k * n, seed: 20)
        func product(transposeA: Bool, kernel: GEMM.Kernel, threads: Int) -> [Float] {
            var c = [Float](repeating: .nan, count: m * n)
            (transposeA ? aT : a).withUnsafeBufferPointer { pa in
                b.withUnsafeBufferPointer { pb in
                    GEMM.sgemm(transposeA: transposeA, transposeB: false, m: m, n: n, k: k, alpha: 1,
                               a: pa.baseAddress!, lda: transposeA ? m : k, b: pb.baseAddress!, ldb: n,
                               beta: 0, c: &c, ldc: n, threads: threads, kernel: kernel, ignoreParallelThresholds: true)
                }
            }
            return c
        }
        for transposeA in [false, true] {
            let expected = product(transposeA: transposeA, kernel: .avx512, threads: 1)
            for threads in [1, 2] {
                XCTAssertEqual(bits(product(transposeA: transposeA, kernel: .avx2, threads: threads)), bits(expected),
                               "AVX2, Aᵀ \(transposeA), \(threads) threads")
            }
        }
    }

    /// Through `GEMM.sgemm`: a product 256 columns wide packs A and skips its zero steps;
    /// 128 columns wide it reads A in place and multiplies every step. Each column of C is
    /// its own chain of FMAs, so the wide product's halves must have the narrow ones' bits,
    /// A row-major and transposed, on 1 and 2 threads.
    func testProductsMatchThePathThatMultipliesEveryStep() throws {
        guard GEMM.Kernel.avx512.isSupported else { throw XCTSkip("the zero-step kernel is AVX-512; this CPU has none") }
        let (m, k, n) = (100, 300, 256)
        let a = panelled(rows: m, depth: k, dense: [3], seed: 9)
        var aT = [Float](repeating: 0, count: m * k)
        for i in 0..<m { for p in 0..<k { aT[p * m + i] = a[i * k + p] } }
        let b = lcgValues(k * n, seed: 10)
        func product(transposeA: Bool, columns: Range<Int>, threads: Int) -> [Float] {
            var c = [Float](repeating: .nan, count: m * columns.count)
            (transposeA ? aT : a).withUnsafeBufferPointer { pa in
                b.withUnsafeBufferPointer { pb in
                    GEMM.sgemm(transposeA: transposeA, transposeB: false, m: m, n: columns.count, k: k, alpha: 1,
                               a: pa.baseAddress!, lda: transposeA ? m : k, b: pb.baseAddress! + columns.lowerBound, ldb: n,
                               beta: 0, c: &c, ldc: columns.count, threads: threads, kernel: .avx512,
                               ignoreParallelThresholds: true)
                }
            }
            return c
        }
        for transposeA in [false, true] {
            let halves = [product(transposeA: transposeA, columns: 0..<128, threads: 1),
                          product(transposeA: transposeA, columns: 128..<256, threads: 1)]
            var expected = [Float]()
            for i in 0..<m { for half in halves { expected += half[(i * 128)..<(i * 128 + 128)] } }
            for threads in [1, 2] {
                XCTAssertEqual(bits(product(transposeA: transposeA, columns: 0..<256, threads: threads)), bits(expected),
                               "Aᵀ \(transposeA), \(threads) threads")
            }
        }
    }

    /// The one documented difference: a NaN in row p of B facing a zero step of a panel is
    /// not read, so that panel's rows stay finite (the rows of a panel that has a non-zero
    /// at p are NaN, as before).
    func testNaNFacingAZeroStepIsNotRead() throws {
        guard GEMM.Kernel.avx512.isSupported else { throw XCTSkip("the zero-step kernel is AVX-512; this CPU has none") }
        let (m, k, n) = (48, 50, 256)  // more than 32 rows: the packed path
        var a = lcgValues(m * k, seed: 1)
        for i in 0..<12 { a[i * k + 7] = 0 }  // panel 0: zero at p = 7; panel 1 not
        var b = lcgValues(k * n, seed: 2)
        b[7 * n + 3] = .nan
        var c = Matrix(rows: 0, columns: 0)
        Matrix.multiply(Matrix(rows: m, columns: k, elements: a), Matrix(rows: k, columns: n, elements: b), into: &c)
        XCTAssertTrue((0..<12).allSatisfy { c[$0, 3].isFinite })
        XCTAssertTrue((12..<48).allSatisfy { c[$0, 3].isNaN })
    }

    /// A product of ≤ 32 rows runs swapped (Cᵀ = Bᵀ·Aᵀ, the rows of A packed as B̃: one
    /// 32-wide panel on AVX-512, one or two 16-wide ones on AVX2) and skips the steps where
    /// a panel's rows are all zero (`pk_sgemm_direct_a_zero_steps_avx512`, `…_avx2`). Against
    /// a 33-row product of the same kernel family (the packed path; on AVX-512, with B ≤ 128
    /// columns wide, A row-major read in place), which sums each element in the same order:
    /// no bit may differ, for 12, 20 and 32 rows (AVX2: panels 16, 16 + 8 and 16 + 16 wide),
    /// B's width leaving 4, 8 and 10 last rows of Cᵀ on AVX-512 (4, 4 and 2 on AVX2), on 1
    /// and 2 threads. A NaN in B facing a zero column is not read (on one thread; a
    /// thread's slice of fewer than 128 rows of Cᵀ does not look).
    func testSwappedFewRowProductsSkipTheZeroColumnsOfTheirRows() throws {
        let kernels = [GEMM.Kernel.avx512, .avx2].filter(\.isSupported)
        guard !kernels.isEmpty else { throw XCTSkip("the zero-step kernels are AVX-512 and AVX2; this CPU has neither") }
        for kernel in kernels { try swappedProductsSkip(kernel: kernel) }
    }

    private func swappedProductsSkip(kernel: GEMM.Kernel) throws {
        let k = 300
        for rows in [12, 20, 32] {
            var a = lcgValues(33 * k, seed: UInt64(rows))
            for i in 0..<33 { for p in 0..<k where p % 3 != 0 || p < 70 { a[i * k + p] = i % 2 == 0 ? 0 : -0.0 } }
            for i in 0..<rows { a[i * k + 5] = 0 }  // a column zero in the product's rows but not in row 32
            for n in [256, 250, 200] {
                let b = lcgValues(k * n, seed: 77)
                func product(_ m: Int, columns: Range<Int>, threads: Int, b: [Float]) -> [Float] {
                    var c = [Float](repeating: .nan, count: m * columns.count)
                    a.withUnsafeBufferPointer { pa in
                        b.withUnsafeBufferPointer { pb in
                            GEMM.sgemm(transposeA: false, transposeB: false, m: m, n: columns.count, k: k, alpha: 1,
                                       a: pa.baseAddress!, lda: k, b: pb.baseAddress! + columns.lowerBound, ldb: n,
                                       beta: 0, c: &c, ldc: columns.count, threads: threads, kernel: kernel,
                                       ignoreParallelThresholds: true)
                        }
                    }
                    return c
                }
                let halves = [0..<128, 128..<n].map { product(33, columns: $0, threads: 1, b: b) }
                var expected = [Float]()
                for i in 0..<rows { for (half, width) in zip(halves, [128, n - 128]) { expected += half[(i * width)..<(i * width + width)] } }
                let label = "\(kernel) \(rows) × \(n) × \(k)"
                for threads in [1, 2] {
                    XCTAssertEqual(bits(product(rows, columns: 0..<n, threads: threads, b: b)), bits(expected), "\(label), \(threads) threads")
                }
                // A NaN in B facing a column zero in all the product's rows is not read (one
                // thread: one slice of n ≥ 128 rows of Cᵀ, which looks; a thread's may not).
                var bNaN = b
                bNaN[6 * n + 3] = .nan
                XCTAssertTrue(product(rows, columns: 0..<n, threads: 1, b: bNaN)[3].isFinite, label)
            }
        }
    }

    // MARK: bf16 (AVX512_BF16): pairs of steps

    /// Whether the bf16 pair (2q, 2q + 1) of row i of the m × k values `a` is not ±0 once
    /// rounded to bf16 (a float subnormal rounds to ±0, as the packing does).
    private func bf16PairNonZero(_ a: [Float], k: Int, row i: Int, pair q: Int) -> Bool {
        (2 * q..<min(2 * q + 2, k)).contains { pk_bf16_round(a[i * k + $0]).bitPattern & 0x7FFF_FFFF != 0 }
    }

    /// `pk_bf16_macro_zero_steps` against `pk_bf16_macro` on the same packed operands: the
    /// same bits (random operands never sum to a flushed −0), and panel 0 listing exactly
    /// its non-zero pairs: the `panelled` pattern leaves about a third of the pairs zero; the
    /// subnormal's pair counts as zero (it rounds to ±0), the NaN's and the −Inf's are kept.
    func testBF16KernelGivesTheDenseKernelsBitsAndSkips() throws {
        guard BF16GEMM.Kernel.avx512bf16.isSupported else { throw XCTSkip("this CPU has no AVX512_BF16") }
        // 45 rows: a 9-row last panel; 80 columns: a 16-wide last panel of B; k = 3, 33 and
        // 301: a last pair of one step; 5 rows: one panel, mostly padding.
        for (m, k, n) in [(45, 100, 80), (12, 3, 32), (5, 33, 16), (48, 301, 64)] {
            let a = panelled(rows: m, depth: k, dense: [2], seed: UInt64(m * k + 2))
            let b = lcgValues(k * n, seed: 7)
            let pairs = (k + 1) / 2
            var packedA = [UInt32](repeating: 0, count: pk_bf16_packed_a_size(m, k))
            pk_bf16_pack_a(m, k, a, k, 1, 1, &packedA)
            var packedB = [UInt32](repeating: 0, count: pk_bf16_packed_b_size(k, n))
            pk_bf16_pack_b(k, n, b, n, 1, &packedB)
            for beta: Float in [0, 1, 0.5] {
                let c0 = beta == 0 ? [Float](repeating: .nan, count: m * n) : lcgValues(m * n, seed: 8)
                var dense = c0
                pk_bf16_macro(m, n, k, packedA, packedB, &dense, n, beta)
                var skipped = c0
                var compacted = packedA
                var steps = [Int32](repeating: -1, count: pk_bf16_zero_steps_scratch_size(m, k))
                pk_bf16_macro_zero_steps(m, n, k, &compacted, packedB, &skipped, n, beta, &steps)
                let label = "bf16 \(m) × \(n) × \(k), β \(beta)"
                XCTAssertEqual(bits(skipped), bits(dense), label)
                let nonZeroPairs = (0..<pairs).filter { q in (0..<min(12, m)).contains { bf16PairNonZero(a, k: k, row: $0, pair: q) } }
                XCTAssertLessThan(nonZeroPairs.count, pairs, label)
                XCTAssertEqual(Int(steps[0]), nonZeroPairs.count, label)
                XCTAssertEqual(steps[1...nonZeroPairs.count].map(Int.init), nonZeroPairs, label)
            }
        }
    }

    /// Through `BF16GEMM.gemm` with the AVX512_BF16 kernel, which always skips: one depth
    /// block (k under KC, β 0), so each row block's result is the dense kernel's over the
    /// same panels of the whole A packed at once; no bit may differ, A row-major and
    /// transposed, on 1 and 2 threads (row blocks are whole panels). A NaN in B facing a
    /// pair that panel 0 has all zero is not read: those 12 rows keep their values (two of
    /// them are NaN and −Inf already, from A's own NaN and −Inf), the next panel's are NaN.
    func testBF16ProductsMatchTheDenseKernel() throws {
        guard BF16GEMM.Kernel.avx512bf16.isSupported else { throw XCTSkip("this CPU has no AVX512_BF16") }
        let (m, n) = (100, 96)
        let k = min(300, BF16GEMM.blocking.kc)
        let a = panelled(rows: m, depth: k, dense: [3], seed: 21)
        var aT = [Float](repeating: 0, count: m * k)
        for i in 0..<m { for p in 0..<k { aT[p * m + i] = a[i * k + p] } }
        var b = lcgValues(k * n, seed: 22)
        var packedA = [UInt32](repeating: 0, count: pk_bf16_packed_a_size(m, k))
        pk_bf16_pack_a(m, k, a, k, 1, 1, &packedA)
        var packedB = [UInt32](repeating: 0, count: pk_bf16_packed_b_size(k, n))
        pk_bf16_pack_b(k, n, b, n, 1, &packedB)
        var expected = [Float](repeating: .nan, count: m * n)
        pk_bf16_macro(m, n, k, packedA, packedB, &expected, n, 0)
        func product(transposeA: Bool, threads: Int) -> [Float] {
            var c = [Float](repeating: .nan, count: m * n)
            (transposeA ? aT : a).withUnsafeBufferPointer { pa in
                b.withUnsafeBufferPointer { pb in
                    BF16GEMM.gemm(transposeA: transposeA, transposeB: false, m: m, n: n, k: k, alpha: 1,
                                  a: pa.baseAddress!, lda: transposeA ? m : k, b: pb.baseAddress!, ldb: n,
                                  beta: 0, c: &c, ldc: n, threads: threads, kernel: .avx512bf16,
                                  ignoreParallelThresholds: true)
                }
            }
            return c
        }
        for transposeA in [false, true] {
            for threads in [1, 2] {
                XCTAssertEqual(bits(product(transposeA: transposeA, threads: threads)), bits(expected),
                               "bf16, Aᵀ \(transposeA), \(threads) threads")
            }
        }
        let zeroPair = try XCTUnwrap((0..<(k / 2)).first { q in !(0..<12).contains { bf16PairNonZero(a, k: k, row: $0, pair: q) } })
        XCTAssertTrue((12..<24).contains { bf16PairNonZero(a, k: k, row: $0, pair: zeroPair) })
        let clean = product(transposeA: false, threads: 1)
        b[2 * zeroPair * n + 3] = .nan
        let c = product(transposeA: false, threads: 1)
        XCTAssertEqual((0..<12).map { c[$0 * n + 3].bitPattern }, (0..<12).map { clean[$0 * n + 3].bitPattern })
        XCTAssertTrue((12..<24).allSatisfy { c[$0 * n + 3].isNaN })
    }
}
