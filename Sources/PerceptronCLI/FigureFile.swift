import Foundation
import Perceptron

/// Writes a figure or report: to standard output for "-", else atomically (a temporary
/// file in the same folder, then renamed), so a reader never sees half a file.
enum FigureFile {
    static func write(_ text: String, to path: String) throws {
        if path == "-" {
            FileHandle.standardOutput.write(Data(text.utf8))
            return
        }
        let url = URL(fileURLWithPath: path)
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw CLIError("\(path) is a folder; give a file name")
        }
        let folder = url.deletingLastPathComponent().path
        guard FileManager.default.fileExists(atPath: folder.isEmpty ? "." : folder) else {
            throw CLIError("\(path): the folder \(folder) does not exist")
        }
        do {
            try AtomicFile.write(Data(text.utf8), to: url)
        } catch {
            throw CLIError("\(path): cannot write: \(error.localizedDescription)")
        }
    }
}
