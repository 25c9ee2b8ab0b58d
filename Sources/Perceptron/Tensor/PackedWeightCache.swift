import Synchronization

/// A layer's weight matrix W packed once for the GEMM (``GEMM/PackedB``) and reused by
/// every inference product `x·W` until W changes:
///
/// ```
/// packed(W, version v) = the cached panels if they were packed from version v, else pack W now
/// ```
///
/// A version is a number drawn from ``WeightVersion/next()`` whenever the layer's weights
/// may have changed (built, updated by an optimizer, set, loaded), so two different weight
/// matrices never share one: copies of a layer (a ``Predictor``'s, a checkpoint's) keep
/// the version of the weights they hold, and a cache shared between copies simply repacks
/// when the other copy asks. Thread-safe: concurrent predictions read one packed copy;
/// two threads that find it stale may both pack, and either result is the same.
final class PackedWeightCache: @unchecked Sendable {
    private let lock = SpinLock()
    private var version: UInt64 = 0
    private var packed: GEMM.PackedB?

    /// The panels of `weight` (k × n, row-major) at `version`.
    func panels(of weight: Matrix, version: UInt64) -> GEMM.PackedB {
        if let current = lock.withLock({ self.version == version ? packed : nil }) { return current }
        let fresh = weight.withUnsafeBufferPointer { w in
            GEMM.PackedB(transposeB: false, k: weight.rows, n: weight.columns, b: w.baseAddress!, ldb: weight.columns)
        }
        lock.withLock {
            self.version = version
            packed = fresh
        }
        return fresh
    }
}

/// Process-wide source of weight versions (see ``PackedWeightCache``): each call returns a
/// number never returned before, so a version names one state of one layer's weights.
enum WeightVersion {
    private static let counter = Atomic<UInt64>(0)

    static func next() -> UInt64 { counter.wrappingAdd(1, ordering: .relaxed).newValue }
}
