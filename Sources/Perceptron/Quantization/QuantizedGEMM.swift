import CPerceptronKernels

/// The int8 matrix product of a quantized layer, with the dequantization fused (the C
/// kernels in `CPerceptronKernels/qgemm_*.c`):
///
/// ```
/// A = quantize(x)  (u8, one scale s_a and zero point z_a for the batch)
/// C[i, j] = float(Σ_p A[i, p]·q[p, j] − z_a·Σ_p q[p, j]) · (s_a·s[j]) + b[j]
///         = s_a·s[j]·Σ_p (A[i, p] − z_a)·q[p, j] + b[j]  ≈  (x·W + b)[i, j]
/// ```
/// The sum is exact in int32; AVX-512 VNNI (`vpdpbusd`, u8 × s8), AVX2 (int16 widening and
/// `vpmaddwd`) and the scalar loop give the same bits. Rows are split over the worker pool
/// (quantizing and multiplying its own rows), so the result is the same for any thread count.
/// An inference pass of a ReLU layer applies max(·, 0) in the product's store (`relu`), so
/// the layer writes its output once instead of z, then f(z) in a second pass.
enum QuantizedGEMM {
    /// Kernel families; raw values match `PK_QISA_*` in the C target.
    enum Kernel: Int32, CaseIterable, Sendable {
        case scalar = 0
        case avx2 = 1
        case avx512VNNI = 2

        /// Whether this CPU can run the kernel.
        var isSupported: Bool { pk_qgemm_isa_supported(rawValue) != 0 }

        /// The fastest kernel this CPU supports.
        static let best: Kernel = Kernel(rawValue: pk_qgemm_best_isa()) ?? .scalar
    }

    /// The widest input the int32 accumulators hold without overflow: |Σ (A − z)·q| ≤
    /// 255·128·k < 2³¹.
    static let maximumDepth = 65_536

    /// Below this many multiply–adds (m·n·k) the product stays on the calling thread.
    static let parallelMinimumWork = 1 << 22

    /// The quantization of `x` for this batch: its range, widened to hold 0. A large batch's
    /// range is found in row blocks on the worker pool (min and max are exact, so the
    /// result does not depend on the split).
    static func dynamicQuantization(of x: Matrix, threads: Int = ComputeSettings.threadCount) -> AffineQuantization {
        let count = x.rows * x.columns
        if count == 0 { return AffineQuantization(min: 0, max: 0) }
        let parts = count >= parallelMinimumRange ? max(1, min(threads, x.rows)) : 1
        if parts == 1 {
            // A small batch (one image: 784 values): the scan alone, without the pool's
            // dispatch, which costs more than the scan itself.
            var low: Float = 0, high: Float = 0
            x.withUnsafeBufferPointer { pk_min_max(count, $0.baseAddress!, &low, &high) }
            return AffineQuantization(min: low, max: high)
        }
        struct Range: ParallelTask {
            let rows: Int, columns: Int, parts: Int
            let x: UnsafePointer<Float>, lows: UnsafeMutablePointer<Float>, highs: UnsafeMutablePointer<Float>
            func run(_ part: Int) {
                let block = ParallelKernels.split(rows, parts: parts, granule: 1, index: part)
                if block.isEmpty { return }
                pk_min_max(block.count * columns, x + block.lowerBound * columns, lows + part, highs + part)
            }
        }
        // One low and one high per part, on the stack (no allocation per batch).
        return withUnsafeTemporaryAllocation(of: Float.self, capacity: 2 * parts) { slots in
            let lows = slots.baseAddress!, highs = lows + parts
            x.withUnsafeBufferPointer { p in
                WorkerPool.shared.run(parts: parts, Range(rows: x.rows, columns: x.columns, parts: parts,
                                                          x: p.baseAddress!, lows: lows, highs: highs))
            }
            // Every part has at least one row (parts ≤ rows), so every slot was written.
            var low = lows[0], high = highs[0]
            for part in 1..<parts {  // the first of equal values kept, as Array.min()/max() do
                if lows[part] < low { low = lows[part] }
                if high < highs[part] { high = highs[part] }
            }
            return AffineQuantization(min: low, max: high)
        }
    }

    /// Below this many elements the range is found on the calling thread.
    static let parallelMinimumRange = 1 << 18

