import ArgumentParser
import ChapterSupport
import Core
import Foundation

extension GemminiCaseStudySettings {
    /// Where `tools/rv64-mix/count.py` records the host CPU's counted instruction mixes, relative to the
    /// repository root.
    public static let cpuMixesPath = "data/cpu/rv64-mix.tsv"

    /// Reads a recorded mix file (``HostCPUMixes``); an unreadable or malformed one is a usage error naming
    /// `--cpu-mixes` and the file (and the line at fault).
    public static func loadCPUMixes(_ path: String) throws -> HostCPUMixes {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ValidationError("invalid --cpu-mixes: cannot read '\(path)' (`python3 tools/rv64-mix/count.py` writes it)")
        }
        do {
            return try HostCPUMixes(parsing: String(decoding: data, as: UTF8.self), file: path)
        } catch {
            throw error.flagError()
        }
    }
}
