import CPerceptronKernels
import Synchronization

/// Mixed-precision general matrix multiply on row-major fp32 data, bf16 operands:
///
/// ```
/// C ← bf16(α·op(A))·bf16(op(B)) + β·C,   products of bf16 pairs summed in fp32
/// ```
///
/// Same contract and strides as ``GEMM/sgemm(transposeA:transposeB:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:threads:)``;
/// only the rounding differs. Each operand element is rounded once to bf16 (round to
/// nearest even) as it is packed; `vdpbf16ps` (or AMX's `tdpbf16ps`, 16 pairs deep)
/// multiplies bf16 pairs exactly and adds them to fp32 accumulators. For one element of C, with u = 2⁻⁸
/// (bf16's unit roundoff) and γₖ = k·2⁻²⁴/(1 − k·2⁻²⁴) (fp32 summation):
///
/// ```
/// |C − A·B| ≤ (2u + u² + γₖ)·Σₚ |A[i,p]|·|B[p,j]|
/// ```
/// (tests check this bound against a Float64 reference).
///
/// Loops: NC column slices; per slice, B of all KC depth blocks (even, so pairs never
/// straddle a block; up to an 8 MiB budget, else several passes) packed in bf16 pairs,
/// then row blocks of ≤ MC rows, each taken by whichever thread is free and run through
/// every depth block (A packed per depth block). Packing B and the row blocks of one pass
/// are a single parallel call: one join per pass, where a join per depth block left a
/// late-starting thread holding up every step. Every element of
/// C is computed by the same operations whatever the thread count, so results are
/// bit-identical across runs and thread counts. Runs only where
/// ``ComputePrecision/isSupported`` holds for ``ComputePrecision/bfloat16``.
///
/// Two kernels (``Kernel``): `vdpbf16ps` (AVX512_BF16) in a 12 × 32 register tile, and,
/// where the CPU has Intel AMX, `tdpbf16ps` in a 32 × 32 block of tile registers, which
/// multiplies 16 × 16 × 32 bf16 products per instruction. The AMX kernel sums each
/// element's products in another order (16 pairs per instruction), so its bits differ from
/// the AVX512_BF16 kernel's; either way they do not depend on the thread count.
enum BF16GEMM {
    /// The bf16 micro-kernel families.
    enum Kernel: Sendable, CaseIterable {
        /// `vdpbf16ps`: 12 × 32 tile in zmm registers (AMD Zen 4 and later, Intel Cooper
        /// Lake, Sapphire Rapids and later).
        case avx512bf16
        /// `tdpbf16ps`: 32 × 32 tile in AMX tile registers (Intel Sapphire Rapids and later).
        case amx

        /// Whether this CPU (and the OS, for AMX's tile state) can run the kernel.
        var isSupported: Bool {
            switch self {
            case .avx512bf16: return ComputePrecision.cpuHasBF16
            case .amx: return Kernel.amxAvailable
            }
        }

        /// The kernel the bf16 products use: AMX where it runs and the environment variable
        /// `PERCEPTRON_DISABLE_AMX` is not set, else AVX512_BF16.
        static let best: Kernel = amxAvailable && !amxDisabledByEnvironment ? .amx : .avx512bf16

        private static let amxAvailable = pk_cpu_has_amx_bf16() != 0

        private static var amxDisabledByEnvironment: Bool {
            ComputePrecision.isSet(environmentFlag: "PERCEPTRON_DISABLE_AMX")
        }

        /// Rows of C per micro-tile: row blocks are multiples of it.
        var rowGranule: Int { self == .amx ? 32 : Int(PK_BF16_MR) }

        /// Words of one depth block of packed B (`kc` × `nc`).
        func packedBSize(kc: Int, nc: Int) -> Int {
            self == .amx ? pk_amx_packed_b_size(kc, nc) : pk_bf16_packed_b_size(kc, nc)
        }

        /// Words per column of packed B of depth `kc` (a panel of width w takes w times this).
        func packedBWordsPerColumn(kc: Int) -> Int {
            self == .amx ? pk_amx_padded_pairs(kc) : (kc + 1) / 2
        }

