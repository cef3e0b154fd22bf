import ChapterSupport
import Core
import CBLAS
import CMachine
import Dispatch
import Foundation
import Render

/// What `make bench` ran on: the CPU as /proc/cpuinfo names it, its clock as measured here, the fp32 peak that
/// follows from an explicit SIMD assumption, and the OpenBLAS build and kernel set that served the products.
struct Machine: Encodable {
    var cpu: String
    var vendorID: String
    var vendor: String
    var family: Int?
    var model: Int?
    var cores: Int
    var nominalMHz: Double?
    var measuredMHzOneCore: Double
    var measuredMHzAllCores: Double
    var clockMethod: String
    var flopPerCycleFP32: Int?
    var simdAssumption: String
    /// The fp32 FLOP/s of independent FMA chains on the widest vectors (``PeakMeasurement``), one core and every
    /// core at once; nil where no FMA build runs. The GEMM ratios use these.
    var measuredPeakOneCore: Double?
    var measuredPeakAllCores: Double?
    var peakMethod: String
    var openBLASCoreName: String
    var openBLASConfig: String
    var openBLASThreads: Int
    /// What runs the runtime's matrix products and the calibration that chose it (``GEMMTiming/products``).
    var runtimeProducts: String
    /// /proc/loadavg's one-minute figure at the start: other processes on the cores slow every timing down.
    var loadAverage: Double?

    enum CodingKeys: String, CodingKey {
        case cpu, vendorID = "vendor_id", vendor, family, model, cores, nominalMHz = "nominal_mhz"
        case measuredMHzOneCore = "measured_mhz_one_core", measuredMHzAllCores = "measured_mhz_all_cores"
        case clockMethod = "clock_method", flopPerCycleFP32 = "flop_per_cycle_fp32", simdAssumption = "simd_assumption"
        case peakGFLOPSOneCore = "peak_gflops_fp32_one_core", peakGFLOPSAllCores = "peak_gflops_fp32_all_cores"
        case measuredPeakOneCore = "measured_peak_gflops_fp32_one_core", measuredPeakAllCores = "measured_peak_gflops_fp32_all_cores"
        case peakMethod = "peak_method"
        case openBLASCoreName = "openblas_corename", openBLASConfig = "openblas_config", openBLASThreads = "openblas_threads"
        case runtimeProducts = "runtime_products"
        case loadAverage = "load_average_1min"
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(cpu, forKey: .cpu)
        try c.encode(vendorID, forKey: .vendorID)
        try c.encode(vendor, forKey: .vendor)
        try c.encodeIfPresent(family, forKey: .family)
        try c.encodeIfPresent(model, forKey: .model)
        try c.encode(cores, forKey: .cores)
        try c.encodeIfPresent(nominalMHz, forKey: .nominalMHz)
        try c.encode(measuredMHzOneCore.rounded(), forKey: .measuredMHzOneCore)
        try c.encode(measuredMHzAllCores.rounded(), forKey: .measuredMHzAllCores)
        try c.encode(clockMethod, forKey: .clockMethod)
        try c.encodeIfPresent(flopPerCycleFP32, forKey: .flopPerCycleFP32)
        try c.encode(simdAssumption, forKey: .simdAssumption)
        try c.encodeIfPresent(computedPeak(threads: 1).map { ($0 / 1e8).rounded() / 10 }, forKey: .peakGFLOPSOneCore)
        try c.encodeIfPresent(computedPeak(threads: cores).map { ($0 / 1e8).rounded() / 10 }, forKey: .peakGFLOPSAllCores)
        try c.encodeIfPresent(measuredPeakOneCore.map { ($0 / 1e8).rounded() / 10 }, forKey: .measuredPeakOneCore)
        try c.encodeIfPresent(measuredPeakAllCores.map { ($0 / 1e8).rounded() / 10 }, forKey: .measuredPeakAllCores)
        try c.encode(peakMethod, forKey: .peakMethod)
        try c.encode(openBLASCoreName, forKey: .openBLASCoreName)
        try c.encode(openBLASConfig, forKey: .openBLASConfig)
        try c.encode(openBLASThreads, forKey: .openBLASThreads)
        try c.encode(runtimeProducts, forKey: .runtimeProducts)
        try c.encodeIfPresent(loadAverage, forKey: .loadAverage)
    }

    /// The measured fp32 peak of one core (`threads` = 1) or of every core; nil where no FMA build runs.
    func measuredPeak(threads: Int) -> Double? { threads <= 1 ? measuredPeakOneCore : measuredPeakAllCores }

