import CPerceptronKernels

/// A Dense layer after post-training int8 quantization, for inference: the weights are
/// int8 with one symmetric scale per output unit (``QuantizedWeights``), the inputs are
/// quantized to u8 per batch (dynamic) or with a scale and zero point calibrated on sample
/// rows (static), the product runs in integers (``QuantizedGEMM``) and the bias and the
/// activation stay in float:
///
/// ```
/// A = quantize(x; s_a, z_a)                  dynamic: s_a, z_a from this batch's range
/// z[i, j] = s_a·s[j]·Σ_p (A[i, p] − z_a)·q[p, j] + b[j]        a = f(z)
/// ```
/// It has no trainable parameters: W (as q and s), b and the static input quantization are
/// buffers, saved in the model file as
/// ```
/// layers.<i>.weight            I8  [in, out]   q
/// layers.<i>.weight_scale      F32 [out]       s
/// layers.<i>.bias              F32 [out]       b (with a bias)
/// layers.<i>.input_scale       F32 [1]         s_a (static only)
/// layers.<i>.input_zero_point  F32 [1]         z_a, an integer in 0…255 (static only)
/// ```
/// A model holding it still back-propagates through it (∂L/∂x = ∂L/∂z·(s·q)ᵀ), so the
/// float layers around it can be fine-tuned, but the layer itself never changes.
///
/// With dynamic quantization a row's output depends slightly on the other rows of its
/// batch (they share s_a and z_a), as in PyTorch's `quantize_dynamic`.
///
/// An inference pass (`training: false`) of a ReLU or linear layer applies f in the
/// product's store and leaves ``preactivation`` empty (only backward reads z); a training
/// pass keeps z, then computes a = f(z). Both give the same bits.
public struct QuantizedDense: ActivatedLayer, TensorValueValidating {
    /// How a layer quantizes its inputs.
    public enum InputQuantization: String, Codable, Sendable, CaseIterable {
        /// Per batch, from the batch's range.
        case dynamic
        /// With a fixed scale and zero point, calibrated once on sample rows.
        case `static`
    }

    /// The settings that recreate the layer, saved as `{"quantized_dense": {…}}`.
    public struct Configuration: LayerConfiguration, Equatable {
        public static let registeredName = "quantized_dense"
        public var units: Int
        public var activation: Activation
        public var useBias: Bool
        public var inputQuantization: InputQuantization

        public func makeLayer() throws -> any Layer {
            QuantizedDense(units: units, activation: activation, useBias: useBias, inputQuantization: inputQuantization)
        }

        /// weight (I8 [in, units]), weight_scale [units], bias [units] with a bias,
        /// input_scale [1] and input_zero_point [1] when static; all buffers.
        public func tensorLayout(inputWidth: Int) throws -> LayerTensorLayout {
            guard units >= 1 else {
                throw PerceptronError.invalidHyperparameter(name: "QuantizedDense units", value: "\(units)", expected: "an integer ≥ 1")
            }
            var tensors = [LayerTensorLayout.Tensor("weight", shape: [inputWidth, units], isBuffer: true, dtype: .i8),
                           .init("weight_scale", shape: [units], isBuffer: true)]
            if useBias { tensors.append(.init("bias", shape: [units], isBuffer: true)) }
            if inputQuantization == .static {
                tensors.append(.init("input_scale", shape: [1], isBuffer: true))
                tensors.append(.init("input_zero_point", shape: [1], isBuffer: true))
            }
            return LayerTensorLayout(tensors: tensors, outputWidth: units)
        }
    }

    public let units: Int
    public let activation: Activation
    public let useBias: Bool
    public let inputQuantization: InputQuantization

    /// q, s and the packed copy the kernel reads.
    private(set) var weights: QuantizedWeights
    /// b (empty without a bias).
    public private(set) var bias: [Float]
    /// The calibrated input quantization (static only).
    public private(set) var calibratedInput: AffineQuantization?

    public private(set) var preactivation = Matrix(rows: 0, columns: 0)
    public private(set) var output = Matrix(rows: 0, columns: 0)
    public private(set) var inputGradient = Matrix(rows: 0, columns: 0)
    private var preactivationGradient = Matrix(rows: 0, columns: 0)
    private var quantizedInput: [UInt8] = []

