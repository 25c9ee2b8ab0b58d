import CPerceptronKernels
import XCTest
@testable import Perceptron

/// The int8 product (``QuantizedGEMM``) on every kernel this CPU runs, against two references:
/// - the exact integer sum Σ (A − z_a)·q computed here in Int64, then the same float
///   dequantization: every kernel must give these bits (the sum is exact in int32);
/// - the float product x·W + b, within the quantization error bound (below).
final class QuantizedGEMMTests: XCTestCase {
    var kernels: [QuantizedGEMM.Kernel] {
        let supported = QuantizedGEMM.Kernel.allCases.filter(\.isSupported)
        let skipped = QuantizedGEMM.Kernel.allCases.filter { !$0.isSupported }
        if !skipped.isEmpty { print("QuantizedGEMMTests: this CPU cannot run \(skipped); testing \(supported)") }
        return supported
    }

    /// The kernel's contract, computed the slow way: u8 rows as pk_quantize_u8 makes them,
    /// the exact integer sum, then float(sum) · (s_a·s[j]) + b[j] with separate roundings.
    func reference(_ x: Matrix, _ quantization: AffineQuantization, _ w: QuantizedWeights, bias: [Float]?) -> Matrix {
        var c = Matrix(rows: x.rows, columns: w.columns)
        for i in 0..<x.rows {
            let a = (0..<x.columns).map { p -> Int64 in
                let v = (x[i, p] / quantization.scale).rounded(.toNearestOrEven) + Float(quantization.zeroPoint)
                return Int64(max(0, min(255, v)))
            }
            for j in 0..<w.columns {
                var sum: Int64 = 0
                for p in 0..<x.columns { sum += (a[p] - Int64(quantization.zeroPoint)) * Int64(w.values[p * w.columns + j]) }
                let scale = quantization.scale * w.scales[j]
                var v = Float(Int32(sum))
                v = v * scale
                if let bias { v = v + bias[j] }
                c[i, j] = v
            }
        }
        return c
    }

    func randomMatrix(_ rows: Int, _ columns: Int, _ g: inout SeededGenerator, range: ClosedRange<Float> = -1...1) -> Matrix {
        Matrix(rows: rows, columns: columns, elements: (0..<rows * columns).map { _ in Float.random(in: range, using: &g) })
    }

    func run(_ x: Matrix, _ q: AffineQuantization, _ w: QuantizedWeights, bias: [Float]?, relu: Bool = false, threads: Int = 1) -> Matrix {
        var out = Matrix(rows: 0, columns: 0)
        var scratch: [UInt8] = []
        QuantizedGEMM.multiply(x, quantization: q, weights: w, bias: bias, relu: relu, into: &out, scratch: &scratch, threads: threads)
        return out
    }

    /// The fused ReLU store gives, on every kernel, the bits of the plain product followed
    /// by the float path's ReLU (`pk_relu`: z > 0 ? z : +0), including rows of zeros
    /// (bias only, some of it negative), one-row batches and odd shapes.
    func testFusedReLUEqualsTheProductThenReLU() {
        var g = SeededGenerator(seed: 21)
        for (m, k, n) in [(1, 1, 1), (1, 37, 21), (7, 33, 65), (13, 64, 10), (97, 100, 130)] {
            var x = randomMatrix(m, k, &g, range: -3...3)
            for p in 0..<k { x[0, p] = 0 }   // an all-zero row: the output is relu(bias)
            let w = randomMatrix(k, n, &g)
            let bias = (0..<n).map { _ in Float.random(in: -1...1, using: &g) }
            let q = QuantizedGEMM.dynamicQuantization(of: x)
            for kernel in kernels {
                let weights = QuantizedWeights(quantizing: w, kernel: kernel)
                for b in [bias, nil] {
                    let plain = reference(x, q, weights, bias: b)
                    var expected = Matrix(rows: 0, columns: 0)
                    Activation.relu.apply(plain, into: &expected)
                    let fused = run(x, q, weights, bias: b, relu: true)
                    XCTAssertEqual(fused, expected, "\(kernel) m=\(m) k=\(k) n=\(n) bias=\(b != nil)")
                    XCTAssertTrue(fused.elements.allSatisfy { $0 >= 0 && $0.sign == .plus }, "\(kernel): no −0 or negative")
                    if let b { XCTAssertEqual(fused.row(0), b.map { $0 > 0 ? $0 : 0 }, "\(kernel) zero row") }
                }
            }
        }
    }

