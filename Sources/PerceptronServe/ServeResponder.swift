import Foundation
import Hummingbird
import Logging
import NIOCore
import Perceptron
import PerceptronServeRequests

/// Routes requests and answers them; never throws, so no request reaches Hummingbird's
/// generic 500. Every refusal is a ``RequestError`` (a 4xx JSON body).
///
/// ```
/// GET  /healthz                      alive
/// GET  /readyz                       every model loaded
/// GET  /metrics                      Prometheus text
/// GET  /v1/models                    the models, their versions
/// GET  /v1/models/{name}             architecture, input schema, training, file hash
/// GET  /v1/models/{name}/drift       served inputs and predictions vs training
/// POST /v1/models/{name}:predict     {"instances": [{…}]}, {"inputs": [[…]]} or text/csv
/// ```
/// A known path with another method is 405 (with `Allow`), an unknown path 404.
public struct ServeResponder: HTTPResponder {
    public typealias Context = ServeRequestContext

    let registry: ModelRegistry
    let options: ServeOptions
    let watchdog: ReadWatchdog
    let logger: Logger
    var metrics: ServerMetrics { registry.metrics }

    /// The route templates, the metrics' `route` label.
    enum Route: String {
        case healthz = "/healthz", readyz = "/readyz", metrics = "/metrics", models = "/v1/models"
        case model = "/v1/models/{name}", drift = "/v1/models/{name}/drift", predict = "/v1/models/{name}:predict"
        case unknown = "unmatched"

        var method: HTTPRequest.Method { self == .predict ? .post : .get }
    }

    public func respond(to request: Request, context: Context) async throws -> Response {
        let start = ContinuousClock.now
        metrics.inFlight.increment()
        let (route, modelName) = Self.route(request.uri.path)
        let response: Response
        var rows = 0
        do {
            (response, rows) = try await handle(request, context: context, route: route, modelName: modelName)
        } catch let error as RequestError {
            response = Self.errorResponse(error)
            if error.status == .requestTimeout || error.status == .contentTooLarge {
                logger.warning("request refused", metadata: ["route": "\(route.rawValue)", "status": "\(error.status.code)",
                                                             "error": "\(error.message)"])
            }
        } catch {
            // Nothing above throws anything else; should it ever, the client still gets JSON.
            logger.warning("request failed", metadata: ["route": "\(route.rawValue)", "error": "\(error)"])
            response = Self.errorResponse(RequestError(.badRequest, "bad_request", "\(error)"))
        }
        let elapsed = ContinuousClock.now - start
        metrics.inFlight.decrement()
        metrics.request(route: route.rawValue, method: request.method.rawValue, status: response.status.code, duration: elapsed)
        logger.debug("request", metadata: [
            "method": "\(request.method.rawValue)", "path": "\(request.uri.path)", "status": "\(response.status.code)",
            "ms": "\(Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000)",
            "rows": "\(rows)",
        ])
        return response
    }

    /// The route of `path` and the model name in it.
    ///
    /// Read from the path's UTF-8 bytes (Foundation's `contains` and String slicing cost a
    /// one-row Titanic request ~4 % of the server's CPU, BENCHMARKS.md "serve7"):
    /// ```
    /// /healthz  /readyz  /metrics  /v1/models[/]        the fixed routes
    /// /v1/models/NAME/drift                              drift
    /// /v1/models/NAME:predict  (":" also as %3A, %3a)    predict
    /// /v1/models/NAME                                    model
    /// ```
    /// NAME is not empty and holds no "/" (nor ":", for the model route); anything else is unknown.
    static func route(_ path: String) -> (Route, String?) {
        var path = path
        return path.withUTF8 { route(bytes: $0) }
    }

    private static let modelsPrefix = Array("/v1/models/".utf8)
    private static let fixedRoutes: [([UInt8], Route)] = [
        (Array("/healthz".utf8), .healthz), (Array("/readyz".utf8), .readyz), (Array("/metrics".utf8), .metrics),
        (Array("/v1/models".utf8), .models), (Array("/v1/models/".utf8), .models),
    ]
    private static let driftSuffix = Array("/drift".utf8)
    private static let predictSuffixes = [Array(":predict".utf8), Array("%3Apredict".utf8), Array("%3apredict".utf8)]