    /// An empty layer of `units` outputs, to be built and then given its buffers (as the
    /// model-file loader does).
    public init(units: Int, activation: Activation = .linear, useBias: Bool = true, inputQuantization: InputQuantization = .dynamic) {
        self.units = units
        self.activation = activation
        self.useBias = useBias
        self.inputQuantization = inputQuantization
        self.weights = QuantizedWeights(rows: 0, columns: units < 0 ? 0 : units, values: [], scales: [Float](repeating: 1, count: max(0, units)))
        self.bias = []
    }

    /// The quantization of a built Dense layer.
    /// - Parameter input: the calibrated input quantization for static quantization; nil
    ///   for dynamic.
    /// - Throws: ``PerceptronError/incompatible(_:)`` for an unbuilt layer or more than
    ///   ``QuantizedGEMM/maximumDepth`` inputs.
    public init(quantizing dense: Dense, input: AffineQuantization? = nil) throws {
        guard dense.weight.count > 0 else { throw PerceptronError.incompatible("quantize a Dense layer after it is built") }
        guard dense.weight.rows <= QuantizedGEMM.maximumDepth else {
            throw PerceptronError.incompatible("a Dense layer with \(dense.weight.rows) inputs cannot be quantized "
                + "(at most \(QuantizedGEMM.maximumDepth), so the int32 sums cannot overflow)")
        }
        self.units = dense.units
        self.activation = dense.activation
        self.useBias = dense.useBias
        self.inputQuantization = input == nil ? .dynamic : .static
        self.weights = QuantizedWeights(quantizing: dense.weight)
        self.bias = dense.useBias ? dense.bias.elements : []
        self.calibratedInput = input
    }

    public var typeName: String { "QuantizedDense" }
    public var outputSize: Int { units }
    public var parameterCount: Int { 0 }
    /// The input width (rows of W).
    public var inputSize: Int { weights.rows }

    /// The int8 weights q, in × out, row-major.
    public var quantizedWeights: [Int8] { weights.values }
    /// The per-unit weight scales s.
    public var weightScales: [Float] { weights.scales }
    /// s·q, in × out: the weights the layer effectively multiplies by.
    public func dequantizedWeight() -> Matrix { weights.dequantized() }

    public var configuration: any LayerConfiguration {
        Configuration(units: units, activation: activation, useBias: useBias, inputQuantization: inputQuantization)
    }

    public mutating func build(inputSize: Int, generator: inout SeededGenerator) throws {
        guard units >= 1 else {
            throw PerceptronError.invalidHyperparameter(name: "QuantizedDense units", value: "\(units)", expected: "an integer ≥ 1")
        }
        guard inputSize >= 1 else {
            throw PerceptronError.invalidHyperparameter(name: "QuantizedDense input size", value: "\(inputSize)", expected: "an integer ≥ 1")
        }
        guard inputSize <= QuantizedGEMM.maximumDepth else {
            throw PerceptronError.invalidHyperparameter(name: "QuantizedDense input size", value: "\(inputSize)",
                                                        expected: "at most \(QuantizedGEMM.maximumDepth)")
        }
        // Built from a Dense layer: keep its weights.
        if weights.rows == inputSize && weights.columns == units && weights.values.count == inputSize * units { return }
        let (count, overflow) = inputSize.multipliedReportingOverflow(by: units)
        guard !overflow else {
            throw PerceptronError.invalidHyperparameter(name: "QuantizedDense size", value: "\(inputSize) inputs × \(units) units",
                                                        expected: "a weight matrix of at most \(Int.max) values")
        }
        weights = QuantizedWeights(rows: inputSize, columns: units, values: [Int8](repeating: 0, count: count),
                                   scales: [Float](repeating: 1, count: units))
        bias = useBias ? [Float](repeating: 0, count: units) : []
        if inputQuantization == .static { calibratedInput = try AffineQuantization(scale: 1, zeroPoint: 0) }
    }

    public mutating func forward(_ input: Matrix, training: Bool, generator: inout SeededGenerator) {
        precondition(input.columns == weights.rows, "QuantizedDense expects \(weights.rows) input columns, got \(input.columns)")
        let quantization = calibratedInput ?? QuantizedGEMM.dynamicQuantization(of: input)
        if !training && (activation == .relu || activation == .linear) {
            // Inference: f fused into the product's store, one pass writing a; z is not kept
            // (only a training pass's backward reads it).
            QuantizedGEMM.multiply(input, quantization: quantization, weights: weights, bias: useBias ? bias : nil,
                                   relu: activation == .relu, into: &output, scratch: &quantizedInput)
            if preactivation.count > 0 { preactivation = Matrix(rows: 0, columns: 0) }
            return
        }
        QuantizedGEMM.multiply(input, quantization: quantization, weights: weights, bias: useBias ? bias : nil,
                               into: &preactivation, scratch: &quantizedInput)
        activation.apply(preactivation, into: &output)
    }