        /// Words needed to pack an `mc` × `kc` block of A.
        func packedASize(mc: Int, kc: Int) -> Int {
            self == .amx ? pk_amx_packed_a_size(mc, kc) : pk_bf16_packed_a_size(mc, kc)
        }

        func packA(mc: Int, kc: Int, a: UnsafePointer<Float>, rs: Int, cs: Int, alpha: Float,
                   into packed: UnsafeMutablePointer<UInt32>) {
            if self == .amx { pk_amx_pack_a(mc, kc, a, rs, cs, alpha, packed) }
            else { pk_bf16_pack_a(mc, kc, a, rs, cs, alpha, packed) }
        }

        func packB(kc: Int, nc: Int, b: UnsafePointer<Float>, rs: Int, cs: Int,
                   into packed: UnsafeMutablePointer<UInt32>) {
            if self == .amx { pk_amx_pack_b(kc, nc, b, rs, cs, packed) }
            else { pk_bf16_pack_b(kc, nc, b, rs, cs, packed) }
        }

        /// Ints of the list of kept steps that ``macro(mc:nc:kc:packedA:packedB:c:ldc:beta:steps:)``
        /// needs for an `mc` × `kc` block of A; 0 where the kernel multiplies every step.
        func zeroStepsScratchSize(mc: Int, kc: Int) -> Int {
            self == .amx ? 0 : pk_bf16_zero_steps_scratch_size(mc, kc)
        }

        /// C ← packed A · packed B + β·C. The AVX512_BF16 kernel skips the pairs of steps at
        /// which a packed panel of A is all zero (removing them from `packedA` and listing
        /// the rest in `steps`, ``zeroStepsScratchSize(mc:kc:)`` ints): the same sums, as
        /// ``GEMM``'s fp32 kernels (README, "Zero inputs are not multiplied"). AMX multiplies
        /// 16 pairs a tile, does not skip, and leaves `steps` alone.
        func macro(mc: Int, nc: Int, kc: Int, packedA: UnsafeMutablePointer<UInt32>, packedB: UnsafePointer<UInt32>,
                   c: UnsafeMutablePointer<Float>, ldc: Int, beta: Float, steps: UnsafeMutablePointer<Int32>) {
            if self == .amx { pk_amx_macro(mc, nc, kc, packedA, packedB, c, ldc, beta) }
            else { pk_bf16_macro_zero_steps(mc, nc, kc, packedA, packedB, c, ldc, beta, steps) }
        }
    }

    /// Cache blocking (KC, MC, NC) of this machine, from its cache sizes: see ``BF16GEMMBlocking``.
    static let blocking = BF16GEMMBlocking.detected
    /// Below this many multiply–adds per KC step the product stays on one thread: about
    /// 10 µs of work on one core (a bf16 step does twice the fp32 work per cycle), against
    /// a hand-off of a microsecond or two now that a product is one parallel call. The
    /// 1 000 × 128 × 64 forward product of workload 1 (8.2 M) ran serially at 1 << 23.
    static let parallelMinimumStepWork = 1 << 21
    /// With several threads, a product has at least this many row blocks per thread, taken
    /// from a shared counter: the thread that finishes first waits at most one block for the
    /// other. At 4 a block of workload 1's 784- and 1000-row products was ~0.5 ms of work and
    /// the worker sat idle for the tail of each (seen in `perf sched` traces); blocks this
    /// small cost nothing extra (B stays packed for the whole pass, A is packed per block anyway).
    static let rowBlocksPerThread = 12

