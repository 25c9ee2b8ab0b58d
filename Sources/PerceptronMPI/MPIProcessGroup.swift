#if MPI
import CMPI
import Foundation
import Perceptron

/// A ``ProcessGroup`` over MPI's `MPI_COMM_WORLD`: the processes `mpirun -np N` started.
/// Sums are `MPI_Allreduce` (blocking) and `MPI_Iallreduce` (started during the backward
/// pass) in place, on float or double buffers; broadcasts are `MPI_Bcast`.
///
/// Failures: errors are returned (`MPI_ERRORS_RETURN`) and turned into a message naming the
/// rank and the MPI error, then `MPI_Abort`, which ends every rank. A rank that dies
/// (killed, crashed) is noticed by `mpirun`, which ends the others with a message naming
/// it (`.ci/mpi` kills one rank and checks that the others exit).
public final class MPIProcessGroup: ProcessGroup {
    public let rank: Int
    public let size: Int
    private let comm: MPI_Comm

    /// The world of processes `mpirun` started; initializes MPI on first use (funneled:
    /// only the thread that trains calls MPI) and finalizes it when the process exits.
    public static func world() -> MPIProcessGroup {
        if let shared { return shared }
        var initialized: Int32 = 0
        MPI_Initialized(&initialized)
        if initialized == 0 {
            var provided: Int32 = 0
            check(MPI_Init_thread(nil, nil, Int32(MPI_THREAD_FUNNELED), &provided), "MPI_Init_thread", rank: -1)
            atexit { MPIProcessGroup.finalize() }
        }
        let group = MPIProcessGroup(comm: cmpi_comm_world())
        shared = group
        return group
    }
    nonisolated(unsafe) private static var shared: MPIProcessGroup?

    private init(comm: MPI_Comm) {
        self.comm = comm
        var r: Int32 = 0, n: Int32 = 0
        MPI_Comm_rank(comm, &r)
        MPI_Comm_size(comm, &n)
        rank = Int(r)
        size = Int(n)
        MPI_Comm_set_errhandler(comm, cmpi_errors_return())
    }

    /// Finalizes MPI once (after the last collective; called at exit).
    public static func finalize() {
        var finalized: Int32 = 0
        MPI_Finalized(&finalized)
        if finalized == 0 { MPI_Finalize() }
    }

    /// The largest count one MPI call takes (counts are Int32); longer buffers go in pieces.
    private static let chunk = Int(Int32.max)

    public func allreduceSum(_ values: UnsafeMutableBufferPointer<Float>) {
        reduce(values, type: cmpi_float())
    }

    public func allreduceSum(_ values: UnsafeMutableBufferPointer<Double>) {
        reduce(values, type: cmpi_double())
    }

    private func reduce<T>(_ values: UnsafeMutableBufferPointer<T>, type: MPI_Datatype) {
        var start = 0
        while start < values.count {
            let count = min(Self.chunk, values.count - start)
            Self.check(MPI_Allreduce(cmpi_in_place(), values.baseAddress! + start, Int32(count), type, cmpi_sum(), comm),
                       "MPI_Allreduce", rank: rank)
            start += count
        }
    }

    public func broadcast(_ values: UnsafeMutableBufferPointer<Double>, root: Int) {
        var start = 0
        while start < values.count {
            let count = min(Self.chunk, values.count - start)
            Self.check(MPI_Bcast(values.baseAddress! + start, Int32(count), cmpi_double(), Int32(root), comm), "MPI_Bcast", rank: rank)
            start += count
        }
    }

    public func startAllreduceSum(_ values: UnsafeMutableBufferPointer<Float>) -> any PendingReduction {
        guard values.count <= Self.chunk else {
            reduce(values, type: cmpi_float())
            return CompletedReduction()
        }
        var request: MPI_Request? = cmpi_request_null()
        Self.check(MPI_Iallreduce(cmpi_in_place(), values.baseAddress, Int32(values.count), cmpi_float(), cmpi_sum(), comm, &request),
                   "MPI_Iallreduce", rank: rank)
        return Request(request, rank: rank)
    }

    /// An `MPI_Iallreduce` in flight.
    final class Request: PendingReduction {
        private var request: MPI_Request?
        private var done = false
        private let rank: Int
        init(_ request: MPI_Request?, rank: Int) {
            self.request = request
            self.rank = rank
        }
        func test() -> Bool {
            guard !done else { return true }
            var flag: Int32 = 0
            MPIProcessGroup.check(MPI_Test(&request, &flag, cmpi_status_ignore()), "MPI_Test", rank: rank)
            done = flag != 0
            return done
        }
        func wait() {
            guard !done else { return }
            MPIProcessGroup.check(MPI_Wait(&request, cmpi_status_ignore()), "MPI_Wait", rank: rank)
            done = true
        }
    }

    /// Ends every rank with a message when an MPI call failed: training cannot go on
    /// without a rank, and the others would wait for it forever.
    static func check(_ code: Int32, _ call: String, rank: Int) {
        guard code != MPI_SUCCESS else { return }
        var text = [CChar](repeating: 0, count: Int(MPI_MAX_ERROR_STRING) + 1)
        var length: Int32 = 0
        MPI_Error_string(code, &text, &length)
        let message = String(decoding: text.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        FileHandle.standardError.write(Data("perceptron: rank \(rank): \(call) failed: \(message); ending all ranks\n".utf8))
        MPI_Abort(cmpi_comm_world(), 3)
    }
}
#endif
