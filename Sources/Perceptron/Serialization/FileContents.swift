import Foundation

/// Reads whole files for the library's readers (model files, ONNX, CSV, IDX), each of which
/// names a failure in its own error type.
package enum FileContents {
    /// Why a file could not be read.
    package enum Failure: Error, Equatable {
        case notFound
        case isDirectory
        /// Foundation's description of the error.
        case unreadable(String)
    }

    /// The bytes of the file at `url`, memory-mapped when that is safe.
    ///
    /// An empty regular file is returned as empty `Data` without being read: Foundation's
    /// `Data(contentsOf:)` leaks a 4 KiB buffer on every empty file (Swift 6.3, found by the
    /// fuzzer). Pipes and /proc files report size 0 too, so only a regular file is taken at
    /// its word.
    package static func read(_ url: URL) throws(Failure) -> Data {
        let path = url.path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { throw .notFound }
        if isDirectory.boolValue { throw .isDirectory }
        if let attributes = try? FileManager.default.attributesOfItem(atPath: path) {
            // A pipe, socket or device (/dev/zero) has no size to check before reading, and
            // Foundation's own refusal reads "you don't have permission", which misleads.
            guard attributes[.type] as? FileAttributeType == .typeRegular else {
                throw .unreadable("not a regular file (a pipe, socket or device); files are read whole from disk")
            }
            if (attributes[.size] as? NSNumber)?.intValue == 0 { return Data() }
        }
        do {
            return try Data(contentsOf: url, options: [.mappedIfSafe])
        } catch {
            throw .unreadable(error.localizedDescription)
        }
    }
}
