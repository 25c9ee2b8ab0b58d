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
/// nearest even) as it is packed; `vdpbf16ps` multiplies two bf16 pairs per fp32 lane
/// exactly and adds them to the fp32 accumulator. For one element of C, with u = 2⁻⁸
/// (bf16's unit roundoff) and γₖ = k·2⁻²⁴/(1 − k·2⁻²⁴) (fp32 summation):
///
/// ```
/// |C − A·B| ≤ (2u + u² + γₖ)·Σₚ |A[i,p]|·|B[p,j]|
/// ```
/// (tests check this bound against a Float64 reference).
///
/// Loops (BLIS-style, as the fp32 driver): NC column slices, KC depth blocks (even, so
/// pairs never straddle a block), B packed once per (NC, KC) step in bf16 pairs, row
/// blocks of ≤ MC rows packed and multiplied by whichever thread is free. Every element of
/// C is computed by the same operations whatever the thread count, so results are
/// bit-identical across runs and thread counts. Runs only where
/// ``ComputePrecision/isSupported`` holds for ``ComputePrecision/bfloat16``.
enum BF16GEMM {
    /// Cache blocking (KC, MC, NC) of this machine, from its cache sizes: see ``BF16GEMMBlocking``.
    static let blocking = BF16GEMMBlocking.detected
    /// Below this many multiply–adds per KC step the product stays on one thread
    /// (twice the fp32 driver's threshold: a bf16 step does twice the work per cycle).
    static let parallelMinimumStepWork = 1 << 23