    /// Reused output and scratch buffers (same shape, then a smaller batch into larger
    /// buffers, then a larger one that needs new ones) give the bits of fresh buffers.
    func testReusedBuffersGiveTheBitsOfFreshOnes() {
        var g = SeededGenerator(seed: 17)
        let weights = QuantizedWeights(quantizing: randomMatrix(50, 30, &g))
        var out = Matrix(rows: 0, columns: 0)
        var scratch: [UInt8] = []
        for m in [40, 40, 7, 90, 1] {
            let x = randomMatrix(m, 50, &g)
            let q = QuantizedGEMM.dynamicQuantization(of: x)
            for relu in [false, true] {
                QuantizedGEMM.multiply(x, quantization: q, weights: weights, bias: nil, relu: relu, into: &out, scratch: &scratch, threads: 2)
                XCTAssertEqual(out, run(x, q, weights, bias: nil, relu: relu), "m=\(m) relu=\(relu)")
            }
        }
    }

    /// The batch range found in row blocks on several threads is the serial one (min and max
    /// are exact), for a batch above the parallel threshold and ones below it (found on the calling
    /// thread without the pool), one image included.
    func testDynamicRangeDoesNotDependOnTheThreadCount() {
        var g = SeededGenerator(seed: 8)
        for rows in [QuantizedGEMM.parallelMinimumRange / 64 + 3, 5, 1] {
            var x = randomMatrix(rows, 64, &g, range: -2...3)
            x[rows - 1, 63] = 9      // the maximum in the last row (the last block)
            x[0, 0] = -4             // the minimum in the first
            let serial = QuantizedGEMM.dynamicQuantization(of: x, threads: 1)
            XCTAssertEqual(serial, AffineQuantization(min: -4, max: 9))
            for threads in [2, 3, 7] { XCTAssertEqual(QuantizedGEMM.dynamicQuantization(of: x, threads: threads), serial, "\(threads) threads") }
        }
    }

    func testEveryKernelGivesTheExactIntegerResultOnRandomShapes() {
        var g = SeededGenerator(seed: 11)
        // Shapes around the tile edges: k not a multiple of 4, n around 16 and 64, m around 6.
        let shapes = [(1, 1, 1), (1, 784, 512), (5, 3, 17), (6, 16, 16), (7, 33, 65), (13, 64, 10), (97, 100, 130), (200, 9, 64)]
        for (m, k, n) in shapes {
            let x = randomMatrix(m, k, &g, range: -3...5)
            let w = randomMatrix(k, n, &g)
            let bias = (0..<n).map { _ in Float.random(in: -1...1, using: &g) }
            let q = QuantizedGEMM.dynamicQuantization(of: x)
            for kernel in kernels {
                let weights = QuantizedWeights(quantizing: w, kernel: kernel)
                let expected = reference(x, q, weights, bias: bias)
                XCTAssertEqual(run(x, q, weights, bias: bias), expected, "\(kernel) m=\(m) k=\(k) n=\(n)")
                XCTAssertEqual(run(x, q, weights, bias: nil), reference(x, q, weights, bias: nil), "\(kernel) no bias")
            }
        }
    }

