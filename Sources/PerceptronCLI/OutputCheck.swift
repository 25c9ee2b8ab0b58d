import Foundation
import Perceptron

/// Checks the files a command will write before it does any work, so that an output that
/// would be refused (a device, a symbolic link, a folder, a missing or read-only folder)
/// fails in the first second, not after training. The writes themselves go through
/// ``AtomicFile``, which checks again.
enum OutputCheck {
    /// Throws a ``CLIError`` naming the option for the first path ``AtomicFile`` would
    /// refuse; nil paths and "-" (standard output) pass.
    static func check(_ outputs: [(option: String, path: String?)]) throws {
        for case let (option, path?) in outputs where path != "-" {
            do {
                try AtomicFile.checkDestination(URL(fileURLWithPath: path))
            } catch let error as OutputFileError {
                throw CLIError("\(option) \(error.description)")
            }
        }
    }
}
