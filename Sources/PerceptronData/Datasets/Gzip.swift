import Perceptron
import CZlib
import Foundation

/// Gzip decompression through zlib's `inflate`, in one call over the whole input into
/// a buffer preallocated from the size recorded in the gzip trailer.
enum Gzip {
    /// The most a deflate stream can expand (zlib's documented bound, about 1032:1).
    static let maxDeflateRatio = 1032

    /// Whether `data` starts with gzip's magic bytes 1f 8b.
    static func isGzip(_ data: Data) -> Bool {
        data.count >= 2 && data[data.startIndex] == 0x1f && data[data.startIndex + 1] == 0x8b
    }

    /// The first output buffer's size: the gzip trailer's ISIZE (the last 4 bytes,
    /// little-endian: the last member's uncompressed size mod 2³²), at least 64 bytes.
    /// ISIZE is only a claim read from the file: deflate expands at most 1032:1, so a
    /// larger claim is false and must not decide the allocation; the buffer grows if needed.
    static func initialCapacity(_ data: Data) -> Int {
        let tail = data.suffix(4).map(UInt32.init) + [0, 0, 0, 0]
        let isize = Int(tail[0] | tail[1] << 8 | tail[2] << 16 | tail[3] << 24)
        return max(min(isize, data.count * maxDeflateRatio), 64)
    }

    /// Inflates a gzip stream (several concatenated members are allowed).
    /// - Throws: ``DataError/decompressionFailed(file:reason:)`` on corrupt or truncated input.
    static func decompress(_ data: Data, source: String) throws -> [UInt8] {
        try withDecompressed(data, source: source) { Array($0) }
    }

    /// Inflates a gzip stream into a buffer that is not zero-filled first (sized from the
    /// gzip trailer, grown if that was wrong) and lends it to `body`.
    static func withDecompressed<R>(_ data: Data, source: String,
                                    _ body: (UnsafeBufferPointer<UInt8>) throws -> R) throws -> R {
        guard data.count >= 18 else {
            throw DataError.decompressionFailed(file: source, reason: "only \(data.count) bytes, shorter than a gzip header and trailer")
        }
        var capacity = initialCapacity(data)
        guard var output = malloc(capacity)?.assumingMemoryBound(to: UInt8.self) else {
            throw DataError.decompressionFailed(file: source, reason: "cannot allocate \(capacity) bytes")
        }
        defer { free(output) }
        var produced = 0

        let status: String? = data.withUnsafeBytes { (input: UnsafeRawBufferPointer) -> String? in
            var stream = z_stream()
            // 15 + 16: a 32 KiB window and a gzip (not zlib) header.
            guard inflateInit2_(&stream, 15 + 16, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
                return "inflateInit2 failed"
            }
            defer { inflateEnd(&stream) }
            stream.next_in = UnsafeMutablePointer(mutating: input.bindMemory(to: Bytef.self).baseAddress!)
            stream.avail_in = uInt(input.count)
            while true {
                if produced == capacity {
                    guard let grown = realloc(output, 2 * capacity) else { return "cannot allocate \(2 * capacity) bytes" }
                    output = grown.assumingMemoryBound(to: UInt8.self)
                    capacity *= 2
                }
                // zlib counts in 32-bit units: hand it at most 1 GiB of output space per call.
                let space = min(capacity - produced, 1 << 30)
                stream.next_out = output + produced
                stream.avail_out = uInt(space)
                let result = inflate(&stream, Z_NO_FLUSH)
                produced += space - Int(stream.avail_out)
                switch result {
                case Z_STREAM_END:
                    // Skip zero padding some tools append; start over on a further member.
                    while stream.avail_in > 0 && stream.next_in.pointee == 0 {
                        stream.next_in += 1
                        stream.avail_in -= 1
                    }
                    if stream.avail_in == 0 { return nil }
                    guard inflateReset(&stream) == Z_OK else { return "inflateReset failed" }
                case Z_OK:
                    continue
                case Z_BUF_ERROR:
                    if stream.avail_in == 0 { return "truncated gzip stream" }
                    continue  // the output buffer was full: grown at the top of the loop
                default:
                    return stream.msg.map { String(cString: $0) } ?? "zlib error \(result)"
                }
            }
        }
        if let status { throw DataError.decompressionFailed(file: source, reason: status) }
        return try body(UnsafeBufferPointer(start: output, count: produced))
    }
}