    public mutating func backward(input: Matrix, outputGradient: Matrix, needsInputGradient: Bool) {
        activation.backward(outputGradient: outputGradient, input: preactivation, output: output, into: &preactivationGradient)
        let delta = preactivationGradient
        backward(input: input, preactivationGradient: delta, needsInputGradient: needsInputGradient)
    }

    /// ∂L/∂x = ∂L/∂z·(s·q)ᵀ when asked; nothing else (the layer is frozen).
    public mutating func backward(input: Matrix, preactivationGradient delta: Matrix, needsInputGradient: Bool) {
        if needsInputGradient { Matrix.multiply(delta, weights.dequantized(), transposeB: true, into: &inputGradient) }
    }

    public mutating func visitParameters(_ body: (Int, inout Matrix, inout Matrix) -> Void) {}

    public var parameters: [Matrix] {
        get { [] }
        set { precondition(newValue.isEmpty, "QuantizedDense has no trainable parameters") }
    }

    public var parameterNames: [String] { [] }

    public var bufferNames: [String] {
        var names = ["weight", "weight_scale"]
        if useBias { names.append("bias") }
        if inputQuantization == .static { names += ["input_scale", "input_zero_point"] }
        return names
    }

    /// q (as floats holding the integers), s, b, and s_a, z_a when static.
    public var buffers: [Matrix] {
        get {
            var list = [Matrix(rows: weights.rows, columns: weights.columns, elements: weights.values.map { Float($0) }),
                        Matrix(row: weights.scales)]
            if useBias { list.append(Matrix(row: bias)) }
            if let input = calibratedInput, inputQuantization == .static {
                list.append(Matrix(row: [input.scale]))
                list.append(Matrix(row: [Float(input.zeroPoint)]))
            }
            return list
        }
        set {
            precondition(newValue.count == bufferNames.count, "QuantizedDense takes \(bufferNames.count) buffers, got \(newValue.count)")
            if let (name, reason) = invalidTensorValue(newValue.map(\.elements)) {
                preconditionFailure("QuantizedDense \(name): \(reason)")
            }
            let w = newValue[0]
            precondition(w.rows == weights.rows && w.columns == units, "QuantizedDense weight must be \(weights.rows)×\(units)")
            weights = QuantizedWeights(rows: w.rows, columns: w.columns, values: w.elements.map { Int8($0) },
                                       scales: newValue[1].elements)
            var next = 2
            if useBias {
                bias = newValue[next].elements
                next += 1
            }
            if inputQuantization == .static {
                calibratedInput = try? AffineQuantization(scale: newValue[next].elements[0], zeroPoint: Int32(newValue[next + 1].elements[0]))
            }
        }
    }

    /// q must hold integers in −128…127, s values ≥ 0 (one per unit), b one value per unit,
    /// s_a a finite number > 0 and z_a an integer in 0…255.
    public func invalidTensorValue(_ values: [[Float]]) -> (name: String, reason: String)? {
        let names = bufferNames
        guard values.count == names.count else { return ("weight", "expected \(names.count) tensors, got \(values.count)") }
        if let bad = values[0].first(where: { Int8(exactly: $0) == nil }) {
            return ("weight", "\(bad) is not an integer in −128…127")
        }
        guard values[1].count == units else { return ("weight_scale", "expected \(units) values, got \(values[1].count)") }
        if let bad = values[1].first(where: { !($0 >= 0 && $0.isFinite) }) {
            return ("weight_scale", "scale \(bad) is not a finite number ≥ 0")
        }
        var next = 2
        if useBias {
            guard values[next].count == units else { return ("bias", "expected \(units) values, got \(values[next].count)") }
            next += 1
        }
        if inputQuantization == .static {
            guard values[next].count == 1, values[next][0].isFinite, values[next][0] > 0 else {
                return ("input_scale", "expected one finite number > 0, got \(values[next])")
            }
            guard values[next + 1].count == 1, let z = Int32(exactly: values[next + 1][0]), (0...255).contains(z) else {
                return ("input_zero_point", "expected one integer in 0…255, got \(values[next + 1])")
            }
        }
        return nil
    }
}
