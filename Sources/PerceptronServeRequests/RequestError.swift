/// A request the server refuses: always a 4xx status with a JSON body
///
/// ```
/// {"error": {"status": 400, "code": "wrong_type", "message": "…", "field": "Age", "row": 3}}
/// ```
/// `field` names the member or column at fault and `row` the 0-based index of the row
/// (in `instances`, `inputs`, or the CSV body's data rows) when there is one.
public struct RequestError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The 4xx statuses a refusal takes (an HTTP status code, so that decoding needs no
    /// HTTP framework; the server turns it into its own status type).
    public struct Status: Equatable, Sendable {
        public var code: Int
        public init(code: Int) { self.code = code }
        public static let badRequest = Status(code: 400)
        public static let notFound = Status(code: 404)
        public static let methodNotAllowed = Status(code: 405)
        public static let requestTimeout = Status(code: 408)
        public static let contentTooLarge = Status(code: 413)
        public static let unsupportedMediaType = Status(code: 415)
        public static let unprocessableContent = Status(code: 422)
    }

    public var status: Status
    /// A stable machine-readable code ("malformed_json", "missing_column", …).
    public var code: String
    public var message: String
    public var field: String?
    public var row: Int?

    public init(_ status: Status, _ code: String, _ message: String, field: String? = nil, row: Int? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.row = row
    }

    public var description: String {
        var text = "\(status.code) \(code): \(message)"
        if let field { text += " (field \"\(field)\")" }
        if let row { text += " (row \(row))" }
        return text
    }

    /// The JSON body.
    package func json() -> [UInt8] {
        var writer = JSONWriter()
        writer.beginObject()
        writer.key("error")
        writer.beginObject()
        writer.key("status"); writer.integer(status.code)
        writer.key("code"); writer.string(code)
        writer.key("message"); writer.string(message)
        if let field { writer.key("field"); writer.string(field) }
        if let row { writer.key("row"); writer.integer(row) }
        writer.endObject()
        writer.endObject()
        return writer.bytes
    }

    package static func badRequest(_ code: String, _ message: String, field: String? = nil, row: Int? = nil) -> RequestError {
        RequestError(.badRequest, code, message, field: field, row: row)
    }
}
