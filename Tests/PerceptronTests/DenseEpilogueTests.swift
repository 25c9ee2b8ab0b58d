import CPerceptronKernels
import XCTest
@testable import Perceptron

/// The dense forward pass with bias and activation applied to each finished block of the
/// product (`Matrix.multiplyDense`, `GEMMEpilogue`), fp32 and bf16, must give exactly the bits
/// of the separate passes it replaces: the product, then z += b, then a = ReLU(z) or a copy.
/// Exact equality, no tolerance: the epilogue does the same fp32 operations per element.
final class DenseEpilogueTests: XCTestCase {
    private func bits(_ m: Matrix) -> [UInt32] { m.withUnsafeBufferPointer { $0.map(\.bitPattern) } }

    /// Every path of the fp32 GEMM (rows one by one for m ≤ 4, the swapped few-row product for
    /// m ≤ 32, column slices for a product with few rows per thread, row blocks, and W packed
    /// beforehand as at inference) and the bf16 GEMM, on 1-3 threads.
    func testFusedForwardMatchesSeparatePasses() throws {
        let saved = ComputeSettings.threadCount
        defer { try? ComputeSettings.setThreadCount(saved) }
        let (k, n) = (200, 96)
        let weight = Matrix(rows: k, columns: n, elements: lcgValues(k * n, seed: 2))
        let bias = Matrix(rows: 1, columns: n, elements: lcgValues(n, seed: 3))
        let packed = weight.withUnsafeBufferPointer { GEMM.PackedB(transposeB: false, k: k, n: n, b: $0.baseAddress!, ldb: n) }
        var cases: [(ComputePrecision, Int, GEMM.PackedB?)] = [(.float32, 3, nil), (.float32, 20, nil), (.float32, 64, nil),
                                                              (.float32, 301, nil), (.float32, 301, packed), (.float32, 64, packed)]
        if ComputePrecision.bfloat16.isSupported { cases.append((.bfloat16, 301, nil)) }
        for (precision, m, prepacked) in cases {
            let x = Matrix(rows: m, columns: k, elements: lcgValues(m * k, seed: UInt64(m)))
            for threads in [1, 2, 3] {
                try ComputeSettings.setThreadCount(threads)
                for (activation, useBias) in [(Activation.relu, true), (.relu, false), (.linear, true), (.linear, false)] {
                    var zRef = Matrix(rows: 0, columns: 0), aRef = Matrix(rows: 0, columns: 0)
                    Matrix.multiply(x, weight, precision: precision, prepackedB: prepacked, into: &zRef)
                    if useBias { zRef.addRowVector(bias) }
                    activation.apply(zRef, into: &aRef)
                    var z = Matrix(rows: 0, columns: 0), a = Matrix(rows: 0, columns: 0)
                    Matrix.multiplyDense(x, weight, bias: useBias ? bias : nil, relu: activation == .relu,
                                         precision: precision, prepackedB: prepacked, into: &z, activated: &a)
                    let label = "\(precision) m \(m) prepacked \(prepacked != nil), \(threads) threads, \(activation), bias \(useBias)"
                    XCTAssertEqual(bits(z), bits(zRef), "z: " + label)
                    XCTAssertEqual(bits(a), bits(aRef), "a: " + label)
                    var inPlace = Matrix(rows: 0, columns: 0)  // an inference pass's single matrix
                    Matrix.multiplyDense(x, weight, bias: useBias ? bias : nil, relu: activation == .relu,
                                         precision: precision, prepackedB: prepacked, activatedInPlace: &inPlace)
                    XCTAssertEqual(bits(inPlace), bits(aRef), "a in place: " + label)
                    if activation == .relu { XCTAssertTrue(a.withUnsafeBufferPointer { $0.contains(0) }, "ReLU cut nothing: " + label) }
                }
            }
        }
    }

    /// A Dense layer's inference pass writes f(x·W + b) into its output alone: the bits of a
    /// training pass's output, with no z kept (a training pass keeps it for backward). A
    /// backward pass after it (``Sequential/lossAndGradients(_:_:training:)`` runs the layers
    /// in inference mode) reads ReLU's derivative from a instead (a > 0 exactly where z > 0),
    /// and must give the gradients' bits of a backward after a training pass.
    func testInferencePassGivesTrainingOutputBitsWithoutZ() throws {
        for activation in [Activation.relu, .linear] {
            var layer = Dense(40, activation: activation)
            var generator = SeededGenerator(seed: 5)
            try layer.build(inputSize: 30, generator: &generator)
            for rows in [3, 32, 200] {  // row by row, swapped, packed (W packed once at inference)
                let x = Matrix(rows: rows, columns: 30, elements: lcgValues(rows * 30, seed: UInt64(rows)))
                layer.forward(x, training: true, generator: &generator)
                let trained = bits(layer.output)
                XCTAssertEqual(layer.preactivation.rows, rows)
                let upstream = Matrix(rows: rows, columns: 40, elements: lcgValues(rows * 40, seed: 9))
                layer.backward(input: x, outputGradient: upstream, needsInputGradient: true)
                let trainedGradients = [layer.weightGradient, layer.biasGradient, layer.inputGradient].map(bits)
                layer.forward(x, training: false, generator: &generator)
                XCTAssertEqual(bits(layer.output), trained, "\(activation), \(rows) rows")
                XCTAssertEqual(layer.preactivation.count, 0, "\(activation): an inference pass keeps no z")
                layer.backward(input: x, outputGradient: upstream, needsInputGradient: true)
                XCTAssertEqual([layer.weightGradient, layer.biasGradient, layer.inputGradient].map(bits), trainedGradients,
                               "\(activation), \(rows) rows: backward after an inference pass")
            }
        }
    }