    /// `output` (resized to x.rows × w.columns) ← the fused product above, with `relu`
    /// max(·, 0) applied in the same pass (as ``Activation/relu``); `scratch` holds the
    /// quantized rows (reused between calls). An output whose buffer is large enough (from
    /// an earlier batch) is reshaped in place; a new output or scratch buffer is written by
    /// the product itself, never zero-filled first: every element is stored exactly once.
    static func multiply(_ x: Matrix, quantization: AffineQuantization, weights w: QuantizedWeights, bias: [Float]?,
                         relu: Bool = false, into output: inout Matrix, scratch: inout [UInt8],
                         threads: Int = ComputeSettings.threadCount) {
        precondition(x.columns == w.rows, "quantized product: x has \(x.columns) columns, the weights \(w.rows) rows")
        precondition(w.kernel.isSupported, "int8 kernel \(w.kernel) is not supported by this CPU")
        precondition(bias == nil || bias!.count == w.columns, "quantized product: bias must have \(w.columns) values")
        let (m, n, k) = (x.rows, w.columns, w.rows)
        let lda = pk_qgemm_padded_k(k)
        if m == 0 || n == 0 {
            output.resize(rows: m, columns: n)
            return
        }

        struct Task: ParallelTask {
            let m: Int, n: Int, k: Int, lda: Int, parts: Int, kernel: Int32, relu: Int32
            let x: UnsafePointer<Float>, a: UnsafeMutablePointer<UInt8>, packed: UnsafePointer<Int8>
            let sums: UnsafePointer<Int32>, scales: UnsafePointer<Float>, bias: UnsafePointer<Float>?
            let quantization: AffineQuantization, c: UnsafeMutablePointer<Float>
            func run(_ part: Int) {
                let rows = ParallelKernels.split(m, parts: parts, granule: 6, index: part)
                if rows.isEmpty { return }
                let first = rows.lowerBound
                // Every byte of the rows' lda-wide A and every element of their C is written here.
                pk_quantize_u8(rows.count, k, x + first * k, k, quantization.scale, quantization.zeroPoint, a + first * lda, lda)
                pk_qgemm(kernel, rows.count, n, k, a + first * lda, lda, packed, sums, quantization.zeroPoint,
                         quantization.scale, scales, bias, relu, c + first * n, n)
            }
        }
        let work = m.multipliedReportingOverflow(by: n).partialValue.multipliedReportingOverflow(by: k)
        let parts = work.overflow || work.partialValue >= parallelMinimumWork ? max(1, min(threads, (m + 5) / 6)) : 1
        x.withUnsafeBufferPointer { xp in
            w.packed.withUnsafeBufferPointer { bp in
                w.columnSums.withUnsafeBufferPointer { sp in
                    w.scales.withUnsafeBufferPointer { scp in
                        func run(_ biasPointer: UnsafePointer<Float>?, _ a: UnsafeMutablePointer<UInt8>, _ c: UnsafeMutablePointer<Float>) {
                            let task = Task(m: m, n: n, k: k, lda: lda, parts: parts, kernel: w.kernel.rawValue, relu: relu ? 1 : 0,
                                            x: xp.baseAddress!, a: a, packed: bp.baseAddress!,
                                            sums: sp.baseAddress!, scales: scp.baseAddress!, bias: biasPointer,
                                            quantization: quantization, c: c)
                            WorkerPool.shared.run(parts: parts, task)
                        }
                        func run(_ a: UnsafeMutablePointer<UInt8>, _ c: UnsafeMutablePointer<Float>) {
                            if let bias { bias.withUnsafeBufferPointer { run($0.baseAddress, a, c) } } else { run(nil, a, c) }
                        }
                        func run(_ a: UnsafeMutablePointer<UInt8>) {
                            if output.rows != m || output.columns != n, output.storage.elementCapacity >= m * n {
                                // The buffer of an earlier, larger batch: reshaped in place (no new pages).
                                output.resize(rows: m, columns: n)
                            }
                            if output.rows == m && output.columns == n {
                                output.withUnsafeMutableBufferPointer { run(a, $0.baseAddress!) }
                            } else {
                                output = Matrix(rows: m, columns: n) { buffer in run(a, buffer.baseAddress!) }
                            }
                        }
                        if scratch.count >= m * lda {
                            scratch.withUnsafeMutableBufferPointer { run($0.baseAddress!) }
                        } else {
                            scratch = [UInt8](unsafeUninitializedCapacity: m * lda) { buffer, count in
                                run(buffer.baseAddress!)
                                count = m * lda
                            }
                        }
                    }
                }
            }
        }
    }
}