    private static func route(bytes path: UnsafeBufferPointer<UInt8>) -> (Route, String?) {
        for (fixed, route) in fixedRoutes where path.elementsEqual(fixed) { return (route, nil) }
        guard path.starts(with: modelsPrefix) else { return (.unknown, nil) }
        let rest = UnsafeBufferPointer(rebasing: path[modelsPrefix.count...])
        func endsWith(_ suffix: [UInt8]) -> Bool {
            rest.count >= suffix.count && rest[(rest.count - suffix.count)...].elementsEqual(suffix)
        }
        /// The model name: `rest` without its last `suffixCount` bytes, when that is not empty
        /// and holds no "/" (nor ":", with `colonToo`).
        func name(droppingLast suffixCount: Int, colonToo: Bool = false) -> String? {
            let bytes = rest[..<(rest.count - suffixCount)]
            guard !bytes.isEmpty,
                  !bytes.contains(where: { $0 == UInt8(ascii: "/") || (colonToo && $0 == UInt8(ascii: ":")) }) else { return nil }
            return String(decoding: bytes, as: UTF8.self)
        }
        if endsWith(driftSuffix) {
            return name(droppingLast: driftSuffix.count).map { (.drift, $0) } ?? (.unknown, nil)
        }
        for suffix in predictSuffixes where endsWith(suffix) {
            return name(droppingLast: suffix.count).map { (.predict, $0) } ?? (.unknown, nil)
        }
        return name(droppingLast: 0, colonToo: true).map { (.model, $0) } ?? (.unknown, nil)
    }

    private func handle(_ request: Request, context: Context, route: Route, modelName: String?) async throws -> (Response, Int) {
        guard route != .unknown else {
            throw RequestError(.notFound, "not_found", "no route \(request.uri.path); see GET /v1/models")
        }
        guard request.method == route.method else {
            var response = Self.errorResponse(RequestError(.methodNotAllowed, "method_not_allowed",
                                                           "\(route.rawValue) takes \(route.method.rawValue), not \(request.method.rawValue)"))
            response.headers[.allow] = route.method.rawValue
            return (response, 0)
        }
        switch route {
        case .healthz:
            return (Self.json(Array(#"{"status":"ok"}"#.utf8)), 0)
        case .readyz:
            var w = JSONWriter()
            w.beginObject()
            w.key("status"); w.string("ready")
            w.key("models"); w.beginObject(); for m in registry.all { w.key(m.name); w.string(m.version) }; w.endObject()
            w.endObject()
            return (Self.json(w.bytes), 0)
        case .metrics:
            var bytes = metrics.registry.emitToBuffer()
            var text = PrometheusText.driftHeader
            for model in registry.all { model.drift.writePrometheus(model: model.name, into: &text) }
            bytes.append(contentsOf: text.utf8)
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            return (Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes))), 0)
        case .models:
            var w = JSONWriter()
            w.beginObject()
            w.key("models"); w.beginArray(); for m in registry.all { m.writeSummary(into: &w) }; w.endArray()
            w.endObject()
            return (Self.json(w.bytes), 0)
        case .model:
            return (Self.json(try model(modelName).descriptionJSON), 0)
        case .drift:
            let served = try model(modelName)
            var w = JSONWriter(capacity: 2048)
            served.drift.writeReport(model: served, into: &w)
            return (Self.json(w.bytes), 0)
        case .predict:
            return try await predict(request, context: context, model: try model(modelName))
        case .unknown:
            preconditionFailure("handled above")
        }
    }

    private func model(_ name: String?) throws(RequestError) -> ServedModel {
        guard let name, let model = registry.lookup(name) else {
            throw RequestError(.notFound, "unknown_model", "no model named \"\(name ?? "")\"; see GET /v1/models", field: "name")
        }
        return model
    }

    // MARK: predict

