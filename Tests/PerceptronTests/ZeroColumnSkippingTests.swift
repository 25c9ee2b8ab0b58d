import CPerceptronKernels
import XCTest
@testable import Perceptron

/// A Dense training pass that skips its input's zero columns (`ZeroColumnSkipping`) must give
/// the bits of the full products: z and a of x·W + b, ∂L/∂W = xᵀ·δ with its skipped rows +0
/// (not −0), ∂L/∂x = δ·Wᵀ. Exact equality, no tolerance: a skipped term is ±0, which leaves a
/// sum that started at +0 unchanged, and the kernels add each sum's terms in depth order.
final class ZeroColumnSkippingTests: XCTestCase {
    private func bits(_ m: Matrix) -> [UInt32] { m.withUnsafeBufferPointer { $0.map(\.bitPattern) } }

    /// m × k values with the columns in `zero` set to +0 or −0 (alternating by row).
    private func sparseInput(rows m: Int, columns k: Int, zero: Set<Int>, seed: UInt64) -> Matrix {
        var values = lcgValues(m * k, seed: seed)
        for i in 0..<m { for j in zero { values[i * k + j] = i % 2 == 0 ? 0 : -0.0 } }
        return Matrix(rows: m, columns: k, elements: values)
    }

    private func dense(inputs k: Int, units n: Int, activation: Activation) throws -> Dense {
        var layer = Dense(n, activation: activation)
        var generator = SeededGenerator(seed: 7)
        try layer.build(inputSize: k, generator: &generator)
        layer.parameters = [Matrix(rows: k, columns: n, elements: lcgValues(k * n, seed: 11)),
                            Matrix(rows: 1, columns: n, elements: lcgValues(n, seed: 12))]
        return layer
    }

    /// A batch of 300 (row blocks) and 64 (the smallest that looks) over 1-3 threads, ReLU,
    /// linear and tanh (the unfused activation path), with half the columns zero in runs,
    /// alone and at both ends: every output and gradient equals the full products'.
    func testSkippedPassGivesTheBitsOfTheFullProducts() throws {
        let saved = ComputeSettings.threadCount
        defer { try? ComputeSettings.setThreadCount(saved) }
        let (k, n) = (120, 256)
        let zero = Set([0, 1, 2, 17, 40, 41, 42, 43, 44, 45] + Array(60..<100) + Array(110..<120))
        for m in [300, 64] {
            let x = sparseInput(rows: m, columns: k, zero: zero, seed: UInt64(m))
            let g = Matrix(rows: m, columns: n, elements: lcgValues(m * n, seed: 5))
            XCTAssertTrue(ZeroColumnSkipping.worthLooking(rows: m, columns: k, units: n))
            XCTAssertTrue(ZeroColumnSkipping.worthSkipping(zeros: zero.count, rows: m, columns: k, units: n))
            for threads in [1, 2, 3] {
                try ComputeSettings.setThreadCount(threads)
                for activation in [Activation.relu, .linear, .tanh] {
                    var layer = try dense(inputs: k, units: n, activation: activation)
                    var generator = SeededGenerator(seed: 1)
                    layer.forward(x, training: true, generator: &generator)
                    layer.backward(input: x, outputGradient: g, needsInputGradient: true)

                    var z = Matrix(rows: 0, columns: 0), a = Matrix(rows: 0, columns: 0)
                    Matrix.multiply(x, layer.weight, into: &z)
                    z.addRowVector(layer.bias)
                    activation.apply(z, into: &a)
                    var delta = Matrix(rows: 0, columns: 0)
                    activation.backward(outputGradient: g, input: z, output: a, into: &delta)
                    var dW = Matrix(rows: 0, columns: 0), dX = Matrix(rows: 0, columns: 0)
                    Matrix.multiply(x, delta, transposeA: true, into: &dW)
                    Matrix.multiply(delta, layer.weight, transposeB: true, into: &dX)

                    let label = "m \(m), \(threads) threads, \(activation)"
                    XCTAssertEqual(bits(layer.preactivation), bits(z), "z: " + label)
                    XCTAssertEqual(bits(layer.output), bits(a), "a: " + label)
                    XCTAssertEqual(bits(layer.weightGradient), bits(dW), "∂L/∂W: " + label)
                    XCTAssertEqual(bits(layer.inputGradient), bits(dX), "∂L/∂x: " + label)
                    for j in zero {
                        XCTAssertEqual(layer.weightGradient.row(j).map(\.bitPattern), [UInt32](repeating: 0, count: n),
                                       "row \(j) of ∂L/∂W is not +0: " + label)
                    }
                }
            }
        }
    }

    /// The skipped pass's compact input belongs to the matrix the forward pass saw: a backward
    /// given another input (or one after an inference pass) computes from the input it is given.
    func testBackwardReadsTheInputItIsGiven() throws {
        let (m, k, n) = (100, 64, 256)
        let x = sparseInput(rows: m, columns: k, zero: Set(0..<32), seed: 1)
        let other = Matrix(rows: m, columns: k, elements: lcgValues(m * k, seed: 2))
        let g = Matrix(rows: m, columns: n, elements: lcgValues(m * n, seed: 3))
        for inferenceBetween in [false, true] {
            var layer = try dense(inputs: k, units: n, activation: .linear)
            var generator = SeededGenerator(seed: 1)
            layer.forward(x, training: true, generator: &generator)
            if inferenceBetween { layer.forward(x, training: false, generator: &generator) }
            let input = inferenceBetween ? x : other
            layer.backward(input: input, outputGradient: g, needsInputGradient: false)
            var dW = Matrix(rows: 0, columns: 0)
            Matrix.multiply(input, g, transposeA: true, into: &dW)
            XCTAssertEqual(bits(layer.weightGradient), bits(dW), "inference pass between: \(inferenceBetween)")
        }
    }

