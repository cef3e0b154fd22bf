import ChapterSupport
import Core
import Render

/// §4.1: uniform quantization's error on weight- and activation-like tensors, Fig. 15's energy/area table, and
/// what precision does to BERT-Base on the accelerator.
enum QuantizationStudy {
    /// The tensors of the error study, in the order of ``tensors()``.
    enum StudyTensor: Int, CaseIterable {
        case weights, activations, outlierActivations
    }

    /// The ways of choosing scales the study compares.
    enum Scaling: CaseIterable {
        case perTensorSymmetric, perTensorAsymmetric, perChannelSymmetric, perTensorSymmetricClipped

        var label: String {
            switch self {
            case .perTensorSymmetric: return "per-tensor, symmetric"
            case .perTensorAsymmetric: return "per-tensor, asymmetric"
            case .perChannelSymmetric: return "per-channel, symmetric"
            case .perTensorSymmetricClipped: return "per-tensor, symmetric, clipped"
            }
        }
    }

    /// The study computed once: the error of every scaling on every tensor at the flags' widths and the claims'
    /// 8 and 4 bits, and BERT-Base's cost in every format.
    struct Run {
        var tensors: [(name: String, matrix: RealMatrix, channelAxis: QuantizationGranularity)]
        /// Every row, at the union of the flags' widths and 8 and 4.
        var allRows: [ErrorRow]
        /// The rows at the flags' widths, in the flags' order.
        var rows: [ErrorRow]
        var costs: [PrecisionCost]

        init(_ s: FixedArchitectureSettings) throws {
            tensors = try QuantizationStudy.tensors()
            // One pass over the union of the flags' widths and the claims' fixed 8 and 4.
            let allRows = try errorRows(bits: Array(Set(s.bits + [8, 4])).sorted(by: >), tensors: tensors)
            self.allRows = allRows
            rows = s.bits.flatMap { b in allRows.filter { $0.bits == b } }
            costs = try NumericFormat.allCases.map { try PrecisionCost.evaluate(.bertBase, sequenceLength: s.sequenceLength, accelerator: s.accelerator, format: $0) }
        }

        /// The row of one tensor, width and scaling (8 and 4 bits are always there).
        func row(_ t: StudyTensor, _ b: Int, _ c: Scaling) -> ErrorRow {
            allRows.first { $0.tensor == t.rawValue && $0.bits == b && $0.config == c }!
        }
    }

    /// The tensors of the error study: weights with uneven rows, plain activations, activations with outliers.
    static func tensors() throws -> [(name: String, matrix: RealMatrix, channelAxis: QuantizationGranularity)] {
        [
            ("weights 128×768 (σ = 0.02, rows differ 4× either way)",
             try SyntheticTensors.unevenRows(rows: 128, columns: 768, standardDeviation: 0.02, seed: 31), .perRow),
            ("activations 64×768 (normal)",
             try SyntheticTensors.outlierActivations(tokens: 64, channels: 768, outlierChannels: 0, outlierScale: 1, seed: 32), .perColumn),
            ("activations 64×768, 6 outlier channels ×30",
             try SyntheticTensors.outlierActivations(tokens: 64, channels: 768, outlierChannels: 6, outlierScale: 30, seed: 32), .perColumn),
        ]
    }

    static let clipCandidates = [1.0, 0.8, 0.6, 0.5, 0.4, 0.3]

    struct ErrorRow {
        var tensor: Int
        var bits: Int
        var config: Scaling
        var noise: QuantizationNoise
        var saturated: Double
        var clip: Double
    }

    static func errorRows(bits: [Int], tensors: [(name: String, matrix: RealMatrix, channelAxis: QuantizationGranularity)]) throws -> [ErrorRow] {
        var rows: [ErrorRow] = []
        for (t, tensor) in tensors.enumerated() {
            for b in bits {
                let configs: [(Scaling, TensorQuantizer)] = [
                    (.perTensorSymmetric, try TensorQuantizer(bits: b)),
                    (.perTensorAsymmetric, try TensorQuantizer(bits: b, scheme: .asymmetric)),
                    (.perChannelSymmetric, try TensorQuantizer(bits: b, granularity: tensor.channelAxis)),
                ]
                for (name, q) in configs {
                    let r = try q.quantize(tensor.matrix)
                    rows.append(ErrorRow(tensor: t, bits: b, config: name, noise: r.noise, saturated: r.saturatedFraction, clip: 1))
                }
                let base = try TensorQuantizer(bits: b)
                let best = try base.bestClipFraction(tensor.matrix, candidates: clipCandidates)
                var clipped = base
                clipped.clipFraction = best.fraction
                let r = try clipped.quantize(tensor.matrix)
                rows.append(ErrorRow(tensor: t, bits: b, config: .perTensorSymmetricClipped, noise: r.noise,
                                     saturated: r.saturatedFraction, clip: best.fraction))
            }
        }
        return rows
    }

