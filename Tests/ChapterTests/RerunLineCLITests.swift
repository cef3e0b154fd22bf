import ArgumentParser
import ChapterSupport
import Core
import Foundation
import Testing
@testable import FixedArchitecture
@testable import GemminiCaseStudy
@testable import NASChapter
@testable import NonlinearHardware
@testable import Scheduling
@testable import WorkloadAnalysis

/// The report's first line, derived from the parsed flags (ChapterSupport/RerunLine.swift).
@Suite("Re-run line (CLI)")
struct RerunLineCLITests {
    /// Parses `arguments` into a command's re-run group and renders its line; checks that parsing the line's words
    /// back gives the same line and, when `complete`, that the line names every flag of the group (so `arguments`
    /// must change them all).
    func line<Command: ParsableCommand, Options: ParsableArguments>(_ command: Command.Type, _ options: Options.Type,
                                                                    _ arguments: [String], complete: Bool = false,
                                                                    sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let parsed = try Options.parse(arguments)
        let line = RerunLine.render(command, parsed)
        let words = RerunLine.words(parsed)
        for flag in RerunLine.flags(parsed) where complete {
            #expect(words.contains(flag), "\(flag) is not in \(line)", sourceLocation: sourceLocation)
        }
        #expect(RerunLine.render(command, try Options.parse(words)) == line, sourceLocation: sourceLocation)
        return line
    }

    @Test("the default run's line is the bare command, as in every committed report")
    func defaults() throws {
        #expect(RerunLine.render(WorkloadAnalysisCommand.self, try WorkloadAnalysisCommand.Options.parse([])) == "swift run -c release workload-analysis")
        #expect(RerunLine.render(NonlinearHardwareCommand.self, try NonlinearHardwareCommand.Options.parse([])) == "swift run -c release nonlinear-hardware")
        #expect(RerunLine.render(FixedArchitectureCommand.self, try FixedArchitectureCommand.Options.parse([])) == "swift run -c release fixed-architecture")
        #expect(RerunLine.render(SchedulingCommand.self, try SchedulingCommand.Options.parse([])) == "swift run -c release scheduling")
        #expect(RerunLine.render(NASCommand.self, try NASCommand.Options.parse([])) == "swift run -c release nas")
        #expect(RerunLine.render(GemminiCaseStudyCommand.self, try GemminiCaseStudyCommand.Options.parse([])) == "swift run -c release gemmini-case-study")
    }

