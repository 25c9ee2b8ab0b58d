/// What a predict request's `Content-Type` says its body is.
///
/// ```
/// Content-Type  = media-type *( OWS ";" OWS parameter )      (RFC 9110 §8.3)
/// application/json  → .json        text/csv → .csv           anything else, or none → nil (415)
/// ```
/// The type and subtype compare ASCII case-insensitively, spaces and tabs around them are
/// ignored, and the parameters (`charset=utf-8`, …) are not read. Read from the value's
/// UTF-8 bytes: no Foundation (`trimmingCharacters` and `lowercased` cost a one-row Titanic
/// request ~5 % of the server's CPU, BENCHMARKS.md "serve7").
public enum BodyKind: Sendable, Equatable {
    case json, csv

    private static let jsonType = Array("application/json".utf8)
    private static let csvType = Array("text/csv".utf8)

    /// The kind `contentType` names, or nil for any other media type (or an empty one).
    public init?(contentType: String) {
        var value = contentType
        let kind = value.withUTF8 { bytes -> BodyKind? in
            let type = Self.mediaTypeRange(bytes)
            let media = UnsafeBufferPointer(rebasing: bytes[type])
            if Self.equalsIgnoringASCIICase(media, Self.jsonType) { return .json }
            if Self.equalsIgnoringASCIICase(media, Self.csvType) { return .csv }
            return nil
        }
        guard let kind else { return nil }
        self = kind
    }

    /// The media type of `contentType` as the 415's message names it: before any `;`,
    /// without surrounding spaces and tabs, in lower case.
    public static func mediaType(of contentType: String) -> String {
        var value = contentType
        return value.withUTF8 { bytes in
            String(decoding: bytes[mediaTypeRange(bytes)].map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }, as: UTF8.self)
        }
    }

    /// The bytes before the first `;`, without leading and trailing spaces and tabs.
    private static func mediaTypeRange(_ bytes: UnsafeBufferPointer<UInt8>) -> Range<Int> {
        var end = bytes.firstIndex(of: UInt8(ascii: ";")) ?? bytes.count
        var start = 0
        while start < end, bytes[start] == 0x20 || bytes[start] == 0x09 { start += 1 }
        while end > start, bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09 { end -= 1 }
        return start..<end
    }

    /// Whether `bytes` spell `lowercase` (ASCII letters in either case).
    private static func equalsIgnoringASCIICase(_ bytes: UnsafeBufferPointer<UInt8>, _ lowercase: [UInt8]) -> Bool {
        guard bytes.count == lowercase.count else { return false }
        for i in 0..<bytes.count {
            let b = bytes[i]
            if (b >= 65 && b <= 90 ? b + 32 : b) != lowercase[i] { return false }
        }
        return true
    }
}