    /// §4.1's sections: the error study (Eq. 2), Fig. 15's table and charts, and precision on BERT-Base.
    static func build(_ s: FixedArchitectureSettings, figures: inout FigureSet) throws -> [SectionOutput] {
        let run = try Run(s)
        return [try errorSection(s, run, figures: &figures), try fig15Section(s, figures: &figures),
                precisionSection(s, run)]
    }

    /// Eq. 2 and the error study.
    static func errorSection(_ s: FixedArchitectureSettings, _ run: Run, figures: inout FigureSet) throws -> SectionOutput {
        var eq = Section("4.1 / Eq. 2: uniform quantization and its error")
        eq.prose("""
            Uniform quantization maps a real r to the code Q(r) = round(r/S) + Z, clamped to the code range, and \
            back to S·(Q − Z). Here round is to nearest with ties to even (`RoundingRule.toNearestOrEven`). \
            Symmetric quantization fixes Z = 0 and S = max|r| / (2^(b−1) − 1); asymmetric fits [min, max] with a \
            zero point. One scale can cover the whole tensor, or each output channel of a weight matrix, or each \
            hidden channel of an activation matrix. The tensors below are seeded synthetic stand-ins (SplitMix64), \
            shaped like BERT's: they show the mechanisms, not a model's accuracy.
            """)
        let tensors = run.tensors, rows = run.rows
        eq.table(Table(columns: [.init("Tensor"), .init("Bits", alignment: .right), .init("Scales"),
                                 .init("SQNR (dB)", alignment: .right), .init("Max error", alignment: .right),
                                 .init("Saturated", alignment: .right), .init("Clip", alignment: .right)],
                       rows: rows.map { r in
                           [tensors[r.tensor].name, "\(r.bits)", r.config.label, NumberFormat.fixed(r.noise.sqnrDecibels, decimals: 2),
                            NumberFormat.significant(r.noise.maxAbsolute, digits: 3), NumberFormat.percent(r.saturated, decimals: 2), NumberFormat.fixed(r.clip, decimals: 1)]
                       }, caption: "Signal-to-quantization-noise ratio 10·log10(Σr²/Σ(r − r̂)²). Clip: the fraction of the range kept, the best of \(clipCandidates.map { NumberFormat.fixed($0, decimals: 1) }.joined(separator: ", ")) by mean squared error."))
        let chartRows = rows.filter { $0.bits == s.bits[0] }
        let chart = BarChart(title: "INT\(s.bits[0]) quantization: SQNR by tensor and scaling",
                             categories: ["weights", "activations", "activations + outliers"],
                             series: Scaling.allCases.map { c in
                                 BarSeries(name: c.label, values: (0..<3).map { t in chartRows.first { $0.tensor == t && $0.config == c }!.noise.sqnrDecibels })
                             }, mode: .grouped, y: Axis(label: "SQNR (dB)", min: 0))
        eq.figure(figures.svg("03-quantization-sqnr", try chart.svg()),
                  caption: "Six outlier channels cost per-tensor INT\(s.bits[0]) most of its SQNR; per-channel scales win it back.")
        let quantClaims = try errorClaims(run)
        eq.table(ClaimFormatting.table(quantClaims))
        eq.takeaway("Per-tensor INT8 is fine for bell-shaped values; a handful of outlier channels stretch the range and starve everything else of resolution, which per-channel scales (or mixed precision for the outliers) fix.")
        eq.figure(try figures.graph("03-quantized-linear", FixedFigures.quantizedLinear()),
                  caption: "A quantized linear layer: quantize the input, integer matmul with Int32 accumulation, dyadic requantization to the next layer's scale.")
        return SectionOutput(eq, claims: quantClaims, json: [("quantization", .array(rows.map { r in
            .object([("tensor", .string(tensors[r.tensor].name)), ("bits", .number(Double(r.bits))), ("scales", .string(r.config.label)),
                     ("sqnrDb", .number(r.noise.sqnrDecibels)), ("maxError", .number(r.noise.maxAbsolute)),
                     ("saturated", .number(r.saturated)), ("clip", .number(r.clip))])
        }))])
    }