    static func gemm(
        transposeA: Bool, transposeB: Bool,
        m: Int, n: Int, k: Int,
        alpha: Float,
        a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float,
        c: UnsafeMutablePointer<Float>, ldc: Int,
        threads: Int, kernel: Kernel = .best, ignoreParallelThresholds: Bool = false, depthBlocksPerPass: Int? = nil,
        epilogue: GEMMEpilogue? = nil
    ) {
        precondition(m >= 0 && n >= 0 && k >= 0, "GEMM sizes must be non-negative, got m=\(m) n=\(n) k=\(k)")
        precondition(lda >= max(1, transposeA ? m : k), "GEMM lda=\(lda) too small")
        precondition(ldb >= max(1, transposeB ? k : n), "GEMM ldb=\(ldb) too small")
        precondition(ldc >= max(1, n), "GEMM ldc=\(ldc) too small for n=\(n)")
        precondition(kernel.isSupported, "bf16 GEMM kernel \(kernel) called on a CPU that lacks it")
        if m == 0 || n == 0 { return }
        if k == 0 || alpha == 0 {
            for i in 0..<m {
                let row = c + i * ldc
                if beta == 0 { row.update(repeating: 0, count: n) } else if beta != 1 { for j in 0..<n { row[j] *= beta } }
            }
            epilogue?.apply(rows: 0..<m, columns: 0..<n, c: c, ldc: ldc)
            return
        }
        let problem = BF16Problem(
            m: m, n: n, k: k, alpha: alpha, beta: beta,
            a: a, aRowStride: transposeA ? 1 : lda, aColumnStride: transposeA ? lda : 1,
            b: b, bRowStride: transposeB ? 1 : ldb, bColumnStride: transposeB ? ldb : 1,
            c: c, ldc: ldc, kernel: kernel, forceParallel: ignoreParallelThresholds,
            depthBlocksPerPass: depthBlocksPerPass, epilogue: epilogue)
        problem.run(threads: threads)
    }
}

/// One bf16 GEMM call in stride form: op(A)(i, p) = a[i·aRowStride + p·aColumnStride],
/// op(B)(p, j) = b[p·bRowStride + j·bColumnStride].
private struct BF16Problem: @unchecked Sendable {
    let m: Int, n: Int, k: Int
    let alpha: Float, beta: Float
    let a: UnsafePointer<Float>, aRowStride: Int, aColumnStride: Int
    let b: UnsafePointer<Float>, bRowStride: Int, bColumnStride: Int
    let c: UnsafeMutablePointer<Float>, ldc: Int
    let kernel: BF16GEMM.Kernel
    let forceParallel: Bool
    let depthBlocksPerPass: Int?
    let epilogue: GEMMEpilogue?

    /// One pass: the depth blocks `firstDepthBlock ..< firstDepthBlock + depthBlocks` (each
    /// `kcStep` deep but the last of k) of the column slice jc ..< jc+nc. Depth block d's
    /// packed B lies at `packedB + (d − firstDepthBlock)·bStride`.
    struct Pass: @unchecked Sendable {
        let jc: Int, nc: Int
        let firstDepthBlock: Int, depthBlocks: Int, kcStep: Int
        let blocks: Int, mcMax: Int
        let packedB: UnsafeMutablePointer<UInt32>, bStride: Int
        /// Packing of B in chunks of `chunk` columns (whole panels) per depth block.
        let chunk: Int, chunksPerDepthBlock: Int
        var bChunks: Int { depthBlocks * chunksPerDepthBlock }
    }

    /// The whole pass in one parallel call (one join): each thread packs chunks of B taken
    /// from a shared counter, waits until every chunk is packed (only chunks that another
    /// running thread has taken and not finished), then takes row blocks and runs all depth
    /// blocks of each. A thread that starts late finds the packing done and joins the row
    /// blocks; no depth block waits for the slowest thread. Rows are disjoint, so the depth
    /// blocks need no join between them.
    struct PassTask: ParallelTask {
        let problem: BF16Problem, pass: Pass, shared: BF16Workspace
        func run(_ part: Int) {
            let total = pass.bChunks
            while true {
                let index = shared.next.wrappingAdd(1, ordering: .relaxed).oldValue
                if index >= total { break }
                problem.packB(pass, chunk: index)
                shared.done.wrappingAdd(1, ordering: .releasing)
            }
            while shared.done.load(ordering: .acquiring) < total {}
            let workspace = BF16WorkspacePool.acquire()
            while true {
                let index = shared.nextRow.wrappingAdd(1, ordering: .relaxed).oldValue
                if index >= pass.blocks { break }
                problem.compute(pass, index: index, workspace: workspace)
            }
            BF16WorkspacePool.release(workspace)
        }
    }

    /// Packed B of one pass is at most this many words (8 MiB) unless one depth block
    /// needs more: a longer k takes several passes.
    static let passBudgetWords = 1 << 21

