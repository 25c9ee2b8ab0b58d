import Foundation
import Perceptron

/// The machine a run was on, for the report: CPU model, cores, memory, OS, threads used.
enum MachineInfo {
    static func rows() -> [(String, String)] {
        var rows: [(String, String)] = []
        if let cpuinfo = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
           let cpu = cpuName(cpuinfo: cpuinfo) {
            rows.append(("CPU", cpu))
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

    /// The first processor's `model name`, with CPUID's family and model where cpuinfo gives
    /// them: "AMD EPYC (family 25 model 17)". A cloud guest's model name alone ("AMD EPYC")
    /// is the same for several generations, so two reports could not otherwise be told apart
    /// (bench/tools/cpu_name.py adds the microarchitecture's name for the benchmark tables).
    static func cpuName(cpuinfo: String) -> String? {
        var fields: [String: String] = [:]
        for line in cpuinfo.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.trimmingCharacters(in: .whitespaces).isEmpty {
                if fields.isEmpty { continue } else { break }  // the first processor's block ends here
            }
            guard let colon = line.firstIndex(of: ":") else { continue }
            let key = line[..<colon].trimmingCharacters(in: .whitespaces)
            if fields[key] == nil {
                fields[key] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
        }
        guard let name = fields["model name"], !name.isEmpty else { return nil }
        guard let family = fields["cpu family"].flatMap({ Int($0) }),
              let model = fields["model"].flatMap({ Int($0) }) else { return name }
        return "\(name) (family \(family) model \(model))"
    }
}
