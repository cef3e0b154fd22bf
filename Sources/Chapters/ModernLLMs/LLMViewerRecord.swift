import ChapterSupport
import Core
import Foundation

/// LLM-Viewer's per-layer roofline of Llama-2-7B as recorded in `data/peers/llm-viewer.csv` (provenance in
/// `data/peers/README.md`): its numbers, read as facts; none of its code.
public struct LLMViewerRecord: Sendable {
    public struct Row: Sendable, Hashable {
        public var hardware: String
        public var batch: Int
        public var sequenceLength: Int
        public var phase: ModelWorkload.Phase
        /// LLM-Viewer's layer name (`q_proj`, `qk_matmul`, `mlp_act`, …).
        public var layer: String
        public var operations: Double
        public var bytes: Double
        public var bound: String
        public var seconds: Double
    }

    public var rows: [Row]

    public static let defaultPath = "data/peers/llm-viewer.csv"
    static let header = "hardware,batch,seqlen,stage,layer,OPs,memory_access,load_weight,load_act,store_act,load_kv_cache,store_kv_cache,arithmetic_intensity,bound,inference_time"

    /// LLM-Viewer's layer names and our operations; `lm_head` is the model's, the rest one layer's.
    public static let layers: [(name: String, identity: LayerOperationID)] = [
        ("q_proj", .queryProjection), ("k_proj", .keyProjection), ("v_proj", .valueProjection), ("out_proj", .outputProjection),
        ("gate_proj", .ffnGate), ("up_proj", .ffnUp), ("down_proj", .ffnDown), ("qk_matmul", .scores), ("sv_matmul", .context),
        ("softmax", .softmax), ("attn_norm", .attentionRMSNorm), ("mlp_norm", .ffnRMSNorm), ("attn_add", .attentionResidual),
        ("mlp_add", .ffnResidual), ("mlp_act", .swiglu), ("lm_head", .lmHead),
    ]

    /// Parses the CSV, naming the file and line of the first problem.
    public init(parsing text: String, file: String) throws(ConfigurationError) {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard lines.first == Self.header else {
            throw ConfigurationError(field: "peer", message: "\(file): the first line is not LLM-Viewer's header '\(Self.header)'")
        }
        var rows: [Row] = []
        for (i, line) in lines.enumerated().dropFirst() where !line.isEmpty {
            let f = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard f.count == 15, let batch = Int(f[1]), let l = Int(f[2]), let phase = ModelWorkload.Phase(rawValue: f[3]),
                  let ops = Double(f[5]), let bytes = Double(f[6]), let seconds = Double(f[14]),
                  Self.layers.contains(where: { $0.name == f[4] }) else {
                throw ConfigurationError(field: "peer", message: "\(file):\(i + 1): expected 15 fields (a known layer, numbers where numbers belong)")
            }
            rows.append(Row(hardware: f[0], batch: batch, sequenceLength: l, phase: phase, layer: f[4], operations: ops,
                            bytes: bytes, bound: f[13], seconds: seconds))
        }
        guard !rows.isEmpty else { throw ConfigurationError(field: "peer", message: "\(file): no rows") }
        self.rows = rows
    }

    /// The repository's record, or `path` when the user names another file.
    public static func load(_ path: String = defaultPath) throws -> LLMViewerRecord {
        let url = try RepositoryData.locate(path, default: defaultPath, flag: "peer")
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw ConfigurationError(field: "peer", message: "cannot read '\(path)'").flagError()
        }
        return try naming { try LLMViewerRecord(parsing: String(decoding: data, as: UTF8.self), file: path) }
    }

    /// The settings recorded, in file order: hardware, batch, length.
    public var settings: [(hardware: String, batch: Int, sequenceLength: Int)] {
        var seen: [String] = [], out: [(String, Int, Int)] = []
        for r in rows where !seen.contains("\(r.hardware)/\(r.batch)/\(r.sequenceLength)") {
            seen.append("\(r.hardware)/\(r.batch)/\(r.sequenceLength)")
            out.append((r.hardware, r.batch, r.sequenceLength))
        }
        return out
    }
}
