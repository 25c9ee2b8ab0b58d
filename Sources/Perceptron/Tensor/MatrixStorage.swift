/// The elements of a ``Matrix``: one heap object whose elements start on a 64-byte
/// boundary, shared between copies of the matrix until one of them writes (the matrix
/// copies it first: copy-on-write).
///
/// Why not `[Float]`: an array's elements start 32 bytes after its header, so a large
/// array's first element lies 48 bytes into a page, and every 64-byte AVX-512 load or store
/// of it straddles two cache lines. The kernels that stream a matrix held in L2 paid for
/// it: on Intel Granite Rapids a batch-1 prediction through 784-512-128-64-10 (its 1.9 MB
/// of weights read from a 2 MiB L2) took a median 30.0-30.2 µs with `[Float]` and
/// 26.3-26.7 µs aligned, the 10,000-image batch 54.0-54.7 → 52.5-54.0 ms
/// (`perceptron-bench --workload 3 --threads 1`, two sets of 8 alternated runs; bits
/// unchanged). Here element 0 starts a cache line, and so does every row whose length is a
/// multiple of 16.
///
/// `ManagedBuffer` cannot be `Sendable`; ``Matrix`` is `@unchecked Sendable` instead, as
/// it writes a storage only when it holds the one reference (so a shared one is only read).
///
/// The elements live in the object itself (`ManagedBuffer`'s tail), with up to 15 floats
/// of room in front to reach the boundary, so a new matrix is one allocation, as an
/// array is. `count` elements are initialized; `capacity` may be larger (a buffer kept
/// when a matrix shrinks, for the next larger batch).
@usableFromInline
final class MatrixStorage: ManagedBuffer<MatrixStorage.Header, Float> {
    @usableFromInline
    struct Header {
        /// The first element, 64-byte aligned, inside the object's tail.
        @usableFromInline let pointer: UnsafeMutablePointer<Float>
        @usableFromInline var count: Int
        let capacity: Int
    }

    /// Alignment of the first element, in bytes: a cache line and an AVX-512 vector.
    static let alignment = 64
    private static let slack = alignment / MemoryLayout<Float>.stride - 1

    /// Room for `capacity` elements, none initialized (`count` 0).
    static func allocate(capacity: Int) -> MatrixStorage {
        precondition(capacity >= 0, "MatrixStorage capacity must be non-negative, got \(capacity)")
        let object = create(minimumCapacity: capacity + slack) { buffer in
            buffer.withUnsafeMutablePointerToElements { first in
                let misalignment = Int(bitPattern: first) % alignment
                let skip = misalignment == 0 ? 0 : (alignment - misalignment) / MemoryLayout<Float>.stride
                return Header(pointer: first + skip, count: 0, capacity: capacity)
            }
        }
        return unsafeDowncast(object, to: MatrixStorage.self)
    }

    /// The storage of every empty matrix, allocated once: an empty `[Float]` allocates
    /// nothing either, and training makes empty matrices on the hot path (Adam's unused
    /// AMSGrad slot, every step). Nothing can be written to it, so sharing it is safe.
    @usableFromInline nonisolated(unsafe) static let empty = allocate(capacity: 0)

    /// `count` elements written by `body`, which must set every one of them.
    static func initialized(count: Int, by body: (UnsafeMutableBufferPointer<Float>) throws -> Void) rethrows -> MatrixStorage {
        let storage = allocate(capacity: count)
        try body(UnsafeMutableBufferPointer(start: storage.pointer, count: count))
        storage.setInitializedCount(count)
        return storage
    }

    deinit {
        _ = withUnsafeMutablePointerToHeader { $0.pointee.pointer.deinitialize(count: $0.pointee.count) }
    }

    // The header is read through its pointer, not the `header` property: a class's stored
    // `var` is checked for exclusive access at run time on every read (swift_beginAccess),
    // which cost the 7-15-1 Titanic network 7 % of its training time.
    @inlinable var pointer: UnsafeMutablePointer<Float> { withUnsafeMutablePointerToHeader { $0.pointee.pointer } }
    @inlinable var count: Int { withUnsafeMutablePointerToHeader { $0.pointee.count } }
    var elementCapacity: Int { withUnsafeMutablePointerToHeader { $0.pointee.capacity } }
    @inlinable var buffer: UnsafeBufferPointer<Float> {
        withUnsafeMutablePointerToHeader { UnsafeBufferPointer(start: $0.pointee.pointer, count: $0.pointee.count) }
    }
    private func setInitializedCount(_ newCount: Int) { withUnsafeMutablePointerToHeader { $0.pointee.count = newCount } }

    /// A copy with room for `capacity` (≥ `count`) elements.
    @usableFromInline func copy(capacity newCapacity: Int? = nil) -> MatrixStorage {
        let copy = MatrixStorage.allocate(capacity: max(newCapacity ?? count, count))
        copy.pointer.initialize(from: pointer, count: count)
        copy.setInitializedCount(count)
        return copy
    }

    /// Shrinks or grows the initialized part to `newCount` ≤ `capacity`; new elements are 0.
    func setCount(_ newCount: Int) {
        precondition(newCount >= 0 && newCount <= elementCapacity, "MatrixStorage count \(newCount) outside 0...\(elementCapacity)")
        if newCount > count { (pointer + count).initialize(repeating: 0, count: newCount - count) }
        setInitializedCount(newCount)
    }
}
