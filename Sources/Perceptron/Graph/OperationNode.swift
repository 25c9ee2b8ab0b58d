/// The axis a reduction runs over.
public enum ReductionAxis: Sendable, Equatable {
    /// Over every element: the result is 1 × 1.
    case all
    /// Down the rows (axis 0): an m × n input gives a 1 × n row.
    case rows
    /// Across the columns (axis 1): an m × n input gives an m × 1 column.
    case columns

    /// numpy's axis numbers: nil → ``all``, 0 → ``rows``, 1 → ``columns``.
    public init?(numpyAxis: Int?) {
        switch numpyAxis {
        case nil: self = .all
        case 0: self = .rows
        case 1: self = .columns
        default: return nil
        }
    }
}

/// What an ``OperationNode`` computes. Elementwise binary operations broadcast 2-D shapes as
/// numpy does: each dimension must agree or be 1 (so a 1 × n bias row is added to every
/// row of a batch, and a 1 × 1 scalar to every element).
///
/// ```
/// matmul       Y = A·B                        ∂A = G·Bᵀ            ∂B = Aᵀ·G
/// add          Y = A + B                      ∂A = G               ∂B = G
/// subtract     Y = A − B                      ∂A = G               ∂B = −G
/// multiply     Y = A ⊙ B                      ∂A = G ⊙ B           ∂B = G ⊙ A
/// divide       Y = A ⊘ B                      ∂A = G ⊘ B           ∂B = −G ⊙ Y ⊘ B
/// negative     Y = −A                         ∂A = −G
/// log          Y = log A                      ∂A = G ⊘ A
/// exp          Y = exp A                      ∂A = G ⊙ Y
/// square       Y = A²                         ∂A = 2·G ⊙ A
/// activation   Y = f(A)   (sigmoid, tanh, relu, softmax, … from the Activation table)
///                                             ∂A = Activation.backward(G, A, Y)
/// reduceSum    Y = Σ A   (all, rows, or columns)   ∂A = G broadcast back to A's shape
/// reduceMean   Y = Σ A / count                     ∂A = G / count, broadcast
/// ```
/// Broadcast operands get the gradient summed over the dimensions they were stretched along.
public enum OperationKind: Sendable, Equatable {
    case matmul
    case add, subtract, multiply, divide
    case negative, log, exp, square
    case activation(Activation)
    case reduceSum(ReductionAxis)
    case reduceMean(ReductionAxis)

    /// The default-name stem, e.g. "matmul" in "matmul_3".
    public var stem: String {
        switch self {
        case .matmul: return "matmul"
        case .add: return "add"
        case .subtract: return "subtract"
        case .multiply: return "multiply"
        case .divide: return "divide"
        case .negative: return "negative"
        case .log: return "log"
        case .exp: return "exp"
        case .square: return "square"
        case .activation(let f): return f.rawValue
        case .reduceSum: return "reduce_sum"
        case .reduceMean: return "reduce_mean"
        }
    }

    /// The number of inputs the operation takes.
    var arity: Int {
        switch self {
        case .matmul, .add, .subtract, .multiply, .divide: return 2
        default: return 1
        }
    }
}

/// A node computed from its ``Node/inputs`` by ``kind``. Build operations with the free
/// functions (``matmul(_:_:)-(Node,Node)``, ``sigmoid(_:name:)``, ``reduceSum(_:axis:name:)``, …) and the
/// operators `+ − * /` and prefix `−`.
///
/// (Named `OperationNode`, not `Operation`, so as not to clash with Foundation's `Operation`.)
public final class OperationNode: Node {
    public let kind: OperationKind
    /// A mistake found while building the node (e.g. a reduction axis other than nil, 0
    /// or 1), reported by ``Session`` as ``GraphError/invalidInput(node:reason:)``: the
    /// builder functions do not throw, as in the seed.
    let buildProblem: String?

    /// - Parameter inputs: as many as `kind` takes (two for matmul and the elementwise
    ///   binary operations, one otherwise); a wrong count is reported when the node is run.
    public convenience init(_ kind: OperationKind, _ inputs: [Node], name: String? = nil) {
        let problem = inputs.count == kind.arity ? nil : "\(kind.stem) takes \(kind.arity) inputs, got \(inputs.count)"
        self.init(kind, inputs, name: name, problem: problem)
    }

    init(_ kind: OperationKind, _ inputs: [Node], name: String?, problem: String?) {
        self.kind = kind
        self.buildProblem = problem
        super.init(name: name, defaultName: kind.stem, inputs: inputs)
    }
}
