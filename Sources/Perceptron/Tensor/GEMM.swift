import CPerceptronKernels
import Dispatch
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Single-precision general matrix multiply on row-major data:
///
/// ```
/// C ← α·op(A)·op(B) + β·C,   op(X) = X or Xᵀ
/// ```
///
/// `op(A)` is m × k, `op(B)` is k × n, C is m × n. `lda`, `ldb`, `ldc` are the row strides
/// (in elements) of A, B and C as stored. When `beta == 0`, C is not read (NaNs in it are
/// overwritten). When `alpha == 0` or `k == 0`, A and B are not read.
///
/// Design (BLIS-style, after Goto & van de Geijn, 2008):
/// ```
/// for jc in 0..<n step NC              (column slice of B and C)
///   for pc in 0..<k step KC            (KC balanced so the blocks are equal)
///     pack op(B)[pc, jc] → NR-wide panels           (transposes handled here)
///     for each row block ic (≤ MC rows)              (blocks shared out to the threads)
///       pack α·op(A)[ic, pc] → MR-tall panels        (AVX-512: read in place, or packed
///                                                    with α = 1 when transposed)
///       C[ic, jc] ← Ã·B̃ + (pc == 0 ? β : 1)·C[ic, jc]   (C micro-kernels, MR × NR)
/// ```
/// KC, MC and NC come from the CPU's own cache sizes at run time (``GEMMBlocking``), MC and
/// NC for the depth of each KC block the product really has (≤ KC). The micro-kernels live in the `CPerceptronKernels` C target: AVX-512 12 × 32 (12 × 16 for a
/// last panel of ≤ 16 columns), AVX2 6 × 16 / 6 × 8, and a portable 4 × 8, chosen at run
/// time from the CPU. On AVX-512 the kernel broadcasts A's elements from where they lie
/// (A row-major or transposed), so A is not packed, except a transposed A that more than
/// two panels of B read (a weight gradient's xᵀ): its scattered reads are packed away once.
/// A packed A's steps along p at which all rows of a panel are ±0 (12 on AVX-512, 6 on
/// AVX2: the background pixels of twelve or six MNIST images) are skipped
/// (`pk_sgemm_packed_a_zero_steps`), and, on AVX-512, so are
/// the steps at which a one-panel B (a swapped few-row product's xᵀ) is all ±0: the same
/// bits but for a NaN or ±Inf that a zero step would have met.
/// Other paths:
/// - m ≤ ``smallRowLimit`` (e.g. a single-sample forward): a vector–matrix kernel per row
///   of C. For C = A·B (B row-major, as in a layer's forward x·W) it sums each element as
///   the packed kernel does (AVX2: one FMA chain per KC block; AVX-512: one FMA chain,
///   the packed kernel's single KC block for depths up to its KC, ≥ 1024 on the CPUs
///   seen), so a row predicted alone has the bits it has in a batch.
/// - Aᵀ·B with n ≤ 12 and m ≥ 2n (a narrow output layer's weight gradient xᵀ·δ; AVX-512
///   slices of 32 rows of C, AVX2 slices of 8): vectors along m, B broadcast, so no lane is
///   spent on a narrow n.
/// - m ≤ ``swappedRowLimit`` (a batch-32 step's x·W and δ·Wᵀ; AVX-512, and AVX2 when
///   α = 1, as AVX2's packed path holds α·A and so sums other bits for α ≠ 1): computed as
///   Cᵀ = op(B)ᵀ·op(A)ᵀ, the weight read in place and only A's few rows packed, so the
///   weight is not repacked on every call.
///
/// Threads take row blocks of C as they become free; a product with too few rows to share
/// (fewer than 4 micro-rows per thread) splits its columns instead, and few-row and narrow
/// products split theirs too. K is never split, and every element of C is computed by the
/// same sequence of operations whichever thread or tile computes it, so results are
/// bit-identical across runs and thread counts. Packing buffers come from a pool and are
/// reused: steady-state calls allocate nothing.
enum GEMM {
    /// Micro-kernel families; raw values match `PK_ISA_*` in the C target.
    enum Kernel: Int32, CaseIterable, Sendable {
        case scalar = 0
        case avx2 = 1
        case avx512 = 2

        /// Whether this CPU can run the kernel.
        var isSupported: Bool { pk_sgemm_isa_supported(rawValue) != 0 }

