import ArgumentParser
import Foundation
import Perceptron
import PerceptronData

/// `perceptron datasets list|fetch`.
struct DatasetsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "datasets", abstract: "List the datasets, or fetch MNIST.",
        subcommands: [List.self, Fetch.self], defaultSubcommand: List.self)

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the bundled datasets, MNIST and the generators.")

        @Flag(name: .long, help: "Print one JSON object to standard output.")
        var json = false

        func run() throws {
            if json {
                let datasets: [[String: Any]] = Datasets.list.map {
                    ["name": $0.name, "rows": $0.rows, "features": $0.features, "task": $0.task.rawValue,
                     "classes": $0.classNames, "bundled": $0.bundled, "description": $0.description]
                }
                try JSONOutput.print(["command": "datasets list", "datasets": datasets, "generators": Generators.names])
                return
            }
            let header = ["name", "rows", "features", "task", "classes", "source"]
            var rows = Datasets.list.map { info in
                [info.name, String(info.rows), String(info.features), info.task.rawValue,
                 info.classNames.isEmpty ? "-" : String(info.classNames.count),
                 info.bundled ? "bundled" : "perceptron datasets fetch mnist"]
            }
            rows += Generators.names.map { [$0, "", "", "", "", "generator (seeded by --seed)"] }
            let widths = header.indices.map { c in max(header[c].count, rows.map { $0[c].count }.max() ?? 0) }
            func line(_ cells: [String]) -> String {
                cells.enumerated().map { c, cell in
                    c == 0 || c >= 3 ? cell.padding(toLength: widths[c], withPad: " ", startingAt: 0)
                        : String(repeating: " ", count: widths[c] - cell.count) + cell
                }.joined(separator: "  ").trimmingCharacters(in: .whitespaces)
            }
            print(line(header))
            print(widths.map { String(repeating: "─", count: $0) }.joined(separator: "  "))
            for row in rows { print(line(row)) }
        }
    }

    struct Fetch: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Download or copy MNIST's four files, checking their MD5 checksums.")

        @Argument(help: "The dataset to fetch (only mnist is fetched; the others are bundled).")
        var name: String

        @Option(name: .long, help: ArgumentHelp("A URL (http, https, file) or a folder holding the files (default: a public mirror).",
                                                valueName: "url-or-dir"))
        var from: String?

        @Option(name: .long, help: ArgumentHelp("The folder to write them to.", valueName: "dir"))
        var to: String = "mnist"

        @Flag(name: .long, help: "Print one JSON object to standard output.")
        var json = false

        func validate() throws {
            guard name.lowercased() == "mnist" else {
                throw ValidationError("only mnist is fetched; \(name) is bundled or unknown (see `perceptron datasets list`).")
            }
        }

        func run() throws {
            let source: URL
            if let from {
                if let url = URL(string: from), let scheme = url.scheme, ["http", "https", "file"].contains(scheme.lowercased()) {
                    source = url
                } else {
                    source = URL(fileURLWithPath: from, isDirectory: true)
                }
            } else {
                source = Datasets.mnistMirror
            }
            let folder = try Datasets.fetchMNIST(from: source, to: URL(fileURLWithPath: to, isDirectory: true))
            if json {
                try JSONOutput.print(["command": "datasets fetch", "dataset": "mnist", "folder": folder.path,
                                      "files": Datasets.mnistFiles.map { ["name": $0.name, "md5": $0.md5] }])
            } else {
                print("MNIST's \(Datasets.mnistFiles.count) files are in \(folder.path) (MD5 checksums verified)")
                print("Train with: perceptron train --dataset mnist --data-dir \(folder.path)")
            }
        }
    }
}
