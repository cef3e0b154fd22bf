import ArgumentParser
import ChapterSupport
import Core
import Foundation
import Testing
@testable import NASChapter
@testable import NonlinearHardware

/// What every chapter shares about inputs and outputs: the output folder, data files and their line ends.
@Suite("Inputs and outputs")
struct InputTests {
    func temporaryFolder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("fsti-out-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test("a failed write leaves no report linking to missing figures, and no staging folder")
    func allOrNothing() throws {
        let out = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: out) }
        try Data("a file where the figures folder belongs".utf8).write(to: out.appendingPathComponent("figures"))
        let files = [GeneratedFile(path: "chapters/01-x.md", text: "see figures/01-x.svg"),
                     GeneratedFile(path: "figures/01-x.svg", text: "<svg/>")]
        #expect(throws: ValidationError.self) { try OutputFolder.write(files, into: out.path, flag: "out") }
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("chapters/01-x.md").path))
        let left = try FileManager.default.contentsOfDirectory(atPath: out.path)
        #expect(left == ["figures"], "\(left)")
    }

    @Test("a successful write replaces existing files and removes its staging folder")
    func replaces() throws {
        let out = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: out) }
        let file = [GeneratedFile(path: "chapters/a.md", text: "old")]
        try OutputFolder.write(file, into: out.path, flag: "out")
        try OutputFolder.write([GeneratedFile(path: "chapters/a.md", text: "new")], into: out.path, flag: "out")
        #expect(try String(contentsOf: out.appendingPathComponent("chapters/a.md"), encoding: .utf8) == "new")
        #expect(try FileManager.default.contentsOfDirectory(atPath: out.path) == ["chapters"])
    }

    @Test("data files read the same with LF and CRLF line ends")
    func lineEnds() throws {
        let profile = try String(contentsOf: repositoryRoot.appendingPathComponent(RecordedProfile.defaultPath), encoding: .utf8)
        #expect(try CPUProfile.parse(profile.replacingOccurrences(of: "\n", with: "\r\n")) == CPUProfile.parse(profile))
        let log = Self.logHeader + "1\t1e-4\t5.5\t5.6\t5.7\t5.8\t-\t-\n2\t2e-4\t5.0\t5.1\t5.2\t5.3\t5.4\t5.6\n"
        #expect(try NASData.parseLog(log.replacingOccurrences(of: "\n", with: "\r\n")) == NASData.parseLog(log))
        let result = try String(contentsOf: repositoryRoot.appendingPathComponent(NASChapter.resultPath), encoding: .utf8)
        #expect(try NASResultRecord(parsing: result.replacingOccurrences(of: "\n", with: "\r\n")) == NASResultRecord(parsing: result))
        let record = try String(contentsOf: repositoryRoot.appendingPathComponent(NASRecord.path), encoding: .utf8)
        #expect(try NASRecord.parse(record.replacingOccurrences(of: "\n", with: "\r\n")) == NASRecord.parse(record))
        #expect(DataLines.split("a\r\nb\rc\n\nd").map(\.text) == ["a", "b", "c", "", "d"])
        #expect(DataLines.split("a\r\nb\rc\n\nd").map(\.number) == [1, 2, 3, 4, 5])
    }

    static let header = "model,seqLen,layersRun,layers,repeats,projection_s,actToAct_s,ffn_s,nonlinear_s\n"
    static let badProfiles: [(String, String)] = [
        (header + "bert-base,128,12,12,3,0,0,0,0\n", "every time is zero"),
        (header + "bert-base,128,12,12,3,0.1,0.1,0.1,0.1\nbert-base,128,12,12,3,0.2,0.1,0.1,0.1\n", "a second row for bert-base at seqLen 128"),
        (header + "bert-huge,128,12,12,3,0.1,0.1,0.1,0.1\n", "unknown model 'bert-huge'"),
        (header, "no measurements"),
        ("", "no header line"),
    ]

    @Test("a profile with a row of zeros, a repeated or an unknown row is refused, naming the flag", arguments: badProfiles)
    func badProfile(text: String, expected: String) throws {
        let path = try temporaryFile("profile.csv", text)
        expectUsageError(NonlinearHardwareCommand.self, ["--profile", path], contains: expected)
        #expect(throws: RuntimeError.self) { try CPUProfile.parse(text) }
    }

    static let logHeader = "step\tlearning_rate\tlargest\tsmallest\trandom1\trandom2\tvalidation_largest\tvalidation_smallest\n"
    static let badLogs: [(String, String)] = [
        ("", "does not start with the header"),
        ("step\tlargest\tsmallest\trandom1\trandom2\n1\t1\t1\t1\t1\n", "does not start with the header"),
        (logHeader, "holds no training steps"),
        (logHeader + "2\t1e-3\t1\t1\t1\t1\t-\t-\n1\t1e-3\t1\t1\t1\t1\t-\t-\n", "step 1 does not follow step 2"),
        (logHeader + "1\t1e-3\t1\t1\t1\t-\t-\n", "line 2"),
        (logHeader + "1\t1e-3\t1\tnan\t1\t1\t-\t-\n", "line 2"),
        (logHeader + "1\t-1e-3\t1\t1\t1\t1\t-\t-\n", "line 2"),
        (logHeader + "1\t1e-3\t1\t1\t1\t1\t2\t-\n", "line 2"),
    ]

    @Test("an empty, truncated or out-of-order training log is refused when read, before any search", arguments: badLogs)
    func badLog(text: String, expected: String) {
        #expect { try NASData.parseLog(text) } throws: { error in
            let e = error as? ConfigurationError
            return e?.field == "training-log" && e!.message.contains(expected)
        }
    }

    @Test("a repeated or malformed NAS result line is refused")
    func badResult() {
        #expect(throws: ConfigurationError.self) { try NASResultRecord(parsing: "width-divisor\t8\nwidth-divisor\t8\n") }
        #expect(throws: ConfigurationError.self) { try NASResultRecord(parsing: "width-divisor 8\n") }
    }

    @Test("repository data is found from the repository, and a path given by flag must exist")
    func repositoryData() throws {
        let url = try RepositoryData.locate(NASChapter.resultPath, default: NASChapter.resultPath, flag: "nas-result")
        #expect(FileManager.default.fileExists(atPath: url.path))
        #expect(throws: ValidationError.self) { try RepositoryData.locate("no/such.tsv", default: NASChapter.resultPath, flag: "nas-result") }
        #expect(throws: ValidationError.self) { try RepositoryData.locate("", default: NASChapter.resultPath, flag: "nas-result") }
    }

    @Test("Core's field names become the user's flags")
    func flagNames() {
        let error = ConfigurationError(field: "scratchpadBytes", message: "too small").flagError(["scratchpadBytes": "scratchpad-kib"])
        #expect(error.message == "invalid --scratchpad-kib: too small")
        #expect(ConfigurationError(field: "sequenceLength", message: "x").flagError().message == "invalid --seq-len: x")
        #expect(ConfigurationError(field: "dModel", message: "x").flagError().message == "invalid --d-model: x")
        #expect(ConfigurationError(field: "dFFN", message: "x").flagError().message == "invalid --d-ffn: x")
        #expect(ConfigurationError(field: "l2Bandwidth", message: "x").flagError().message == "invalid --l2-bandwidth: x")
        #expect(ConfigurationError(field: "training-log", message: "x").flagError(["trainingLog": "checkpoint"]).message
                == "invalid --checkpoint: x")
    }
}
