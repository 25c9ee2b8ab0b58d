/// A chart drawn as standalone SVG text: axes with ticks and labels, a legend, the
/// ``Palette``'s colour-blind-safe colours, every name escaped. The root `<svg>` scales to
/// its container (`viewBox`, `width="100%"`).
///
/// Each figure takes its data in its initializer (which throws for data it cannot draw)
/// and renders with ``svg()``; ``id`` becomes the root element's id, for pages that hold
/// several figures.
public protocol Figure {
    /// The heading drawn at the top and the accessible name of the image.
    var title: String { get set }
    /// The root element's `id` attribute, if any.
    var id: String? { get set }
    /// The figure as an SVG document.
    func svg() -> String
}
