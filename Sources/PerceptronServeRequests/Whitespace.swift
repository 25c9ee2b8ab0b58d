/// Foundation's `CharacterSet.whitespaces`, read from the string's scalars:
///
/// ```
/// whitespace  = U+0009 (tab), U+0020, U+00A0, U+1680, U+2000…U+200B, U+202F, U+205F, U+3000
///               (CoreFoundation's list: the space separators, Zs, and the tab; U+200B, a
///               space separator in early Unicode and a format character now, is kept)
/// trimmed(s)  = s without its leading and trailing whitespace (line breaks are not whitespace)
/// ```
/// `trimmingCharacters(in: .whitespaces)` bridges to NSString and builds a new String even
/// when there is nothing to trim, which is every field of a well-formed request: ~5 % of a
/// one-row Titanic request's server CPU on a Zen 1 (BENCHMARKS.md "serve8"). Here a field
/// with no whitespace at either end comes back as itself, uncopied.
package enum Whitespace {
    /// Whether `scalar` is in `CharacterSet.whitespaces`.
    package static func contains(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09, 0x20, 0xA0, 0x1680, 0x2000...0x200B, 0x202F, 0x205F, 0x3000: return true
        default: return false
        }
    }

    /// `text` without leading and trailing whitespace, as `trimmingCharacters(in: .whitespaces)`.
    package static func trimmed(_ text: String) -> String {
        let scalars = text.unicodeScalars
        var start = scalars.startIndex, end = scalars.endIndex
        while start < end, contains(scalars[start]) { start = scalars.index(after: start) }
        while end > start, contains(scalars[scalars.index(before: end)]) { end = scalars.index(before: end) }
        if start == scalars.startIndex && end == scalars.endIndex { return text }
        return String(scalars[start..<end])
    }
}
