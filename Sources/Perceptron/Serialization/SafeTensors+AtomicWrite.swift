import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes `data` to a temporary file beside `url`, fsyncs it, renames it over `url` and
/// fsyncs the folder; removes the temporary file on failure.
func atomicWrite(_ data: Data, to url: URL) throws {
    let folder = url.deletingLastPathComponent()
    let temporary = folder.appendingPathComponent(".\(url.lastPathComponent).tmp-\(UUID().uuidString)")
    let path = url.path
    let fd = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL, 0o644)
    guard fd >= 0 else {
        throw SafeTensorsError.io(file: path, reason: "cannot create a temporary file in \(folder.path): \(String(cString: strerror(errno)))")
    }
    var failure: String? = nil
    data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
        var written = 0
        while written < raw.count {
            let n = write(fd, raw.baseAddress! + written, raw.count - written)
            if n < 0 {
                if errno == EINTR { continue }
                failure = "write failed: \(String(cString: strerror(errno)))"
                return
            }
            written += n
        }
    }
    if failure == nil && fsync(fd) != 0 { failure = "fsync failed: \(String(cString: strerror(errno)))" }
    if close(fd) != 0 && failure == nil { failure = "close failed: \(String(cString: strerror(errno)))" }
    if failure == nil && rename(temporary.path, path) != 0 {
        failure = "cannot rename into place: \(String(cString: strerror(errno)))"
    }
    if let failure {
        unlink(temporary.path)
        throw SafeTensorsError.io(file: path, reason: failure)
    }
    let dir = open(folder.path, O_RDONLY)
    if dir >= 0 {
        _ = fsync(dir)
        close(dir)
    }
}
