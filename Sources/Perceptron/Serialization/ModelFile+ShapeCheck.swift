extension ModelFile {
    /// The parameter tensors an architecture implies, in save order, computed from the
    /// metadata alone (nothing is allocated):
    ///
    /// ```
    /// width₀ = inputSize
    /// Dense(units) at index i:  layers.i.weight [widthᵢ, units]   layers.i.bias [units] (when useBias)
    ///                           widthᵢ₊₁ = units
    /// Dropout at index i:       no tensors, widthᵢ₊₁ = widthᵢ
    /// ```
    /// - Throws: ``ModelFileError/invalidArchitecture(file:reason:)`` for an input size or a
    ///   unit count below 1, no layers, or a custom layer.
    static func expectedTensorShapes(of architecture: ModelFileMetadata.Architecture, file: String) throws
        -> [(name: String, shape: [Int])] {
        guard architecture.inputSize >= 1 else {
            throw ModelFileError.invalidArchitecture(file: file, reason: "input size \(architecture.inputSize) is below 1")
        }
        guard !architecture.layers.isEmpty else {
            throw ModelFileError.invalidArchitecture(file: file, reason: "no layers")
        }
        var shapes: [(name: String, shape: [Int])] = []
        var width = architecture.inputSize
        for (i, layer) in architecture.layers.enumerated() {
            switch layer {
            case let .dense(units, _, useBias, _, _, _):
                guard units >= 1 else {
                    throw ModelFileError.invalidArchitecture(file: file, reason: "layer \(i) has \(units) units (needs at least 1)")
                }
                shapes.append(("layers.\(i).weight", [width, units]))
                if useBias { shapes.append(("layers.\(i).bias", [units])) }
                width = units
            case .dropout:
                continue
            case let .custom(typeName):
                throw ModelFileError.invalidArchitecture(file: file, reason: "layer \(i) is a custom layer (\(typeName))")
            }
        }
        return shapes
    }

    /// Checks that every parameter tensor the architecture implies is in `container` with
    /// exactly that shape, before the model is built. The container's reader has already
    /// checked each tensor's ∏shape × 4 bytes against its data offsets and the file's size,
    /// so once the shapes agree, building the model allocates only about what the file
    /// holds: an architecture asking for 2⁴⁰ inputs is refused here, not by the allocator.
    /// Shapes are compared element by element, so no size product can overflow.
    /// - Throws: ``ModelFileError/missingTensor(file:tensor:)``,
    ///   ``ModelFileError/wrongShape(file:tensor:expected:got:)``, or the errors of
    ///   ``expectedTensorShapes(of:file:)``.
    static func checkTensorShapes(_ architecture: ModelFileMetadata.Architecture, in container: SafeTensors,
                                  file: String) throws {
        for (name, shape) in try expectedTensorShapes(of: architecture, file: file) {
            guard let tensor = container.tensors[name] else { throw ModelFileError.missingTensor(file: file, tensor: name) }
            guard tensor.shape == shape else {
                throw ModelFileError.wrongShape(file: file, tensor: name, expected: shape, got: tensor.shape)
            }
        }
    }
}
