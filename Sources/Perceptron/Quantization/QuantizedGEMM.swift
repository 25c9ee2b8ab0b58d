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

    /// The quantization of `x` for this batch: its range, widened to hold 0.
    static func dynamicQuantization(of x: Matrix) -> AffineQuantization {
        var low: Float = 0, high: Float = 0
        x.withUnsafeBufferPointer { p in
            if let base = p.baseAddress, p.count > 0 { pk_min_max(p.count, base, &low, &high) }
        }
        return AffineQuantization(min: low, max: high)
    }

    /// `output` (resized to x.rows × w.columns) ← the fused product above; `scratch` holds
    /// the quantized rows (reused between calls).
    static func multiply(_ x: Matrix, quantization: AffineQuantization, weights w: QuantizedWeights, bias: [Float]?,
                         into output: inout Matrix, scratch: inout [UInt8], threads: Int = ComputeSettings.threadCount) {
        precondition(x.columns == w.rows, "quantized product: x has \(x.columns) columns, the weights \(w.rows) rows")
        precondition(w.kernel.isSupported, "int8 kernel \(w.kernel) is not supported by this CPU")
        precondition(bias == nil || bias!.count == w.columns, "quantized product: bias must have \(w.columns) values")
        let (m, n, k) = (x.rows, w.columns, w.rows)
        let lda = pk_qgemm_padded_k(k)
        if output.rows != m || output.columns != n { output.resize(rows: m, columns: n) }
        if m == 0 || n == 0 { return }
        if scratch.count < m * lda { scratch = [UInt8](repeating: 0, count: m * lda) }

        struct Task: ParallelTask {
            let m: Int, n: Int, k: Int, lda: Int, parts: Int, kernel: Int32
            let x: UnsafePointer<Float>, a: UnsafeMutablePointer<UInt8>, packed: UnsafePointer<Int8>
            let sums: UnsafePointer<Int32>, scales: UnsafePointer<Float>, bias: UnsafePointer<Float>?
            let quantization: AffineQuantization, c: UnsafeMutablePointer<Float>
            func run(_ part: Int) {
                let rows = ParallelKernels.split(m, parts: parts, granule: 6, index: part)
                if rows.isEmpty { return }
                let first = rows.lowerBound
                pk_quantize_u8(rows.count, k, x + first * k, k, quantization.scale, quantization.zeroPoint, a + first * lda, lda)
                pk_qgemm(kernel, rows.count, n, k, a + first * lda, lda, packed, sums, quantization.zeroPoint,
                         quantization.scale, scales, bias, c + first * n, n)
            }
        }
        let work = m.multipliedReportingOverflow(by: n).partialValue.multipliedReportingOverflow(by: k)
        let parts = work.overflow || work.partialValue >= parallelMinimumWork ? max(1, min(threads, (m + 5) / 6)) : 1
        x.withUnsafeBufferPointer { xp in
            scratch.withUnsafeMutableBufferPointer { ap in
                w.packed.withUnsafeBufferPointer { bp in
                    w.columnSums.withUnsafeBufferPointer { sp in
                        w.scales.withUnsafeBufferPointer { scp in
                            output.withUnsafeMutableBufferPointer { cp in
                                func run(_ biasPointer: UnsafePointer<Float>?) {
                                    let task = Task(m: m, n: n, k: k, lda: lda, parts: parts, kernel: w.kernel.rawValue,
                                                    x: xp.baseAddress!, a: ap.baseAddress!, packed: bp.baseAddress!,
                                                    sums: sp.baseAddress!, scales: scp.baseAddress!, bias: biasPointer,
                                                    quantization: quantization, c: cp.baseAddress!)
                                    WorkerPool.shared.run(parts: parts, task)
                                }
                                if let bias { bias.withUnsafeBufferPointer { run($0.baseAddress) } } else { run(nil) }
                            }
                        }
                    }
                }
            }
        }
    }
}