    /// Peak fp32 FLOP/s of `threads` cores at the measured clock (the one-core clock for one thread, the
    /// all-cores clock otherwise), or nil when the SIMD width of this CPU is unknown.
    func computedPeak(threads: Int) -> Double? {
        guard let perCycle = flopPerCycleFP32 else { return nil }
        let mhz = threads <= 1 ? measuredMHzOneCore : measuredMHzAllCores
        return Double(min(threads, cores) * perCycle) * mhz * 1e6
    }

    static func describe() -> Machine {
        let info = CPUInfo.read()
        let load = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))
            .flatMap { $0.split(separator: " ").first.flatMap { Double($0) } }
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let clock = ClockMeasurement.measure(cores: cores)
        let (perCycle, assumption) = info.fp32FlopPerCycle()
        let peak = PeakMeasurement.measure(cores: cores)
        return Machine(cpu: info.modelName, vendorID: info.vendorID, vendor: info.vendor, family: info.family,
                       model: info.model, cores: cores, nominalMHz: info.nominalMHz,
                       measuredMHzOneCore: clock.oneCore, measuredMHzAllCores: clock.allCores,
                       clockMethod: ClockMeasurement.method, flopPerCycleFP32: perCycle, simdAssumption: assumption,
                       measuredPeakOneCore: peak?.oneCore, measuredPeakAllCores: peak?.allCores,
                       peakMethod: peak?.method ?? "no FMA build runs on this CPU",
                       openBLASCoreName: openblas_get_corename().map { String(cString: $0) } ?? "unknown",
                       openBLASConfig: (openblas_get_config().map { String(cString: $0) } ?? "unknown")
                           .trimmingCharacters(in: .whitespaces),
                       openBLASThreads: Int(openblas_get_num_threads()), runtimeProducts: GEMMTiming.products, loadAverage: load)
    }

    /// The header of every run, as text.
    func lines() -> [String] {
        var out: [String] = []
        let ids = [family.map { "family \($0)" }, model.map { "model \($0)" }].compactMap { $0 }.joined(separator: " ")
        let busy = loadAverage.map { "; load average \(NumberFormat.fixed($0, decimals: 2)) at the start (anything else running slows the timings)" } ?? ""
        out.append("Machine: \(cpu) (\(vendor); \(vendorID)\(ids.isEmpty ? "" : ", " + ids)), \(cores) cores\(busy)")
        let nominal = nominalMHz.map { "\(NumberFormat.fixed($0, decimals: 0)) MHz nominal (/proc/cpuinfo)" } ?? "nominal MHz unknown"
        out.append("  clock: \(nominal); measured \(NumberFormat.fixed(measuredMHzOneCore, decimals: 0)) MHz on one core, "
                   + "\(NumberFormat.fixed(measuredMHzAllCores, decimals: 0)) MHz on \(cores) cores at once (\(clockMethod))")
        if let perCycle = flopPerCycleFP32, let one = computedPeak(threads: 1), let all = computedPeak(threads: cores) {
            out.append("  fp32 peak computed at the measured clock: \(perCycle) FLOP/cycle/core, assuming \(simdAssumption): "
                       + "\(NumberFormat.fixed(one / 1e9, decimals: 1)) GFLOP/s on 1 core, "
                       + "\(NumberFormat.fixed(all / 1e9, decimals: 1)) GFLOP/s on \(cores)")
        } else {
            out.append("  fp32 peak unknown: \(simdAssumption)")
        }
        if let one = measuredPeakOneCore, let all = measuredPeakAllCores {
            out.append("  fp32 peak measured: \(NumberFormat.fixed(one / 1e9, decimals: 1)) GFLOP/s on 1 core, "
                       + "\(NumberFormat.fixed(all / 1e9, decimals: 1)) GFLOP/s on \(cores) (\(peakMethod)); the GEMM shares below are of this")
        } else {
            out.append("  fp32 peak not measured: \(peakMethod)")
        }
        out.append("  OpenBLAS: kernels for \(openBLASCoreName); \(openBLASThreads) threads; build \"\(openBLASConfig)\"")
        if let replaced = BLASRestart.replacedCore {
            let why = ProcessInfo.processInfo.environment[BLASKernel.assumeGenericVariable] == "1"
                ? "\(BLASKernel.assumeGenericVariable)=1 treated OpenBLAS's \(replaced) kernels as a generic fallback"
                : "OpenBLAS chose its generic \(replaced) kernels for this CPU"
            out.append("    (\(why); restarted with OPENBLAS_CORETYPE=\(openBLASCoreName), which the CPU's vector instructions allow)")
        }
        out.append("    verified once against a plain loop on a 37×29×53 product; the runtime's packed kernel at each level on a 37×45×300 one")
        out.append("  the runtime's matrix products: \(runtimeProducts)")
        return out
    }
}