    /// The error study's claims, on fixed settings (independent of the flags).
    static func errorClaims(_ run: Run) throws -> [Claim] {
        let row = run.row
        let weights = run.tensors[StudyTensor.weights.rawValue].matrix
        let p8 = try TensorQuantizer(bits: 8).fit(weights.values)
        let variance = weights.values.reduce(0) { $0 + $1 * $1 } / Double(weights.values.count)
        let closedForm = 10 * log10(variance / (p8.scale * p8.scale / 12))
        var quantClaims = [
            FixedArchitectureChapter.crossCheck("quant.sqnr.closed-form", "Eq. 2", "INT8 per-tensor SQNR on the weights: measured vs 10·log10(σ²/(S²/12)) (dB)",
                                                expected: closedForm, observed: row(.weights, 8, .perTensorSymmetric).noise.sqnrDecibels,
                                                tolerance: .absolute(0.2), note: "uniform noise of variance S²/12"),
            FixedArchitectureChapter.crossCheck("quant.sqnr.6db-per-bit", "Eq. 2", "SQNR gained from 4 to 8 bits on the weights (dB), against 6.02 dB per bit",
                                                expected: 4 * 20 * log10(2.0),
                                                observed: row(.weights, 8, .perTensorSymmetric).noise.sqnrDecibels - row(.weights, 4, .perTensorSymmetric).noise.sqnrDecibels,
                                                tolerance: .absolute(1.0), note: "each bit halves S (INT4 also halves 2^(b−1) − 1 a little more: 7 vs 127/16)"),
            Claim.statement(id: "quant.max-error.half-step", reference: "Eq. 2", statement: "unclipped INT8 error never exceeds half a step, S/2",
                            expected: "max error ≤ S/2", observed: "max error = \(NumberFormat.fixed(row(.weights, 8, .perTensorSymmetric).noise.maxAbsolute / (p8.scale / 2), decimals: 4))·S/2",
                            holds: row(.weights, 8, .perTensorSymmetric).noise.maxAbsolute <= p8.scale / 2 * (1 + 1e-12), kind: .crossCheck),
        ]
        let outlierLoss = row(.activations, 8, .perTensorSymmetric).noise.sqnrDecibels - row(.outlierActivations, 8, .perTensorSymmetric).noise.sqnrDecibels
        let perChannelGain = row(.outlierActivations, 8, .perChannelSymmetric).noise.sqnrDecibels - row(.outlierActivations, 8, .perTensorSymmetric).noise.sqnrDecibels
        let clipGain = row(.weights, 4, .perTensorSymmetricClipped).noise.sqnrDecibels - row(.weights, 4, .perTensorSymmetric).noise.sqnrDecibels
        quantClaims += [
            Claim.statement(id: "quant.outliers-hurt", reference: "§4.1", statement: "outlier channels lower per-tensor INT8 SQNR (by more than 10 dB)",
                            expected: "> 10 dB lost", observed: "\(NumberFormat.fixed(outlierLoss, decimals: 1)) dB lost", holds: outlierLoss > 10),
            Claim.statement(id: "quant.per-channel-recovers", reference: "§4.1", statement: "per-channel scales recover outlier activations' SQNR (by more than 10 dB)",
                            expected: "> 10 dB gained", observed: "\(NumberFormat.fixed(perChannelGain, decimals: 1)) dB gained", holds: perChannelGain > 10),
            Claim.statement(id: "quant.clipping-helps-int4", reference: "§4.1", statement: "clipping the range improves INT4 weights' SQNR",
                            expected: "clip < 1 and SQNR up", observed: "clip \(NumberFormat.fixed(row(.weights, 4, .perTensorSymmetricClipped).clip, decimals: 1)), \(NumberFormat.fixed(clipGain, decimals: 2)) dB gained",
                            holds: row(.weights, 4, .perTensorSymmetricClipped).clip < 1 && clipGain > 0),
        ]
        // Round trip over every Int8 code, symmetric and asymmetric.
        for (label, p) in [("symmetric", try QuantizationParameters.symmetric(maxAbs: 1)),
                           ("asymmetric", try QuantizationParameters.asymmetric(min: -0.3, max: 1.7))] {
            var ok = 0
            for q in Int32(Int8.min)...Int32(Int8.max) where try p.quantize(p.dequantize(q)) == q { ok += 1 }
            quantClaims.append(FixedArchitectureChapter.crossCheck("quant.round-trip.\(label)", "Eq. 2",
                                                                   "Int8 codes q with Q(S·(q − Z)) = q, \(label)",
                                                                   expected: 256, observed: Double(ok), tolerance: .absolute(0)))
        }
        return quantClaims
    }

