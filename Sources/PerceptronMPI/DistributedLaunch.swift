import Foundation
import Perceptron
#if MPI
import CMPI
#endif

/// How a command finds out whether `mpirun` started it, and joins the other ranks.
public enum DistributedLaunch {
    /// Whether this binary was built with MPI (`swift build --traits MPI`).
    public static var isAvailable: Bool {
        #if MPI
        return true
        #else
        return false
        #endif
    }

    /// The number of processes `mpirun` says it started (Open MPI's, MPICH's or PMIx's
    /// variables), or nil when this process was not started by a launcher.
    public static var launcherSize: Int? {
        let environment = ProcessInfo.processInfo.environment
        for key in ["OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_SIZE"] {
            if let value = environment[key], let n = Int(value) { return n }
        }
        return nil
    }

    /// The processes on this machine, for dividing its cores between them (nil if unknown).
    public static var localSize: Int? {
        ProcessInfo.processInfo.environment["OMPI_COMM_WORLD_LOCAL_SIZE"].flatMap(Int.init)
    }

    /// The world group when a launcher started this process, else nil (a single process).
    /// - Throws: ``DistributedLaunchError/builtWithoutMPI(ranks:)`` when `mpirun` started
    ///   several copies of a binary built without MPI: each would train alone and all would
    ///   write the same files.
    public static func worldGroup() throws -> (any ProcessGroup)? {
        guard let size = launcherSize else { return nil }
        #if MPI
        return MPIProcessGroup.world()
        #else
        if size > 1 { throw DistributedLaunchError.builtWithoutMPI(ranks: size) }
        return nil
        #endif
    }
}

public enum DistributedLaunchError: Error, CustomStringConvertible, Equatable {
    case builtWithoutMPI(ranks: Int)

    public var description: String {
        switch self {
        case .builtWithoutMPI(let ranks):
            return "mpirun started \(ranks) processes, but this perceptron was built without MPI; "
                + "build it with `swift build -c release --traits MPI` (needs Open MPI: apt-get install libopenmpi-dev openmpi-bin)"
        }
    }
}
