import Foundation

/// Saves and loads a ``Sequential`` model as one safetensors file.
///
/// ```
/// layers.<i>.<name>   F32             each parameter, then each buffer, of layer i, named and
///                                     shaped by its configuration's LayerTensorLayout; Dense:
/// layers.<i>.weight   F32 [in, out]   W (our layout; PyTorch's Linear.weight is Wᵀ)
/// layers.<i>.bias     F32 [out]       b
/// QuantizedDense:     I8 weight [in, out], F32 weight_scale [out], bias [out], and when static
///                     input_scale [1], input_zero_point [1] (see QuantizedDense)
/// optimizer.<s>.<k>   F32 [r, c]      optimizer slot s of parameter k (only with the optimizer state)
/// __metadata__        see ModelFileMetadata: format version, architecture, training settings,
///                     preprocessing, optimizer step and random state
/// ```
/// `i` counts every layer (a dropout layer has an index but no tensors). Loading checks
/// the container (``SafeTensors/read(from:)``) and then the metadata: a supported version,
/// every tensor the architecture implies present with the expected shape (compared
/// before the model is built, so the metadata cannot make the loader allocate more than
/// the file holds), an architecture that rebuilds, finite weights, and no other tensor. Saving is atomic: a temporary file in the same folder,
/// flushed and renamed over the target, so a failed save leaves any old file intact.
public enum ModelFile {
    /// A model read from a file, with what was saved beside it.
    public struct LoadedModel {
        /// The model, compiled when the file records a loss (optimizer state restored when saved).
        public var model: Sequential
        /// The preprocessing fitted on the training table, if any.
        public var preprocessor: Preprocessor?
        public var metadata: ModelFileMetadata
    }

    /// Writes `model` (and optionally its optimizer state) to `url`.
    /// - Parameters:
    ///   - preprocessor: the preprocessing to replay on new rows.
    ///   - training: epochs, batch size, notes; by default just the model's optimizer and seed.
    ///   - includeOptimizerState: also save the optimizer's slots and step and the model's
    ///     random state, so that training can resume.
    /// - Throws: ``ModelFileError/invalidArchitecture(file:reason:)`` for a layer whose
    ///   configuration type is not registered with ``LayerRegistry``, or whose tensors differ
    ///   from its configuration's layout; the same for an unregistered optimizer;
    ///   ``ModelFileError/nonFiniteWeight(file:tensor:)`` for a NaN or ±Inf parameter or buffer (nothing is written);
    ///   ``SafeTensorsError`` when the file cannot be written.
    public static func save(_ model: Sequential, preprocessor: Preprocessor? = nil,
                            training: ModelFileMetadata.Training? = nil,
                            to url: URL, includeOptimizerState: Bool = false) throws {
        try container(model, preprocessor: preprocessor, training: training, file: url.path,
                      includeOptimizerState: includeOptimizerState).write(to: url)
    }