        /// The fastest kernel this CPU supports, unless `PERCEPTRON_GEMM_KERNEL` names
        /// another family it supports (`avx2`, `scalar`; read once): to measure the AVX2
        /// kernels on an AVX-512 machine, as `OPENBLAS_CORETYPE=Haswell` does for numpy. Any
        /// other value, or a family the CPU lacks, leaves the fastest.
        static let best: Kernel = {
            let fastest = Kernel(rawValue: pk_sgemm_best_isa()) ?? .scalar
            guard let value = getenv("PERCEPTRON_GEMM_KERNEL"), case let name = String(cString: value).lowercased(),
                  let asked = Kernel.allCases.first(where: { "\($0)" == name }), asked.isSupported else { return fastest }
            return asked
        }()
    }

    /// Largest m handled row by row with the unpacked vector–matrix kernel.
    static let smallRowLimit = 4
    /// Largest m computed as Cᵀ = op(B)ᵀ·op(A)ᵀ (``Problem/runSwapped(threads:)``): one
    /// 32-wide panel of the packed operand, so the few rows of A are what gets packed.
    static let swappedRowLimit = 32
    /// Below this many multiply–adds per KC step (m·n·min(k, KC)) the packed path runs on
    /// one thread: each step ends in a join, and waking a worker costs microseconds.
    static let parallelMinimumStepWork = 1 << 22
    /// Below this many multiply–adds (m·n·k) a product too short to share by rows stays on
    /// one thread rather than splitting its columns (about 10 µs of work on one core,
    /// against a hand-off of about a microsecond).
    static let parallelMinimumColumnSplitWork = 1 << 20
    /// Below this many multiply–adds (n·k) a vector–matrix product runs on one thread.
    /// A batch-1 forward through a 784×512 layer (4·10⁵) took 15.5 µs on one thread
    /// and 18.6 µs on two (worker wake-up), so only much larger products split.
    static let parallelMinimumVectorWork = 1 << 18
    static func sgemm(
        transposeA: Bool, transposeB: Bool,
        m: Int, n: Int, k: Int,
        alpha: Float,
        a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float,
        c: UnsafeMutablePointer<Float>, ldc: Int,
        threads: Int, prepackedB: PackedB? = nil, epilogue: GEMMEpilogue? = nil
    ) {
        sgemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
              a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc,
              threads: threads, kernel: Kernel.best, prepackedB: prepackedB, epilogue: epilogue)
    }

    /// ``sgemm(transposeA:transposeB:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:threads:)`` with an
    /// explicit micro-kernel family (tests use it to cover every family the CPU runs).
    /// `ignoreParallelThresholds` splits even small products over `threads` (for tests).
    /// `prepackedB`, op(B) packed by ``PackedB`` (for `kernel`, k × n), replaces the
    /// packing of B in the packed path; `b` must still point to B (few-row products read it).
    /// `epilogue` (a dense layer's bias and activation) runs on each block of C as the packed
    /// path finishes it, while it is in cache, and on the whole of C after the other paths.
    static func sgemm(
        transposeA: Bool, transposeB: Bool,
        m: Int, n: Int, k: Int,
        alpha: Float,
        a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float,
        c: UnsafeMutablePointer<Float>, ldc: Int,
        threads: Int, kernel: Kernel, ignoreParallelThresholds: Bool = false, prepackedB: PackedB? = nil,
        epilogue: GEMMEpilogue? = nil
    ) {
        precondition(m >= 0 && n >= 0 && k >= 0, "GEMM sizes must be non-negative, got m=\(m) n=\(n) k=\(k)")
        precondition(lda >= max(1, transposeA ? m : k), "GEMM lda=\(lda) too small for \(transposeA ? "Aᵀ" : "A") with m=\(m) k=\(k)")
        precondition(ldb >= max(1, transposeB ? k : n), "GEMM ldb=\(ldb) too small for \(transposeB ? "Bᵀ" : "B") with k=\(k) n=\(n)")
        precondition(ldc >= max(1, n), "GEMM ldc=\(ldc) too small for n=\(n)")
        precondition(kernel.isSupported, "GEMM kernel \(kernel) is not supported by this CPU")
        if m == 0 || n == 0 { return }
        if k == 0 || alpha == 0 {
            scale(m: m, n: n, beta: beta, c: c, ldc: ldc)
            epilogue?.apply(rows: 0..<m, columns: 0..<n, c: c, ldc: ldc)
            return
        }
        let problem = Problem(
            isa: kernel.rawValue, m: m, n: n, k: k, alpha: alpha, beta: beta,
            a: a, aRowStride: transposeA ? 1 : lda, aColumnStride: transposeA ? lda : 1,
            b: b, bRowStride: transposeB ? 1 : ldb, bColumnStride: transposeB ? ldb : 1,
            c: c, ldc: ldc, directA: n <= pk_sgemm_direct_a_max_n(kernel.rawValue),
            forceParallel: ignoreParallelThresholds,
            prepackedB: prepackedB.flatMap { $0.fits(k: k, n: n, kernel: kernel) ? $0 : nil }, columnOffset: 0,
            epilogue: epilogue)
        if m <= smallRowLimit {
            problem.runRowByRow(threads: threads)
        } else if transposeA, !transposeB, n <= Int(PK_NARROW_MAX_N), m >= 2 * n,
                  pk_sgemm_narrow_atb_supported(kernel.rawValue) != 0 {
            problem.runNarrow(threads: threads)
        } else if m <= swappedRowLimit, n >= m, problem.prepackedB == nil,
                  kernel == .avx512 || (kernel == .avx2 && alpha == 1) {
            problem.runSwapped(threads: threads)
        } else {
            problem.runPacked(threads: threads)  // the epilogue rides on its row blocks
            return
        }
        epilogue?.apply(rows: 0..<m, columns: 0..<n, c: c, ldc: ldc)
    }

    /// C ← β·C (C not read when β == 0).
    private static func scale(m: Int, n: Int, beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        for i in 0..<m {
            let row = c + i * ldc
            if beta == 0 {
                row.update(repeating: 0, count: n)
            } else if beta != 1 {
                for j in 0..<n { row[j] *= beta }
            }
        }
    }
}

