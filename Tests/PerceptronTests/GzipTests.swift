import Foundation
import XCTest
@testable import Perceptron
@testable import PerceptronData

/// Gzip's first buffer comes from a size the file claims; a false claim must not decide it.
final class GzipTests: XCTestCase {
    /// Python's `gzip.compress(b"hello", mtime=0)`: the 5 bytes "hello" (ISIZE 5).
    let hello: [UInt8] = [0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x03, 0xcb, 0x48, 0xcd, 0xc9, 0xc9,
                          0x07, 0x00, 0x86, 0xa6, 0x10, 0x36, 0x05, 0x00, 0x00, 0x00]

    func testDecompressesAndTrustsAPlausibleSize() throws {
        XCTAssertEqual(try Gzip.decompress(Data(hello), source: "hello.gz"), Array("hello".utf8))
        var big = Data(hello)
        big.replaceSubrange(21..<25, with: [0x00, 0x10, 0x00, 0x00])  // claims 4096 bytes
        XCTAssertEqual(Gzip.initialCapacity(big), 4096)
    }

    /// Found by the fuzzer (Fuzz/regressions/idx/gzip-isize-4GiB-oom): a 73-byte file whose
    /// trailer claims ~4 GiB made the reader allocate that before inflating a byte.
    func testAFalseHugeSizeClaimDoesNotDecideTheAllocation() throws {
        var claim = Data(hello)
        claim.replaceSubrange(21..<25, with: [0xff, 0xff, 0xff, 0xff])  // 2³² − 1 bytes
        XCTAssertLessThanOrEqual(Gzip.initialCapacity(claim), claim.count * Gzip.maxDeflateRatio)
        // The stream still inflates; zlib then rejects the wrong length in the trailer.
        XCTAssertThrowsError(try Gzip.decompress(claim, source: "claim.gz")) { error in
            guard case .decompressionFailed(let file, _)? = error as? DataError else { return XCTFail("\(error)") }
            XCTAssertEqual(file, "claim.gz")
        }
    }
}
