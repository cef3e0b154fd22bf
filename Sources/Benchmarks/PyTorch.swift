import Foundation

/// What `--json` says of PyTorch's side: which Python and torch ran it, or why there is no ratio.
struct PyTorchStatus: Encodable {
    var available: Bool
    var python: String?
    var torch: String?
    var blas: String?
    var cpuCapability: String?
    var reason: String?
    /// The threading variables of the environment the child inherits (OMP_WAIT_POLICY changes PyTorch's timings most).
    var environment: [String: String]?

    enum CodingKeys: String, CodingKey {
        case available, python, torch, blas, cpuCapability = "cpu_capability", reason, environment
    }

    static let threadingVariables = ["OMP_WAIT_POLICY", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "GOMP_SPINCOUNT", "KMP_BLOCKTIME"]
}

/// PyTorch's side of the comparison, live: `tools/pytorch_bench.py --serve` runs as a child process for the whole
/// benchmark, imports torch once and answers one JSON line per request (a case, a thread count, warm-up and
/// timed calls), so that its timings interleave with ours on the same cores in the same minute.
final class PyTorchPeer {
    let python: String
    let status: PyTorchStatus
    private let process: Process
    private let input: FileHandle
    private let reader: LineReader

    private init(python: String, status: PyTorchStatus, process: Process, input: FileHandle, reader: LineReader) {
        self.python = python
        self.status = status
        self.process = process
        self.input = input
        self.reader = reader
    }

    /// The Pythons tried, in order: $PYTHON alone when it is set; otherwise `python3` on the PATH, then the
    /// virtual environments tools/README.md suggests.
    static func candidates() -> [String] {
        if let chosen = ProcessInfo.processInfo.environment["PYTHON"], !chosen.isEmpty { return [chosen] }
        return ["python3"] + [".venv-torch", ".venv-bench"].map { repositoryRoot.appendingPathComponent("\($0)/bin/python3").path }
    }

    /// The first candidate Python whose torch imports, serving; or, when none does, the reason (and nil).
    static func start() -> (PyTorchPeer?, PyTorchStatus) {
        let script = repositoryRoot.appendingPathComponent("tools/pytorch_bench.py").path
        guard FileManager.default.fileExists(atPath: script) else {
            return (nil, PyTorchStatus(available: false, reason: "\(script) not found"))
        }
        var tried: [String] = []
        for python in candidates() {
            if python.contains("/") && !FileManager.default.isExecutableFile(atPath: python) {
                tried.append("\(python): not found")
                continue
            }
            switch launch(python: python, script: script) {
            case .success(let peer): return (peer, peer.status)
            case .failure(let why): tried.append("\(python): \(why.message)")
            }
        }
        return (nil, PyTorchStatus(available: false, reason: tried.joined(separator: "; ")))
    }

    struct Failure: Error { var message: String }

    private static func launch(python: String, script: String) -> Result<PyTorchPeer, Failure> {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [python, script, "--serve"]
        let toChild = Pipe(), fromChild = Pipe()
        process.standardInput = toChild
        process.standardOutput = fromChild
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return .failure(Failure(message: "\(error)")) }
        let reader = LineReader(fromChild.fileHandleForReading)
        // The first line: {"torch": ...} once torch imported, {"error": ...} when it did not.
        guard let line = reader.readLine(), let hello = decode(line) else {
            process.waitUntilExit()
            return .failure(Failure(message: process.terminationStatus == 127 ? "not found" : "exited with status \(process.terminationStatus)"))
        }
        if let error = hello["error"] as? String {
            process.waitUntilExit()
            return .failure(Failure(message: error))
        }
        let environment = ProcessInfo.processInfo.environment.filter { PyTorchStatus.threadingVariables.contains($0.key) }
        let status = PyTorchStatus(available: true, python: hello["python"] as? String ?? python,
                                   torch: hello["torch"] as? String, blas: hello["blas"] as? String,
                                   cpuCapability: hello["cpu_capability"] as? String,
                                   environment: environment.isEmpty ? nil : environment)
        return .success(PyTorchPeer(python: python, status: status, process: process,
                                    input: toChild.fileHandleForWriting, reader: reader))
    }

    /// Median seconds of `calls` timed calls of `case` at `threads` threads, after `warmup` untimed ones.
    func seconds(case name: String, threads: Int, warmup: Int, calls: Int) throws -> Double {
        let request = "{\"case\": \"\(name)\", \"threads\": \(threads), \"warmup\": \(warmup), \"calls\": \(calls)}\n"
        do { try input.write(contentsOf: Data(request.utf8)) } catch {
            throw Failure(message: "the PyTorch process stopped: \(error)")
        }
        guard let line = reader.readLine(), let reply = Self.decode(line) else {
            throw Failure(message: "the PyTorch process stopped answering")
        }
        if let error = reply["error"] as? String { throw Failure(message: "PyTorch: \(error)") }
        guard let seconds = reply["seconds"] as? Double else { throw Failure(message: "PyTorch: no seconds in \(line)") }
        return seconds
    }

    func stop() {
        try? input.close()
        process.waitUntilExit()
    }

    private static func decode(_ line: String) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
    }
}

/// Lines from a pipe, one at a time.
final class LineReader {
    private let handle: FileHandle
    private var buffer: [UInt8] = []

    init(_ handle: FileHandle) { self.handle = handle }

    /// The next line without its newline, or nil at the end of the stream.
    func readLine() -> String? {
        while true {
            if let newline = buffer.firstIndex(of: 0x0A) {
                let line = String(decoding: buffer[..<newline], as: UTF8.self)
                buffer.removeSubrange(...newline)
                return line
            }
            let chunk = handle.availableData
            if chunk.isEmpty {
                guard !buffer.isEmpty else { return nil }
                defer { buffer.removeAll() }
                return String(decoding: buffer, as: UTF8.self)
            }
            buffer.append(contentsOf: chunk)
        }
    }
}