/// One GEMM call in stride form: op(A)(i, p) = a[i·aRowStride + p·aColumnStride],
/// op(B)(p, j) = b[p·bRowStride + j·bColumnStride].
private struct Problem: @unchecked Sendable {
    let isa: Int32
    let m: Int, n: Int, k: Int
    let alpha: Float, beta: Float
    let a: UnsafePointer<Float>, aRowStride: Int, aColumnStride: Int
    let b: UnsafePointer<Float>, bRowStride: Int, bColumnStride: Int
    let c: UnsafeMutablePointer<Float>, ldc: Int
    /// Whether op(B) is narrow enough (one micro-panel) to read A in place without packing;
    /// decided once for the whole call so every thread slice computes alike.
    let directA: Bool
    /// Split over the threads even below the work thresholds (tests).
    let forceParallel: Bool
    /// op(B) of the whole call, already packed (nil: pack it here).
    let prepackedB: GEMM.PackedB?
    /// The column of the whole call's op(B) where this problem's column 0 lies.
    let columnOffset: Int
    /// Applied by the packed path to each block of C after its last depth block (nil in a
    /// problem whose C is not the caller's, such as the swapped path's Cᵀ).
    let epilogue: GEMMEpilogue?

    /// The same problem restricted to rows `rows` and columns `columns` of C.
    func slice(rows: Range<Int>, columns: Range<Int>) -> Problem {
        Problem(isa: isa, m: rows.count, n: columns.count, k: k, alpha: alpha, beta: beta,
                a: a + rows.lowerBound * aRowStride, aRowStride: aRowStride, aColumnStride: aColumnStride,
                b: b + columns.lowerBound * bColumnStride, bRowStride: bRowStride, bColumnStride: bColumnStride,
                c: c + rows.lowerBound * ldc + columns.lowerBound, ldc: ldc, directA: directA, forceParallel: forceParallel,
                prepackedB: prepackedB, columnOffset: columnOffset + columns.lowerBound,
                epilogue: epilogue?.shifted(rows: rows.lowerBound, columns: columns.lowerBound))
    }


    /// Runs `body` on `parts` threads (inline when parts == 1).
    static func parallel<Task: ParallelTask>(_ parts: Int, _ task: Task) {
        WorkerPool.shared.run(parts: parts, task)
    }