/// The fields of /proc/cpuinfo's first processor that the header needs.
struct CPUInfo {
    var modelName = "unknown"
    var vendorID = "unknown"
    var family: Int?
    var model: Int?
    var nominalMHz: Double?
    var flags: Set<String> = []

    var vendor: String {
        switch vendorID {
        case "GenuineIntel": "Intel"
        case "AuthenticAMD": "AMD"
        default: "neither Intel nor AMD"
        }
    }

    static func read(_ path: String = "/proc/cpuinfo") -> CPUInfo {
        var info = CPUInfo()
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return info }
        // The first processor's block: everything before the first blank line.
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.trimmingCharacters(in: .whitespaces).isEmpty { break }
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2 else { continue }
            let key = parts[0].trimmingCharacters(in: .whitespaces), value = parts[1].trimmingCharacters(in: .whitespaces)
            switch key {
            case "model name": info.modelName = value
            case "vendor_id": info.vendorID = value
            case "cpu family": info.family = Int(value)
            case "model": info.model = Int(value)
            case "cpu MHz": info.nominalMHz = Double(value)
            case "flags": info.flags = Set(value.split(separator: " ").map(String.init))
            default: break
            }
        }
        return info
    }

    /// fp32 FLOPs per cycle per core at full SIMD width with every FMA pipe busy, and the assumption behind it.
    func fp32FlopPerCycle() -> (Int?, String) {
        let avx512 = flags.contains("avx512f"), fma = flags.contains("fma") && flags.contains("avx2")
        switch (vendorID, family ?? 0) {
        case ("AuthenticAMD", 0x1A) where avx512:
            return (64, "AVX-512 on AMD family 26 (Zen 5): 2 FMA pipes × 16 fp32 lanes × 2 FLOP")
        case ("AuthenticAMD", 0x19) where avx512:
            return (32, "AVX-512 on AMD family 25 (Zen 4), which splits each 512-bit op over 256-bit pipes: "
                        + "2 FMA pipes × 8 fp32 lanes × 2 FLOP, as AVX2")
        case ("AuthenticAMD", 0x17) where (model ?? 0) < 0x30:
            return (16, "AVX2 on AMD family 23 before Zen 2 (128-bit pipes): 2 FMA pipes × 4 fp32 lanes × 2 FLOP")
        case ("GenuineIntel", _) where avx512:
            return (64, "AVX-512 on Intel with 2 FMA units (1-unit parts reach half): 2 FMA × 16 fp32 lanes × 2 FLOP")
        case (_, _) where fma:
            return (32, "AVX2 with 2 FMA pipes: 2 FMA × 8 fp32 lanes × 2 FLOP")
        case (_, _) where flags.contains("avx"):
            return (16, "AVX without FMA: one 8-lane add and one 8-lane multiply per cycle")
        case (_, _) where flags.contains("sse2"):
            return (8, "SSE2: one 4-lane add and one 4-lane multiply per cycle")
        default:
            return (nil, "no x86 SIMD flags in /proc/cpuinfo, so no assumption")
        }
    }
}

/// Where the clock chains read their start and leave their result: global memory, which every opaque call
/// (the clock readings) may read or write as far as the optimizer can tell.
nonisolated(unsafe) let clockSlots: UnsafeMutablePointer<Int> = {
    let p = UnsafeMutablePointer<Int>.allocate(capacity: 8 * ClockMeasurement.maxThreads)
    p.initialize(repeating: 1, count: 8 * ClockMeasurement.maxThreads)
    return p
}()

/// The core clock measured as the rate of a chain of dependent 64-bit integer adds, which retire one per cycle
/// on every x86 core since the Pentium Pro (and on Arm's big cores): cycles = adds, so MHz = adds / µs of the
/// thread's CPU time.
enum ClockMeasurement {
    static let method = "a chain of dependent 64-bit adds, one per cycle, per second of thread CPU time, best of 5 chains of 160 M adds"

    /// 8 × `iterations` dependent adds. `a = a + b; b = b + a` is a Fibonacci recurrence: every add needs the
    /// previous one's result, LLVM has no closed form for it (unlike `a += b` with `b` fixed, which becomes a
    /// multiply) and cannot vectorise it. The disassembly of the release build is a loop of 8 `add` between two
    /// registers, each reading the other's latest value, plus the loop counter (README's benchmark paragraph).
    @inline(never)
    static func dependentAdds(_ iterations: Int, _ a0: Int, _ b0: Int) -> Int {
        var a = a0, b = b0
        for _ in 0..<iterations {
            a = a &+ b; b = b &+ a
            a = a &+ b; b = b &+ a
            a = a &+ b; b = b &+ a
            a = a &+ b; b = b &+ a
        }
        return a ^ b
    }

