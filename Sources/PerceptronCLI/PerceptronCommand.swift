import ArgumentParser
import Foundation
import Perceptron
import PerceptronData

/// `perceptron`: train, evaluate and use multilayer perceptrons from the command line.
///
/// Errors in the user's data, files or settings print one line,
/// `perceptron: error: <file>: row <r>, column "<c>": …`, to standard error and exit 1.
@main
struct PerceptronCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "perceptron",
        abstract: "Train, evaluate and use multilayer perceptrons.",
        discussion: """
            With no arguments, `perceptron train` trains seed 001's Titanic network (7 features, \
            15 ReLU units, a sigmoid output, binary cross-entropy, Adam) on the bundled data and \
            reports its accuracy on a held-out 20%.
            """,
        subcommands: [Train.self, Evaluate.self, Predict.self, Summary.self, DatasetsCommand.self, CrossValidate.self,
                      Tune.self, Plot.self, ReportCommand.self, ExportCommand.self, ImportCommand.self,
                      PruneCommand.self, QuantizeCommand.self, Serve.self],
        defaultSubcommand: nil)

    static func main() {
        Foundation.exit(run(CommandLine.arguments.dropFirst().map { $0 }))
    }

    /// The arguments being run (`train` records them in checkpoints).
    nonisolated(unsafe) static var invocation: [String] = []

    /// Parses and runs `arguments`; returns the exit status.
    static func run(_ arguments: [String]) -> Int32 {
        invocation = arguments
        if let message = unknownCommandMessage(arguments) {
            printError(message)
            return ExitCode.validationFailure.rawValue
        }
        let command: ParsableCommand
        do {
            command = try parseAsRoot(arguments)
        } catch {
            return reportParserError(error)
        }
        do {
            var command = command
            try command.run()
            return 0
        } catch let error as ExitCode {
            return error.rawValue
        } catch let error where isUsersProblem(error) {
            printError("perceptron: error: \(oneLine(error))")
            return 1
        } catch {
            // `perceptron --help` runs a help command that throws its text.
            return reportParserError(error)
        }
    }

    /// Prints help, version and usage errors as swift-argument-parser formats them, to
    /// standard output for help and to standard error otherwise; returns the exit status.
    static func reportParserError(_ error: any Error) -> Int32 {
        let code = exitCode(for: error)
        let message = fullMessage(for: error)
        if !message.isEmpty {
            if code == .success { print(message) } else { printError(message) }
        }
        return code.rawValue
    }

    /// Whether `error` is about the user's data, files or settings (one line, exit 1),
    /// rather than argument-parser's own (help, usage).
    static func isUsersProblem(_ error: any Error) -> Bool {
        // argument-parser's own error types are internal to it, so they are told apart by module.
        !String(reflecting: type(of: error)).hasPrefix("ArgumentParser.")
    }

    /// An error's message on one line.
    static func oneLine(_ error: any Error) -> String {
        let text: String
        if error is DataError || error is PerceptronError || error is SafeTensorsError || error is ModelFileError
            || error is CLIError {
            text = String(describing: error)
        } else if let validation = error as? ValidationError {
            text = validation.message
        } else {
            text = error.localizedDescription
        }
        return text.split(whereSeparator: \.isNewline).joined(separator: " ")
    }
}

/// Writes a line to standard output at once (unbuffered, so it stays in order with the
/// progress lines on standard error). Shadows `Swift.print` in this module.
func print(_ line: String = "") {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

/// Writes a line to standard error.
func printError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}

/// A problem the command line itself finds (conflicting options, a file in the wrong shape).
struct CLIError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