    /// Threads take row blocks from a shared counter until none are left.
    private struct RowBlocksTask: ParallelTask {
        let problem: Problem, block: Block, shared: Workspace
        func run(_ part: Int) {
            let workspace = WorkspacePool.acquire()
            while true {
                let index = shared.next.wrappingAdd(1, ordering: .relaxed).oldValue
                if index >= block.blocks { break }
                problem.compute(block, index: index, workspace: workspace)
            }
            WorkspacePool.release(workspace)
        }
    }

    /// Threads pack B in chunks of columns taken from a shared counter.
    private struct PackBTask: ParallelTask {
        let problem: Problem, block: Block, shared: Workspace, chunk: Int, chunks: Int
        func run(_ part: Int) {
            while true {
                let index = shared.next.wrappingAdd(1, ordering: .relaxed).oldValue
                if index >= chunks { break }
                let j = index * chunk
                let source = problem.b + block.pc * problem.bRowStride + (block.jc + j) * problem.bColumnStride
                pk_sgemm_pack_b(problem.isa, block.kc, min(chunk, block.nc - j), source,
                                problem.bRowStride, problem.bColumnStride, block.packedB.pointer + j * block.kc)
            }
        }
    }

    /// Threads claim column slices of a few-row product (see runRowByRow).
    private struct SlicesTask: ParallelTask {
        let problem: Problem, claims: Workspace, caller: ThreadIdentity, slices: Int, granule: Int
        func run(_ part: Int) {
            let fromFront = ThreadIdentity.current == caller
            while true {
                var slice = -1
                for step in 0..<slices {
                    let candidate = fromFront ? step : slices - 1 - step
                    let bit = 1 << candidate
                    if claims.next.bitwiseOr(bit, ordering: .relaxed).oldValue & bit == 0 {
                        slice = candidate
                        break
                    }
                }
                if slice < 0 { break }
                let columns = ParallelKernels.split(problem.n, parts: slices, granule: granule, index: slice)
                if !columns.isEmpty { problem.slice(rows: 0..<problem.m, columns: columns).rows() }
            }
        }
    }

    /// Each thread computes one slice of C's columns (or rows), a product of its own on one
    /// thread.
    private struct OneThreadSlicesTask: ParallelTask {
        let problem: Problem, parts: Int, granule: Int, byRows: Bool
        func run(_ part: Int) {
            let slice = ParallelKernels.split(byRows ? problem.m : problem.n, parts: parts, granule: granule, index: part)
            if slice.isEmpty { return }
            problem.slice(rows: byRows ? slice : 0..<problem.m, columns: byRows ? 0..<problem.n : slice).runPacked(threads: 1)
        }
    }

    // MARK: Packed path

    func runPacked(threads: Int) {
        let mr = pk_sgemm_mr(isa)
        let microRows = (m + mr - 1) / mr
        let blocking = GEMMBlocking.forKernel(GEMM.Kernel(rawValue: isa) ?? .scalar, depth: k)
        let stepWork = m * n * min(k, blocking.kc)
        // Threads split the rows; with fewer than 4 micro-rows per thread (a batch of 32 is
        // 3 micro-rows) the shares come out uneven and the join costs more than it saves.
        let enoughRows = microRows >= 4 * max(1, threads)
        let workers = (stepWork >= GEMM.parallelMinimumStepWork && enoughRows) || forceParallel
            ? min(max(1, threads), microRows) : 1
        // Too few rows to share but enough work: the threads take column slices instead,
        // each a whole product of its own with one join at the end.
        let nr = pk_sgemm_nr(isa)
        let columnParts = min(max(1, threads), (n + nr - 1) / nr)
        if !enoughRows, columnParts > 1, m * n * k >= GEMM.parallelMinimumColumnSplitWork || forceParallel {
            Problem.parallel(columnParts, OneThreadSlicesTask(problem: self, parts: columnParts, granule: nr, byRows: false))
            return
        }
        // Row blocks of at most MC rows, each a multiple of MR, evenly sized; with several
        // threads at least 3 per thread (a thread that starts late or shares its core with
        // another process takes fewer), a multiple of the thread count so the shares come
        // out even.
        let fewestBlocks = (m + blocking.mc - 1) / blocking.mc
        let blocks = workers == 1 ? fewestBlocks
            : min(microRows, (max(fewestBlocks, 3 * workers) + workers - 1) / workers * workers)
        let kcStep = blocking.depthStep(k: k)
        let ncMax = min(n, blocking.nc)
        let mcMax = (microRows + blocks - 1) / blocks * mr  // largest block ParallelKernels.split makes

        let shared = WorkspacePool.acquire()
        let packedB = prepackedB == nil ? SharedPointer(shared.b(count: pk_sgemm_packed_b_size(isa, kcStep, ncMax))) : nil
        var jc = 0
        while jc < n {
            // NC blocks start where the whole call's do (a column slice may start inside one).
            let nc = min(blocking.nc - (columnOffset + jc) % blocking.nc, n - jc)
            var pc = 0
            while pc < k {
                let kc = min(kcStep, k - pc)
                let panels = packedB ?? SharedPointer(UnsafeMutablePointer(
                    mutating: prepackedB!.panels(column: columnOffset + jc, depth: pc)))
                let block = Block(jc: jc, nc: nc, pc: pc, kc: kc, beta: pc == 0 ? beta : 1,
                                  blocks: blocks, mcMax: mcMax, packedB: panels)
                if packedB != nil { packB(block, workers: workers, shared: shared) }
                if workers == 1 {
                    for index in 0..<blocks { compute(block, index: index, workspace: shared) }
                } else {
                    // Row blocks go to whichever thread is free (a busy core just takes
                    // fewer); each block is computed the same way by any thread.
                    shared.next.store(0, ordering: .relaxed)
                    Problem.parallel(workers, RowBlocksTask(problem: self, block: block, shared: shared))
                }
                pc += kc
            }
            jc += nc
        }
        WorkspacePool.release(shared)
    }

