import Foundation
import Perceptron

/// Loads MNIST's IDX files, raw or gzip-compressed (detected by the gzip magic bytes
/// 1f 8b, not by the name).
///
/// IDX layout, integers big-endian:
/// ```
/// images: magic 2051 (0x00000803) | count | rows | columns | count·rows·columns bytes
/// labels: magic 2049 (0x00000801) | count | count bytes (0–9)
/// pixel → pixel / 255 ∈ [0, 1]
/// ```
public enum MNIST {
    /// The training (60000) or test (10000) half.
    public enum Split: String, Sendable, CaseIterable {
        case train
        case test

        /// The canonical file names (without .gz): images, labels.
        public var fileNames: (images: String, labels: String) {
            switch self {
            case .train: return ("train-images-idx3-ubyte", "train-labels-idx1-ubyte")
            case .test: return ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")
            }
        }
    }

    /// Reads an IDX image file into an n × (rows·columns) matrix of pixels in [0, 1].
    /// - Throws: ``DataError/fileNotFound(file:)``, ``DataError/decompressionFailed(file:reason:)``,
    ///   ``DataError/invalidIDX(file:reason:)`` for a wrong magic number, a zero size, or
    ///   a payload whose length is not count × rows × columns.
    public static func loadImages(from url: URL) throws -> Matrix {
        try withFileBytes(url) { bytes in
            let file = url.path
            guard bytes.count >= 16 else {
                throw DataError.invalidIDX(file: file, reason: "\(bytes.count) bytes, shorter than the 16-byte image header")
            }
            let magic = bigEndian(bytes, 0)
            guard magic == 2051 else {
                throw DataError.invalidIDX(file: file, reason: "magic number \(magic), expected 2051 (unsigned-byte images)")
            }
            let count = bigEndian(bytes, 4), rows = bigEndian(bytes, 8), columns = bigEndian(bytes, 12)
            guard rows > 0, columns > 0 else {
                throw DataError.invalidIDX(file: file, reason: "image size \(rows)×\(columns)")
            }
            let (pixels, overflow1) = rows.multipliedReportingOverflow(by: columns)
            let (total, overflow2) = count.multipliedReportingOverflow(by: pixels)
            let overflow = overflow1 || overflow2
            guard !overflow, total == bytes.count - 16 else {
                throw DataError.invalidIDX(file: file, reason: "header says \(count) images of \(rows)×\(columns) = "
                    + "\(overflow ? "too many" : String(total)) bytes, payload has \(bytes.count - 16)")
            }
            let source = bytes.baseAddress! + 16
            return Matrix(rows: count, columns: pixels) { out in
                for i in 0..<total { out[i] = Float(source[i]) / 255 }
            }
        }
    }

    /// Reads an IDX label file into an n × 1 matrix of digits 0–9.
    /// - Throws: as ``loadImages(from:)``, and ``DataError/invalidIDX(file:reason:)`` for a
    ///   label above 9.
    public static func loadLabels(from url: URL) throws -> Matrix {
        try withFileBytes(url) { bytes in
            let file = url.path
            guard bytes.count >= 8 else {
                throw DataError.invalidIDX(file: file, reason: "\(bytes.count) bytes, shorter than the 8-byte label header")
            }
            let magic = bigEndian(bytes, 0)
            guard magic == 2049 else {
                throw DataError.invalidIDX(file: file, reason: "magic number \(magic), expected 2049 (unsigned-byte labels)")
            }
            let count = bigEndian(bytes, 4)
            guard count == bytes.count - 8 else {
                throw DataError.invalidIDX(file: file, reason: "header says \(count) labels, payload has \(bytes.count - 8) bytes")
            }
            var labels = [Float](repeating: 0, count: count)
            for i in 0..<count {
                let label = bytes[8 + i]
                guard label <= 9 else {
                    throw DataError.invalidIDX(file: file, reason: "label \(label) of item \(i + 1) is not a digit 0–9")
                }
                labels[i] = Float(label)
            }
            return Matrix(rows: count, columns: 1, elements: labels)
        }
    }

    /// Loads one split from a folder holding the four files, each raw or .gz, under the
    /// canonical names (`train-images-idx3-ubyte[.gz]`, …) or with a dot before "idx".
    /// - Throws: the loaders' errors, ``DataError/fileNotFound(file:)`` when a file is
    ///   absent, ``DataError/countMismatch(images:imageCount:labels:labelCount:)``,
    ///   ``DataError/emptyFile(file:)`` when the images file holds no images.
    public static func load(from folder: URL, split: Split = .train) throws -> Dataset {
        let imagesURL = try locate(split.fileNames.images, in: folder)
        let labelsURL = try locate(split.fileNames.labels, in: folder)
        let images = try loadImages(from: imagesURL)
        // A valid IDX file may hold no images, but a dataset without rows is of no use and
        // would fail later with a message naming no file.
        guard images.rows > 0 else { throw DataError.emptyFile(file: imagesURL.path) }
        let labels = try loadLabels(from: labelsURL)
        guard images.rows == labels.rows else {
            throw DataError.countMismatch(images: imagesURL.path, imageCount: images.rows,
                                          labels: labelsURL.path, labelCount: labels.rows)
        }
        let side = Int(Double(images.columns).squareRoot())
        let names = side * side == images.columns
            ? (0..<images.columns).map { "pixel_\($0 / side)_\($0 % side)" }
            : (0..<images.columns).map { "pixel_\($0)" }
        return Dataset(name: "mnist-\(split.rawValue)", features: images, targets: labels, featureNames: names,
                       classNames: (0...9).map(String.init), task: .classification)
    }

    /// The first existing file among the canonical name's variants in `folder`.
    static func locate(_ canonical: String, in folder: URL) throws -> URL {
        let dotted = canonical.replacingOccurrences(of: "-idx", with: ".idx")
        for name in [canonical, canonical + ".gz", dotted, dotted + ".gz"] {
            let url = folder.appendingPathComponent(name)
            if FileManager.default.fileExists(atPath: url.path) { return url }
        }
        throw DataError.fileNotFound(file: folder.appendingPathComponent(canonical + "[.gz]").path)
    }

    /// Calls `body` with the file's bytes, inflated first when they are gzip data.
    static func withFileBytes<R>(_ url: URL, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) throws -> R {
        let data = try readFileData(url)
        if Gzip.isGzip(data) {
            return try Gzip.withDecompressed(data, source: url.path, body)
        }
        return try data.withUnsafeBytes { raw in try body(raw.bindMemory(to: UInt8.self)) }
    }

    /// The big-endian u32 at `offset`, as an `Int`.
    @inline(__always) static func bigEndian(_ bytes: UnsafeBufferPointer<UInt8>, _ offset: Int) -> Int {
        Int(bytes[offset]) << 24 | Int(bytes[offset + 1]) << 16 | Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])
    }
}
