import ArgumentParser
import ChapterSupport
import Core
import Foundation
import Render

/// `scheduling --arch my-arch.yaml --problem my-layer.yaml [--constraints c.yaml] [--mapper m.yaml]`: maps one
/// problem on one architecture described in files (a subset of Timeloop's v0.4 format; README, "Your own
/// architecture") and prints the best mapping, its cycles, energy and EDP; writes its loop nest as a Graphviz figure
/// under `--out`/mapping/. A malformed file prints one line naming the file, the line and the key, exits non-zero and
/// writes nothing.
struct SpecOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("An architecture in Timeloop's v0.4 YAML (subset: README); maps --problem on it instead of writing the chapter.", valueName: "file"))
    var arch: String?
    @Option(name: .long, help: ArgumentHelp("The problem to map on --arch (Timeloop v0.4 CNN_Layer instance).", valueName: "file"))
    var problem: String?
    @Option(name: .long, help: ArgumentHelp("Mapspace constraints for --arch (Timeloop v0.4 targets); default: none.", valueName: "file"))
    var constraints: String?
    @Option(name: .long, help: ArgumentHelp("Mapper settings for --arch (algorithm, optimization_metrics, search_size, seed).", valueName: "file"))
    var mapper: String?

    var isSpecRun: Bool { arch != nil || problem != nil || constraints != nil || mapper != nil }

    /// The spec, or a one-line message naming file, line and key.
    func read() throws(MappingSpecError) -> MappingSpec {
        guard let arch, let problem else {
            throw MappingSpecError(file: arch ?? problem ?? constraints ?? mapper ?? "?", line: 0, key: arch == nil ? "--arch" : "--problem",
                                   message: "give both --arch and --problem (--constraints and --mapper are optional)")
        }
        return try MappingSpec.read(architecture: try Self.text(arch), problem: try Self.text(problem),
                                    constraints: try constraints.map { c throws(MappingSpecError) in try Self.text(c) },
                                    mapper: try mapper.map { m throws(MappingSpecError) in try Self.text(m) })
    }

    static func text(_ path: String) throws(MappingSpecError) -> (text: String, file: String) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw MappingSpecError(file: path, line: 0, key: "(file)", message: "cannot read the file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw MappingSpecError(file: path, line: 0, key: "(file)", message: "the file is not UTF-8 text")
        }
        return (text, path)
    }
}

/// What a spec run found and the files it writes.
struct SpecRun {
    var spec: MappingSpec
    var mapping: Mapping
    var cost: MappingCost
    var evaluations: Int

    /// Searches the spec's mapspace; nil mapping when no draw was valid.
    static func run(_ spec: MappingSpec) throws -> SpecRun {
        guard let found = spec.search() else {
            throw MappingSpecError(file: spec.problem.name, line: 0, key: "search_size",
                                   message: "no valid mapping in the search's draws: the memories are too small for this problem under these constraints")
        }
        return SpecRun(spec: spec, mapping: found.mapping, cost: found.cost, evaluations: found.evaluations)
    }

    var slug: String {
        let lowered = spec.problem.name.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "-" }
        return String(lowered).split(separator: "-").joined(separator: "-")
    }

    /// The printed summary, line by line.
    var lines: [String] {
        let a = spec.architecture.architecture.accelerator, p = spec.problem, c = cost
        let levels = MappingArchitecture.Level.allCases.map { "\($0) \(NumberFormat.fixed(c.picojoules($0) / 1e6, decimals: 2))" }
        return [
            "architecture: \(a.meshRows)×\(a.meshColumns) \(a.dataflow.rawValue.uppercased()), scratchpad \(a.spCapacityBytes / 1024) KiB, accumulator \(a.accCapacityBytes / 1024) KiB, L2 \(spec.architecture.hasL2 ? "\(a.l2Bytes / 1024) KiB" : "none"); energies: \(spec.architecture.architecture.energy.name)",
            "problem: \(p.name): \(p.shapeDescription), \(NumberFormat.grouped(p.macs)) MACs",
            "mapspace: \(spec.constraints.name), \(LoopNestSection.scientific(spec.space.size)) mappings; search: \(spec.mapper.algorithm.rawValue), \(NumberFormat.grouped(evaluations)) draws, ranked by \(spec.mapper.metric.rawValue)",
            "best mapping, outermost level first:",
        ] + SchedulingFigures.pseudoCode(p, mapping).split(separator: "\n").map { "  " + $0 } + [
            "cycles: \(NumberFormat.grouped(Int(c.cycles.rounded()))) (bound by \(c.bottleneck); ideal \(NumberFormat.grouped(Int((Double(p.macs) / Double(a.meshRows * a.meshColumns)).rounded()))))",
            "energy: \(NumberFormat.fixed(c.energyPicojoules / 1e6, decimals: 2)) µJ (µJ by level: \(levels.joined(separator: ", ")), MACs \(NumberFormat.fixed(c.macPicojoules / 1e6, decimals: 2)))",
            "EDP: \(NumberFormat.significant(c.edp, digits: 4)) pJ·cycles",
        ]
    }

    /// The loop nest as DOT, SVG and PNG under `mapping/`.
    func files() throws -> [GeneratedFile] {
        let verdict = "\(NumberFormat.grouped(Int(cost.cycles.rounded()))) cycles, \(NumberFormat.fixed(cost.energyPicojoules / 1e6, decimals: 2)) µJ"
        let g = SchedulingFigures.loopNest(spec.problem, mapping, name: "spec_\(slug.replacingOccurrences(of: "-", with: "_"))",
                                           title: "\(spec.problem.name): best mapping (\(spec.mapper.algorithm.rawValue), \(spec.mapper.metric.rawValue))", verdict: verdict)
        var set = FigureSet()
        _ = try set.graph(slug, g)
        return set.files.map { GeneratedFile(path: "mapping/" + $0.path.dropFirst("figures/".count), bytes: $0.bytes) }
    }
}
