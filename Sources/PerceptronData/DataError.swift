import Foundation
import Perceptron

/// Errors for data a user hands to Perceptron: CSV files, preprocessing, MNIST files,
/// dataset downloads. Each names the file, and where it applies the row and the column.
///
/// `row` is the 1-based line number in the file where the record starts, as a person
/// counts lines in an editor: with a header row, the header is line 1 and the first
/// data record is line 2. `column` is the column's name (with no header row, its
/// 1-based index as a string).
public enum DataError: Error, Equatable, Sendable {
    /// The file does not exist.
    case fileNotFound(file: String)
    /// The file exists but cannot be read (permissions, a folder, an I/O error).
    case unreadableFile(file: String, reason: String)
    /// The file holds no data: no bytes, or only blank lines (or only a header).
    case emptyFile(file: String)
    /// The file is not valid UTF-8 text.
    case invalidEncoding(file: String)
    /// A record has a different number of fields than the header (or the first record).
    case raggedRow(file: String, row: Int, expected: Int, got: Int)
    /// A quoted field opened on line `row` is never closed (the rest of the file would
    /// silently become one field).
    case unterminatedQuote(file: String, row: Int)
    /// A column named by the user (or needed by a fitted preprocessor) is not in the table.
    case unknownColumn(file: String, column: String, available: [String])
    /// A column used as numeric holds text that does not parse as a number.
    case nonNumericValue(file: String, row: Int, column: String, value: String)
    /// A column used as numeric holds a number that is not finite as a 32-bit float
    /// (`inf`, `-inf`, `nan` when not a missing marker, or a magnitude above 3.4e38 such as
    /// 1e308); `row` is the line in the file.
    case nonFiniteValue(file: String, row: Int, column: String, value: String)
    /// The target column has an empty field.
    case missingTarget(file: String, row: Int, column: String)
    /// A classification target value was not seen when the preprocessor was fitted.
    case unknownClass(file: String, row: Int, column: String, value: String, known: [String])
    /// The settings ask for something the data cannot give (no feature columns, a
    /// regression target that is text, …).
    case invalidConfiguration(String)
    /// A gzip stream is corrupt or truncated.
    case decompressionFailed(file: String, reason: String)
    /// An IDX (MNIST) file breaks the format: wrong magic number, or a size that does
    /// not match its header.
    case invalidIDX(file: String, reason: String)
    /// Image and label files disagree on the number of items.
    case countMismatch(images: String, imageCount: Int, labels: String, labelCount: Int)
    /// A downloaded or copied file's checksum is not the published one.
    case checksumMismatch(file: String, expected: String, got: String)
    /// A dataset name that is not in ``Datasets/list``.
    case unknownDataset(name: String, available: [String])
    /// A bundled resource is missing from the package (a packaging bug).
    case missingResource(name: String)
    /// A download failed.
    case downloadFailed(url: String, reason: String)
}

extension DataError: CustomStringConvertible {
    public var description: String {
        switch self {
        case let .fileNotFound(file):
            return "\(file): no such file"
        case let .unreadableFile(file, reason):
            return "\(file): cannot read file: \(reason)"
        case let .emptyFile(file):
            return "\(file): file is empty (no data rows)"
        case let .invalidEncoding(file):
            return "\(file): not valid UTF-8 text"
        case let .raggedRow(file, row, expected, got):
            return "\(file): row \(row) has \(got) fields, expected \(expected)"
        case let .unterminatedQuote(file, row):
            return "\(file): row \(row): a quoted field is never closed"
        case let .unknownColumn(file, column, available):
            return "\(file): no column \"\(column)\" (columns: \(available.joined(separator: ", ")))"
        case let .nonNumericValue(file, row, column, value):
            return "\(file): row \(row), column \"\(column)\": \"\(value)\" is not a number"
        case let .nonFiniteValue(file, row, column, value):
            return "\(file): line \(row), column \"\(column)\": \"\(value)\" is not a finite number "
                + "(the network computes in 32-bit floats: |x| ≤ 3.4e38; mark missing values with --na-values)"
        case let .missingTarget(file, row, column):
            return "\(file): row \(row), column \"\(column)\": the target is empty"
        case let .unknownClass(file, row, column, value, known):
            return "\(file): row \(row), column \"\(column)\": class \"\(value)\" was not seen in training "
                + "(known: \(known.joined(separator: ", ")))"
        case let .invalidConfiguration(message):
            return "Invalid data configuration: \(message)"
        case let .decompressionFailed(file, reason):
            return "\(file): cannot decompress gzip data: \(reason)"
        case let .invalidIDX(file, reason):
            return "\(file): not a valid IDX file: \(reason)"
        case let .countMismatch(images, imageCount, labels, labelCount):
            return "\(images) has \(imageCount) images but \(labels) has \(labelCount) labels"
        case let .checksumMismatch(file, expected, got):
            return "\(file): checksum mismatch: expected MD5 \(expected), got \(got)"
        case let .unknownDataset(name, available):
            return "Unknown dataset \"\(name)\" (available: \(available.joined(separator: ", ")))"
        case let .missingResource(name):
            return "Bundled resource \(name) is missing from the package"
        case let .downloadFailed(url, reason):
            return "Download of \(url) failed: \(reason)"
        }
    }
}

extension DataError: LocalizedError {
    public var errorDescription: String? { description }
}

/// Reads a whole file (``FileContents/read(_:)``), naming a failure as a ``DataError``.
func readFileData(_ url: URL) throws -> Data {
    do {
        return try FileContents.read(url)
    } catch .notFound {
        throw DataError.fileNotFound(file: url.path)
    } catch .isDirectory {
        throw DataError.unreadableFile(file: url.path, reason: "is a directory")
    } catch let .unreadable(reason) {
        throw DataError.unreadableFile(file: url.path, reason: reason)
    }
}
