import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes whole files atomically, refusing to replace anything but a regular file, and
/// leaving no temporary file behind when the writer is killed (as far as the system allows).
///
/// ```
/// 1. check:   the target is absent or a regular file (lstat: a symlink, device, FIFO,
///             socket or folder is refused); its folder exists and is writable
/// 2. sweep:   remove orphans of earlier writers in the folder (see below)
/// 3. write:   Linux: an unnamed file in the folder (O_TMPFILE), written and fsynced, then
///             linked as the temporary name; elsewhere (or where O_TMPFILE is unsupported):
///             the temporary name created with O_EXCL, written and fsynced
/// 4. replace: rename(temporary, target), then fsync the folder
/// ```
/// The temporary name is `.perceptron-tmp.<pid>.<16 hex digits>.<target name>`, and the
/// writer holds an exclusive `flock` on it from creation until the rename. A `kill -9`
/// during step 3 on Linux leaves nothing (the unnamed file dies with the process); at any
/// other moment it can leave the temporary file. Step 2 removes such a file only when it can
/// prove it is an orphan: its name has exactly that form, the process id in it is not
/// alive (`kill(pid, 0)` fails with ESRCH), it is a regular file, and its lock can be taken
/// (a lock is released when its holder dies, even by SIGKILL, in any PID namespace). Any
/// other file is never touched.
public enum AtomicFile {
    /// The start of every temporary file name.
    static let temporaryPrefix = ".perceptron-tmp."

