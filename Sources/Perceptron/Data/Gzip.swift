import CZlib
import Foundation

/// Gzip decompression through zlib's `inflate`, in one call over the whole input into
/// a buffer preallocated from the size recorded in the gzip trailer.
enum Gzip {
    /// Whether `data` starts with gzip's magic bytes 1f 8b.
    static func isGzip(_ data: Data) -> Bool {
        data.count >= 2 && data[data.startIndex] == 0x1f && data[data.startIndex + 1] == 0x8b
    }

    /// Inflates a gzip stream (several concatenated members are allowed).
    /// - Throws: ``DataError/decompressionFailed(file:reason:)`` on corrupt or truncated input.
    static func decompress(_ data: Data, source: String) throws -> [UInt8] {
        guard data.count >= 18 else {
            throw DataError.decompressionFailed(file: source, reason: "only \(data.count) bytes, shorter than a gzip header and trailer")
        }
        // ISIZE, the last 4 bytes little-endian, is the uncompressed size mod 2³².
        let tail = data.suffix(4).map(UInt32.init)
        let isize = Int(tail[0] | tail[1] << 8 | tail[2] << 16 | tail[3] << 24)
        var output = [UInt8](repeating: 0, count: max(isize, 64))
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
                if produced == output.count { output.append(contentsOf: repeatElement(0, count: output.count)) }
                let result: Int32 = output.withUnsafeMutableBufferPointer { out in
                    stream.next_out = out.baseAddress! + produced
                    stream.avail_out = uInt(out.count - produced)
                    let before = stream.avail_out
                    let r = inflate(&stream, Z_NO_FLUSH)
                    produced += Int(before - stream.avail_out)
                    return r
                }
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
                    let message = stream.msg.map { String(cString: $0) } ?? "zlib error \(result)"
                    return message
                }
            }
        }
        if let status { throw DataError.decompressionFailed(file: source, reason: status) }
        output.removeLast(output.count - produced)
        return output
    }
}
