import ArgumentParser

extension PerceptronCommand {
    /// The subcommands' names (and `help`).
    static var commandNames: [String] {
        configuration.subcommands.map { $0._commandName } + ["help"]
    }

    /// A usage error naming `arguments`' first word when it is not a command, with the
    /// nearest command when one is within two edits (`trian` → `train`); nil otherwise.
    static func unknownCommandMessage(_ arguments: [String]) -> String? {
        guard let first = arguments.first, !first.hasPrefix("-"), !commandNames.contains(first) else { return nil }
        var message = "perceptron: error: unknown command '\(first)'"
        let nearest = commandNames.map { ($0, editDistance(first.lowercased(), $0)) }.min { $0.1 < $1.1 }
        if let nearest, nearest.1 <= 2 { message += "; did you mean '\(nearest.0)'?" }
        message += "\nThe commands are: " + commandNames.filter { $0 != "help" }.joined(separator: ", ")
            + ". See 'perceptron --help'."
        return message
    }

    /// Levenshtein distance: the fewest insertions, deletions and substitutions from a to b.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        var previous = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var current = [i] + [Int](repeating: 0, count: b.count)
            for j in 1...max(b.count, 1) where !b.isEmpty {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
