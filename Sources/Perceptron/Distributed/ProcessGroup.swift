/// The processes that train one model together (data-parallel training): each knows its
/// rank in `0..<size`, and the group sums buffers across all of them.
///
/// ```
/// allreduceSum:  every rank's buffer  ←  Σ_{r=0}^{size−1} buffer_r   (elementwise, in place)
/// broadcast:     every rank's buffer  ←  buffer_root
/// ```
/// Every rank must make the same calls in the same order with buffers of the same length
/// (these are collective operations). `PerceptronMPI`'s `MPIProcessGroup` implements it over
/// `MPI_Allreduce`; `PerceptronTestSupport`'s `ThreadProcessGroup` over threads of one
/// process. A failure to communicate (a rank that died) ends the process with a message:
/// training cannot continue with a missing rank, and waiting for it would hang.
public protocol ProcessGroup: AnyObject {
    /// This process's index, 0 ≤ rank < size. Rank 0 writes the model, checkpoints and reports.
    var rank: Int { get }
    /// The number of processes.
    var size: Int { get }
    /// Sums `values` elementwise over all ranks, in place (the same result on every rank).
    func allreduceSum(_ values: UnsafeMutableBufferPointer<Float>)
    /// Sums `values` elementwise over all ranks, in place (the same result on every rank).
    func allreduceSum(_ values: UnsafeMutableBufferPointer<Double>)
    /// Copies rank `root`'s `values` into every rank's.
    func broadcast(_ values: UnsafeMutableBufferPointer<Double>, root: Int)
    /// Starts ``allreduceSum(_:)-(UnsafeMutableBufferPointer<Float>)`` without waiting: the
    /// buffer must stay alive and untouched until the returned reduction's `wait()`.
    /// Lets a bucket of gradients travel while the backward pass computes the next.
    func startAllreduceSum(_ values: UnsafeMutableBufferPointer<Float>) -> any PendingReduction
}

/// A sum started by ``ProcessGroup/startAllreduceSum(_:)``.
public protocol PendingReduction: AnyObject {
    /// Lets the transfer progress (MPI moves data only inside its calls); true when done.
    func test() -> Bool
    /// Waits until the buffer holds the sum.
    func wait()
}

/// A reduction that was complete when it started (groups without non-blocking sums).
public final class CompletedReduction: PendingReduction {
    public init() {}
    public func test() -> Bool { true }
    public func wait() {}
}