    func run(threads: Int) {
        let mr = kernel.rowGranule
        let microRows = (m + mr - 1) / mr
        let blocking = BF16GEMM.blocking
        let kcStep = blocking.depthStep(k: k)
        let stepWork = m * n * min(k, kcStep)
        let enoughRows = microRows >= 4 * max(1, threads)
        let workers = (stepWork >= BF16GEMM.parallelMinimumStepWork && enoughRows) || forceParallel
            ? min(max(1, threads), microRows) : 1
        // Row blocks of at most MC rows; with several threads at least rowBlocksPerThread per thread, a
        // multiple of the thread count, so a thread that starts late or shares its core
        // takes fewer blocks instead of holding the others up.
        let fewestBlocks = (m + blocking.mc - 1) / blocking.mc
        let blocks = workers == 1 ? fewestBlocks
            : min(microRows, (max(fewestBlocks, BF16GEMM.rowBlocksPerThread * workers) + workers - 1) / workers * workers)
        let mcMax = (microRows + blocks - 1) / blocks * mr
        let ncMax = min(n, blocking.nc)
        let depthBlocks = (k + kcStep - 1) / kcStep
        let bStride = kernel.packedBSize(kc: kcStep, nc: ncMax)
        let perPass = max(1, min(depthBlocks, depthBlocksPerPass ?? BF16Problem.passBudgetWords / max(1, bStride)))
        let chunk = 8 * Int(PK_BF16_NR)

        let shared = BF16WorkspacePool.acquire()
        let packedB = shared.b(count: bStride * perPass)
        var jc = 0
        while jc < n {
            let nc = min(blocking.nc, n - jc)
            // Small blocks of B are packed whole by one thread (chunks not worth a hand-off).
            let chunks = workers == 1 || (kcStep * nc < 1 << 16 && !forceParallel) ? 1 : (nc + chunk - 1) / chunk
            var first = 0
            while first < depthBlocks {
                let count = min(perPass, depthBlocks - first)
                let pass = Pass(jc: jc, nc: nc, firstDepthBlock: first, depthBlocks: count, kcStep: kcStep,
                                blocks: blocks, mcMax: mcMax, packedB: packedB, bStride: bStride,
                                chunk: chunks == 1 ? nc : chunk, chunksPerDepthBlock: chunks)
                shared.next.store(0, ordering: .relaxed)
                shared.done.store(0, ordering: .relaxed)
                shared.nextRow.store(0, ordering: .relaxed)
                WorkerPool.shared.run(parts: workers, PassTask(problem: self, pass: pass, shared: shared))
                first += count
            }
            jc += nc
        }
        BF16WorkspacePool.release(shared)
    }

    /// The depth (pc, kc) of depth block `d`.
    private func depth(_ pass: Pass, _ d: Int) -> (pc: Int, kc: Int) {
        let pc = d * pass.kcStep
        return (pc, min(pass.kcStep, k - pc))
    }

    /// Packs B chunk `index` of the pass (depth block, then column chunk) into its place:
    /// op(B)[pc ..< pc+kc, jc + columns], the columns starting at a panel boundary.
    func packB(_ pass: Pass, chunk index: Int) {
        let local = index / pass.chunksPerDepthBlock
        let lower = (index % pass.chunksPerDepthBlock) * pass.chunk
        let columns = lower ..< min(pass.nc, lower + pass.chunk)
        let (pc, kc) = depth(pass, pass.firstDepthBlock + local)
        let source = b + pc * bRowStride + (pass.jc + columns.lowerBound) * bColumnStride
        let offset = local * pass.bStride + columns.lowerBound * kernel.packedBWordsPerColumn(kc: kc)
        kernel.packB(kc: kc, nc: columns.count, b: source, rs: bRowStride, cs: bColumnStride, into: pass.packedB + offset)
    }

