/// Okabe & Ito's colour-blind-safe palette (Okabe & Ito, "Color Universal Design", 2008):
/// eight colours that stay distinct under the common colour-vision deficiencies.
public enum Palette {
    public static let blue = "#0072B2"
    public static let vermillion = "#D55E00"
    public static let bluishGreen = "#009E73"
    public static let reddishPurple = "#CC79A7"
    public static let orange = "#E69F00"
    public static let skyBlue = "#56B4E9"
    public static let yellow = "#F0E442"
    public static let black = "#000000"

    /// Series and class colours in order (class 0 blue, class 1 vermillion, …, as seed
    /// 004's blue and red clusters); cycles past eight (the curve figures dash the repeats).
    public static let series = [blue, vermillion, bluishGreen, reddishPurple, orange, skyBlue, black, yellow]

    /// The colour of series or class `index`.
    public static func color(_ index: Int) -> String { series[((index % series.count) + series.count) % series.count] }

    /// `hex` mixed with white: `amount` 0 is white, 1 the colour itself.
    public static func tint(_ hex: String, _ amount: Double) -> String {
        let (r, g, b) = rgb(hex)
        func mix(_ c: Int) -> Int { Int((255 - Double(255 - c) * amount).rounded()) }
        return hexString(mix(r), mix(g), mix(b))
    }

    /// The sequential scale of the heatmaps, white (0) to dark blue (1), by linear
    /// interpolation in sRGB from #FFFFFF to #08306B: monotone in lightness, so the order of
    /// values reads without hue.
    public static func sequential(_ t: Double) -> String {
        let s = min(max(t.isFinite ? t : 0, 0), 1)
        func lerp(_ a: Int, _ b: Int) -> Int { Int((Double(a) + (Double(b) - Double(a)) * s).rounded()) }
        return hexString(lerp(255, 8), lerp(255, 48), lerp(255, 107))
    }

    static func rgb(_ hex: String) -> (Int, Int, Int) {
        let digits = hex.hasPrefix("#") ? String(hex.dropFirst()) : hex
        let value = Int(digits, radix: 16) ?? 0
        return ((value >> 16) & 255, (value >> 8) & 255, value & 255)
    }

    static func hexString(_ r: Int, _ g: Int, _ b: Int) -> String {
        let hex = String((r << 16) | (g << 8) | b, radix: 16, uppercase: true)
        return "#" + String(repeating: "0", count: 6 - hex.count) + hex
    }
}