    /// One (jc, pc) step of the blocked loop.
    fileprivate struct Block: Sendable {
        let jc: Int, nc: Int, pc: Int, kc: Int
        let beta: Float
        let blocks: Int, mcMax: Int
        let packedB: SharedPointer
    }

    /// Packs op(B)[pc ..< pc+kc, jc ..< jc+nc] into `block.packedB`, in chunks of whole
    /// panels spread over the threads when there is enough of it.
    private func packB(_ block: Block, workers: Int, shared: Workspace) {
        let chunk = 8 * pk_sgemm_nr(isa)  // columns per task; panels before a chunk are full
        let chunks = (block.nc + chunk - 1) / chunk
        if workers == 1 || chunks == 1 || (block.kc * block.nc < 1 << 16 && !forceParallel) {
            pk_sgemm_pack_b(isa, block.kc, block.nc, b + block.pc * bRowStride + block.jc * bColumnStride,
                            bRowStride, bColumnStride, block.packedB.pointer)
            return
        }
        shared.next.store(0, ordering: .relaxed)
        Problem.parallel(workers, PackBTask(problem: self, block: block, shared: shared, chunk: chunk, chunks: chunks))
    }

    /// Whether the in-place kernel gets A packed instead for a block `nc` columns wide (see
    /// ``compute``): the kernel can take packed panels, and enough panels of B read A to pay
    /// for the copy: more than two for a transposed A (in place, each step along p is a new
    /// cache line of it), more than four for a row-major one.
    private func packsA(nc: Int) -> Bool {
        guard pk_sgemm_packed_a_supported(isa) != 0 else { return false }
        let panels = (nc + pk_sgemm_nr(isa) - 1) / pk_sgemm_nr(isa)
        let transposed = aRowStride == 1 && aColumnStride != 1
        return panels > (transposed ? 2 : 4)
    }

