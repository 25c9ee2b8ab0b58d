import Foundation

/// The activations a model file can name: the nine built-ins, and any registered with
/// ``register(_:)``. Thread-safe.
///
/// ```swift
/// struct Swish: ElementwiseActivation { … var name: String { "swish" } … }
/// try ActivationRegistry.register(Swish())      // once, before loading a file that uses it
/// Dense(16, activation: Activation(Swish()))
/// ```
public enum ActivationRegistry {
    private final class Table: @unchecked Sendable {
        // @unchecked: every access to `entries` holds `lock`.
        let lock = NSLock()
        var entries: [String: any ActivationFunction] = [:]
        init() {
            for builtIn in BuiltInActivation.allCases { entries[builtIn.name] = builtIn }
        }
    }
    private static let table = Table()

    /// Registers `function` under its ``ActivationFunction/name``. Registering the same type
    /// under the same name again does nothing.
    /// - Throws: ``PerceptronError/incompatible(_:)`` when another type holds the name
    ///   (built-in names included); ``PerceptronError/invalidHyperparameter(name:value:expected:)``
    ///   for an empty name.
    public static func register(_ function: any ActivationFunction) throws {
        let name = function.name
        guard !name.isEmpty else {
            throw PerceptronError.invalidHyperparameter(name: "activation name", value: "\"\"", expected: "a non-empty name")
        }
        try table.lock.withLock {
            if let existing = table.entries[name] {
                if type(of: existing) == type(of: function), !(existing is BuiltInActivation) { return }
                if let builtIn = existing as? BuiltInActivation, let same = function as? BuiltInActivation, builtIn == same { return }
                throw PerceptronError.incompatible("an activation is already registered under \"\(name)\"")
            }
            table.entries[name] = function
        }
    }

    /// The activation registered under `name`, or nil.
    public static func function(named name: String) -> (any ActivationFunction)? {
        table.lock.withLock { table.entries[name] }
    }

    /// Every registered name, sorted.
    public static var registeredNames: [String] { table.lock.withLock { table.entries.keys.sorted() } }

    /// Whether `function`'s name is registered to a function of its type.
    static func holds(_ function: any ActivationFunction) -> Bool {
        guard let existing = Self.function(named: function.name) else { return false }
        return type(of: existing) == type(of: function)
    }
}
