import ArgumentParser
import Core
import Foundation

/// Chapter 1's recorded CPU profile (§2.2.2), which chapter 2 compares with the analytical model.
public enum RecordedProfile {
    /// Where the recorded profile lives, relative to the repository root.
    public static let defaultPath = "data/profiles/cpu-profile.csv"

    /// Reads and parses a profile file; the error names the `--profile` flag and the file.
    public static func load(_ path: String) throws -> CPUProfile {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ValidationError("invalid --profile: cannot read '\(path)' (run from the repository root, or measure one with `workload-analysis --measure`)")
        }
        do {
            return try CPUProfile.parse(String(decoding: data, as: UTF8.self))
        } catch {
            throw ValidationError("invalid --profile '\(path)': \(error.message)")
        }
    }
}