    /// The safetensors container ``save(_:preprocessor:training:to:includeOptimizerState:)`` writes.
    static func container(_ model: Sequential, preprocessor: Preprocessor?, training: ModelFileMetadata.Training?,
                          file: String, includeOptimizerState: Bool) throws -> SafeTensors {
        var tensors: [String: SafeTensors.Tensor] = [:]
        var configurations: [AnyLayerConfiguration] = []
        var width = model.inputSize
        for (i, layer) in model.layers.enumerated() {
            let configuration = layer.configuration
            let type = Swift.type(of: configuration)
            guard LayerRegistry.shared.holds(name: type.registeredName, typeID: ObjectIdentifier(type)) else {
                throw ModelFileError.invalidArchitecture(
                    file: file, reason: "layer \(i) (\(layer.typeName)) has a configuration type that is not registered under "
                        + "\"\(type.registeredName)\"; call LayerRegistry.register(_:) before saving")
            }
            let layout: LayerTensorLayout
            do {
                layout = try configuration.tensorLayout(inputWidth: width)
            } catch let error as PerceptronError {
                throw ModelFileError.invalidArchitecture(file: file, reason: "layer \(i): \(error.description)")
            }
            let names = layer.parameterNames + layer.bufferNames
            let values = layer.parameters + layer.buffers
            guard layout.tensors.map(\.name) == names,
                  zip(layout.tensors, values).allSatisfy({ $0.shape.reduce(1, *) == $1.count }) else {
                throw ModelFileError.invalidArchitecture(
                    file: file, reason: "layer \(i) (\(layer.typeName)) holds tensors \(names) that differ from its configuration's "
                        + "layout \(layout.tensors.map { "\($0.name) \($0.shape)" })")
            }
            for (tensor, matrix) in zip(layout.tensors, values) {
                // The loader refuses NaN and ±Inf, so such a file could never be read back.
                guard matrix.isFinite else { throw ModelFileError.nonFiniteWeight(file: file, tensor: "layers.\(i).\(tensor.name)") }
                tensors["layers.\(i).\(tensor.name)"] = try fileTensor(matrix, layout: tensor, name: "layers.\(i).\(tensor.name)", file: file)
            }
            configurations.append(AnyLayerConfiguration(configuration))
            width = layout.outputWidth
        }
        if model.loss != nil {
            let type = Swift.type(of: model.optimizer.configuration)
            guard OptimizerRegistry.shared.holds(name: type.registeredName, typeID: ObjectIdentifier(type)) else {
                throw ModelFileError.invalidArchitecture(
                    file: file, reason: "the optimizer's configuration type is not registered under \"\(type.registeredName)\"; "
                        + "call OptimizerRegistry.register(_:) before saving")
            }
        }
        var settings = training ?? ModelFileMetadata.Training(seed: model.seed)
        if model.loss != nil {
            settings.optimizer = AnyOptimizerConfiguration(model.optimizer.configuration)
            settings.gradientClipping = model.gradientClipping
            settings.learningRateSchedule = model.learningRateSchedule
        }
        var stateInfo: ModelFileMetadata.OptimizerStateInfo? = nil
        if includeOptimizerState {
            let state = model.optimizer.state
            for (slot, matrices) in state.slots {
                for (k, m) in matrices.enumerated() {
                    tensors["optimizer.\(slot).\(k)"] = SafeTensors.Tensor(shape: [m.rows, m.columns], values: m.elements)
                }
            }
            stateInfo = .init(step: state.step, slots: state.slots.mapValues(\.count),
                              generator: generatorWords(model.generator).map { String($0, radix: 16) })
        }
        let metadata = ModelFileMetadata(
            formatVersion: ModelFileMetadata.formatVersion,
            architecture: .init(inputSize: model.inputSize, layers: configurations, loss: model.loss, metrics: model.metrics),
            training: settings, preprocessor: preprocessor, optimizerState: stateInfo)
        return SafeTensors(tensors: tensors, metadata: try metadata.encoded())
    }

    /// Reads, validates and rebuilds a model.
    /// - Throws: ``SafeTensorsError`` for a damaged container, ``ModelFileError`` for
    ///   metadata or tensors that do not describe a model; both name the file.
    public static func load(from url: URL) throws -> LoadedModel {
        try load(try SafeTensors.read(from: url), file: url.path)
    }

    /// Reads, validates and rebuilds a model from a model file's bytes, as
    /// ``load(from:)`` does from a file (for bytes that did not come from disk, and for
    /// the fuzz targets, which must not touch the disk on every input).
    /// - Parameter file: names the bytes in errors.
    /// - Throws: as ``load(from:)``.
    public static func load(from data: Data, file: String = "<data>") throws -> LoadedModel {
        try load(try SafeTensors.parse(data, file: file), file: file)
    }

