import Perceptron

/// What one request's forward pass costs, in multiply-adds, as the kernels run it: the
/// first layer reads only the weight rows of the inputs that are not zero (the row kernels
/// skip zero inputs), every other layer all of its weights, once per row.
///
/// ```
/// cost(request) = nnz(x) · units₁ + rows · (weights − weights₁)
/// ```
/// with nnz(x) the request's non-zero features, units₁ and weights₁ the first dense layer's
/// width and parameters (a model that does not start with one counts all its weights per
/// row). ``Batcher`` runs a request under ``Batcher/inlineWorkLimit`` on its own task.
struct RequestCost: Sendable {
    /// The first dense layer's units (0 when the model does not start with one).
    var firstLayerUnits: Int
    /// Every other parameter: one multiply-add each per row.
    var otherWeights: Int

    init(firstLayerUnits: Int, otherWeights: Int) {
        self.firstLayerUnits = firstLayerUnits
        self.otherWeights = otherWeights
    }

    init(model: Sequential) {
        if let first = model.layers.first as? Dense {
            self.init(firstLayerUnits: first.units, otherWeights: model.parameterCount - first.parameterCount)
        } else {
            self.init(firstLayerUnits: 0, otherWeights: model.parameterCount)
        }
    }

    /// The request's cost, or any value ≥ `limit` once it is known to reach it (the
    /// non-zeros are counted only when the other layers leave room under the limit).
    func multiplyAdds(rows: Int, features: [Float], limit: Int) -> Int {
        let (dense, overflow) = rows.multipliedReportingOverflow(by: otherWeights)
        if overflow || dense >= limit { return limit }
        guard firstLayerUnits > 0 else { return dense }
        var nonZero = 0
        for x in features where x != 0 { nonZero &+= 1 }
        let (sparse, overflowSparse) = nonZero.multipliedReportingOverflow(by: firstLayerUnits)
        let (total, overflowTotal) = dense.addingReportingOverflow(sparse)
        return overflowSparse || overflowTotal ? limit : min(limit, total)
    }
}