    /// Row block `index`: C[rows, jc ..< jc+nc] ← α·op(A)[rows, pc ..< pc+kc]·B̃ + β·C.
    fileprivate func compute(_ block: Block, index: Int, workspace: Workspace) {
        let rows = ParallelKernels.split(m, parts: block.blocks, granule: pk_sgemm_mr(isa), index: index)
        if rows.isEmpty { return }
        let aBlock = a + rows.lowerBound * aRowStride + block.pc * aColumnStride
        let cBlock = c + rows.lowerBound * ldc + block.jc
        if directA, packsA(nc: block.nc) {
            // A read by many panels of B is packed once (α = 1: the same FMAs in the same
            // order, so the same bits), and the panels stream it. A transposed (xᵀ of a
            // weight gradient), in place, touches a new cache line `lda` floats from the
            // last at every step along p (a power-of-two lda maps them all to a few cache
            // sets), for every panel. On Intel Granite Rapids, 1 thread: 784 × 512 × 1000
            // 147 → 175 GFLOP/s, 512 × 128 × 1000 99 → 153; with two panels (128 × 64 ×
            // 1000) packing cost more than it saved (178 → 149), so that stays in place.
            // A row-major A (x of a forward product, δ of an input gradient) is read along
            // its rows in place, but through twelve row pointers, and the kernel over a
            // packed panel runs faster than over them: 1000 × 512 × 784 133 → 141 GFLOP/s,
            // 1000 × 784 × 512 127 → 132, 2048³ 102 → 108 (CPU time, a slower host than
            // the figures above); with four panels (1000 × 128 × 64) the copy cost more
            // (134 → 130), so up to four stay in place.
            //
            // Steps along p at which a packed panel's 12 rows are all ±0 are then skipped
            // (pk_sgemm_packed_a_zero_steps: the same bits): an MNIST batch's first layer
            // has about half of them.
            packSkippingZeroSteps(block, rows: rows.count, aBlock: aBlock, cBlock: cBlock, alphaInPanels: false,
                                  workspace: workspace)
        } else if directA {
            // One panel of B: each element of A is used once, so A is read in place.
            let edge = workspace.a(count: pk_sgemm_packed_a_size(isa, 1, block.kc))
            pk_sgemm_direct_a(isa, rows.count, block.nc, block.kc, aBlock, aRowStride, aColumnStride,
                              alpha, block.packedB.pointer, cBlock, ldc, block.beta, edge)
        } else if pk_sgemm_zero_steps_supported(isa) != 0 {
            // AVX2: A packed with α in it (6-row panels), its zero steps skipped as above (α 1
            // on the sums: the same bits as pk_sgemm_macro).
            packSkippingZeroSteps(block, rows: rows.count, aBlock: aBlock, cBlock: cBlock, alphaInPanels: true,
                                  workspace: workspace)
        } else {
            let packedA = workspace.a(count: pk_sgemm_packed_a_size(isa, block.mcMax, block.kc))
            pk_sgemm_pack_a(isa, rows.count, block.kc, aBlock, aRowStride, aColumnStride, alpha, packedA)
            pk_sgemm_macro(isa, rows.count, block.nc, block.kc, packedA, block.packedB.pointer,
                           cBlock, ldc, block.beta)
        }
        // The block of C is final after the last depth block: finish it while it is in cache.
        if let epilogue, block.pc + block.kc >= k {
            epilogue.apply(rows: rows, columns: block.jc ..< block.jc + block.nc, c: c, ldc: ldc)
        }
    }

    /// Packs the block's `rows` rows of A (α in the panels, or α on the sums) with room for
    /// the kept-step lists after them, and runs `pk_sgemm_packed_a_zero_steps` on them.
    private func packSkippingZeroSteps(_ block: Block, rows: Int, aBlock: UnsafePointer<Float>,
                                       cBlock: UnsafeMutablePointer<Float>, alphaInPanels: Bool, workspace: Workspace) {
        let size = pk_sgemm_packed_a_size(isa, block.mcMax, block.kc)
        let scratch = pk_sgemm_zero_steps_scratch_size(isa, block.mcMax, block.kc)
        let packedA = workspace.a(count: size + scratch)
        pk_sgemm_pack_a(isa, rows, block.kc, aBlock, aRowStride, aColumnStride, alphaInPanels ? alpha : 1, packedA)
        pk_sgemm_packed_a_zero_steps(isa, rows, block.nc, block.kc, packedA, alphaInPanels ? 1 : alpha,
                                     block.packedB.pointer, cBlock, ldc, block.beta, UnsafeMutableRawPointer(packedA + size))
    }

    // MARK: Few rows, swapped

