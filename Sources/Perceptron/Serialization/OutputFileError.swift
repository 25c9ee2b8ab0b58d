/// Why a file could not be written by ``AtomicFile``. Each names the file.
public struct OutputFileError: Error, Equatable, Sendable {
    public enum Kind: Sendable, Equatable {
        /// The path exists and is not a regular file (a symbolic link, a device, a FIFO, a
        /// socket or a folder): replacing it would destroy something that is not ours.
        case notARegularFile
        /// The folder the file would go in does not exist (or is not a folder).
        case folderMissing
        /// The folder exists but this process cannot create files in it.
        case folderNotWritable
        /// Creating, writing, flushing or renaming the temporary file failed.
        case writeFailed
    }

    public var kind: Kind
    /// The path asked for.
    public var file: String
    /// What went wrong, in words.
    public var reason: String

    public init(_ kind: Kind, file: String, reason: String) {
        self.kind = kind
        self.file = file
        self.reason = reason
    }
}

extension OutputFileError: CustomStringConvertible {
    public var description: String { "\(file): \(reason)" }
}

import Foundation

extension OutputFileError: LocalizedError {
    public var errorDescription: String? { description }
}
