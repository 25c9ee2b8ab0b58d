/// How a weight matrix of shape fanIn × fanOut is filled before training.
///
/// ```
/// glorotNormal   N(0, σ²),   σ = √(2 / (fanIn + fanOut))      (Xavier; seed 001's initializer)
/// glorotUniform  U(−l, l),   l = √(6 / (fanIn + fanOut))
/// heNormal       N(0, σ²),   σ = √(2 / fanIn)
/// heUniform      U(−l, l),   l = √(6 / fanIn)
/// lecunNormal    N(0, σ²),   σ = √(1 / fanIn)
/// lecunUniform   U(−l, l),   l = √(3 / fanIn)
/// zeros, constant(c)
/// ```
/// Normal draws are untruncated (PyTorch's `init.xavier_normal_`, `kaiming_normal_`).
public enum Initializer: Codable, Sendable, Equatable {
    case glorotNormal, glorotUniform, heNormal, heUniform, lecunNormal, lecunUniform, zeros
    case constant(Float)

    /// A `fanIn × fanOut` matrix drawn from this initializer.
    public func make(fanIn: Int, fanOut: Int, generator: inout SeededGenerator) -> Matrix {
        var m = Matrix(rows: fanIn, columns: fanOut)
        let fi = Double(max(fanIn, 1)), fo = Double(max(fanOut, 1))
        func normal(_ sigma: Double) {
            m.withUnsafeMutableBufferPointer { p in
                for i in p.indices { p[i] = Float(sigma * generator.nextNormal()) }
            }
        }
        func uniform(_ limit: Double) {
            m.withUnsafeMutableBufferPointer { p in
                for i in p.indices { p[i] = Float((2 * generator.nextUnitDouble() - 1) * limit) }
            }
        }
        switch self {
        case .glorotNormal: normal((2 / (fi + fo)).squareRoot())
        case .glorotUniform: uniform((6 / (fi + fo)).squareRoot())
        case .heNormal: normal((2 / fi).squareRoot())
        case .heUniform: uniform((6 / fi).squareRoot())
        case .lecunNormal: normal((1 / fi).squareRoot())
        case .lecunUniform: uniform((3 / fi).squareRoot())
        case .zeros: break
        case .constant(let c): m = Matrix(rows: fanIn, columns: fanOut, repeating: c)
        }
        return m
    }
}