    /// Validates and rebuilds the model a parsed container holds (``SafeTensors/parse(_:file:)``
    /// or ``SafeTensors/read(from:)``); with ``trainingState(in:of:file:)``, one parse serves
    /// both the model and a checkpoint's state.
    /// - Parameter file: names the container in errors.
    /// - Throws: ``ModelFileError`` for metadata or tensors that do not describe a model.
    public static func load(_ container: SafeTensors, file: String = "<data>") throws -> LoadedModel {
        let metadata = try ModelFileMetadata.decode(container.metadata, file: file)
        let architecture = metadata.architecture
        let seed = UInt64(metadata.training.seed)!
        // Before anything is allocated: the file must hold every tensor the architecture implies.
        let layouts = try checkTensorShapes(architecture, in: container, file: file)
        if let preprocessor = metadata.preprocessor, preprocessor.featureCount != architecture.inputSize {
            throw ModelFileError.invalidMetadata(file: file, key: "preprocessing",
                                                 reason: "produces \(preprocessor.featureCount) features, the model takes \(architecture.inputSize)")
        }

        let model: Sequential
        do {
            let layers = try architecture.layers.map { try $0.base.makeLayer() }
            model = try Sequential(inputSize: architecture.inputSize, layers: layers, seed: seed)
        } catch let error as PerceptronError {
            throw ModelFileError.invalidArchitecture(file: file, reason: error.description)
        }

        // A checkpoint's callback tensors are checked by loadCheckpoint(from:).
        var remaining = Set(container.tensors.keys.filter { !isCheckpointTensor($0, in: container) })
        func take(_ name: String, shape: [Int], dtype: SafeTensors.DType = .f32) throws -> [Float] {
            guard let tensor = container.tensors[name] else { throw ModelFileError.missingTensor(file: file, tensor: name) }
            guard tensor.shape == shape else {
                throw ModelFileError.wrongShape(file: file, tensor: name, expected: shape, got: tensor.shape)
            }
            guard tensor.dtype == dtype else {
                throw ModelFileError.wrongDType(file: file, tensor: name, expected: dtype.rawValue, got: tensor.dtype.rawValue)
            }
            remaining.remove(name)
            // An I8 tensor's integers, as floats, are what the layer's buffers hold (always finite).
            if dtype == .i8 { return tensor.int8Values.map { Float($0) } }
            guard tensor.values.allSatisfy(\.isFinite) else { throw ModelFileError.nonFiniteWeight(file: file, tensor: name) }
            return tensor.values
        }

        var weights: [[Matrix]] = []
        var buffers: [[Matrix]] = []
        var parameterShapes: [Matrix] = []
        for (i, layer) in model.layers.enumerated() {
            let names = layer.parameterNames + layer.bufferNames
            let current = layer.parameters + layer.buffers
            guard names == layouts[i].tensors.map(\.name) else {
                throw ModelFileError.invalidArchitecture(
                    file: file, reason: "layer \(i) (\(layer.typeName)) holds tensors \(names), its configuration lays out "
                        + "\(layouts[i].tensors.map(\.name))")
            }
            var list: [Matrix] = []
            for (tensor, matrix) in zip(layouts[i].tensors, current) {
                let values = try take("layers.\(i).\(tensor.name)", shape: tensor.shape, dtype: tensor.dtype)
                guard values.count == matrix.count else {
                    throw ModelFileError.invalidArchitecture(
                        file: file, reason: "layer \(i) \(tensor.name) is \(matrix.rows)×\(matrix.columns), its layout \(tensor.shape)")
                }
                list.append(Matrix(rows: matrix.rows, columns: matrix.columns, elements: values))
            }
            if let check = layer as? any TensorValueValidating,
               let (name, reason) = check.invalidTensorValue(list.map(\.elements)) {
                throw ModelFileError.invalidTensorValue(file: file, tensor: "layers.\(i).\(name)", reason: reason)
            }
            let parameterCount = layer.parameterNames.count
            weights.append(Array(list[..<parameterCount]))
            buffers.append(Array(list[parameterCount...]))
            parameterShapes.append(contentsOf: layer.parameters)
        }
        do {
            try model.setWeights(weights)
            try model.setBuffers(buffers)
        } catch let error as PerceptronError {
            throw ModelFileError.invalidArchitecture(file: file, reason: error.description)
        }

        if let loss = architecture.loss {
            let optimizer = metadata.training.optimizer?.base.makeOptimizer() ?? Adam()
            do {
                try model.compile(loss: loss, optimizer: optimizer, metrics: architecture.metrics,
                                  gradientClipping: metadata.training.gradientClipping,
                                  learningRateSchedule: metadata.training.learningRateSchedule ?? .constant)
            } catch let error as PerceptronError {
                throw ModelFileError.invalidArchitecture(file: file, reason: error.description)
            }
        }

        if let info = metadata.optimizerState {
            guard architecture.loss != nil else {
                throw ModelFileError.invalidMetadata(file: file, key: "optimizer_state", reason: "present but the model has no loss")
            }
            guard info.step >= 0 else {
                throw ModelFileError.invalidMetadata(file: file, key: "optimizer_state", reason: "negative step \(info.step)")
            }
            var slots: [String: [Matrix]] = [:]
            for (slot, count) in info.slots {
                guard count >= 0, count <= parameterShapes.count else {
                    throw ModelFileError.invalidMetadata(file: file, key: "optimizer_state",
                                                         reason: "slot \"\(slot)\" has \(count) matrices for \(parameterShapes.count) parameters")
                }
                slots[slot] = try (0..<count).map { k in
                    let name = "optimizer.\(slot).\(k)"
                    let p = parameterShapes[k]
                    // A slot not yet created (lazily) is saved empty.
                    let empty = container.tensors[name]?.shape == [0, 0]
                    let shape = empty ? [0, 0] : [p.rows, p.columns]
                    let values = try take(name, shape: shape)
                    return Matrix(rows: shape[0], columns: shape[1], elements: values)
                }
            }
            model.optimizer.state = OptimizerState(step: info.step, slots: slots)
            if let words = info.generator {
                let parsed = words.compactMap { UInt64($0, radix: 16) }
                guard parsed.count == 4, words.count == 4, parsed != [0, 0, 0, 0] else {
                    throw ModelFileError.invalidMetadata(file: file, key: "optimizer_state",
                                                         reason: "generator is not four non-zero 64-bit hex words")
                }
                setGeneratorWords(&model.generator, parsed)
            }
        }

        if let extra = remaining.sorted().first {
            throw ModelFileError.unexpectedTensor(file: file, tensor: extra)
        }
        return LoadedModel(model: model, preprocessor: metadata.preprocessor, metadata: metadata)
    }

    /// A layer tensor as the file stores it: F32 as it is; I8 from floats that must be
    /// integers in −128…127 (a quantized layer's weights), anything else refused.
    static func fileTensor(_ matrix: Matrix, layout: LayerTensorLayout.Tensor, name: String, file: String) throws -> SafeTensors.Tensor {
        switch layout.dtype {
        case .f32:
            return SafeTensors.Tensor(shape: layout.shape, values: matrix.elements)
        case .i8:
            var integers = [Int8](repeating: 0, count: matrix.count)
            for (k, value) in matrix.elements.enumerated() {
                guard let integer = Int8(exactly: value) else {
                    throw ModelFileError.invalidTensorValue(file: file, tensor: name,
                                                            reason: "\(value) is not an integer in −128…127, so it cannot be stored as I8")
                }
                integers[k] = integer
            }
            return SafeTensors.Tensor(shape: layout.shape, int8Values: integers)
        }
    }

    /// The generator's state words.
    static func generatorWords(_ generator: SeededGenerator) -> [UInt64] { generator.stateWords }

    static func setGeneratorWords(_ generator: inout SeededGenerator, _ words: [UInt64]) {
        if let restored = SeededGenerator(stateWords: words) { generator = restored }
    }
}