    /// MHz of one timed chain, on slot `slot` (one per thread).
    static func once(iterations: Int, slot: Int) -> Double {
        let p = clockSlots + 8 * slot                       // 64 bytes apart: no two threads share a cache line
        let start = threadCPUNanoseconds()
        // Read after the first clock reading and written before the second, through memory the clock calls could
        // touch as far as the optimizer knows: the chain cannot move out of the timed interval.
        p.pointee = dependentAdds(iterations, p.pointee, p.pointee | 1)
        let nanoseconds = threadCPUNanoseconds() - start
        return Double(iterations * 8) / nanoseconds * 1e3
    }

    /// This thread's CPU time: the cycles counted are those it ran, whatever else shares the cores.
    static func threadCPUNanoseconds() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
        return Double(t.tv_sec) * 1e9 + Double(t.tv_nsec)
    }

    /// The clock of one core alone and of every core at once (the slowest core of the best of 5 rounds), per
    /// second of the thread's own CPU time, so that other processes on the cores lower it only through the clock.
    static func measure(cores: Int) -> (oneCore: Double, allCores: Double) {
        let iterations = 20_000_000, threads = min(cores, maxThreads)
        _ = once(iterations: iterations, slot: 0)           // let the clock ramp up
        var one = 0.0
        for _ in 0..<5 { one = max(one, once(iterations: iterations, slot: 0)) }
        let results = Results(count: threads)
        var all = 0.0
        for _ in 0..<5 {
            DispatchQueue.concurrentPerform(iterations: threads) { i in
                results.set(i, once(iterations: iterations, slot: i))
            }
            all = max(all, results.values.min() ?? 0)
        }
        return (one, all)
    }

    static let maxThreads = 1024

    /// One value per thread, written under a lock.
    final class Results: @unchecked Sendable {
        private let lock = NSLock()
        private var storage: [Double]
        init(count: Int) { storage = Array(repeating: 0, count: count) }
        func set(_ i: Int, _ v: Double) { lock.lock(); storage[i] = v; lock.unlock() }
        var values: [Double] { lock.lock(); defer { lock.unlock() }; return storage }
    }
}

/// The fp32 peak as this machine delivers it: independent FMA chains on the widest vectors
/// (`fsti_fma_peak_flops`, Sources/CMachine/peak.c), timed per thread in the thread's own CPU time, best of 5.
/// It folds in what a computed peak assumes: the FMA units per core, the clock under wide vectors, and whether
/// the cores of a virtual machine share their FMA units.
enum PeakMeasurement {
    static func measure(cores: Int) -> (oneCore: Double, allCores: Double, method: String)? {
        var probe: Float = 0
        let isa: Int32 = fsti_fma_peak_flops(1, 1, &probe) > 0 ? 1 : 0
        let name = isa == 1 ? "AVX-512F" : "AVX2"
        let iterations = 4_000_000
        guard once(isa: isa, iterations: 1_000) > 0 else { return nil }
        _ = once(isa: isa, iterations: iterations)         // let the clock settle under wide vectors
        var one = 0.0
        for _ in 0..<5 { one = max(one, once(isa: isa, iterations: iterations)) }
        let threads = min(cores, ClockMeasurement.maxThreads)
        let rates = ClockMeasurement.Results(count: threads)
        // All cores at once, best of 5; on a virtual machine a neighbour can halve one such series (seen once on
        // a 2-core AMD EPYC: 131 GFLOP/s on 2 cores, 250 in every other run), so a series below
        // (cores - 1/2) × one core is repeated, at most twice; a result still that low is kept (the cores may share
        // their FMA units) and the method says so.
        var all = 0.0, series = 0
        while series < 3, series == 0 || all < (Double(threads) - 0.5) * one {
            series += 1
            for _ in 0..<5 {
                DispatchQueue.concurrentPerform(iterations: threads) { i in rates.set(i, once(isa: isa, iterations: iterations)) }
                all = max(all, rates.values.reduce(0, +))
            }
        }
        var method = "\(name) FMA chains, 12 × \(NumberFormat.grouped(iterations)) per thread, per second of thread CPU time, best of 5"
        if series > 1 { method += " (all cores: best of \(series) series of 5, the first below \(threads) - 1/2 times one core)" }
        return (one, all, method)
    }

    /// FLOP/s of one timed run on this thread.
    static func once(isa: Int32, iterations: Int) -> Double {
        var sink: Float = 0
        let start = ClockMeasurement.threadCPUNanoseconds()
        let flops = fsti_fma_peak_flops(isa, iterations, &sink)
        let nanoseconds = ClockMeasurement.threadCPUNanoseconds() - start
        return flops / nanoseconds * 1e9
    }
}
