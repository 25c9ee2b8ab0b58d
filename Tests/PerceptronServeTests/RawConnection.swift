import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A bare TCP connection to 127.0.0.1, for what an HTTP client library will not do:
/// send a body slowly, or stop halfway.
final class RawConnection {
    private let socket: Int32

    init(port: Int) throws {
        #if canImport(Glibc)
        socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        socket = Darwin.socket(AF_INET, SOCK_STREAM, 0)
        #endif
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let status = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard status == 0 else { throw POSIXError(.ECONNREFUSED) }
        // Reads return at once when nothing has arrived.
        _ = fcntl(socket, F_SETFL, fcntl(socket, F_GETFL) | O_NONBLOCK)
    }

    deinit { close(socket) }

    func send(_ text: String) throws {
        let bytes = Array(text.utf8)
        let sent = bytes.withUnsafeBytes { write(socket, $0.baseAddress, $0.count) }
        guard sent == bytes.count else { throw POSIXError(.EPIPE) }
    }

    /// What has arrived so far ("" when nothing).
    func receiveAvailable() -> String {
        var out = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(socket, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            out.append(contentsOf: buffer[0..<n])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// What is available now, and whether the server closed the connection.
    func receiveChunk() -> (String, Bool) {
        var buffer = [UInt8](repeating: 0, count: 65536)
        let n = buffer.withUnsafeMutableBytes { read(socket, $0.baseAddress, $0.count) }
        if n > 0 { return (String(decoding: buffer[0..<n], as: UTF8.self), false) }
        if n == 0 { return ("", true) }
        return ("", errno != EAGAIN && errno != EWOULDBLOCK)
    }

    /// Everything the server sends until it closes the connection (or `seconds` pass), and
    /// whether it closed.
    func receiveAndClose(seconds: Double) -> (String, Bool) {
        let deadline = Date().addingTimeInterval(seconds)
        var text = ""
        while Date() < deadline {
            let (chunk, closed) = receiveChunk()
            text += chunk
            if closed { return (text, true) }
            if chunk.isEmpty { Thread.sleep(forTimeInterval: 0.05) }
        }
        return (text, false)
    }

    /// Whether the server closes the connection within `seconds`.
    func waitForClose(seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        var buffer = [UInt8](repeating: 0, count: 4096)
        while Date() < deadline {
            let n = buffer.withUnsafeMutableBytes { read(socket, $0.baseAddress, $0.count) }
            if n == 0 { return true }
            if n < 0 && errno != EAGAIN && errno != EWOULDBLOCK { return true }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return false
    }
}
