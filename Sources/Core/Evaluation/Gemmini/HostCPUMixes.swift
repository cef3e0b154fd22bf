/// The instruction mixes ``HostCPUCostModel`` prices (survey §3.4.2): instructions of each class per element of
/// every host operation, per row of Softmax and LayerNorm, and per call of `expf` and `erff`. Two sources:
///
/// - ``hand``: our estimates from reading the loops and newlib's fdlibm-derived `expf`/`erff` (see
///   ``HostCPUCostModel``);
/// - counted: ``init(parsing:file:)`` reads `data/cpu/rv64-mix.tsv`, in which `tools/rv64-mix/count.py` recorded
///   the instructions that `tools/rv64-mix/kernels.c`, compiled with GCC 12 for rv64gc against glibc, executed
///   under qemu's user mode, every instruction classified by its mnemonic.
///
/// A mix holds instructions only; the bytes each element streams from DRAM are the operation's
/// (``HostCPUCostModel/streamedBytes(_:)``), whichever source counts its instructions.
///
/// ```swift
/// let hand = HostCPUMixes.hand
/// hand.perElement(.residualAdd)      // 2 loads, 1 add, 1 store and the loop: 2 integer ops and a branch
/// let counted = try HostCPUMixes(parsing: text, file: "data/cpu/rv64-mix.tsv")
/// counted.perElement(.residualAdd)   // what rv64gc executed: 3 integer, 1 branch, 2 loads, 1 store, 1 add
/// ```
public struct HostCPUMixes: Sendable, Hashable {
    public typealias Operation = HostCPUCostModel.Operation
    public typealias Mix = HostCPUCostModel.Mix

    /// One `@key<TAB>value` line of a recorded file (compiler, flags, ...), in file order.
    public struct Provenance: Sendable, Hashable {
        public var key: String
        public var value: String
    }

    private var elementMixes: [Operation: Mix]
    private var rowMixes: [Operation: Mix]
    /// Instructions of one `expf` call.
    public var expPerCall: Mix
    /// Instructions of one `erff` call.
    public var erfPerCall: Mix
    /// Where a recorded file says its numbers come from; empty for ``hand``.
    public var provenance: [Provenance]

    /// Mixes for every operation: `perElement` for each, `perRow` for Softmax and LayerNorm (other operations
    /// have no per-row work).
    public init(perElement: (Operation) -> Mix, perRow: (Operation) -> Mix, expPerCall: Mix, erfPerCall: Mix,
                provenance: [Provenance] = []) {
        var elements: [Operation: Mix] = [:]
        var rows: [Operation: Mix] = [:]
        for op in Operation.allCases {
            elements[op] = perElement(op)
            rows[op] = Self.rowOperations.contains(op) ? perRow(op) : Mix()
        }
        elementMixes = elements
        rowMixes = rows
        self.expPerCall = expPerCall
        self.erfPerCall = erfPerCall
        self.provenance = provenance
    }

    /// The operations with per-row work.
    public static let rowOperations: [Operation] = [.softmax, .layerNorm]

    /// Instructions per element of `op` (no streamed bytes).
    public func perElement(_ op: Operation) -> Mix { elementMixes[op] ?? Mix() }
    /// Instructions per row of `op` beyond its elements' (zero but for Softmax and LayerNorm).
    public func perRow(_ op: Operation) -> Mix { rowMixes[op] ?? Mix() }
    /// The value of a provenance key, if the file has it.
    public func provenance(_ key: String) -> String? { provenance.first { $0.key == key }?.value }

    // MARK: The hand estimates.

    /// One element's loop overhead: index increment, compare, branch back.
    static let loop = Mix(integer: 2, branch: 1)