    /// A product of few rows (m ≤ ``GEMM/swappedRowLimit``, e.g. a batch-32 forward x·W or
    /// input gradient δ·Wᵀ), computed transposed:
    /// ```
    /// Cᵀ = op(B)ᵀ·op(A)ᵀ     (op(B)ᵀ read in place, op(A)ᵀ packed: m ≤ 32 columns)
    /// ```
    /// The packed path would repack all of op(B) (the whole weight matrix) on every call;
    /// here only the few rows of A are packed, and Cᵀ goes through a buffer (transposed
    /// in, when β ≠ 0, and out). Each element is the same chain of FMAs over the same KC
    /// blocks (the depth k is the same, and a·b = b·a exactly), so the bits are those of
    /// the packed path.
    func runSwapped(threads: Int) {
        let workspace = WorkspacePool.acquire()
        let transposed = workspace.b(count: m * n)  // Cᵀ, n × m
        if beta != 0 { pk_transpose(m, n, c, ldc, transposed, m) }
        let swapped = Problem(
            isa: isa, m: n, n: m, k: k, alpha: alpha, beta: beta,
            a: b, aRowStride: bColumnStride, aColumnStride: bRowStride,
            b: a, bRowStride: aColumnStride, bColumnStride: aRowStride,
            c: transposed, ldc: m, directA: true, forceParallel: forceParallel,
            prepackedB: nil, columnOffset: 0, epilogue: nil)
        let mr = pk_sgemm_mr(isa)
        let parts = m * n * k >= GEMM.parallelMinimumColumnSplitWork || forceParallel
            ? min(max(1, threads), (n + mr - 1) / mr) : 1
        if parts == 1 {
            swapped.runPacked(threads: 1)
        } else {
            Problem.parallel(parts, OneThreadSlicesTask(problem: swapped, parts: parts, granule: mr, byRows: true))
        }
        pk_transpose(n, m, transposed, m, c, ldc)
        WorkspacePool.release(workspace)
    }

    // MARK: Narrow weight gradient

    /// Threads take slices of 32 rows of C.
    private struct NarrowSlicesTask: ParallelTask {
        let problem: Problem, parts: Int
        func run(_ part: Int) {
            let rows = ParallelKernels.split(problem.m, parts: parts, granule: 32, index: part)
            if !rows.isEmpty { problem.slice(rows: rows, columns: 0..<problem.n).narrow() }
        }
    }

    /// C ← α·Aᵀ·B + β·C for a narrow B (n ≤ PK_NARROW_MAX_N), nothing packed: see
    /// `pk_sgemm_narrow_atb`. Every element is computed alike whichever slice holds it.
    func runNarrow(threads: Int) {
        let slices = (m + 31) / 32
        let parts = m * n * k >= GEMM.parallelMinimumColumnSplitWork || forceParallel ? min(max(1, threads), slices) : 1
        if parts == 1 {
            narrow()
        } else {
            Problem.parallel(parts, NarrowSlicesTask(problem: self, parts: parts))
        }
    }

    fileprivate func narrow() {
        pk_sgemm_narrow_atb(isa, m, n, k, alpha, a, aColumnStride, b, bRowStride, beta, c, ldc)
    }

    // MARK: Unpacked path for few rows

    func runRowByRow(threads: Int) {
        // Every column is summed the same way in the C kernels, so any split into
        // 16-column granules gives the same bits.
        let granule = 16
        let units = (n + granule - 1) / granule
        // At most 31 threads: slices are claimed through the bits of one Int.
        let workers = n * k >= GEMM.parallelMinimumVectorWork || forceParallel ? min(max(1, threads), units, 31) : 1
        if workers == 1 {
            rows()
            return
        }
        // Two slices per thread. The calling thread takes slices from the front and the
        // others from the back, so in repeated calls (batch-1 predictions) each core
        // reads the same columns of B again and finds them in its own L2 cache; a thread
        // that starts late finds its slices already done by the others. The AVX2 kernel
        // over a row-major B gets one slice per thread: it reads B row after row, and
        // narrower slices would read each row in shorter, strided pieces (a one-row
        // 784 × 512 product on a Zen 1, 2 threads: 30 µs in 4 slices, 25 µs in 2).
        let streamsRows = bColumnStride == 1 && isa == GEMM.Kernel.avx2.rawValue
        let slices = min(units, streamsRows ? workers : 2 * workers)
        let claims = WorkspacePool.acquire()
        claims.next.store(0, ordering: .relaxed)
        let caller = ThreadIdentity.current
        Problem.parallel(workers, SlicesTask(problem: self, claims: claims, caller: caller, slices: slices, granule: granule))
        WorkspacePool.release(claims)
    }

