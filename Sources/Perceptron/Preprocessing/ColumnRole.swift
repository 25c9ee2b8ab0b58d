/// How a numeric column is rescaled, with statistics from the training rows.
///
/// ```
/// standardize:  x' = (x − mean) / std      (population std; std = 0 → 1)
/// minMax:       x' = (x − min) / (max − min)   (max = min → divide by 1)
/// none:         x' = x
/// ```
public enum NumericScaling: String, Codable, Sendable, CaseIterable {
    case standardize
    case minMax
    case none
}

/// What a column of a table is used for.
///
/// Encoded (Codable, and ``description``) as one string: "target", "categorical",
/// "ignored", "numeric" (standardize), "numeric:minMax" or "numeric:none".
public enum ColumnRole: Codable, Equatable, Sendable, CustomStringConvertible {
    /// The value to predict (at most one column).
    case target
    /// A number: missing values take the training median, then it is rescaled.
    case numeric(NumericScaling)
    /// A category, one-hot encoded over the categories seen in training (sorted);
    /// missing values take the most frequent training category; a category not seen
    /// in training encodes as all zeros.
    case categorical
    /// Not used.
    case ignored

    /// Parses "target", "categorical", "ignored", "numeric", "numeric:standardize",
    /// "numeric:minMax" or "numeric:none"; nil for anything else.
    public init?(string: String) {
        switch string {
        case "target": self = .target
        case "categorical": self = .categorical
        case "ignored", "ignore": self = .ignored
        case "numeric", "numeric:standardize": self = .numeric(.standardize)
        default:
            guard string.hasPrefix("numeric:"), let scaling = NumericScaling(rawValue: String(string.dropFirst(8))) else {
                return nil
            }
            self = .numeric(scaling)
        }
    }

    public var description: String {
        switch self {
        case .target: return "target"
        case .categorical: return "categorical"
        case .ignored: return "ignored"
        case .numeric(.standardize): return "numeric"
        case .numeric(let scaling): return "numeric:\(scaling.rawValue)"
        }
    }

    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let role = ColumnRole(string: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                    debugDescription: "unknown column role \"\(text)\""))
        }
        self = role
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// Classification (predict one of several classes) or regression (predict a number).
public enum TaskKind: String, Codable, Sendable, CaseIterable {
    case classification
    case regression
}
