/// Evaluates graph nodes, as seed 004's `Session`:
///
/// ```swift
/// let session = Session()
/// let loss = try session.run(J, feed: [X: x, c: labels])
/// try session.run(minimizationStep, feed: [X: x, c: labels])
/// ```
/// A run evaluates each needed node once, in topological order, with the placeholders
/// taken from `feed`; nodes used by several consumers are not recomputed. Running a
/// ``TrainingStep`` applies one optimizer update. The session keeps, per set of targets,
/// the sorted graph and buffers for values and gradients, reused by later runs.
public final class Session {
    private var plans: [[ObjectIdentifier]: ExecutionPlan] = [:]
    /// How many target sets keep a cached plan; past this the cache starts over.
    static let maximumCachedPlans = 64

    public init() {}

    /// The value of `node`. For a ``TrainingStep``: its loss before the update it applies.
    /// - Throws: ``GraphError`` for an unfed placeholder, a shape mismatch or a cycle, naming the node.
    @discardableResult
    public func run(_ node: Node, feed: [Placeholder: Matrix] = [:]) throws -> Matrix {
        try run([node], feed: feed)[0]
    }

    /// The values of `nodes`, from one evaluation of the graph (shared nodes computed
    /// once). Training steps among `nodes` each compute their gradients from that
    /// evaluation, then all apply their updates.
    /// - Throws: ``GraphError`` for an unfed placeholder, a shape mismatch or a cycle, naming the node.
    @discardableResult
    public func run(_ nodes: [Node], feed: [Placeholder: Matrix] = [:]) throws -> [Matrix] {
        let plan = try self.plan(for: nodes)
        defer { plan.releaseLeafValues() }
        try plan.forward(feed: feed)
        let results = nodes.map { plan.values[plan.index(of: $0)] }
        var updates: [(TrainingStep, [Matrix])] = []
        var seen = Set<ObjectIdentifier>()
        for case let step as TrainingStep in nodes where seen.insert(ObjectIdentifier(step)).inserted {
            updates.append((step, try gradients(in: plan, of: step.loss, withRespectTo: step.variables)))
        }
        plan.releaseLeafValues()   // so the updates below write the variables in place
        for (step, gradients) in updates { step.apply(gradients) }
        return results
    }

    /// Gradients of the scalar `loss` with respect to each of `nodes` (variables, or any
    /// other node), by reverse-mode backpropagation; each has the shape of its node's value.
    ///
    /// ```
    /// result[i] = ∂loss/∂nodes[i]
    /// ```
    /// A node the loss does not depend on gets zeros.
    /// - Throws: ``GraphError/notScalar(node:rows:columns:)`` when `loss` is not 1 × 1, and the
    ///   errors of ``run(_:feed:)-(Node,_)``.
    public func gradients(of loss: Node, withRespectTo nodes: [Node], feed: [Placeholder: Matrix] = [:]) throws -> [Matrix] {
        let plan = try self.plan(for: [loss] + nodes)
        defer { plan.releaseLeafValues() }
        try plan.forward(feed: feed)
        return try gradients(in: plan, of: loss, withRespectTo: nodes)
    }

    /// Backpropagation within an evaluated plan that holds `loss` and `nodes`.
    private func gradients(in plan: ExecutionPlan, of loss: Node, withRespectTo nodes: [Node]) throws -> [Matrix] {
        let lossIndex = plan.index(of: loss)
        let value = plan.values[lossIndex]
        guard value.rows == 1 && value.columns == 1 else {
            throw GraphError.notScalar(node: loss.name, rows: value.rows, columns: value.columns)
        }
        let targets = nodes.map { plan.index(of: $0) }
        plan.backward(from: lossIndex, withRespectTo: targets)
        return targets.map { t in
            plan.hasGradient[t] ? plan.gradients[t] : Matrix(rows: plan.values[t].rows, columns: plan.values[t].columns)
        }
    }

    /// The cached plan for these targets (plus the losses of any training steps), built on first use.
    private func plan(for nodes: [Node]) throws -> ExecutionPlan {
        let key = nodes.map(ObjectIdentifier.init)
        if let plan = plans[key] { return plan }
        var targets = nodes
        for case let step as TrainingStep in nodes { targets.append(contentsOf: step.variables) }
        let plan = try ExecutionPlan(targets: targets)
        // Bound the cache when a caller runs many freshly built nodes.
        if plans.count >= Session.maximumCachedPlans { plans.removeAll() }
        plans[key] = plan
        return plan
    }
}
