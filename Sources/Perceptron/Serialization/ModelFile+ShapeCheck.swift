extension ModelFile {
    /// The tensors an architecture implies, layer by layer, computed from the metadata
    /// alone (nothing is allocated): each layer's configuration lays out its tensors for
    /// the width the layer before passes on (``LayerConfiguration/tensorLayout(inputWidth:)``):
    ///
    /// ```
    /// width₀ = inputSize
    /// Dense(units) at index i:  layers.i.weight [widthᵢ, units]   layers.i.bias [units] (when useBias)
    ///                           widthᵢ₊₁ = units
    /// Dropout at index i:       no tensors, widthᵢ₊₁ = widthᵢ
    /// ```
    /// - Throws: ``ModelFileError/invalidArchitecture(file:reason:)`` for an input size below
    ///   1, no layers, or settings a layer's configuration refuses (e.g. 0 units).
    static func expectedTensorLayouts(of architecture: ModelFileMetadata.Architecture, file: String) throws -> [LayerTensorLayout] {
        guard architecture.inputSize >= 1 else {
            throw ModelFileError.invalidArchitecture(file: file, reason: "input size \(architecture.inputSize) is below 1")
        }
        guard !architecture.layers.isEmpty else {
            throw ModelFileError.invalidArchitecture(file: file, reason: "no layers")
        }
        var layouts: [LayerTensorLayout] = []
        var width = architecture.inputSize
        for (i, layer) in architecture.layers.enumerated() {
            do {
                let layout = try layer.base.tensorLayout(inputWidth: width)
                guard layout.outputWidth >= 1 else {
                    throw PerceptronError.incompatible("output width \(layout.outputWidth) is below 1")
                }
                layouts.append(layout)
                width = layout.outputWidth
            } catch let error as PerceptronError {
                throw ModelFileError.invalidArchitecture(file: file, reason: "layer \(i) (\(layer.registeredName)): \(error.description)")
            }
        }
        return layouts
    }

    /// Checks that every tensor (parameter or buffer) the architecture implies is in `container` with
    /// exactly that shape and dtype (F32, or I8 for quantized weights), before the model is built. The container's reader has already
    /// checked each tensor's ∏shape × (4 or 1) bytes against its data offsets and the file's size,
    /// so once the shapes agree, building the model allocates only about what the file
    /// holds: an architecture asking for 2⁴⁰ inputs is refused here, not by the allocator.
    /// Shapes are compared element by element, so no size product can overflow.
    /// - Throws: ``ModelFileError/missingTensor(file:tensor:)``,
    ///   ``ModelFileError/wrongShape(file:tensor:expected:got:)``, or the errors of
    ///   ``expectedTensorLayouts(of:file:)``.
    /// - Returns: the layouts, layer by layer.
    @discardableResult
    static func checkTensorShapes(_ architecture: ModelFileMetadata.Architecture, in container: SafeTensors,
                                  file: String) throws -> [LayerTensorLayout] {
        let layouts = try expectedTensorLayouts(of: architecture, file: file)
        for (i, layout) in layouts.enumerated() {
            for tensor in layout.tensors {
                try checkTensor("layers.\(i).\(tensor.name)", shape: tensor.shape, dtype: tensor.dtype, in: container, file: file)
            }
        }
        return layouts
    }

    private static func checkTensor(_ name: String, shape: [Int], dtype: SafeTensors.DType, in container: SafeTensors,
                                    file: String) throws {
        guard let tensor = container.tensors[name] else { throw ModelFileError.missingTensor(file: file, tensor: name) }
        guard tensor.dtype == dtype else {
            throw ModelFileError.wrongDType(file: file, tensor: name, expected: dtype.rawValue, got: tensor.dtype.rawValue)
        }
        guard tensor.shape == shape else {
            throw ModelFileError.wrongShape(file: file, tensor: name, expected: shape, got: tensor.shape)
        }
    }
}