    /// Fig. 15: Horowitz's 45 nm energy and area table with its ratios, and GPU peak throughput by precision.
    static func fig15Section(_ s: FixedArchitectureSettings, figures: inout FigureSet) throws -> SectionOutput {
        var fig15 = Section("4.1 / Fig. 15: energy and area by precision (45 nm)")
        fig15.prose("""
            Fig. 15 (right) reprints Horowitz's 45 nm table (ISSCC 2014). The ratios below are computed from the \
            table's own rows; Fig. 15 (left) plots GPU peak throughput by precision, which the survey's text does \
            not print, so its values here come from NVIDIA's specifications (the source column says which were \
            checked).
            """)
        fig15.table(Table(columns: [.init("Operation"), .init("Energy (pJ)", alignment: .right), .init("Area (µm²)", alignment: .right),
                                    .init("Energy / 8b Add", alignment: .right), .init("Area / 8b Add", alignment: .right)],
                          rows: Horowitz45nm.table.map { e in
                              let base = Horowitz45nm.entry(.add, .int8)!
                              return [e.label, NumberFormat.trimmed(e.energyPicojoules, maxDecimals: 2),
                                      e.areaSquareMicrometres.map { NumberFormat.trimmed($0, maxDecimals: 0) } ?? "N/A",
                                      NumberFormat.fixed(e.energyPicojoules / base.energyPicojoules, decimals: 1) + "×",
                                      e.areaSquareMicrometres.map { NumberFormat.fixed($0 / base.areaSquareMicrometres!, decimals: 1) + "×" } ?? "N/A"]
                          }, caption: "Fig. 15 (right), as printed [Horowitz 2014], with ratios to the 8-bit add."))
        let add8 = Horowitz45nm.entry(.add, .int8)!, addF = Horowitz45nm.entry(.add, .fp32)!
        let mul8 = Horowitz45nm.entry(.multiply, .int8)!, mulF = Horowitz45nm.entry(.multiply, .fp32)!
        let fp32Bert = try PrecisionCost.evaluate(.bertBase, sequenceLength: s.sequenceLength, accelerator: s.accelerator, format: .fp32)
        let int8Bert = try PrecisionCost.evaluate(.bertBase, sequenceLength: s.sequenceLength, accelerator: s.accelerator, format: .int8)
        let fig15Claims = [
            Claim.number(id: "fig15.add.energy", reference: "Fig. 15, §4.1", statement: "energy of a 32b FP add over an 8b integer add (×)",
                         paper: 30, observed: addF.energyPicojoules / add8.energyPicojoules, tolerance: .approximately(significantFigures: 1),
                         note: "0.9 / 0.03 from the table; the survey writes \"∼30×\""),
            Claim.number(id: "fig15.add.area", reference: "Fig. 15, §4.1", statement: "area of a 32b FP add over an 8b integer add (×)",
                         paper: 120, observed: addF.areaSquareMicrometres! / add8.areaSquareMicrometres!, tolerance: .approximately(significantFigures: 2),
                         note: "4184 / 36 from the table; the survey writes \"∼120×\", two significant figures"),
            Claim.number(id: "fig15.model-size", reference: "§4.1", statement: "BERT-Base weights at FP32 over INT8 (×)",
                         paper: 4, observed: fp32Bert.parameterBytes / int8Bert.parameterBytes, tolerance: .absolute(0)),
        ]
        fig15.table(ClaimFormatting.table(fig15Claims))
        fig15.prose("Derived, not claimed by the survey: an 8-bit multiply takes \(NumberFormat.fixed(mulF.energyPicojoules / mul8.energyPicojoules, decimals: 1))× less energy and \(NumberFormat.fixed(mulF.areaSquareMicrometres! / mul8.areaSquareMicrometres!, decimals: 1))× less area than a 32-bit floating-point one; one 32-bit DRAM read costs as much energy as \(NumberFormat.fixed(640 / NumericFormat.int8.macEnergyPicojoules, decimals: 0)) INT8 MACs (8b Mult + 32b Add).")
        // Every row, memory reads included, on a log axis: 0.03 pJ and 640 pJ on one linear axis would leave the
        // integer adds as slivers, and the SRAM and DRAM rows carry the takeaway.
        let energyChart = BarChart(title: "Fig. 15 (right): 45 nm energy per operation (log scale)",
                                   categories: Horowitz45nm.table.map { $0.label.replacingOccurrences(of: " (8kb)", with: "") },
                                   series: [BarSeries(name: "energy (pJ)", values: Horowitz45nm.table.map(\.energyPicojoules))],
                                   mode: .grouped, y: Axis(label: "pJ per operation (log scale)", scale: .log10),
                                   valueLabel: { NumberFormat.trimmed($0, maxDecimals: 2) }, width: 1040)
        fig15.figure(figures.svg("03-fig15-energy", try energyChart.svg()), caption: "Energy per operation at 45 nm (Horowitz 2014, as the survey's Fig. 15 prints it; the SRAM read is from an 8 kb array), on a log axis: one 32-bit DRAM read costs as much as \(NumberFormat.fixed(640 / NumericFormat.int8.macEnergyPicojoules, decimals: 0)) INT8 MACs.")
        let gpus = ["Titan RTX", "A100"], precisions = ["FP32", "FP16", "INT8", "INT4"]
        let missing = gpus.flatMap { g in precisions.filter { p in !GPUPeakThroughput.fig15Left.contains { $0.gpu == g && $0.precision == p } }.map { "\(g) \($0)" } }
        let missingText = missing.isEmpty ? "" : "No bar for \(missing.joined(separator: ", ")): we found no source to check those values against, so we left them out. "
        let gpuChart = BarChart(title: "Fig. 15 (left): GPU peak dense throughput (vendor specifications)", categories: precisions,
                                series: gpus.map { g in
                                    BarSeries(name: g, values: precisions.map { p in GPUPeakThroughput.fig15Left.first { $0.gpu == g && $0.precision == p }?.teraOpsPerSecond ?? 0 })
                                }, mode: .grouped, y: Axis(label: "TFLOPS or TOPS", min: 0))
        fig15.figure(figures.svg("03-fig15-gpu-throughput", try gpuChart.svg()), caption: "Peak throughput doubles with each halving of precision on the Tensor Cores (FP16 → INT8 → INT4); the FP32 bars are the CUDA-core peaks, not Tensor Core ones. \(missingText)Sources in the table.")
        fig15.table(Table(columns: [.init("GPU"), .init("Precision"), .init("Peak (T/s)", alignment: .right), .init("Source")],
                          rows: GPUPeakThroughput.fig15Left.map { [$0.gpu, $0.precision, NumberFormat.trimmed($0.teraOpsPerSecond, maxDecimals: 1), $0.source] }))
        fig15.takeaway("Integer arithmetic is one to two orders of magnitude cheaper than FP32 in energy and area, but one DRAM read outweighs hundreds of MACs: the memory traffic that fewer bits save matters as much as the cheaper arithmetic.")
        return SectionOutput(fig15, claims: fig15Claims)
    }

