import Perceptron
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// A regular file mapped read-only into memory, for reading it once from start to end.
///
/// ``release(before:)`` hands the pages already read back to the kernel (`MADV_DONTNEED`),
/// so a file read front to back never holds more than a window of itself in resident
/// memory; a page touched again later is simply read again from the page cache.
final class MappedFile {
    let bytes: UnsafeBufferPointer<UInt8>
    private let base: UnsafeMutableRawPointer?
    private var released = 0
    static let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))

    /// Maps `path`; nil when the file is not a regular file (a pipe, a device), which the
    /// caller reads the ordinary way.
    /// - Throws: ``DataError/fileNotFound(file:)``, ``DataError/unreadableFile(file:reason:)``,
    ///   ``DataError/emptyFile(file:)`` for a file of 0 bytes.
    init?(path: String) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            let code = errno
            if code == ENOENT { throw DataError.fileNotFound(file: path) }
            throw DataError.unreadableFile(file: path, reason: String(cString: strerror(code)))
        }
        defer { close(fd) }
        var status = stat()
        guard fstat(fd, &status) == 0 else {
            throw DataError.unreadableFile(file: path, reason: String(cString: strerror(errno)))
        }
        if (status.st_mode & S_IFMT) == S_IFDIR { throw DataError.unreadableFile(file: path, reason: "is a directory") }
        guard (status.st_mode & S_IFMT) == S_IFREG else { return nil }
        // An empty file cannot be mapped, and needs no reading (Foundation's reader leaks a
        // page on an empty file, as the CSV fuzz target found).
        if status.st_size == 0 { throw DataError.emptyFile(file: path) }
        let size = Int(status.st_size)
        guard let pointer = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), pointer != UnsafeMutableRawPointer(bitPattern: -1) else {
            throw DataError.unreadableFile(file: path, reason: String(cString: strerror(errno)))
        }
        base = pointer
        bytes = UnsafeBufferPointer(start: pointer.assumingMemoryBound(to: UInt8.self), count: size)
        #if canImport(Glibc)
        _ = madvise(pointer, size, MADV_SEQUENTIAL)
        #endif
    }

    /// Drops the resident pages wholly before byte `offset` (in steps of at least 16 MiB).
    func release(before offset: Int) {
        let end = offset / Self.pageSize * Self.pageSize
        guard let base, end - released >= 16 << 20 else { return }
        _ = madvise(base + released, end - released, MADV_DONTNEED)
        released = end
    }

    deinit {
        if let base { munmap(base, bytes.count) }
    }
}
