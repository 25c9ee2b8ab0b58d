import CPerceptronKernels

extension GEMM {
    /// op(B) (k × n) packed once, block by block, into the micro-panels the packed path of
    /// ``GEMM/sgemm(transposeA:transposeB:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:threads:prepackedB:)``
    /// would otherwise pack on every call:
    ///
    /// ```
    /// for jc in 0..<n step NC, for pc in 0..<k step KC:
    ///     block(jc, pc) = pack_b(op(B)[pc ..< pc+kc, jc ..< jc+nc])      (NR-wide panels)
    /// ```
    ///
    /// with the KC step, NC and panel widths of ``GEMMBlocking`` for `kernel`, so a product
    /// given it computes every element by the same operations as one without: the same
    /// bits. For a B used with many A's, as a layer's weights at inference (a batch of
    /// 32 images through a 784 × 512 layer packed its 1.6 MB of weights per call).
    /// Immutable once made, so any number of threads may read it at once.
    final class PackedB: @unchecked Sendable {
        /// The micro-kernel family the panels are laid out for.
        let kernel: Kernel
        let k: Int, n: Int
        /// Depth of every block but the last (as the packed path derives it from k and KC).
        let kcStep: Int
        /// Columns per block (NC).
        let nc: Int
        private let kBlocks: Int
        /// Offset of block (column block j, depth block p) at j·kBlocks + p, in floats.
        private let offsets: [Int]
        private let storage: UnsafeMutablePointer<Float>

        /// Packs op(B): B[p, j] at b[p·ldb + j], or at b[j·ldb + p] when `transposeB`.
        init(transposeB: Bool, k: Int, n: Int, b: UnsafePointer<Float>, ldb: Int, kernel: Kernel = .best) {
            precondition(k >= 1 && n >= 1, "PackedB needs a non-empty B, got \(k)×\(n)")
            precondition(ldb >= (transposeB ? k : n), "PackedB ldb=\(ldb) too small")
            let blocking = GEMMBlocking.forKernel(kernel, depth: k)
            let isa = kernel.rawValue
            self.kernel = kernel
            self.k = k
            self.n = n
            kcStep = blocking.depthStep(k: k)
            nc = blocking.nc
            kBlocks = (k + kcStep - 1) / kcStep
            var offsets: [Int] = []
            var total = 0
            for jc in stride(from: 0, to: n, by: nc) {
                for pc in stride(from: 0, to: k, by: kcStep) {
                    offsets.append(total)
                    total += pk_sgemm_packed_b_size(isa, min(kcStep, k - pc), min(nc, n - jc))
                }
            }
            self.offsets = offsets
            let raw = UnsafeMutableRawPointer.allocate(byteCount: max(total, 1) * MemoryLayout<Float>.stride, alignment: 64)
            storage = raw.bindMemory(to: Float.self, capacity: max(total, 1))
            let (rowStride, columnStride) = transposeB ? (1, ldb) : (ldb, 1)
            var index = 0
            for jc in stride(from: 0, to: n, by: nc) {
                for pc in stride(from: 0, to: k, by: kcStep) {
                    pk_sgemm_pack_b(isa, min(kcStep, k - pc), min(nc, n - jc), b + pc * rowStride + jc * columnStride,
                                    rowStride, columnStride, storage + offsets[index])
                    index += 1
                }
            }
        }

        deinit { storage.deallocate() }

        /// The packed panels of op(B)[pc ..< pc+kc, column ..< end of its NC block]:
        /// `pc` a multiple of ``kcStep``, `column` a block start or NR columns past one
        /// (the panels before it in the block are full width).
        func panels(column: Int, depth pc: Int) -> UnsafePointer<Float> {
            let blockColumn = column / nc
            let within = column - blockColumn * nc
            precondition(pc % kcStep == 0 && within % pk_sgemm_nr(kernel.rawValue) == 0,
                         "PackedB: column \(column), depth \(pc) not on a panel boundary")
            let kc = min(kcStep, k - pc)
            return UnsafePointer(storage + offsets[blockColumn * kBlocks + pc / kcStep] + within * kc)
        }

        /// Whether it holds op(B) of a k × n product for `kernel`.
        func fits(k: Int, n: Int, kernel: Kernel) -> Bool {
            self.k == k && self.n == n && self.kernel == kernel
        }
    }
}