    static func gemm(
        transposeA: Bool, transposeB: Bool,
        m: Int, n: Int, k: Int,
        alpha: Float,
        a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float,
        c: UnsafeMutablePointer<Float>, ldc: Int,
        threads: Int, ignoreParallelThresholds: Bool = false
    ) {
        precondition(m >= 0 && n >= 0 && k >= 0, "GEMM sizes must be non-negative, got m=\(m) n=\(n) k=\(k)")
        precondition(lda >= max(1, transposeA ? m : k), "GEMM lda=\(lda) too small")
        precondition(ldb >= max(1, transposeB ? k : n), "GEMM ldb=\(ldb) too small")
        precondition(ldc >= max(1, n), "GEMM ldc=\(ldc) too small for n=\(n)")
        precondition(ComputePrecision.cpuHasBF16, "bf16 GEMM called on a CPU without AVX512_BF16")
        if m == 0 || n == 0 { return }
        if k == 0 || alpha == 0 {
            for i in 0..<m {
                let row = c + i * ldc
                if beta == 0 { row.update(repeating: 0, count: n) } else if beta != 1 { for j in 0..<n { row[j] *= beta } }
            }
            return
        }
        let problem = BF16Problem(
            m: m, n: n, k: k, alpha: alpha, beta: beta,
            a: a, aRowStride: transposeA ? 1 : lda, aColumnStride: transposeA ? lda : 1,
            b: b, bRowStride: transposeB ? 1 : ldb, bColumnStride: transposeB ? ldb : 1,
            c: c, ldc: ldc, forceParallel: ignoreParallelThresholds)
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
    let forceParallel: Bool

    /// One (jc, pc) step of the blocked loop.
    struct Block: @unchecked Sendable {
        let jc: Int, nc: Int, pc: Int, kc: Int
        let beta: Float
        let blocks: Int, mcMax: Int
        let packedB: UnsafeMutablePointer<UInt32>
    }

    /// Threads take row blocks from a shared counter until none are left.
    struct RowBlocksTask: ParallelTask {
        let problem: BF16Problem, block: Block, shared: BF16Workspace
        func run(_ part: Int) {
            let workspace = BF16WorkspacePool.acquire()
            while true {
                let index = shared.next.wrappingAdd(1, ordering: .relaxed).oldValue
                if index >= block.blocks { break }
                problem.compute(block, index: index, workspace: workspace)
            }
            BF16WorkspacePool.release(workspace)
        }
    }

    /// Threads pack B in chunks of whole panels taken from a shared counter.
    struct PackBTask: ParallelTask {
        let problem: BF16Problem, block: Block, shared: BF16Workspace, chunk: Int, chunks: Int
        func run(_ part: Int) {
            while true {
                let index = shared.next.wrappingAdd(1, ordering: .relaxed).oldValue
                if index >= chunks { break }
                problem.packB(block, columns: index * chunk ..< min(block.nc, (index + 1) * chunk))
            }
        }
    }

    func run(threads: Int) {
        let mr = Int(PK_BF16_MR)
        let microRows = (m + mr - 1) / mr
        let blocking = BF16GEMM.blocking
        let kcStep = blocking.depthStep(k: k)
        let stepWork = m * n * min(k, kcStep)
        let enoughRows = microRows >= 4 * max(1, threads)
        let workers = (stepWork >= BF16GEMM.parallelMinimumStepWork && enoughRows) || forceParallel
            ? min(max(1, threads), microRows) : 1
        let fewestBlocks = (m + blocking.mc - 1) / blocking.mc
        let blocks = workers == 1 ? fewestBlocks
            : min(microRows, (max(fewestBlocks, workers) + workers - 1) / workers * workers)
        let mcMax = (microRows + blocks - 1) / blocks * mr
        let ncMax = min(n, blocking.nc)

        let shared = BF16WorkspacePool.acquire()
        let packedB = shared.b(count: pk_bf16_packed_b_size(kcStep, ncMax))
        var jc = 0
        while jc < n {
            let nc = min(blocking.nc, n - jc)
            var pc = 0
            while pc < k {
                let kc = min(kcStep, k - pc)
                let block = Block(jc: jc, nc: nc, pc: pc, kc: kc, beta: pc == 0 ? beta : 1,
                                  blocks: blocks, mcMax: mcMax, packedB: packedB)
                let chunk = 8 * Int(PK_BF16_NR)
                let chunks = (nc + chunk - 1) / chunk
                if workers == 1 || chunks == 1 || (kc * nc < 1 << 16 && !forceParallel) {
                    packB(block, columns: 0..<nc)
                } else {
                    shared.next.store(0, ordering: .relaxed)
                    WorkerPool.shared.run(parts: workers, PackBTask(problem: self, block: block, shared: shared,
                                                                      chunk: chunk, chunks: chunks))
                }
                if workers == 1 {
                    for index in 0..<blocks { compute(block, index: index, workspace: shared) }
                } else {
                    shared.next.store(0, ordering: .relaxed)
                    WorkerPool.shared.run(parts: workers, RowBlocksTask(problem: self, block: block, shared: shared))
                }
                pc += kc
            }
            jc += nc
        }
        BF16WorkspacePool.release(shared)
    }

    /// Packs op(B)[pc ..< pc+kc, jc + columns] into its place in `block.packedB`;
    /// `columns` starts at a panel boundary (a multiple of NR).
    func packB(_ block: Block, columns: Range<Int>) {
        let source = b + block.pc * bRowStride + (block.jc + columns.lowerBound) * bColumnStride
        let offset = columns.lowerBound * ((block.kc + 1) / 2)
        pk_bf16_pack_b(block.kc, columns.count, source, bRowStride, bColumnStride, block.packedB + offset)
    }

    /// Row block `index`: C[rows, jc ..< jc+nc] ← bf16(α·op(A)[rows, pc ..< pc+kc])·B̃ + β·C.
    func compute(_ block: Block, index: Int, workspace: BF16Workspace) {
        let rows = ParallelKernels.split(m, parts: block.blocks, granule: Int(PK_BF16_MR), index: index)
        if rows.isEmpty { return }
        let aBlock = a + rows.lowerBound * aRowStride + block.pc * aColumnStride
        let cBlock = c + rows.lowerBound * ldc + block.jc
        let packedA = workspace.a(count: pk_bf16_packed_a_size(block.mcMax, block.kc))
        pk_bf16_pack_a(rows.count, block.kc, aBlock, aRowStride, aColumnStride, alpha, packedA)
        pk_bf16_macro(rows.count, block.nc, block.kc, packedA, block.packedB, cBlock, ldc, block.beta)
    }
}

/// Packing buffers (bf16 pair words) owned by one thread at a time; they grow, then are reused.
private final class BF16Workspace: @unchecked Sendable {
    /// Work counter of a parallel call coordinated through this workspace.
    let next = Atomic<Int>(0)
    private var bufferA: UnsafeMutablePointer<UInt32>?
    private var capacityA = 0
    private var bufferB: UnsafeMutablePointer<UInt32>?
    private var capacityB = 0

    func a(count: Int) -> UnsafeMutablePointer<UInt32> { BF16Workspace.ensure(&bufferA, &capacityA, count) }
    func b(count: Int) -> UnsafeMutablePointer<UInt32> { BF16Workspace.ensure(&bufferB, &capacityB, count) }

    private static func ensure(_ buffer: inout UnsafeMutablePointer<UInt32>?, _ capacity: inout Int,
                               _ count: Int) -> UnsafeMutablePointer<UInt32> {
        if let existing = buffer, capacity >= count { return existing }
        buffer?.deallocate()
        let newCapacity = max(count, 1)
        let raw = UnsafeMutableRawPointer.allocate(byteCount: newCapacity * MemoryLayout<UInt32>.stride, alignment: 64)
        let fresh = raw.bindMemory(to: UInt32.self, capacity: newCapacity)
        buffer = fresh
        capacity = newCapacity
        return fresh
    }

    deinit {
        bufferA?.deallocate()
        bufferB?.deallocate()
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