    func testCloseToTheFloatProductWithinTheQuantizationBound() {
        var g = SeededGenerator(seed: 5)
        let (m, k, n) = (40, 300, 70)
        let x = randomMatrix(m, k, &g, range: -2...2)
        let w = randomMatrix(k, n, &g, range: -0.2...0.2)
        let bias = (0..<n).map { _ in Float.random(in: -1...1, using: &g) }
        let q = QuantizedGEMM.dynamicQuantization(of: x)
        let weights = QuantizedWeights(quantizing: w)
        let out = run(x, q, weights, bias: bias)
        let exact = Matrix.matmul(x, w)
        // Rounding moves each x by at most s_a/2 and each W[p, j] by at most s[j]/2, so
        // |Σ x̂·Ŵ − Σ x·W| ≤ Σ_p (|x_p|·s[j]/2 + |W_pj|·s_a/2 + s_a·s[j]/4); plus float error.
        for i in 0..<m {
            for j in 0..<n {
                var bound: Float = 0
                for p in 0..<k {
                    bound += abs(x[i, p]) * weights.scales[j] / 2 + abs(w[p, j]) * q.scale / 2 + q.scale * weights.scales[j] / 4
                }
                XCTAssertLessThanOrEqual(abs(out[i, j] - (exact[i, j] + bias[j])), bound * 1.01 + 1e-4, "(\(i), \(j))")
            }
        }
    }

    func testEdgeCases() throws {
        var g = SeededGenerator(seed: 9)
        let k = 37, n = 21
        let w = randomMatrix(k, n, &g)
        // All-zero rows: exactly the bias.
        let zeros = Matrix(rows: 3, columns: k)
        let bias = (0..<n).map { Float($0) / 4 }
        for kernel in kernels {
            let weights = QuantizedWeights(quantizing: w, kernel: kernel)
            let out = run(zeros, QuantizedGEMM.dynamicQuantization(of: zeros), weights, bias: bias)
            for i in 0..<3 { XCTAssertEqual(out.row(i), bias, "\(kernel) zero row") }
            // Saturation: with a static range [−1, 1], inputs of ±10⁶ give the bytes of ±2 (0 and 255).
            let calibrated = AffineQuantization(min: -1, max: 1)
            let wild = Matrix(rows: 2, columns: k, elements: (0..<2 * k).map { $0 % 2 == 0 ? 1e6 : -1e6 })
            let clamped = Matrix(rows: 2, columns: k, elements: (0..<2 * k).map { $0 % 2 == 0 ? 2 : -2 })
            XCTAssertEqual(run(wild, calibrated, weights, bias: bias), run(clamped, calibrated, weights, bias: bias), "\(kernel) saturation")
            XCTAssertEqual(run(wild, calibrated, weights, bias: bias), reference(wild, calibrated, weights, bias: bias))
            // Extremes of both operands: A = 255 everywhere against q = ±127 (the largest sums).
            let big = Matrix(rows: 1, columns: k, repeating: 3)
            let extreme = QuantizedWeights(rows: k, columns: n, values: (0..<k * n).map { $0 % 3 == 0 ? -127 : 127 },
                                           scales: [Float](repeating: 0.01, count: n), kernel: kernel)
            let top = try AffineQuantization(scale: 3.0 / 255, zeroPoint: 0)
            XCTAssertEqual(run(big, top, extreme, bias: nil), reference(big, top, extreme, bias: nil), "\(kernel) extremes")
            // One-row batch equals that row of a larger batch (static quantization: same bytes).
            let x = randomMatrix(9, k, &g)
            let many = run(x, calibrated, weights, bias: bias)
            let one = run(Matrix(row: x.row(4)), calibrated, weights, bias: bias)
            XCTAssertEqual(one.row(0), many.row(4), "\(kernel) one row")
        }
    }

    func testAllZeroWeightColumnHasScaleOneAndOutputsTheBias() {
        let w = Matrix([[0, 1], [0, -2]])
        let weights = QuantizedWeights(quantizing: w)
        XCTAssertEqual(weights.scales[0], 1)
        XCTAssertEqual(weights.values, [0, 64, 0, -127])
        let x = Matrix([[0.5, -0.25]])
        let out = run(x, QuantizedGEMM.dynamicQuantization(of: x), weights, bias: [7, 0])
        XCTAssertEqual(out[0, 0], 7)
    }