    /// The cost model: narrow layers and small batches are not looked at; a few zero columns
    /// of many are not worth the copies; NaN, ±Inf and subnormals are not zero.
    func testWhenItSkips() {
        XCTAssertFalse(ZeroColumnSkipping.worthLooking(rows: 1000, columns: 512, units: 128))
        XCTAssertFalse(ZeroColumnSkipping.worthLooking(rows: 32, columns: 784, units: 512))
        XCTAssertTrue(ZeroColumnSkipping.worthLooking(rows: 1000, columns: 784, units: 512))
        // MNIST at batch 1,000: ~173 of 784 zero.
        XCTAssertTrue(ZeroColumnSkipping.worthSkipping(zeros: 173, rows: 1000, columns: 784, units: 512))
        XCTAssertFalse(ZeroColumnSkipping.worthSkipping(zeros: 10, rows: 1000, columns: 784, units: 512))
        XCTAssertTrue(ZeroColumnSkipping.worthSkipping(zeros: Int.max / 2, rows: 1 << 20, columns: 784, units: 1 << 20))

        let special: [Float] = [.nan, .infinity, -.infinity, .leastNonzeroMagnitude, -.leastNonzeroMagnitude, 0, -0.0]
        var skipping = ZeroColumnSkipping()
        for value in special {
            // Column 3 holds `value` in one row of 64, everything else in columns 0..<150 is ±0.
            var values = [Float](repeating: 0, count: 64 * 300)
            for i in 0..<64 { for j in 150..<300 { values[i * 300 + j] = 1 } }
            values[40 * 300 + 3] = value
            values[41 * 300 + 5] = -0.0
            let x = Matrix(rows: 64, columns: 300, elements: values)
            let w = Matrix(rows: 300, columns: 4096, repeating: 1)
            XCTAssertTrue(skipping.prepare(input: x, weight: w), "\(value)")
            let kept = value == 0 ? 150 : 151
            XCTAssertEqual(skipping.input.columns, kept, "\(value)")
            XCTAssertEqual(skipping.weight.rows, kept, "\(value)")
        }
    }

    /// The kernels against plain loops: every column count around the 16-lane and 256-column
    /// steps, rows strided (a column block of a wider matrix), runs of every length; the
    /// portable form, and the AVX-512 one where the CPU has it.
    func testKernelsAgainstPlainLoops() {
        let isas = [Int32(PK_ISA_SCALAR)] + (pk_sgemm_isa_supported(Int32(PK_ISA_AVX512)) != 0 ? [Int32(PK_ISA_AVX512)] : [])
        for (rows, cols, ld) in [(1, 1, 1), (3, 15, 17), (5, 16, 16), (7, 255, 260), (9, 256, 256), (4, 257, 300), (2, 600, 600)] {
            var values = lcgValues(rows * ld, seed: UInt64(cols))
            for j in 0..<cols where j % 3 == 0 || (j / 7) % 2 == 0 { for i in 0..<rows { values[i * ld + j] = i % 2 == 0 ? 0 : -0.0 } }
            var expected = [UInt32](repeating: 0, count: cols)
            for i in 0..<rows { for j in 0..<cols { expected[j] |= values[i * ld + j].bitPattern & 0x7FFF_FFFF } }
            for isa in isas {
                var got = [UInt32](repeating: 0xDEAD, count: cols)
                let zeros = values.withUnsafeBufferPointer { pk_zero_columns_isa(isa, rows, cols, $0.baseAddress!, ld, &got) }
                XCTAssertEqual(got, expected, "ISA \(isa), \(rows)×\(cols) ld \(ld)")
                XCTAssertEqual(zeros, expected.filter { $0 == 0 }.count, "ISA \(isa), \(rows)×\(cols) ld \(ld)")
            }

            var runs: [Int] = []
            var j = 0
            while j < cols { let first = j; j += 1 + (first * 7) % 20; j = min(j, cols); runs += [first, j - first]; j += first % 3 }
            let kept = stride(from: 1, to: runs.count, by: 2).reduce(0) { $0 + runs[$1] }
            var plain: [Float] = []
            for i in 0..<rows { for r in stride(from: 0, to: runs.count, by: 2) { plain += values[i * ld + runs[r] ..< i * ld + runs[r] + runs[r + 1]] } }
            for isa in isas {
                var out = [Float](repeating: .nan, count: rows * kept)
                values.withUnsafeBufferPointer { x in
                    pk_gather_column_runs_isa(isa, rows, x.baseAddress!, ld, runs, runs.count / 2, &out, kept)
                }
                XCTAssertEqual(out.map(\.bitPattern), plain.map(\.bitPattern), "ISA \(isa), gather \(rows)×\(cols) ld \(ld)")
            }
        }
    }
}
