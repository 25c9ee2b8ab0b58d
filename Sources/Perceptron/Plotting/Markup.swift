/// Escaping for text placed in HTML, SVG or any XML document, as element content or as a
/// quoted attribute value, so that names read from a user's file can never break out of
/// the markup:
///
/// ```
/// &  →  &amp;     <  →  &lt;     >  →  &gt;     "  →  &quot;     '  →  &#39;
/// ```
/// Control characters other than tab and newline, the C1 controls U+007F–U+009F and the
/// noncharacters U+FFFE and U+FFFF are dropped: XML 1.0 does not allow them (an SVG with
/// one fails to parse) and HTML parsers report them as errors.
public enum Markup {
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case "\t", "\n": out.unicodeScalars.append(scalar)
            default:
                if scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar.value == 0xFFFE || scalar.value == 0xFFFF {
                    continue
                }
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