    @Test("every flag that shapes a report is written in declaration order and parses back")
    func everyFlag() throws {
        #expect(try line(WorkloadAnalysisCommand.self, WorkloadAnalysisCommand.Options.self,
                         ["--convention", "itemised", "--model", "bert-base,custom", "--seq-lens", "128,512", "--layers", "2",
                          "--d-model", "64", "--heads", "4", "--d-ffn", "256", "--decoder"], complete: true)
                == "swift run -c release workload-analysis --model bert-base,custom --seq-lens 128,512 --layers 2 --d-model 64 --heads 4 --d-ffn 256 --decoder --convention itemised")
        #expect(try line(NonlinearHardwareCommand.self, NonlinearHardwareCommand.Options.self,
                         ["--accelerator", "gemmini-transformer", "--mesh-rows", "8", "--mesh-columns", "4", "--sfu-width", "4",
                          "--scratchpad-kib", "128", "--accumulator-kib", "64", "--l2-kib", "1024", "--dram-bandwidth", "32",
                          "--l2-bandwidth", "8.5", "--dataflow", "os", "--clock-ghz", "1.5", "--input-bits", "16",
                          "--accumulator-bits", "32", "--profile", "none", "--model", "bert-large", "--seq-lens", "128,512"], complete: true)
                == "swift run -c release nonlinear-hardware --accelerator gemmini-transformer --mesh-rows 8 --mesh-columns 4 --sfu-width 4 --scratchpad-kib 128 --accumulator-kib 64 --l2-kib 1024 --dram-bandwidth 32 --l2-bandwidth 8.5 --dataflow os --clock-ghz 1.5 --input-bits 16 --accumulator-bits 32 --profile none --model bert-large --seq-lens 128,512")
        #expect(try line(FixedArchitectureCommand.self, FixedArchitectureCommand.Options.self,
                         ["--bits", "8,6", "--sparsity", "0.3", "--tokens-kept", "0.6", "--seq-len", "256",
                          "--accelerator", "gemmini-baseline", "--cited", "tables"], complete: true)
                == "swift run -c release fixed-architecture --bits 8,6 --sparsity 0.3 --tokens-kept 0.6 --seq-len 256 --accelerator gemmini-baseline --cited tables")
        #expect(try line(SchedulingCommand.self, SchedulingCommand.Options.self,
                         ["--operators", "bert-base-qkv", "--gemm", "256,64,256", "--seq-len", "256", "--samples", "500", "--seed", "2",
                          "--mesh-dim", "8", "--scratchpad-kib", "128", "--accumulator-kib", "32", "--l2-kib", "512", "--dataflow", "os",
                          "--fusion-scratchpad-kib", "512", "--fusion-accumulator-kib", "256", "--fusion-long-seq-len", "2048"], complete: true)
                == "swift run -c release scheduling --operators bert-base-qkv --gemm 256,64,256 --seq-len 256 --samples 500 --seed 2 --mesh-dim 8 --scratchpad-kib 128 --accumulator-kib 32 --l2-kib 512 --dataflow os --fusion-scratchpad-kib 512 --fusion-accumulator-kib 256 --fusion-long-seq-len 2048")
        #expect(try line(NASCommand.self, NASCommand.Options.self,
                         ["--seed", "7", "--population", "20", "--iterations", "20", "--mutation-probability", "0.5",
                          "--validation-windows", "64", "--hw-seq-len", "256", "--split-block-size", "128", "--split-period", "12",
                          "--validation-residue", "3", "--test-residue", "4", "--train-steps", "200", "--train-seed", "3"], complete: true)
                == "swift run -c release nas --seed 7 --population 20 --iterations 20 --mutation-probability 0.5 --validation-windows 64 --hw-seq-len 256 --split-block-size 128 --split-period 12 --validation-residue 3 --test-residue 4 --train-steps 200 --train-seed 3")
        #expect(try line(GemminiCaseStudyCommand.self, GemminiCaseStudyCommand.Options.self,
                         ["--model", "bert-large", "--seq-len", "256", "--breakdown-seq-lens", "128,256", "--compare-seq-len", "256",
                          "--nas-result", "result.tsv", "--mesh-dim", "8", "--scratchpad-kib", "128", "--accumulator-kib", "32",
                          "--rebalanced-scratchpad-kib", "128", "--rebalanced-accumulator-kib", "32", "--sfu-width", "4",
                          "--dma-bytes-per-cycle", "8", "--memory-latency", "120", "--cpu-miss-penalty", "200", "--cpu-fma-latency", "4",
                          "--cpu-convert-latency", "3", "--cpu-divide-latency", "30", "--cpu-load-latency", "3", "--cpu-libm-scale", "1.5",
                          "--cpu-mixes", "mixes.tsv"], complete: true)
                == "swift run -c release gemmini-case-study --model bert-large --seq-len 256 --breakdown-seq-lens 128,256 --compare-seq-len 256 --nas-result result.tsv --mesh-dim 8 --scratchpad-kib 128 --accumulator-kib 32 --rebalanced-scratchpad-kib 128 --rebalanced-accumulator-kib 32 --sfu-width 4 --dma-bytes-per-cycle 8 --memory-latency 120 --cpu-miss-penalty 200 --cpu-fma-latency 4 --cpu-convert-latency 3 --cpu-divide-latency 30 --cpu-load-latency 3 --cpu-libm-scale 1.5 --cpu-mixes mixes.tsv")
    }

    @Test("values are written canonically: presets by machine name, numbers in full, defaults left out, odd paths quoted")
    func canonical() throws {
        #expect(try line(NonlinearHardwareCommand.self, NonlinearHardwareCommand.Options.self,
                         ["--model", "BERT-Large", "--dataflow", "OS", "--accelerator", "analytical", "--seq-lens", "128,512,4096"])
                == "swift run -c release nonlinear-hardware --dataflow os --model bert-large")
        #expect(try line(GemminiCaseStudyCommand.self, GemminiCaseStudyCommand.Options.self,
                         ["--seq-len", "512", "--dma-bytes-per-cycle", "1e-10", "--cpu-miss-penalty", "200.0"])
                == "swift run -c release gemmini-case-study --dma-bytes-per-cycle 1e-10 --cpu-miss-penalty 200")
        #expect(try line(FixedArchitectureCommand.self, FixedArchitectureCommand.Options.self, ["--cited", "my tables/it's here"])
                == "swift run -c release fixed-architecture --cited 'my tables/it'\\''s here'")
        #expect(try line(WorkloadAnalysisCommand.self, WorkloadAnalysisCommand.Options.self, ["--convention", "survey"])
                == "swift run -c release workload-analysis")
    }

    @Test("--help lists the choices of every enumerated flag")
    func choices() {
        let nonlinear = NonlinearHardwareCommand.helpMessage(columns: 1000)
        #expect(nonlinear.contains("values: analytical, gemmini-baseline, gemmini-rebalanced, gemmini-transformer; default: analytical"))
        #expect(nonlinear.contains("values: bert-base, bert-large, gpt2, bert-base-4h; default: bert-base"))
        #expect(nonlinear.contains("values: ws, os, is"))
        #expect(SchedulingCommand.helpMessage(columns: 1000).contains("values: ws, os)"))
        #expect(WorkloadAnalysisCommand.helpMessage(columns: 1000).contains("values: survey, itemised, llm-viewer; default: survey"))
        #expect(FixedArchitectureCommand.helpMessage(columns: 1000).contains("values: analytical, gemmini-baseline"))
        #expect(GemminiCaseStudyCommand.helpMessage(columns: 1000).contains("values: bert-base, bert-large, gpt2, bert-base-4h; default: bert-base"))
    }
}
