import Foundation
import Perceptron
import PerceptronMPI

/// `perceptron train` under `mpirun -np N`: every rank trains its shard of each batch
/// (``DataParallel``); rank 0 alone prints and writes files.
struct DistributedTraining {
    let parallel: DataParallel

    var isRoot: Bool { parallel.group.rank == 0 }

    /// Joins the ranks when `mpirun` started this process (nil for a single process):
    /// divides the machine's cores between its ranks (at most the CPUs a rank is bound to)
    /// unless `--threads` was given, and sends
    /// the standard output of every rank but 0 to /dev/null.
    /// Settings for measuring (environment): PERCEPTRON_DP_BUCKET_BYTES (default 1 MiB),
    /// PERCEPTRON_DP_OVERLAP=0 to sum every bucket after the backward pass.
    static func join(threadsGiven: Bool) throws -> DistributedTraining? {
        guard let group = try DistributedLaunch.worldGroup() else { return nil }
        if !threadsGiven {
            // The machine's share per local rank, and never more than the CPUs this rank may
            // run on (mpirun binds each rank to its cores by default).
            let share = max(1, ProcessInfo.processInfo.activeProcessorCount / max(1, DistributedLaunch.localSize ?? group.size))
            let perRank = min(share, AvailableCPUs.count)
            try ComputeSettings.setThreadCount(perRank)
        }
        if group.rank != 0 {
            let null = open("/dev/null", O_WRONLY)
            if null >= 0 { dup2(null, STDOUT_FILENO); close(null) }
        }
        let environment = ProcessInfo.processInfo.environment
        let bucket = environment["PERCEPTRON_DP_BUCKET_BYTES"].flatMap(Int.init) ?? 1 << 20
        let overlap = environment["PERCEPTRON_DP_OVERLAP"] != "0"
        return DistributedTraining(parallel: DataParallel(group: group, bucketBytes: bucket, overlapsBackward: overlap))
    }

    /// The communication figures for `--json` and the summary.
    func json(trainingSeconds: Double, ranksAgree: Bool) -> [String: Any] {
        ["ranks": parallel.group.size, "ranks_agree": ranksAgree, "steps": parallel.steps,
         "communication_seconds": parallel.communicationSeconds,
         "exposed_communication_seconds": parallel.exposedCommunicationSeconds,
         "communication_share": trainingSeconds > 0 ? parallel.communicationSeconds / trainingSeconds : 0,
         "bucket_bytes": parallel.bucketBytes, "overlaps_backward": parallel.overlapsBackward]
    }

    func summary(trainingSeconds: Double, ranksAgree: Bool) -> String {
        let share = trainingSeconds > 0 ? 100 * parallel.communicationSeconds / trainingSeconds : 0
        return "Data-parallel over \(parallel.group.size) ranks: \(parallel.steps) steps, "
            + String(format: "%.2f s summing gradients (%.1f%% of training; %.2f s after the backward pass)",
                     parallel.communicationSeconds, share, parallel.exposedCommunicationSeconds)
            + (ranksAgree ? "; every rank holds the same weights" : "; WARNING: the ranks' weights differ")
    }
}
