import Foundation
import Perceptron

/// The machine a run was on, for the report: CPU model, cores, memory, OS, threads used.
enum MachineInfo {
    static func rows() -> [(String, String)] {
        var rows: [(String, String)] = []
        if let cpuinfo = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
           let line = cpuinfo.split(separator: "\n").first(where: { $0.hasPrefix("model name") }),
           let colon = line.firstIndex(of: ":") {
            rows.append(("CPU", line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        let info = ProcessInfo.processInfo
        rows.append(("cores", "\(info.activeProcessorCount) active of \(info.processorCount)"))
        rows.append(("threads used", "\(ComputeSettings.threadCount)"))
        rows.append(("memory", String(format: "%.1f GiB", Double(info.physicalMemory) / 1_073_741_824)))
        rows.append(("operating system", info.operatingSystemVersionString))
        #if arch(x86_64)
        rows.append(("architecture", "x86_64"))
        #elseif arch(arm64)
        rows.append(("architecture", "arm64"))
        #endif
        return rows
    }
}
