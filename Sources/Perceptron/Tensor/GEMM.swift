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
///     for ic in 0..<m step MC
///       pack α·op(A)[ic, pc] → MR-tall panels
///       C[ic, jc] ← Ã·B̃ + (pc == 0 ? β : 1)·C[ic, jc]   (C micro-kernels, MR × NR)
/// ```
/// The micro-kernels live in the `CPerceptronKernels` C target: AVX-512 12 × 32 (12 × 16 for
/// a last panel of ≤ 16 columns), AVX2 6 × 16 / 6 × 8, and a portable 4 × 8, chosen at run
/// time from the CPU. Rows of C with m ≤ ``smallRowLimit`` (e.g. a single-sample forward)
/// skip packing and use a direct vector–matrix kernel.
///
/// Threads split C into disjoint row slices (or column slices when n > m), each computed by
/// the single-thread algorithm with its own packing buffers; K is never split, so every
/// element of C is summed in the same order for any thread count and the result is
/// bit-identical across runs and thread counts.
enum GEMM {
    /// Micro-kernel families; raw values match `PK_ISA_*` in the C target.
    enum Kernel: Int32, CaseIterable, Sendable {
        case scalar = 0
        case avx2 = 1
        case avx512 = 2

        /// Whether this CPU can run the kernel.
        var isSupported: Bool { pk_sgemm_isa_supported(rawValue) != 0 }

        /// The fastest kernel this CPU supports.
        static let best: Kernel = Kernel(rawValue: pk_sgemm_best_isa()) ?? .scalar
    }

    /// Largest m handled row by row with the unpacked vector–matrix kernel.
    static let smallRowLimit = 4
    /// Below this many multiply–adds (m·n·k) the packed path runs on one thread.
    static let parallelMinimumWork = 1 << 20
    /// Below this many multiply–adds (n·k) a vector–matrix product runs on one thread.
    static let parallelMinimumVectorWork = 1 << 16
    /// Cache blocking: KC (depth of a packed block), MC (rows of A per packed block),
    /// NC (columns of B per packed block).
    /// KC·NR·4 B = 32 KiB keeps a B micro-panel in L1 (48 KiB) beside an A micro-panel;
    /// MC·KC·4 B = 120 KiB keeps the packed A block in L2 (1–2 MiB).
    static let maxKC = 256
    static let maxMC = 120
    static let maxNC = 3072

