import Foundation

/// An optimizer type's settings, enough to recreate it (Keras's `get_config` /
/// `from_config`), saved in model files as `{"<registeredName>": <its JSON>}`. Each
/// optimizer type owns one and registers it with ``OptimizerRegistry/register(_:)``;
/// SGD, AdaGrad, RMSProp, Adam and AdamW are registered from the start.
public protocol OptimizerConfiguration: Codable, Sendable {
    /// The name the type is saved and registered under (e.g. "adam"); unique per type.
    static var registeredName: String { get }
    /// A fresh optimizer (step 0, no moments) with these settings.
    func makeOptimizer() -> any Optimizer
}

/// Any registered optimizer configuration, as one value: `Codable` through the
/// ``OptimizerRegistry``, `Equatable` by name and settings.
public struct AnyOptimizerConfiguration: Codable, Sendable, Equatable, CustomStringConvertible {
    public let base: any OptimizerConfiguration

    public init(_ base: any OptimizerConfiguration) { self.base = base }

    /// The registered name of the configuration's type.
    public var registeredName: String { type(of: base).registeredName }

    public init(from decoder: any Decoder) throws {
        base = try OptimizerRegistry.shared.decode(from: decoder)
    }

    public func encode(to encoder: any Encoder) throws {
        try OptimizerRegistry.shared.encode(base, name: registeredName, to: encoder)
    }

    public static func == (lhs: AnyOptimizerConfiguration, rhs: AnyOptimizerConfiguration) -> Bool {
        lhs.registeredName == rhs.registeredName && canonicalJSON(lhs.base) == canonicalJSON(rhs.base)
    }

    public var description: String { "\(registeredName)\(canonicalJSON(base))" }
}

/// The optimizer configuration types model files can name.
public enum OptimizerRegistry {
    static let shared = ConfigurationRegistry<any OptimizerConfiguration>(kind: "optimizer", builtIns: [
        entry(SGD.Configuration.self), entry(AdaGrad.Configuration.self), entry(RMSProp.Configuration.self),
        entry(Adam.Configuration.self), entry(AdamW.Configuration.self),
    ])

    private static func entry<C: OptimizerConfiguration>(_ type: C.Type)
        -> (String, ObjectIdentifier, ConfigurationRegistry<any OptimizerConfiguration>.Decode) {
        (C.registeredName, ObjectIdentifier(type), { try C(from: $0) })
    }

    /// Registers `type` under its ``OptimizerConfiguration/registeredName`` (again is harmless).
    /// - Throws: ``PerceptronError/incompatible(_:)`` when another type holds that name.
    public static func register<C: OptimizerConfiguration>(_ type: C.Type) throws {
        try shared.register(name: C.registeredName, typeID: ObjectIdentifier(type)) { try C(from: $0) }
    }

    /// The registered names, sorted.
    public static var registeredNames: [String] { shared.names }
}
