import Foundation
@testable import PerceptronServe
@testable import PerceptronServeRequests
import XCTest

/// The built `perceptron serve` as a user runs it: on a free port, predicting,
/// reloading on SIGHUP, and exiting 0 on SIGTERM.
final class ServeEndToEndTests: XCTestCase {
    static var productsDirectory: URL {
        #if os(macOS)
        for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
            return bundle.bundleURL.deletingLastPathComponent()
        }
        fatalError("no .xctest bundle")
        #else
        return Bundle.main.bundleURL
        #endif
    }

    func testServePredictReloadAndTerminate() throws {
        let binary = Self.productsDirectory.appendingPathComponent("perceptron")
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: binary.path), "the perceptron binary is not built at \(binary.path)")
        let folder = try ServeFixtures.folder()
        let model = folder.appendingPathComponent("titanic.safetensors")
        try ServeFixtures.titanicModel(at: model)

        let process = Process()
        process.executableURL = binary
        process.arguments = ["serve", "--port", "0", "--watch-interval", "0", model.path]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { process.terminate() } }

        // "perceptron serve: listening on http://127.0.0.1:PORT"
        var printed = ""
        let deadline = Date().addingTimeInterval(30)
        while !printed.contains("\n") && Date() < deadline && process.isRunning {
            printed += String(decoding: out.fileHandleForReading.availableData, as: UTF8.self)
        }
        guard let port = printed.split(separator: ":").last.flatMap({ Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }) else {
            return XCTFail("no port in \(printed)")
        }

        let predict = try HTTP.request(port: port, method: "POST", path: "/v1/models/titanic:predict",
                                       body: #"{"instances": [\#(ServeFixtures.passenger)]}"#)
        XCTAssertEqual(predict.status, 200, predict.body)
        let first = try JSONParser.parse(Data(predict.body.utf8))["version"]

        try ServeFixtures.titanicModel(at: model, seed: 11)
        kill(process.processIdentifier, SIGHUP)
        var second: JSONValue? = first
        for _ in 0..<50 where second == first {
            Thread.sleep(forTimeInterval: 0.1)
            second = try JSONParser.parse(Data(try HTTP.request(port: port, method: "GET", path: "/v1/models/titanic").body.utf8))["version"]
        }
        XCTAssertNotEqual(second, first, "SIGHUP reloads the changed file")

        kill(process.processIdentifier, SIGTERM)
        let exitDeadline = Date().addingTimeInterval(15)
        while process.isRunning && Date() < exitDeadline { Thread.sleep(forTimeInterval: 0.05) }
        XCTAssertFalse(process.isRunning, "SIGTERM stops the server")
        if !process.isRunning { XCTAssertEqual(process.terminationStatus, 0) }
    }
}

/// One HTTP/1.1 request over a fresh connection (Connection: close), read to the end.
enum HTTP {
    static func request(port: Int, method: String, path: String, body: String? = nil,
                        contentType: String = "application/json") throws -> (status: Int, body: String) {
        let connection = try RawConnection(port: port)
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        if let body { head += "Content-Type: \(contentType)\r\nContent-Length: \(body.utf8.count)\r\n" }
        try connection.send(head + "\r\n" + (body ?? ""))
        let response = connection.receiveUntilClose(seconds: 10)
        guard let end = response.range(of: "\r\n\r\n"), let status = Int(response.split(separator: " ").dropFirst().first ?? "") else {
            throw POSIXError(.EBADMSG)
        }
        var text = String(response[end.upperBound...])
        // A chunked body: keep the chunks' data.
        if response[..<end.lowerBound].lowercased().contains("transfer-encoding: chunked") {
            var data = "", rest = Substring(text)
            while let line = rest.range(of: "\r\n"), let size = Int(rest[..<line.lowerBound], radix: 16), size > 0 {
                let start = line.upperBound
                let stop = rest.utf8.index(start, offsetBy: size)
                data += rest[start..<stop]
                rest = rest[stop...].dropFirst(2)
            }
            text = data
        }
        return (status, text)
    }
}

extension RawConnection {
    /// Everything the server sends until it closes the connection (or `seconds` pass).
    func receiveUntilClose(seconds: Double) -> String {
        var text = ""
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let (chunk, closed) = receiveChunk()
            text += chunk
            if closed { break }
            if chunk.isEmpty { Thread.sleep(forTimeInterval: 0.005) }
        }
        return text
    }
}