    /// Precision on BERT-Base: traffic, roofline latency at iso-PE and iso-area, and energy per format.
    static func precisionSection(_ s: FixedArchitectureSettings, _ run: Run) -> SectionOutput {
        var precision = Section("4.1: what precision does to BERT-Base on the accelerator")
        let costs = run.costs
        let a = s.accelerator
        precision.prose("""
            BERT-Base at l = \(s.sequenceLength) on `\(a.name)` (\(a.meshRows)×\(a.meshColumns) PEs, \(NumberFormat.trimmed(a.dramBytesPerCycle, maxDecimals: 1)) DRAM \
            bytes per cycle, \(NumberFormat.trimmed(a.clockHz / 1e9, maxDecimals: 2)) GHz). Traffic is chapter 1's ideal count (each \
            matrix moved once) with every value at the format's width. Latency is a roofline sum computed in this \
            chapter (`RooflineMachine`: each operation takes max(MACs / PEs, vector ops / SFU lanes, bytes / DRAM \
            bandwidth)); the survey's §3.3 analytical model is not used here. *Iso-PE* keeps \(a.meshRows * a.meshColumns) PEs \
            at every format; *iso-area* spends the INT8 array's area on wider PEs (INT8 MAC = \(NumericFormat.int8.macDescription), \
            \(NumberFormat.fixed(NumericFormat.int8.macAreaSquareMicrometres, decimals: 0)) µm²). Energy counts MACs and DRAM bytes from Fig. 15's table.
            """)
        precision.table(Table(columns: [.init("Format"), .init("MAC"), .init("Weights (MB)", alignment: .right), .init("Traffic (MB)", alignment: .right),
                                        .init("Intensity (FLOP/B)", alignment: .right), .init("Latency iso-PE (ms)", alignment: .right),
                                        .init("PEs iso-area", alignment: .right), .init("Latency iso-area (ms)", alignment: .right),
                                        .init("MAC energy (µJ)", alignment: .right), .init("DRAM energy (µJ)", alignment: .right)],
                              rows: costs.map { c in
                                  [c.format.label, c.format.macDescription, NumberFormat.fixed(c.parameterBytes / 1e6, decimals: 1), NumberFormat.fixed(c.trafficBytes / 1e6, decimals: 1),
                                   NumberFormat.fixed(c.intensity, decimals: 1), NumberFormat.fixed(c.isoPECycles / a.clockHz * 1e3, decimals: 3),
                                   NumberFormat.fixed(Double(a.peakMACsPerCycle) * c.peScaleIsoArea, decimals: 1), NumberFormat.fixed(c.isoAreaCycles / a.clockHz * 1e3, decimals: 3),
                                   NumberFormat.fixed(c.macEnergyMicrojoules, decimals: 0), NumberFormat.fixed(c.dramEnergyMicrojoules, decimals: 0)]
                              }, caption: "BERT-Base, 12 layers, l = \(s.sequenceLength); weights count the 12·(4d² + 2d·d_FFN) matmul parameters (no embeddings)."))
        let fp16 = costs[1], fp32 = costs[0], int8 = costs[2]
        let precisionClaims = [
            FixedArchitectureChapter.crossCheck("precision.traffic.fp32-over-int8", "§4.1", "BERT-Base DRAM traffic, FP32 over INT8 (×)",
                                                expected: 4, observed: fp32.trafficBytes / int8.trafficBytes, tolerance: .relative(1e-12)),
            FixedArchitectureChapter.crossCheck("precision.traffic.fp16-over-int8", "§4.1", "BERT-Base DRAM traffic, FP16 over INT8 (×)",
                                                expected: 2, observed: fp16.trafficBytes / int8.trafficBytes, tolerance: .relative(1e-12)),
            Claim.statement(id: "precision.latency.order", reference: "§4.1", statement: "iso-area roofline latency falls with precision: FP32 > FP16 > INT8",
                            expected: "FP32 > FP16 > INT8",
                            observed: costs.map { "\($0.format.label) \(NumberFormat.fixed($0.isoAreaCycles / a.clockHz * 1e3, decimals: 2)) ms" }.joined(separator: ", "),
                            holds: fp32.isoAreaCycles > fp16.isoAreaCycles && fp16.isoAreaCycles > int8.isoAreaCycles),
        ]
        precision.table(ClaimFormatting.table(precisionClaims))
        let bound = fp32.isoPECycles / int8.isoPECycles < 1.05 ? "the matmuls stay compute-bound even with 4-byte values" : "4-byte values make more of it memory-bound"
        precision.takeaway("With the same PE count, FP32 is only \(NumberFormat.fixed(fp32.isoPECycles / int8.isoPECycles, decimals: 3))× slower than INT8 for BERT-Base at l = \(s.sequenceLength) (\(bound)); in the same silicon area it is \(NumberFormat.fixed(fp32.isoAreaCycles / int8.isoAreaCycles, decimals: 1))× slower, and it spends \(NumberFormat.fixed(fp32.energyMicrojoules / int8.energyMicrojoules, decimals: 1))× the energy.")
        return SectionOutput(precision, claims: precisionClaims, json: [("precision", .array(costs.map { c in
            .object([("format", .string(c.format.label)), ("weightBytes", .number(c.parameterBytes)), ("trafficBytes", .number(c.trafficBytes)),
                     ("intensity", .number(c.intensity)), ("isoPECycles", .number(c.isoPECycles)), ("isoAreaCycles", .number(c.isoAreaCycles)),
                     ("energyMicrojoules", .number(c.energyMicrojoules))])
        }))])
    }
}

#if canImport(Glibc)
import Glibc
#endif
