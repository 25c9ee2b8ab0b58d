import Foundation
import Perceptron
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

extension Datasets {
    /// MNIST's four files and the MD5 of each one's uncompressed content, identical to
    /// the canonical files from Yann LeCun's site (a .gz file's own MD5 depends on how it
    /// was compressed, so the decompressed bytes are what is checked).
    public static let mnistFiles: [(name: String, md5: String)] = [
        ("train-images-idx3-ubyte", "6bbc9ace898e44ae57da46a324031adb"),
        ("train-labels-idx1-ubyte", "a25bea736e30d166cdddb491f175f624"),
        ("t10k-images-idx3-ubyte", "2646ac647ad5339dbf082846283269ea"),
        ("t10k-labels-idx1-ubyte", "27ae3e4e09519cfbb04c329615203637"),
    ]

    /// A public mirror holding `<name>.gz` for each of ``mnistFiles``.
    public static let mnistMirror = URL(string: "https://ossci-datasets.s3.amazonaws.com/mnist/")!

    /// Copies (file URL or folder) or downloads (http, https) MNIST's four files into
    /// `folder`, verifying each file's uncompressed MD5 before it is written.
    ///
    /// From a folder, each file is taken as `<name>.gz` or `<name>` (or with a dot before
    /// "idx"); from http(s), `<url>/<name>.gz` is downloaded. A file already in `folder`
    /// with the right checksum is kept. Each file is written atomically, so an
    /// interrupted fetch leaves no partial file. (The http path is not exercised by the
    /// tests: there is no network where they run.)
    /// - Returns: `folder`, ready for ``MNIST/load(from:split:)``.
    /// - Throws: ``DataError/checksumMismatch(file:expected:got:)``,
    ///   ``DataError/fileNotFound(file:)``, ``DataError/downloadFailed(url:reason:)``,
    ///   ``DataError/decompressionFailed(file:reason:)``.
    @discardableResult
    public static func fetchMNIST(from source: URL = mnistMirror, to folder: URL) throws -> URL {
        try fetch(files: mnistFiles, from: source, to: folder)
    }

    /// ``fetchMNIST(from:to:)`` for any list of files and uncompressed MD5s.
    static func fetch(files: [(name: String, md5: String)], from source: URL, to folder: URL) throws -> URL {
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw DataError.unreadableFile(file: folder.path, reason: "cannot create folder: \(error.localizedDescription)")
        }
        for (name, md5) in files {
            if let existing = try? MNIST.locate(name, in: folder),
               let data = try? readFileData(existing), (try? uncompressedMD5(data, file: existing.path)) == md5 {
                continue
            }
            let (data, remoteName) = try fetchBytes(name, from: source)
            let got = try uncompressedMD5(data, file: remoteName)
            guard got == md5 else { throw DataError.checksumMismatch(file: remoteName, expected: md5, got: got) }
            let target = folder.appendingPathComponent(Gzip.isGzip(data) ? name + ".gz" : name)
            do {
                try AtomicFile.write(data, to: target)
            } catch {
                throw DataError.unreadableFile(file: target.path, reason: "cannot write: \(error.localizedDescription)")
            }
        }
        return folder
    }

    /// MD5 of the content, inflated first when it is gzip data.
    static func uncompressedMD5(_ data: Data, file: String) throws -> String {
        Gzip.isGzip(data) ? MD5.hex(try Gzip.decompress(data, source: file)) : MD5.hex(data)
    }

    /// One file's bytes from a folder (file URL) or a web server, with the name used.
    static func fetchBytes(_ name: String, from source: URL) throws -> (Data, String) {
        if source.isFileURL {
            let url = try MNIST.locate(name, in: source)
            return (try readFileData(url), url.path)
        }
        let url = source.appendingPathComponent(name + ".gz")
        return (try download(url), url.absoluteString)
    }

    /// A blocking download (URLSession, FoundationNetworking on Linux).
    static func download(_ url: URL) throws -> Data {
        final class Box: @unchecked Sendable {
            var result: Result<Data, DataError> = .failure(.downloadFailed(url: "", reason: "no response"))
        }
        let box = Box()
        let done = DispatchSemaphore(value: 0)
        let task = URLSession.shared.dataTask(with: url) { data, response, error in
            if let error {
                box.result = .failure(.downloadFailed(url: url.absoluteString, reason: error.localizedDescription))
            } else if let http = response as? HTTPURLResponse, !(200..<300).contains(http.statusCode) {
                box.result = .failure(.downloadFailed(url: url.absoluteString, reason: "HTTP status \(http.statusCode)"))
            } else {
                box.result = .success(data ?? Data())
            }
            done.signal()
        }
        task.resume()
        done.wait()
        return try box.result.get()
    }
}