    /// Our estimates (no counting): the loops as read, and newlib's `expf` = range reduction (a multiply, two
    /// conversions, two FMAs), a degree-5 polynomial (6 FMAs), the rational correction with one division and 3
    /// adds, exponent insertion (4 integer ops) and 6 range-check branches; `erff` on its |x| < 1.25 paths = two
    /// degree-5/6 polynomials (12 FMAs), one division, 4 integer ops and 6 branches (a lower bound). Per row:
    /// Softmax's 1/Σ (a division, 2 FP ops), LayerNorm's square root, 1/σ and the mean and variance scaling
    /// (2 divisions, 10 FP ops).
    public static let hand = HostCPUMixes(
        perElement: { op in
            switch op {
            case .dequantize:   // load Int32, convert, multiply by the scale, store float
                return loop + Mix(load: 1, store: 1, convert: 1, fma: 1)
            case .quantize:     // load float, multiply by 1/scale, convert with rounding, clamp to ±127, store a byte
                return loop + Mix(integer: 2, branch: 2, load: 1, store: 1, convert: 1, fma: 1)
            case .softmax:      // pass 1 max; pass 2 subtract, expf, sum, store; pass 3 multiply by 1/Σ, store
                return loop + loop + loop + Mix(integer: 4, load: 3, store: 2, convert: 1, fma: 1 + 1 + 1, expCalls: 1)
            case .layerNorm:    // pass 1 sum; pass 2 centred sum of squares; pass 3 (x − μ)·(1/σ)·γ + β, store
                return loop + loop + loop + Mix(load: 3 + 2, store: 1, fma: 1 + 2 + 3)
            case .gelu:         // x · ½ · (1 + erf(x/√2)): three multiplies, an add, a call
                return loop + Mix(integer: 4, load: 1, store: 1, fma: 4, erfCalls: 1)
            case .residualAdd:  // two loads, an add, a store
                return loop + Mix(load: 2, store: 1, fma: 1)
            }
        },
        perRow: { op in
            op == .layerNorm ? Mix(fma: 10, divide: 2) : Mix(fma: 2, divide: 1)
        },
        expPerCall: Mix(integer: 4, branch: 6, convert: 2, fma: 2 + 1 + 6 + 3, divide: 1),
        erfPerCall: Mix(integer: 4, branch: 6, fma: 12, divide: 1))

    // MARK: The recorded file.

    /// The columns of a recorded file, in order.
    public static let header = ["operation", "per", "integer", "branch", "load", "store", "convert", "fma", "divide", "expf", "erff"]
    /// The provenance keys a recorded file must have.
    public static let requiredProvenance = ["source-sha256", "compiler", "flags", "libc", "qemu", "tracing", "date"]

