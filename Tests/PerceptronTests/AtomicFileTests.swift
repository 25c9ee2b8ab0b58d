import Foundation
import XCTest
@testable import Perceptron
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The atomic write: it replaces only regular files, leaves no litter, and removes the
/// temporary files of killed writers only when it can prove they are orphans.
final class AtomicFileTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("AtomicFileTests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    func url(_ name: String) -> URL { folder.appendingPathComponent(name) }
    func names() throws -> Set<String> { Set(try FileManager.default.contentsOfDirectory(atPath: folder.path)) }

    func testWritesAndReplacesARegularFileLeavingNothingElse() throws {
        try AtomicFile.write(Data("one".utf8), to: url("m.bin"))
        try AtomicFile.write(Data("two".utf8), to: url("m.bin"))
        XCTAssertEqual(try String(contentsOf: url("m.bin"), encoding: .utf8), "two")
        XCTAssertEqual(try names(), ["m.bin"])
    }

    func assertRefused(_ target: URL, kind: String, line: UInt = #line) {
        XCTAssertThrowsError(try AtomicFile.write(Data("new".utf8), to: target), line: line) { error in
            guard let error = error as? OutputFileError else { return XCTFail("\(error)", line: line) }
            XCTAssertEqual(error.kind, .notARegularFile, line: line)
            XCTAssertEqual(error.file, target.path, line: line)
            XCTAssertTrue(error.reason.contains(kind), error.reason, line: line)
        }
    }

    /// A symbolic link, a FIFO, a folder and a device node at the target are refused and
    /// left as they were (Foundation's atomic write replaced each with a regular file).
    func testRefusesToReplaceWhatIsNotARegularFile() throws {
        try Data("precious".utf8).write(to: url("real.txt"))
        try FileManager.default.createSymbolicLink(atPath: url("link.bin").path, withDestinationPath: url("real.txt").path)
        assertRefused(url("link.bin"), kind: "symbolic link")
        XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: url("link.bin").path), url("real.txt").path)
        XCTAssertEqual(try String(contentsOf: url("real.txt"), encoding: .utf8), "precious")

        // A dangling link too: writing through it would create a file elsewhere.
        try FileManager.default.createSymbolicLink(atPath: url("dangling.bin").path, withDestinationPath: url("elsewhere.bin").path)
        assertRefused(url("dangling.bin"), kind: "symbolic link")
        XCTAssertFalse(FileManager.default.fileExists(atPath: url("elsewhere.bin").path))

        XCTAssertEqual(mkfifo(url("pipe").path, 0o644), 0)
        assertRefused(url("pipe"), kind: "FIFO")
        try FileManager.default.createDirectory(at: url("dir"), withIntermediateDirectories: false)
        assertRefused(url("dir"), kind: "folder")

        // A device node: made here when allowed (root); /dev/null is only checked, never written.
        if mknod(url("null").path, S_IFCHR | 0o666, 0x103) == 0 {
            assertRefused(url("null"), kind: "device")
            var info = stat()
            XCTAssertEqual(lstat(url("null").path, &info), 0)
            XCTAssertEqual(info.st_mode & S_IFMT, S_IFCHR)
        }
        XCTAssertThrowsError(try AtomicFile.checkDestination(URL(fileURLWithPath: "/dev/null"))) {
            XCTAssertEqual(($0 as? OutputFileError)?.kind, .notARegularFile)
        }
        XCTAssertEqual(try names().filter { $0.hasPrefix(".") }, [])
    }

    func testMissingFolderIsNamed() throws {
        let target = url("no/such/folder/m.bin")
        XCTAssertThrowsError(try AtomicFile.checkDestination(target)) { error in
            XCTAssertEqual((error as? OutputFileError)?.kind, .folderMissing)
            XCTAssertTrue("\(error)".contains(self.url("no/such/folder").path), "\(error)")
        }
        try Data().write(to: url("file"))
        XCTAssertThrowsError(try AtomicFile.write(Data(), to: url("file/m.bin"))) {
            XCTAssertEqual(($0 as? OutputFileError)?.kind, .folderMissing)
        }
    }

    func testTemporaryNamesParse() {
        let name = AtomicFile.temporaryName(for: "model.v2.safetensors")
        XCTAssertEqual(AtomicFile.writerPID(ofTemporaryName: name), getpid())
        XCTAssertTrue(name.hasSuffix(".model.v2.safetensors"), name)
        XCTAssertEqual(AtomicFile.writerPID(ofTemporaryName: ".perceptron-tmp.42.0123456789abcdef.m"), 42)
        for bad in [".perceptron-tmp.42.0123456789abcdef.", ".perceptron-tmp.42.0123456789ABCDEF.m", ".perceptron-tmp.x.0123456789abcdef.m",
                    ".perceptron-tmp.42.0123.m", "perceptron-tmp.42.0123456789abcdef.m", ".perceptron-tmp.0.0123456789abcdef.m",
                    ".m.tmp-42", ".perceptron-tmp.-1.0123456789abcdef.m"] {
            XCTAssertNil(AtomicFile.writerPID(ofTemporaryName: bad), bad)
        }
        XCTAssertLessThanOrEqual(AtomicFile.temporaryName(for: String(repeating: "x", count: 255)).utf8.count, 255)
    }

    /// The next write in a folder removes the temporary files of writers that died (a
    /// process id that is not alive, no lock held), and nothing else.
    func testTheNextWriteRemovesOnlyProvableOrphans() throws {
        // Process ids above the kernel's pid_max (at most 2²²) are never alive: kill gives ESRCH.
        let dead = Int32.max
        XCTAssertEqual(kill(dead, 0), -1)
        XCTAssertEqual(errno, ESRCH)
        let orphan = ".perceptron-tmp.\(dead).00000000000000aa.m.safetensors"
        let orphanOfAnotherTarget = ".perceptron-tmp.\(dead - 1).00000000000000bb.other.csv"
        let live = ".perceptron-tmp.1.00000000000000cc.m.safetensors"  // pid 1 is always alive
        let lockedByALiveWriter = ".perceptron-tmp.\(dead - 2).00000000000000dd.m.safetensors"  // e.g. another PID namespace
        let unrelated = ["notes.txt", ".perceptron-tmp.junk", ".perceptron-tmp.\(dead).XYZ.m", ".m.safetensors.tmp-1234",
                         ".perceptron-tmp.\(dead).00000000000000ee"]
        for name in [orphan, orphanOfAnotherTarget, live, lockedByALiveWriter] + unrelated {
            try Data(repeating: 7, count: 100).write(to: url(name))
        }
        let symlinkOrphan = ".perceptron-tmp.\(dead).00000000000000ff.m.safetensors"
        try FileManager.default.createSymbolicLink(atPath: url(symlinkOrphan).path, withDestinationPath: url("notes.txt").path)
        let lock = open(url(lockedByALiveWriter).path, O_RDONLY)
        XCTAssertGreaterThanOrEqual(lock, 0)
        defer { close(lock) }
        // The lock must be held by another open file description to block the sweep, as a
        // writer's is; flock on a second descriptor of our own process conflicts the same way.
        XCTAssertEqual(flock(lock, LOCK_EX), 0)

        try AtomicFile.write(Data("new".utf8), to: url("m.safetensors"))

        let left = try names()
        XCTAssertFalse(left.contains(orphan))
        XCTAssertFalse(left.contains(orphanOfAnotherTarget))
        XCTAssertTrue(left.contains(live))
        XCTAssertTrue(left.contains(lockedByALiveWriter))
        XCTAssertTrue(left.contains(symlinkOrphan))
        for name in unrelated { XCTAssertTrue(left.contains(name), name) }
        XCTAssertEqual(try String(contentsOf: url("m.safetensors"), encoding: .utf8), "new")
        XCTAssertEqual(try Data(contentsOf: url("notes.txt")), Data(repeating: 7, count: 100))
    }
}