    /// Row block `index`, every depth block of the pass in order:
    /// C[rows, jc ..< jc+nc] ← bf16(α·op(A)[rows, pc ..< pc+kc])·B̃ + (pc == 0 ? β : 1)·C.
    func compute(_ pass: Pass, index: Int, workspace: BF16Workspace) {
        let rows = ParallelKernels.split(m, parts: pass.blocks, granule: kernel.rowGranule, index: index)
        if rows.isEmpty { return }
        let cBlock = c + rows.lowerBound * ldc + pass.jc
        let packedA = workspace.a(count: kernel.packedASize(mc: pass.mcMax, kc: pass.kcStep))
        let steps = workspace.steps(count: kernel.zeroStepsScratchSize(mc: pass.mcMax, kc: pass.kcStep))
        for local in 0..<pass.depthBlocks {
            let (pc, kc) = depth(pass, pass.firstDepthBlock + local)
            let aBlock = a + rows.lowerBound * aRowStride + pc * aColumnStride
            kernel.packA(mc: rows.count, kc: kc, a: aBlock, rs: aRowStride, cs: aColumnStride, alpha: alpha,
                         into: packedA)
            kernel.macro(mc: rows.count, nc: pass.nc, kc: kc, packedA: packedA, packedB: pass.packedB + local * pass.bStride,
                         c: cBlock, ldc: ldc, beta: pc == 0 ? beta : 1, steps: steps)
        }
        // The block of C is final after the last depth block: finish it while it is in cache.
        if let epilogue, (pass.firstDepthBlock + pass.depthBlocks) * pass.kcStep >= k {
            epilogue.apply(rows: rows, columns: pass.jc ..< pass.jc + pass.nc, c: c, ldc: ldc)
        }
    }
}

/// Packing buffers (bf16 pair words) owned by one thread at a time; they grow, then are reused.
private final class BF16Workspace: @unchecked Sendable {
    /// Work counters of a parallel call coordinated through this workspace: B chunks
    /// taken, B chunks packed, row blocks taken.
    let next = Atomic<Int>(0)
    let done = Atomic<Int>(0)
    let nextRow = Atomic<Int>(0)
    private var bufferA: UnsafeMutablePointer<UInt32>?
    private var capacityA = 0
    private var bufferB: UnsafeMutablePointer<UInt32>?
    private var capacityB = 0

    private var bufferSteps: UnsafeMutablePointer<Int32>?
    private var capacitySteps = 0

    func a(count: Int) -> UnsafeMutablePointer<UInt32> { BF16Workspace.ensure(&bufferA, &capacityA, count) }
    func b(count: Int) -> UnsafeMutablePointer<UInt32> { BF16Workspace.ensure(&bufferB, &capacityB, count) }
    /// The kept-step lists of one packed block of A (see `Kernel.macro`).
    func steps(count: Int) -> UnsafeMutablePointer<Int32> { BF16Workspace.ensure(&bufferSteps, &capacitySteps, count) }

    private static func ensure<Element>(_ buffer: inout UnsafeMutablePointer<Element>?, _ capacity: inout Int,
                                        _ count: Int) -> UnsafeMutablePointer<Element> {
        if let existing = buffer, capacity >= count { return existing }
        buffer?.deallocate()
        let newCapacity = max(count, 1)
        let raw = UnsafeMutableRawPointer.allocate(byteCount: newCapacity * MemoryLayout<Element>.stride, alignment: 64)
        let fresh = raw.bindMemory(to: Element.self, capacity: newCapacity)
        buffer = fresh
        capacity = newCapacity
        return fresh
    }

    deinit {
        bufferA?.deallocate()
        bufferB?.deallocate()
        bufferSteps?.deallocate()
    }
}

/// Process-wide free list of bf16 workspaces (a spin-locked stack), so steady-state
/// calls allocate nothing.
private enum BF16WorkspacePool {
    private static let list = FreeList()

    static func acquire() -> BF16Workspace { list.pop() ?? BF16Workspace() }
    static func release(_ workspace: BF16Workspace) { list.push(workspace) }

    private final class FreeList: @unchecked Sendable {
        private let locked = Atomic<Bool>(false)
        private var items: [BF16Workspace] = []

        init() { items.reserveCapacity(64) }

        private func lock() {
            while !locked.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged {}
        }

        private func unlock() { locked.store(false, ordering: .releasing) }

        func pop() -> BF16Workspace? {
            lock()
            defer { unlock() }
            return items.popLast()
        }

        func push(_ workspace: BF16Workspace) {
            lock()
            defer { unlock() }
            items.append(workspace)
        }
    }
}