    /// Parses a file that `tools/rv64-mix/count.py` wrote: `#` comments, `@key<TAB>value` provenance lines, the
    /// ``header`` row, then one row per operation and scope: `element` for each of the six operations, `row` for
    /// softmax and layernorm, `call` for expf and erff (which call nothing themselves). Counts are finite and
    /// non-negative. A malformed, repeated, unknown or missing row or key is an error naming `file` (and the line).
    public init(parsing text: String, file: String) throws(ConfigurationError) {
        func failure(_ line: Int?, _ message: String) -> ConfigurationError {
            ConfigurationError(field: "cpuMixes", message: "'\(file)'" + (line.map { " line \($0)" } ?? "") + ": " + message)
        }
        var provenance: [Provenance] = []
        var sawHeader = false
        var elements: [Operation: Mix] = [:]
        var rows: [Operation: Mix] = [:]
        var calls: [String: Mix] = [:]
        for line in DataLines.split(text) {
            let text = line.text
            if text.isEmpty || text.hasPrefix("#") { continue }
            let fields = text.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            if text.hasPrefix("@") {
                let key = String(fields[0].dropFirst())
                guard fields.count == 2, !key.isEmpty, !fields[1].allSatisfy(\.isWhitespace) else {
                    throw failure(line.number, "malformed provenance line '\(text)' (expected @key<TAB>value)")
                }
                guard !provenance.contains(where: { $0.key == key }) else { throw failure(line.number, "repeats '@\(key)'") }
                provenance.append(Provenance(key: key, value: fields[1]))
                continue
            }
            guard sawHeader else {
                guard fields == Self.header else {
                    throw failure(line.number, "expected the header '\(Self.header.joined(separator: "<TAB>"))', found '\(text)'")
                }
                sawHeader = true
                continue
            }
            guard fields.count == Self.header.count else {
                throw failure(line.number, "\(fields.count) fields, expected \(Self.header.count) (\(Self.header.joined(separator: ", ")))")
            }
            var values: [Double] = []
            for (column, field) in zip(Self.header.dropFirst(2), fields.dropFirst(2)) {
                guard let v = Double(field), v.isFinite, v >= 0, v <= 1e6 else {
                    throw failure(line.number, "\(column) '\(field)' is not a count (a number in 0...1000000)")
                }
                values.append(v)
            }
            let mix = Mix(integer: values[0], branch: values[1], load: values[2], store: values[3], convert: values[4],
                          fma: values[5], divide: values[6], expCalls: values[7], erfCalls: values[8])
            let (name, scope) = (fields[0], fields[1])
            switch scope {
            case "element":
                guard let op = Operation(rawValue: name) else {
                    throw failure(line.number, "unknown operation '\(name)' per element; expected one of \(Operation.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                guard elements.updateValue(mix, forKey: op) == nil else { throw failure(line.number, "repeats '\(name) element'") }
            case "row":
                guard let op = Operation(rawValue: name), Self.rowOperations.contains(op) else {
                    throw failure(line.number, "unknown operation '\(name)' per row; expected one of \(Self.rowOperations.map(\.rawValue).joined(separator: ", "))")
                }
                guard rows.updateValue(mix, forKey: op) == nil else { throw failure(line.number, "repeats '\(name) row'") }
            case "call":
                guard name == "expf" || name == "erff" else {
                    throw failure(line.number, "unknown function '\(name)' per call; expected expf or erff")
                }
                guard mix.expCalls == 0, mix.erfCalls == 0 else {
                    throw failure(line.number, "\(name) per call must call neither expf nor erff (the model expands one level)")
                }
                guard calls.updateValue(mix, forKey: name) == nil else { throw failure(line.number, "repeats '\(name) call'") }
            default:
                throw failure(line.number, "unknown scope '\(scope)'; expected element, row or call")
            }
        }
        guard sawHeader else { throw failure(nil, "no header row '\(Self.header.joined(separator: "<TAB>"))'") }
        for key in Self.requiredProvenance where !provenance.contains(where: { $0.key == key }) {
            throw failure(nil, "no '@\(key)' line")
        }
        let sha = provenance.first { $0.key == "source-sha256" }!.value
        guard sha.count == 64, sha.allSatisfy({ $0.isHexDigit && !$0.isUppercase }) else {
            throw failure(nil, "'@source-sha256' is '\(sha)', not 64 lowercase hexadecimal digits")
        }
        for op in Operation.allCases where elements[op] == nil { throw failure(nil, "no row '\(op.rawValue)<TAB>element'") }
        for op in Self.rowOperations where rows[op] == nil { throw failure(nil, "no row '\(op.rawValue)<TAB>row'") }
        for name in ["expf", "erff"] where calls[name] == nil { throw failure(nil, "no row '\(name)<TAB>call'") }
        self.init(perElement: { elements[$0]! }, perRow: { rows[$0]! }, expPerCall: calls["expf"]!, erfPerCall: calls["erff"]!,
                  provenance: provenance)
    }
}

extension HostCPUCostModel.Mix {
    /// Class by class sum of two mixes.
    public static func + (a: Self, b: Self) -> Self {
        Self(integer: a.integer + b.integer, branch: a.branch + b.branch, load: a.load + b.load, store: a.store + b.store,
             convert: a.convert + b.convert, fma: a.fma + b.fma, divide: a.divide + b.divide,
             expCalls: a.expCalls + b.expCalls, erfCalls: a.erfCalls + b.erfCalls,
             streamedBytes: a.streamedBytes + b.streamedBytes)
    }

    /// Instructions executed directly (calls not expanded, each call not counted).
    public var instructions: Double { integer + branch + load + store + convert + fma + divide }
}