    static func sgemm(
        transposeA: Bool, transposeB: Bool,
        m: Int, n: Int, k: Int,
        alpha: Float,
        a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float,
        c: UnsafeMutablePointer<Float>, ldc: Int,
        threads: Int
    ) {
        sgemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
              a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc,
              threads: threads, kernel: Kernel.best)
    }

    /// ``sgemm(transposeA:transposeB:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:threads:)`` with an
    /// explicit micro-kernel family (tests use it to cover every family the CPU runs).
    static func sgemm(
        transposeA: Bool, transposeB: Bool,
        m: Int, n: Int, k: Int,
        alpha: Float,
        a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float,
        c: UnsafeMutablePointer<Float>, ldc: Int,
        threads: Int, kernel: Kernel
    ) {
        precondition(m >= 0 && n >= 0 && k >= 0, "GEMM sizes must be non-negative, got m=\(m) n=\(n) k=\(k)")
        precondition(lda >= max(1, transposeA ? m : k), "GEMM lda=\(lda) too small for \(transposeA ? "Aᵀ" : "A") with m=\(m) k=\(k)")
        precondition(ldb >= max(1, transposeB ? k : n), "GEMM ldb=\(ldb) too small for \(transposeB ? "Bᵀ" : "B") with k=\(k) n=\(n)")
        precondition(ldc >= max(1, n), "GEMM ldc=\(ldc) too small for n=\(n)")
        precondition(kernel.isSupported, "GEMM kernel \(kernel) is not supported by this CPU")
        if m == 0 || n == 0 { return }
        if k == 0 || alpha == 0 {
            scale(m: m, n: n, beta: beta, c: c, ldc: ldc)
            return
        }
        let problem = Problem(
            isa: kernel.rawValue, m: m, n: n, k: k, alpha: alpha, beta: beta,
            a: a, aRowStride: transposeA ? 1 : lda, aColumnStride: transposeA ? lda : 1,
            b: b, bRowStride: transposeB ? 1 : ldb, bColumnStride: transposeB ? ldb : 1,
            c: c, ldc: ldc, directA: n <= pk_sgemm_direct_a_max_n(kernel.rawValue))
        if m <= smallRowLimit {
            problem.runRowByRow(threads: threads)
        } else {
            problem.runPacked(threads: threads)
        }
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

    /// The same problem restricted to rows `rows` and columns `columns` of C.
    func slice(rows: Range<Int>, columns: Range<Int>) -> Problem {
        Problem(isa: isa, m: rows.count, n: columns.count, k: k, alpha: alpha, beta: beta,
                a: a + rows.lowerBound * aRowStride, aRowStride: aRowStride, aColumnStride: aColumnStride,
                b: b + columns.lowerBound * bColumnStride, bRowStride: bRowStride, bColumnStride: bColumnStride,
                c: c + rows.lowerBound * ldc + columns.lowerBound, ldc: ldc, directA: directA)
    }

    /// Splits `count` into `parts` ranges whose inner boundaries are multiples of `granule`.
    static func split(_ count: Int, parts: Int, granule: Int, index: Int) -> Range<Int> {
        let units = (count + granule - 1) / granule
        let lower = min(count, units * index / parts * granule)
        let upper = index == parts - 1 ? count : min(count, units * (index + 1) / parts * granule)
        return lower..<upper
    }

    /// Runs `body` on `parts` threads (inline when parts == 1).
    static func parallel(_ parts: Int, _ body: @Sendable (Int) -> Void) {
        if parts <= 1 {
            body(0)
        } else {
            DispatchQueue.concurrentPerform(iterations: parts, execute: body)
        }
    }

    // MARK: Packed path

    func runPacked(threads: Int) {
        let mr = pk_sgemm_mr(isa), nr = pk_sgemm_nr(isa)
        let byRows = m >= n
        let granule = byRows ? mr : nr
        let units = ((byRows ? m : n) + granule - 1) / granule
        let parts = m * n * k >= GEMM.parallelMinimumWork ? min(max(1, threads), units) : 1
        if parts == 1 {
            let workspace = WorkspacePool.acquire()
            packed(workspace)
            WorkspacePool.release(workspace)
            return
        }
        let count = byRows ? m : n
        Problem.parallel(parts) { index in
            let range = Problem.split(count, parts: parts, granule: granule, index: index)
            if range.isEmpty { return }
            let part = byRows ? slice(rows: range, columns: 0..<n) : slice(rows: 0..<m, columns: range)
            let workspace = WorkspacePool.acquire()
            part.packed(workspace)
            WorkspacePool.release(workspace)
        }
    }

    /// The single-thread blocked algorithm over this (sub)problem.
    private func packed(_ workspace: Workspace) {
        let kBlocks = (k + GEMM.maxKC - 1) / GEMM.maxKC
        let kcStep = (k + kBlocks - 1) / kBlocks
        if directA {
            // One panel of B: each element of A is used once, so A is read in place.
            let edge = workspace.a(count: pk_sgemm_packed_a_size(isa, 1, kcStep))
            let packedB = workspace.b(count: pk_sgemm_packed_b_size(isa, kcStep, n))
            var pc = 0
            while pc < k {
                let kc = min(kcStep, k - pc)
                pk_sgemm_pack_b(isa, kc, n, b + pc * bRowStride, bRowStride, bColumnStride, packedB)
                pk_sgemm_direct_a(isa, m, n, kc, a + pc * aColumnStride, aRowStride, aColumnStride,
                                  alpha, packedB, c, ldc, pc == 0 ? beta : 1, edge)
                pc += kc
            }
            return
        }
        let ncMax = min(n, GEMM.maxNC), mcMax = min(m, GEMM.maxMC)
        let packedA = workspace.a(count: pk_sgemm_packed_a_size(isa, mcMax, kcStep))
        let packedB = workspace.b(count: pk_sgemm_packed_b_size(isa, kcStep, ncMax))
        var jc = 0
        while jc < n {
            let nc = min(GEMM.maxNC, n - jc)
            var pc = 0
            while pc < k {
                let kc = min(kcStep, k - pc)
                pk_sgemm_pack_b(isa, kc, nc, b + pc * bRowStride + jc * bColumnStride,
                                bRowStride, bColumnStride, packedB)
                let blockBeta: Float = pc == 0 ? beta : 1
                var ic = 0
                while ic < m {
                    let mc = min(GEMM.maxMC, m - ic)
                    pk_sgemm_pack_a(isa, mc, kc, a + ic * aRowStride + pc * aColumnStride,
                                    aRowStride, aColumnStride, alpha, packedA)
                    pk_sgemm_macro(isa, mc, nc, kc, packedA, packedB, c + ic * ldc + jc, ldc, blockBeta)
                    ic += mc
                }
                pc += kc
            }
            jc += nc
        }
    }

    // MARK: Unpacked path for few rows

    func runRowByRow(threads: Int) {
        // Every column is summed the same way in the C kernels, so any split into
        // 16-column granules gives the same bits.
        let granule = 16
        let units = (n + granule - 1) / granule
        let parts = n * k >= GEMM.parallelMinimumVectorWork ? min(max(1, threads), units) : 1
        if parts == 1 {
            rows()
            return
        }
        // The calling thread takes slice 0 and the others the rest, so that in repeated
        // calls (batch-1 predictions) each core reads the same slice of B again and finds
        // it in its own L2 cache. Slices are claimed through a bit mask, in case one
        // thread runs several iterations.
        let claims = WorkspacePool.acquire()
        claims.claimed.store(0, ordering: .relaxed)
        let caller = ThreadIdentity.current
        Problem.parallel(parts) { _ in
            let isCaller = ThreadIdentity.current == caller
            var slice = 0
            while true {
                let candidate = isCaller ? slice : (slice + 1) % parts
                let bit = 1 << candidate
                if claims.claimed.bitwiseOr(bit, ordering: .acquiringAndReleasing).oldValue & bit == 0 {
                    slice = candidate
                    break
                }
                slice += 1
            }
            let columns = Problem.split(n, parts: parts, granule: granule, index: slice)
            if !columns.isEmpty { self.slice(rows: 0..<m, columns: columns).rows() }
        }
        WorkspacePool.release(claims)
    }

    private func rows() {
        if bColumnStride == 1 {
            for i in 0..<m {
                pk_sgemv_rowmajor(isa, k, n, alpha, a + i * aRowStride, aColumnStride,
                                  b, bRowStride, beta, c + i * ldc)
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
    /// Slices taken so far by the threads of one parallel vector–matrix call.
    let claimed = Atomic<Int>(0)
    private var bufferA: UnsafeMutablePointer<Float>?
    private var capacityA = 0
    private var bufferB: UnsafeMutablePointer<Float>?
    private var capacityB = 0

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
    private static let free = Mutex<[Workspace]>([])

    static func acquire() -> Workspace {
        free.withLock { $0.popLast() } ?? Workspace()
    }

    static func release(_ workspace: Workspace) {
        free.withLock { $0.append(workspace) }
    }
}