    private func predict(_ request: Request, context: Context, model: ServedModel) async throws -> (Response, Int) {
        let (contentType, contentLength) = Self.contentHeaders(request.headers)
        guard let kind = contentType.flatMap(BodyKind.init(contentType:)) else {
            let named = contentType.map { "\"\(BodyKind.mediaType(of: $0))\"" } ?? "missing"
            throw RequestError(.unsupportedMediaType, "unsupported_media_type",
                               "Content-Type \(named): send application/json or text/csv", field: "Content-Type")
        }
        if let length = contentLength.flatMap({ Int($0) }), length > options.maxBody {
            throw RequestError(.contentTooLarge, "body_too_large", "the body's \(length) bytes exceed --max-body \(options.maxBody)")
        }
        let body = try await readBody(request, context: context)
        let batch = try body.withUnsafeReadableBytes { bytes throws(RequestError) -> EncodedBatch in
            switch kind {
            case .json: return try RequestDecoder.decodeJSON(bytes, model: model.request, maxRows: options.maxRows)
            case .csv: return try RequestDecoder.decodeCSV(bytes, model: model.request, maxRows: options.maxRows)
            }
        }
        let outputs: Matrix
        do {
            outputs = try await model.batcher.outputs(rows: batch.rows, features: batch.features)
        } catch {
            // The features were checked (count, finiteness) above; the predictor refuses
            // nothing else, so this is a model that cannot take what it declared.
            throw RequestError(.unprocessableContent, "prediction_failed", "\(error)")
        }
        let written = try PredictionWriter.write(outputs: outputs, model: model.request)
        model.drift.record(batch.drift, classes: written.classes, values: written.values)
        return (Self.json(written.bytes), batch.rows)
    }

    /// The Content-Type and Content-Length values, as `headers[.contentType]` and
    /// `headers[.contentLength]` give them (a name sent twice: its values joined by ", "),
    /// read in one pass. The subscript joins through a lazy sequence whose generic metadata
    /// is looked up at run time: the two look-ups took ~3 % of a one-row request's server CPU
    /// on a Zen 1 (BENCHMARKS.md "serve8").
    static func contentHeaders(_ headers: HTTPFields) -> (type: String?, length: String?) {
        var type: String? = nil, length: String? = nil
        for field in headers {
            if field.name == .contentType {
                type = type.map { $0 + ", " + field.value } ?? field.value
            } else if field.name == .contentLength {
                length = length.map { $0 + ", " + field.value } ?? field.value
            }
        }
        return (type, length)
    }

    /// The body, at most `--max-body` bytes, within `--read-timeout`.
    ///
    /// Read on this task; a client that stops sending is ended by the ``ReadWatchdog``,
    /// which closes the connection's input at the deadline: the body stream ends (or fails)
    /// and this answers the JSON 408, the output still being open.
    private func readBody(_ request: Request, context: Context) async throws(RequestError) -> ByteBuffer {
        let timeout = RequestError(.requestTimeout, "body_timeout",
                                   "the body did not arrive within --read-timeout \(options.readTimeoutSeconds) s")
        let deadline = ContinuousClock.now + watchdog.timeout
        let ticket = watchdog.start(context.channel, deadline: deadline)
        var buffer = ByteBuffer()
        do {
            for try await var chunk in request.body {
                guard buffer.readableBytes + chunk.readableBytes <= options.maxBody else {
                    _ = watchdog.finish(ticket)
                    throw RequestError(.contentTooLarge, "body_too_large", "the body exceeds --max-body \(options.maxBody) bytes")
                }
                // A timed-out connection stays with the watchdog, which closes it after the 408.
                guard ContinuousClock.now <= deadline else { throw timeout }
                buffer.writeBuffer(&chunk)
            }
        } catch let error as RequestError {
            throw error
        } catch {
            // The watchdog closed the input (the client stopped sending), or the stream failed.
            if watchdog.finish(ticket) || ContinuousClock.now > deadline { throw timeout }
            throw RequestError(.badRequest, "body_unreadable", "the body could not be read: \(error)")
        }
        // The stream also just ends when the watchdog closes the input: the body is short.
        if watchdog.finish(ticket) { throw timeout }
        return buffer
    }

    // MARK: responses

    /// A JSON response's fields, built (and their value checked) once.
    private static let jsonHeaders: HTTPFields = [.contentType: "application/json"]

    static func json(_ bytes: [UInt8], status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: jsonHeaders, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    static func errorResponse(_ error: RequestError) -> Response {
        json(error.json(), status: HTTPResponse.Status(code: error.status.code))
    }
}