    fileprivate func rows() {
        if bColumnStride == 1 {
            // The packed path's depth step, so the AVX2 kernel sums a row as a batch would.
            let kcStep = GEMMBlocking.forKernel(GEMM.Kernel(rawValue: isa) ?? .scalar).depthStep(k: k)
            for i in 0..<m {
                pk_sgemv_rowmajor(isa, k, n, alpha, a + i * aRowStride, aColumnStride,
                                  b, bRowStride, beta, c + i * ldc, kcStep)
            }
        } else if aColumnStride == 1 {
            for i in 0..<m {
                pk_sgemv_transposed(isa, k, n, alpha, a + i * aRowStride, b, bColumnStride, beta, c + i * ldc)
            }
        } else {
            // Aᵀ·Bᵀ: gather each row of op(A) into a contiguous vector first.
            let workspace = WorkspacePool.acquire()
            let x = workspace.a(count: k)
            for i in 0..<m {
                for p in 0..<k { x[p] = a[i * aRowStride + p * aColumnStride] }
                pk_sgemv_transposed(isa, k, n, alpha, x, b, bColumnStride, beta, c + i * ldc)
            }
            WorkspacePool.release(workspace)
        }
    }
}

/// Packing buffers owned by one thread at a time; they grow and are then reused.
private final class Workspace: @unchecked Sendable {
    /// Work counter of a parallel call coordinated through this workspace: the next row
    /// block or B chunk, or the bit mask of claimed column slices.
    let next = Atomic<Int>(0)
    // One thread at a time owns a workspace (it is taken from and given back to the
    // pool), so the runtime's exclusivity checks on these buffers guard nothing and cost
    // a call each per product (~2 % of a 32 × 64 × 128 one).
    @exclusivity(unchecked) private var bufferA: UnsafeMutablePointer<Float>?
    @exclusivity(unchecked) private var capacityA = 0
    @exclusivity(unchecked) private var bufferB: UnsafeMutablePointer<Float>?
    @exclusivity(unchecked) private var capacityB = 0

    func a(count: Int) -> UnsafeMutablePointer<Float> {
        Workspace.ensure(&bufferA, &capacityA, count)
    }

    func b(count: Int) -> UnsafeMutablePointer<Float> {
        Workspace.ensure(&bufferB, &capacityB, count)
    }

    private static func ensure(_ buffer: inout UnsafeMutablePointer<Float>?, _ capacity: inout Int,
                               _ count: Int) -> UnsafeMutablePointer<Float> {
        if let existing = buffer, capacity >= count { return existing }
        buffer?.deallocate()
        let newCapacity = max(count, 1)
        let raw = UnsafeMutableRawPointer.allocate(byteCount: newCapacity * MemoryLayout<Float>.stride, alignment: 64)
        let fresh = raw.bindMemory(to: Float.self, capacity: newCapacity)
        buffer = fresh
        capacity = newCapacity
        return fresh
    }

    deinit {
        bufferA?.deallocate()
        bufferB?.deallocate()
    }
}

/// A pointer handed to the threads of one call, which write disjoint parts of it.
private struct SharedPointer: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Float>
    init(_ pointer: UnsafeMutablePointer<Float>) { self.pointer = pointer }
}

/// The calling thread's identity, comparable across threads.
private struct ThreadIdentity: Equatable, @unchecked Sendable {
    private let thread: pthread_t

    static var current: ThreadIdentity { ThreadIdentity(thread: pthread_self()) }

    static func == (lhs: ThreadIdentity, rhs: ThreadIdentity) -> Bool {
        pthread_equal(lhs.thread, rhs.thread) != 0
    }
}

/// Process-wide free list of workspaces: a call takes one per thread and gives it back,
/// so steady-state calls allocate nothing.
private enum WorkspacePool {
    private static let list = FreeList()

    static func acquire() -> Workspace { list.pop() ?? Workspace() }

    static func release(_ workspace: Workspace) { list.push(workspace) }

    /// A spin-locked stack. (A `Mutex<[Workspace]>` here made the Swift runtime look up
    /// generic metadata, allocating, on every call from a worker thread.)
    private final class FreeList: @unchecked Sendable {
        private let locked = Atomic<Bool>(false)
        @exclusivity(unchecked) private var items: [Workspace] = []  // accessed under `locked` only

        init() { items.reserveCapacity(64) }

        private func lock() {
            while !locked.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged {}
        }

        private func unlock() { locked.store(false, ordering: .releasing) }

        func pop() -> Workspace? {
            lock()
            defer { unlock() }
            return items.popLast()
        }

        func push(_ workspace: Workspace) {
            lock()
            defer { unlock() }
            items.append(workspace)
        }
    }
}
