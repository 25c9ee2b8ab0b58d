/// A rule the parameters must satisfy after every optimizer update, applied in place right
/// after it (Keras' weight constraints; a pruning mask that keeps removed weights at zero).
/// A step runs
///
/// ```
/// forward → loss → backward → gradient transforms → update → parameter constraints, in order
/// ```
/// A constraint runs only after an update that happened (not after a skipped or non-finite step).
public protocol ParameterConstraint {
    /// Rewrites the layers' parameters in place (through ``Layer/visitParameters(_:)``).
    mutating func constrain(_ layers: inout [any Layer])
}
