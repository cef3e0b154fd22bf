import ArgumentParser
import ChapterSupport
import Core
import Testing
@testable import WorkloadAnalysis

@Suite("Chapter1 command line")
struct Chapter1CLITests {
    /// Bad inputs and the words their error must contain.
    static let badInputs: [([String], String)] = [
        (["--seq-lens", "0"], "seq-lens"),
        (["--seq-lens", "128,-5"], "seq-lens"),
        (["--seq-lens", "100000"], "65536"),
        (["--seq-lens", "128,abc"], "'abc' is not an integer"),
        (["--seq-lens", ""], "seq-lens"),
        (["--seq-lens", "128,128"], "repeat"),
        (["--model", "bert-huge"], "unknown model 'bert-huge'"),
        (["--model", "custom"], "needs --layers, --d-model and --heads"),
        (["--model", "custom", "--layers", "12", "--d-model", "768", "--heads", "7"], "do not divide d-model = 768"),
        (["--model", "custom", "--layers", "0", "--d-model", "768", "--heads", "12"], "layers"),
        (["--model", "custom", "--layers", "2", "--d-model", "-768", "--heads", "12"], "d-model"),
        (["--model", "custom", "--layers", "2", "--d-model", "768", "--heads", "12", "--d-ffn", "0"], "d-ffn"),
        (["--heads", "12"], "add 'custom' to --model"),
        (["--convention", "fancy"], "'fancy' is invalid for '--convention"),
        (["--model", "bert-base,"], "empty name"),
        (["--profile", "/nonexistent/profile.csv"], "invalid --profile: cannot read"),
        (["--threads", "0", "--measure"], "invalid --threads"),
        (["--model", "gpt5"], "invalid --model: unknown model 'gpt5'"),
        (["--check", "--json"], "--check and --json conflict"),
        (["--out", existingFile], "is a file, not a folder"),
        (["--out", existingFile + "/sub"], "cannot create the folder"),
        (["--out", ""], "the folder name is empty"),
        (["--measure", "--check"], "--measure and --check conflict"),
    ]

    @Test("bad inputs give a message naming the field", arguments: badInputs)
    func badInput(arguments: [String], expected: String) {
        expectUsageError(WorkloadAnalysisCommand.self, arguments, contains: expected)
    }

    @Test("the built executable exits non-zero on bad input and names the field")
    func executableExitCode() throws {
        let result = try runExecutable("workload-analysis", ["--check", "--model", "custom", "--layers", "12",
                                                             "--d-model", "768", "--heads", "5"])
        #expect(result.status != 0)
        #expect(result.err.contains("heads"))
    }

    @Test("--help explains every flag")
    func help() {
        let help = WorkloadAnalysisCommand.helpMessage()
        for flag in ["--model", "--seq-lens", "--layers", "--d-model", "--heads", "--d-ffn", "--decoder",
                     "--convention", "--json", "--out", "--check"] {
            #expect(help.contains(flag), "help lacks \(flag)")
        }
    }

    @Test("a custom decoder runs end to end")
    func customDecoder() throws {
        let command = try WorkloadAnalysisCommand.parseAsRoot(
            ["--model", "custom", "--decoder", "--layers", "2", "--d-model", "64", "--heads", "4", "--seq-lens", "8,16"])
            as! WorkloadAnalysisCommand
        let settings = try command.settings()
        #expect(settings.command.contains("--decoder"))
        let result = try WorkloadAnalysisChapter.build(settings)
        #expect(result.report.markdown().contains("Custom, l = 16"))
    }
}