    /// Writes `data` to `url` atomically (see the type's description).
    /// - Throws: ``OutputFileError``.
    public static func write(_ data: Data, to url: URL) throws {
        let path = url.path
        try checkDestination(url)
        let folder = folderPath(of: url)
        removeOrphans(in: folder)
        let temporary = folder + "/" + temporaryName(for: url.lastPathComponent)

        var fd = openUnnamed(in: folder)
        var linked = false
        defer { if fd >= 0 { close(fd) } }
        if fd >= 0 {
            _ = flock(fd, LOCK_EX)
            try writeAll(data, to: fd, path: path)
            linked = linkUnnamed(fd, at: temporary)
            if !linked {
                close(fd)
                fd = -1
            }
        }
        if !linked {
            fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o644)
            guard fd >= 0 else {
                throw OutputFileError(.writeFailed, file: path, reason: "cannot create a temporary file in \(folder): \(errorText())")
            }
            _ = flock(fd, LOCK_EX)
            do {
                try writeAll(data, to: fd, path: path)
            } catch {
                unlink(temporary)
                throw error
            }
        }
        guard rename(temporary, path) == 0 else {
            let reason = "cannot rename into place: \(errorText())"
            unlink(temporary)
            throw OutputFileError(.writeFailed, file: path, reason: reason)
        }
        let directory = open(folder, O_RDONLY)
        if directory >= 0 {
            _ = fsync(directory)
            close(directory)
        }
    }

    /// Checks, without writing, that ``write(_:to:)`` may write `url`: it is absent or a
    /// regular file, and its folder exists and is writable. Call it before long work whose
    /// result goes to `url`, so a bad path fails first.
    /// - Throws: ``OutputFileError``.
    public static func checkDestination(_ url: URL) throws {
        let path = url.path
        var info = stat()
        if lstat(path, &info) == 0 {
            if let kind = nonRegularKind(info.st_mode) {
                throw OutputFileError(.notARegularFile, file: path, reason: "exists and is \(kind), not a regular file; refusing to replace it")
            }
        } else if errno != ENOENT {
            let reason = errorText()
            if errno == ENOTDIR {
                throw OutputFileError(.folderMissing, file: path, reason: "a part of the folder path is not a folder")
            }
            throw OutputFileError(.folderNotWritable, file: path, reason: "cannot inspect: \(reason)")
        }
        let folder = folderPath(of: url)
        var folderInfo = stat()
        guard stat(folder, &folderInfo) == 0, folderInfo.st_mode & S_IFMT == S_IFDIR else {
            throw OutputFileError(.folderMissing, file: path, reason: "the folder \(folder) does not exist")
        }
        guard access(folder, W_OK | X_OK) == 0 else {
            throw OutputFileError(.folderNotWritable, file: path, reason: "cannot create files in the folder \(folder): \(errorText())")
        }
    }

    /// Removes the temporary files of dead writers in `folder` (see the type's description);
    /// returns how many it removed. Errors are ignored: the sweep is best effort.
    @discardableResult
    public static func removeOrphans(in folder: String) -> Int {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return 0 }
        var removed = 0
        for name in names {
            guard let pid = writerPID(ofTemporaryName: name), pid != getpid() else { continue }
            guard kill(pid, 0) != 0, errno == ESRCH else { continue }
            let path = folder + "/" + name
            let fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK)
            guard fd >= 0 else { continue }
            defer { close(fd) }
            var opened = stat(), current = stat()
            guard fstat(fd, &opened) == 0, opened.st_mode & S_IFMT == S_IFREG,
                  flock(fd, LOCK_EX | LOCK_NB) == 0,
                  lstat(path, &current) == 0, current.st_ino == opened.st_ino, current.st_dev == opened.st_dev
            else { continue }
            if unlink(path) == 0 { removed += 1 }
        }
        return removed
    }

    /// The writer's process id when `name` has exactly the form
    /// `.perceptron-tmp.<pid>.<16 hex digits>.<target name>`, else nil.
    static func writerPID(ofTemporaryName name: String) -> pid_t? {
        guard name.hasPrefix(temporaryPrefix) else { return nil }
        let parts = name.dropFirst(temporaryPrefix.count).split(separator: ".", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[2].isEmpty,
              parts[0].count <= 10, parts[0].allSatisfy({ $0.isASCII && $0.isNumber }), let pid = pid_t(parts[0]), pid > 0,
              parts[1].count == 16, parts[1].allSatisfy({ $0.isHexDigit && $0.isASCII && !$0.isUppercase })
        else { return nil }
        return pid
    }

    /// A fresh temporary name for a file named `target` (its name shortened so the whole
    /// stays within the usual 255-byte limit).
    static func temporaryName(for target: String) -> String {
        let random = String(UInt64.random(in: .min ... .max), radix: 16)
        let hex = String(repeating: "0", count: 16 - random.count) + random
        var shortTarget = target
        while shortTarget.utf8.count > 200 { shortTarget.removeLast() }
        return "\(temporaryPrefix)\(getpid()).\(hex).\(shortTarget)"
    }

    static func folderPath(of url: URL) -> String {
        let folder = url.deletingLastPathComponent().path
        return folder.isEmpty ? "." : folder
    }

    /// "a symbolic link", "a device", … for a mode that is not a regular file; nil for one.
    static func nonRegularKind(_ mode: mode_t) -> String? {
        switch mode & S_IFMT {
        case S_IFREG: return nil
        case S_IFLNK: return "a symbolic link"
        case S_IFCHR, S_IFBLK: return "a device"
        case S_IFIFO: return "a FIFO"
        case S_IFSOCK: return "a socket"
        case S_IFDIR: return "a folder"
        default: return "not a regular file"
        }
    }

    /// An unnamed regular file in `folder` (Linux's O_TMPFILE), or -1.
    static func openUnnamed(in folder: String) -> Int32 {
        #if os(Linux)
        // O_TMPFILE is __O_TMPFILE | O_DIRECTORY; Swift does not import the composite macro.
        let unnamedFlag: Int32 = 0o20000000 | O_DIRECTORY
        return open(folder, unnamedFlag | O_WRONLY, 0o644)
        #else
        return -1
        #endif
    }

    /// Gives the unnamed file `fd` the name `path`; false when the system cannot.
    static func linkUnnamed(_ fd: Int32, at path: String) -> Bool {
        #if os(Linux)
        return linkat(AT_FDCWD, "/proc/self/fd/\(fd)", AT_FDCWD, path, AT_SYMLINK_FOLLOW) == 0
        #else
        return false
        #endif
    }

    /// Writes all of `data` to `fd` and flushes it to disk.
    static func writeAll(_ data: Data, to fd: Int32, path: String) throws {
        var failure: String? = nil
        data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            var written = 0
            while written < raw.count {
                let n = posixWrite(fd, raw.baseAddress! + written, raw.count - written)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = "write failed: \(errorText())"
                    return
                }
                written += n
            }
        }
        if failure == nil && fsync(fd) != 0 { failure = "fsync failed: \(errorText())" }
        if let failure { throw OutputFileError(.writeFailed, file: path, reason: failure) }
    }

    static func errorText() -> String { String(cString: strerror(errno)) }
}

/// The C library's write(2) (inside ``AtomicFile`` the name means its own method).
private func posixWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    write(fd, buffer, count)
}
