import ArgumentParser
import ChapterSupport
import Core
import Dispatch
import Foundation

/// `swift run -c release nas`: regenerates chapters/05-nas.md and its figures from the committed supernet.
@main
struct NASCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nas",
        abstract: "Chapter 5 (§6): hardware-aware NAS — a trained weight-sharing supernet, a Gemmini cost table, an evolutionary search, Fig. 25-26.",
        discussion: """
            Writes chapters/05-nas.md and figures/05-*.{svg,dot,png} under --out and prints one line per claim. \
            By default it reads the trained supernet data/nas/supernet.bin; --train retrains it first (until its \
            validation loss flattens: about an hour on 2 cores) and rewrites data/nas/supernet.bin and \
            data/nas/training-log.tsv.

            Examples:
              nas --seed 7 --population 20 --iterations 20
              nas --mutation-probability 0.5 --validation-windows 64 --hw-seq-len 256
              nas --train --train-steps 200 --out /tmp/nas
            """)

    @OptionGroup var common: ChapterOptions
    @OptionGroup var options: Options

    /// The flags that shape the report; its first line names those that differ from their defaults (``RerunLine``).
    /// The flags declared after this group (--blas-threads, --threads, --checkpoint, --corpus, --train) are not in
    /// the line: they say where the inputs come from and how fast the work goes, not what is computed from them.
    struct Options: ParsableArguments {
        static let defaults = NASSettings()

        @Option(name: .long, parsing: .unconditional, help: "Seed of the evolutionary search.")
        var seed: UInt64 = Options.defaults.evolution.seed
        @Option(name: .long, parsing: .unconditional, help: "Population of the search (at least 2).")
        var population: Int = Options.defaults.evolution.population
        @Option(name: .long, parsing: .unconditional, help: "Iterations (generations after the first) of the search (at least 1).")
        var iterations: Int = Options.defaults.evolution.iterations
        @Option(name: .long, parsing: .unconditional, help: "Probability that a gene is redrawn when mutating (0...1).")
        var mutationProbability: Double = Options.defaults.evolution.mutationProbability
        @Option(name: .long, parsing: .unconditional, help: "Validation windows per perplexity measurement.")
        var validationWindows: Int = Options.defaults.validationWindows
        @Option(name: .long, parsing: .unconditional, help: "Sequence length of the hardware cost (tokens per inference).")
        var hwSeqLen: Int = Options.defaults.hardwareSequenceLength
        @Option(name: .long, parsing: .unconditional, help: "Corpus split: block size in bytes.")
        var splitBlockSize: Int = Options.defaults.blockSize
        @Option(name: .long, parsing: .unconditional, help: "Corpus split: blocks per period (one validation and one test block each).")
        var splitPeriod: Int = Options.defaults.splitPeriod
        @Option(name: .long, parsing: .unconditional, help: "Corpus split: the block of each period that goes to validation.")
        var validationResidue: Int = Options.defaults.validationResidue
        @Option(name: .long, parsing: .unconditional, help: "Corpus split: the block of each period that goes to test.")
        var testResidue: Int = Options.defaults.testResidue
        @Option(name: .long, parsing: .unconditional, help: "Sandwich steps of --train, with a linear decay from the warm-up to 0. Without it, --train keeps the peak rate until the validation loss flattens (the rule: data/nas/README.md), at most 10,000 steps, then decays over a fifth of the steps so far.")
        var trainSteps: Int?
        @Option(name: .long, parsing: .unconditional, help: "Seed of --train (initialisation, sub-network and batch sampling).")
        var trainSeed: UInt64 = Options.defaults.training.seed
    }

    @Option(name: .long, parsing: .unconditional, help: "OpenBLAS threads for --train (the products here are small: 1 is fastest on 2 cores). The search's perplexities do not use BLAS.")
    var blasThreads: Int = 1
    @Option(name: .long, parsing: .unconditional, help: "Threads that measure the search's perplexities and run --train's sub-networks (default: all active processors; every count gives the same bits).")
    var threads: Int?
    @Option(name: .long, help: ArgumentHelp("Trained supernet to read (training-log.tsv must lie beside it).", valueName: "file"))
    var checkpoint: String?
    @Option(name: .long, help: ArgumentHelp("The byte corpus the supernet was trained and is validated on.", valueName: "file"))
    var corpus: String = NASData.corpusPath
    @Flag(name: .long, help: "Retrain the supernet (writes data/nas/supernet.bin and training-log.tsv under --out) before the report.")
    var train = false

    /// Core's field names that differ from this command's flags.
    static let flags = ["blockSize": "split-block-size", "period": "split-period", "steps": "train-steps",
                        "seed": "train-seed", "trainingLog": "checkpoint", "searchRecord": "checkpoint"]

    func settings() throws -> NASSettings {
        var s = NASSettings()
        s.evolution = EvolutionSettings(population: options.population, iterations: options.iterations,
                                        mutationProbability: options.mutationProbability, seed: options.seed)
        guard (1...64).contains(blasThreads) else {
            throw ValidationError("invalid --blas-threads: \(blasThreads) is out of range; allowed 1...64")
        }
        if let threads {
            guard (1...256).contains(threads) else {
                throw ValidationError("invalid --threads: \(threads) is out of range; allowed 1...256")
            }
            s.evaluationThreads = threads
        }
        s.validationWindows = options.validationWindows
        s.hardwareSequenceLength = options.hwSeqLen
        s.blockSize = options.splitBlockSize
        s.splitPeriod = options.splitPeriod
        s.validationResidue = options.validationResidue
        s.testResidue = options.testResidue
        s.command = RerunLine.render(Self.self, options)
        try naming(Self.flags) {
            let t = s.training
            s.training = try SupernetTrainingRun(widthDivisor: t.widthDivisor, context: t.context,
                                                 sequencesPerStep: t.sequencesPerStep, steps: options.trainSteps ?? t.steps,
                                                 warmupSteps: options.trainSteps == nil ? t.warmupSteps : nil,
                                                 peakLearningRate: t.peakLearningRate, seed: options.trainSeed,
                                                 validation: t.validation,
                                                 flattening: options.trainSteps == nil ? t.flattening : nil)
            try s.validate()
        }
        return s
    }

    func validate() throws {
        _ = try settings()
        if train && checkpoint != nil {
            throw ValidationError("--train and --checkpoint conflict: --train writes a new checkpoint under --out and reads that one; drop --checkpoint")
        }
        if train && common.json {
            throw ValidationError("--train and --json conflict: --train writes the checkpoint and training log, --json writes no files; drop one")
        }
        if train && common.check {
            throw ValidationError("--train and --check conflict: --check writes nothing, --train writes a checkpoint; drop one")
        }
        if train { try OutputFolder.validate(common.out, flag: "out") }
        _ = try RepositoryData.locate(corpus, default: NASData.corpusPath, flag: "corpus")
        if !train { _ = try RepositoryData.locate(checkpoint ?? NASData.checkpointPath, default: NASData.checkpointPath, flag: "checkpoint") }
    }

    mutating func run() throws {
        var s = try settings()
        TransformerRuntime.setThreads(blasThreads)
        if common.showsProgress && !common.check {
            s.progress = { line in
                var err = StandardError()
                print(line, to: &err)
            }
        }
        let out = URL(fileURLWithPath: common.out, isDirectory: true)
        // Every input is read and checked before any work: the corpus from the repository; the checkpoint and
        // its training log from the repository, from --checkpoint, or (after --train) from what training wrote.
        let corpusURL = try RepositoryData.locate(corpus, default: NASData.corpusPath, flag: "corpus")
        let corpus = try naming(Self.flags) { try s.corpus(try NASData.read(corpusURL)) }
        if train {
            BLASRestart.ifGeneric()       // training runs on OpenBLAS: a generic kernel would make it hours
            try BLASKernel.verify()
            var err = StandardError()
            let start = DispatchTime.now().uptimeNanoseconds
            let (checkpoint, log) = try naming(Self.flags) {
                try s.training.train(on: corpus, threads: blasThreads == 1 ? s.evaluationThreads : 1) { e in
                    guard common.showsProgress, e.step % 50 == 0 || e.validation != nil else { return }
                    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                    let validation = e.validation.map { v in "  validation " + v.map { String(format: "%.4f", $0) }.joined(separator: " ") } ?? ""
                    print(String(format: "train: step %d  %.0f s  lr %.2e  losses %@%@", e.step, seconds, e.learningRate,
                                 e.losses.map { String(format: "%.3f", $0) }.joined(separator: " "), validation), to: &err)
                }
            }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            try OutputFolder.write([GeneratedFile(path: NASData.checkpointPath, bytes: checkpoint.encoded()),
                                    GeneratedFile(path: NASData.trainingLogPath, text: NASData.logText(log))],
                                   into: common.out, flag: "out")
            print(String(format: "train: %d steps in %.0f s; wrote %@ and %@", log.count, seconds,
                         NASData.checkpointPath, NASData.trainingLogPath), to: &err)
        }
        let checkpointURL = train ? out.appendingPathComponent(NASData.checkpointPath)
            : try RepositoryData.locate(checkpoint ?? NASData.checkpointPath, default: NASData.checkpointPath, flag: "checkpoint")
        let inputs = try naming(Self.flags) { try NASInputs.load(settings: s, corpus: corpus, checkpoint: checkpointURL) }
        try common.emit(try naming(Self.flags) { try NASChapter.build(s, inputs: inputs) })
    }
}
