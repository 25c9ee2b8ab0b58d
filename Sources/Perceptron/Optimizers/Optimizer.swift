/// A gradient-based update rule. The model calls ``beginStep()`` once per minibatch, then
/// ``update(_:gradient:slot:)`` for each parameter; `slot` numbers the parameters in a
/// fixed order so that per-parameter state (moments) lines up from step to step.
///
/// State is created lazily on a parameter's first update, in arrays parallel to the
/// parameters, and can be read and restored through ``state`` (for resuming training).
/// Definitions and defaults follow PyTorch's `torch.optim` where Keras differs.
public protocol Optimizer {
    /// η, the step size. Schedules and callbacks may change it between steps.
    var learningRate: Float { get set }
    /// The number of steps taken so far (t in the formulas).
    var step: Int { get }
    /// The settings that recreate this optimizer (for model files).
    var configuration: any OptimizerConfiguration { get }
    /// The moments and step count, to save and restore.
    var state: OptimizerState { get set }
    /// Checks the hyperparameters.
    /// - Throws: ``PerceptronError/invalidHyperparameter(name:value:expected:)``.
    func validate() throws
    /// Advances t by one.
    mutating func beginStep()
    /// Updates `parameter` in place from its `gradient`.
    mutating func update(_ parameter: inout Matrix, gradient: Matrix, slot: Int)
}

/// An optimizer's step count and per-parameter state, by name (e.g. "m", "v").
public struct OptimizerState: Codable, Sendable, Equatable {
    public var step: Int
    public var slots: [String: [Matrix]]
    public init(step: Int = 0, slots: [String: [Matrix]] = [:]) {
        self.step = step
        self.slots = slots
    }
}

extension Matrix: Codable {
    private enum CodingKeys: String, CodingKey { case rows, columns, data }
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let rows = try c.decode(Int.self, forKey: .rows)
        let columns = try c.decode(Int.self, forKey: .columns)
        let data = try c.decode([Float].self, forKey: .data)
        guard rows >= 0, columns >= 0, data.count == rows * columns else {
            throw DecodingError.dataCorruptedError(forKey: .data, in: c,
                debugDescription: "matrix \(rows)×\(columns) needs \(max(rows, 0) * max(columns, 0)) values, found \(data.count)")
        }
        self.init(rows: rows, columns: columns, elements: data)
    }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(rows, forKey: .rows)
        try c.encode(columns, forKey: .columns)
        try c.encode(elements, forKey: .data)
    }
}

/// Lazily created per-parameter state arrays.
struct SlotArray: Sendable {
    var matrices: [Matrix] = []

    /// Ensures slot `index` exists with `parameter`'s shape (zero-filled, or `initial`).
    mutating func prepare(_ index: Int, like parameter: Matrix, initial: Float = 0) {
        while matrices.count <= index { matrices.append(Matrix(rows: 0, columns: 0)) }
        if matrices[index].rows != parameter.rows || matrices[index].columns != parameter.columns {
            matrices[index] = Matrix(rows: parameter.rows, columns: parameter.columns, repeating: initial)
        }
    }
}

/// Shared validation helpers.
enum Hyperparameter {
    static func check(_ name: String, _ value: Float, _ valid: Bool, _ expected: String) throws {
        guard valid, value.isFinite else {
            throw PerceptronError.invalidHyperparameter(name: name, value: "\(value)", expected: expected)
        }
    }
    static func learningRate(_ value: Float) throws {
        try check("learningRate", value, value > 0, "a finite number > 0")
    }
    static func unitInterval(_ name: String, _ value: Float) throws {
        try check(name, value, value >= 0 && value < 1, "a number in [0, 1)")
    }
    static func nonNegative(_ name: String, _ value: Float) throws {
        try check(name, value, value >= 0, "a finite number ≥ 0")
    }
    static func positive(_ name: String, _ value: Float) throws {
        try check(name, value, value > 0, "a finite number > 0")
    }
}