    /// With B packed in several passes (one depth block each) the epilogue runs once per
    /// block of C, after the last pass only: still the bits of the separate passes.
    func testEpilogueRunsAfterTheLastPassOnly() throws {
        try requireBF16("dense epilogue")
        let (m, n, k) = (100, 70, 1001)
        let a = lcgValues(m * k, seed: 5), b = lcgValues(k * n, seed: 6), bias = lcgValues(n, seed: 7)
        func product(threads: Int, depthBlocksPerPass: Int?, epilogue: Bool) -> (z: [Float], act: [Float]) {
            var c = [Float](repeating: .nan, count: m * n)
            var act = [Float](repeating: .nan, count: m * n)
            a.withUnsafeBufferPointer { pa in
                b.withUnsafeBufferPointer { pb in
                    bias.withUnsafeBufferPointer { pbias in
                        c.withUnsafeMutableBufferPointer { pc in
                            act.withUnsafeMutableBufferPointer { pact in
                                BF16GEMM.gemm(transposeA: false, transposeB: true, m: m, n: n, k: k, alpha: 1,
                                              a: pa.baseAddress!, lda: k, b: pb.baseAddress!, ldb: k, beta: 0,
                                              c: pc.baseAddress!, ldc: n, threads: threads, ignoreParallelThresholds: true,
                                              depthBlocksPerPass: depthBlocksPerPass,
                                              epilogue: epilogue ? GEMMEpilogue(bias: pbias.baseAddress, activated: pact.baseAddress,
                                                                                ldActivated: n, relu: true) : nil)
                                if !epilogue {
                                    pk_bias_activate(m, n, pc.baseAddress, n, pbias.baseAddress, pact.baseAddress, n, 1)
                                }
                            }
                        }
                    }
                }
            }
            return (c, act)
        }
        let reference = product(threads: 1, depthBlocksPerPass: nil, epilogue: false)
        for threads in [1, 2, 3] {
            for perPass in [nil, 1] as [Int?] {
                let fused = product(threads: threads, depthBlocksPerPass: perPass, epilogue: true)
                XCTAssertEqual(fused.z.map(\.bitPattern), reference.z.map(\.bitPattern), "z, \(threads) threads, \(String(describing: perPass))")
                XCTAssertEqual(fused.act.map(\.bitPattern), reference.act.map(\.bitPattern), "a, \(threads) threads, \(String(describing: perPass))")
            }
        }
    }

    /// pk_bias_activate is the separate passes element by element: z += b, then ReLU (or a
    /// copy), whichever instruction set runs it (AVX-512's is one pass of vmaxps, whose NaN
    /// and signed-zero rules must give the loop's `z > 0 ? z : 0`): NaN, ±0, ±∞ and a sum
    /// that cancels to −0 included, rows `ld` apart with a masked last group of columns,
    /// with and without a bias or an activated output (without one, ReLU goes into z).
    func testBiasActivateKernelMatchesSeparateKernels() {
        let (rows, cols, ld) = (7, 37, 41)
        var z0 = lcgValues(rows * ld, seed: 11)
        var b = lcgValues(cols, seed: 12)
        let specials: [Float] = [.nan, -0.0, 0.0, .infinity, -.infinity, -1.5, 1e-45, -1e-45]
        for (i, value) in specials.enumerated() { z0[i * 5] = value }
        z0[3] = -0.0; b[3] = -0.0     // −0 + −0 = −0, then ReLU: +0
        z0[ld + 4] = 2.5; b[4] = -2.5  // cancels to +0
        for relu in [Int32(1), 0] {
            for withBias in [true, false] {
                for withActivated in [true, false] {
                    var z = z0, zRef = z0
                    var a = [Float](repeating: 7, count: rows * ld), aRef = a
                    for i in 0..<rows {
                        for j in 0..<cols {
                            if withBias { zRef[i * ld + j] += b[j] }
                            let v = zRef[i * ld + j]
                            if withActivated { aRef[i * ld + j] = relu == 1 ? (v > 0 ? v : 0) : v }
                            else if relu == 1 { zRef[i * ld + j] = v > 0 ? v : 0 }  // in place
                        }
                    }
                    b.withUnsafeBufferPointer { bp in
                        a.withUnsafeMutableBufferPointer { ap in
                            pk_bias_activate(rows, cols, &z, ld, withBias ? bp.baseAddress : nil,
                                             withActivated ? ap.baseAddress : nil, ld, relu)
                        }
                    }
                    let label = "relu \(relu), bias \(withBias), activated \(withActivated)"
                    XCTAssertEqual(z.map(\.bitPattern), zRef.map(\.bitPattern), "z, \(label)")
                    XCTAssertEqual(a.map(\.bitPattern), aRef.map(\.bitPattern), "a, \(label)")
                }
            }
        }
        // The kernel against the separate kernels it fuses.
        var z = lcgValues(rows * cols, seed: 13), zRef = z
        var a = [Float](repeating: .nan, count: rows * cols), aRef = a
        pk_add_row_vector(rows, cols, &zRef, b)
        pk_relu(rows * cols, zRef, &aRef)
        pk_bias_activate(rows, cols, &z, cols, b, &a, cols, 1)
        XCTAssertEqual(z.map(\.bitPattern), zRef.map(\.bitPattern))
        XCTAssertEqual(a.map(\.bitPattern), aRef.map(\.bitPattern))
    }
}