    func testThreadCountDoesNotChangeTheBits() {
        var g = SeededGenerator(seed: 3)
        let x = randomMatrix(500, 129, &g)
        let weights = QuantizedWeights(quantizing: randomMatrix(129, 100, &g))
        let q = QuantizedGEMM.dynamicQuantization(of: x)
        XCTAssertEqual(run(x, q, weights, bias: nil, threads: 1), run(x, q, weights, bias: nil, threads: 2))
        XCTAssertEqual(run(x, q, weights, bias: nil, threads: 1), run(x, q, weights, bias: nil, threads: 7))
        XCTAssertEqual(run(x, q, weights, bias: nil, relu: true, threads: 1), run(x, q, weights, bias: nil, relu: true, threads: 2))
    }

    /// The quantizer gives the bytes of round_half_even(x / s) + z, clamped, for every x:
    /// values a few ulps either side of every half-integer (k + ½)·s in the u8 range (where
    /// a shortcut such as x·(1/s) would round the other way), random values and ±0, ±∞,
    /// the largest floats and a subnormal, for scales with inexact reciprocals and a subnormal one.
    func testQuantizationEqualsRoundingTheQuotient() {
        var g = SeededGenerator(seed: 31)
        var scales: [Float] = [1, 3.0 / 255, 0.1, 7.3e-3, 1e-30, 3e-39, 12.5, 1.0 / 3]
        for _ in 0..<20 { scales.append(Float.random(in: 1e-4...2, using: &g)) }
        for scale in scales {
            for zero in [Int32(0), 128, 255] {
                var x: [Float] = []
                for k in -300...300 {
                    var v = (Float(k) + 0.5) * scale
                    for _ in 0..<3 { v = v.nextDown }
                    for _ in 0..<7 { x.append(v); v = v.nextUp }
                }
                for _ in 0..<500 { x.append(Float.random(in: -300...300, using: &g) * scale) }
                x += [0, -0.0, .infinity, -.infinity, .greatestFiniteMagnitude, -.greatestFiniteMagnitude, 1e-45]
                var out = [UInt8](repeating: 7, count: x.count)
                pk_quantize_u8(1, x.count, x, x.count, scale, zero, &out, x.count)
                let expected = x.map { v -> UInt8 in
                    let q = (v / scale).rounded(.toNearestOrEven) + Float(zero)
                    return UInt8(max(0, min(255, q)))
                }
                let wrong = (0..<x.count).filter { out[$0] != expected[$0] }
                XCTAssertTrue(wrong.isEmpty, "scale \(scale) z \(zero): x = \(wrong.prefix(3).map { x[$0] }) give \(wrong.prefix(3).map { out[$0] }), expected \(wrong.prefix(3).map { expected[$0] })")
            }
        }
    }

    /// DynamicQuantizeLinear's rule: the range widened to hold 0, 0 exact.
    func testAffineQuantizationOfARange() throws {
        let q = AffineQuantization(min: -1, max: 3)
        XCTAssertEqual(q.scale, 4 / 255)
        XCTAssertEqual(q.zeroPoint, 64)   // 1 / (4/255) = 63.75 → 64
        XCTAssertEqual(AffineQuantization(min: 2, max: 5).zeroPoint, 0)
        XCTAssertEqual(AffineQuantization(min: -5, max: -2).zeroPoint, 255)
        XCTAssertEqual(AffineQuantization(min: 0, max: 0).scale, 1)
        XCTAssertThrowsError(try AffineQuantization(scale: 0, zeroPoint: 0))
        XCTAssertThrowsError(try AffineQuantization(scale: 1, zeroPoint: 256))
        // The vector and scalar quantizers round halves to even, as ONNX QuantizeLinear.
        let x: [Float] = [0.5, 1.5, 2.5, -0.5, -1.5, 300, -300]
        var out = [UInt8](repeating: 9, count: 8)
        pk_quantize_u8(1, x.count, x, x.count, 1, 10, &out, 8)
        XCTAssertEqual(out, [10, 12, 12, 10, 8, 255, 0, 0])
    }
}
