import CBLAS
import CKernels

/// Which OpenBLAS kernel set runs the runtime's products, and a fast one where the library's CPU table does not
/// know this CPU.
///
/// Debian's OpenBLAS 0.3.21 (built with DYNAMIC_ARCH) picks its kernels from a table of CPU models. A CPU newer
/// than the table gets a generic kernel set: on a 2-core Intel Xeon with AVX-512 it chose `Prescott` (SSE3) and
/// the runtime ran 3.9-5.4× slower than PyTorch; forced to `SkylakeX`, within 0.84-1.29× of it (issue 18's
/// measurements). The library reads `OPENBLAS_CORETYPE` once, when it is loaded, before `main`; so the only way
/// to choose for it is to set the variable and start the program again with the same arguments, before any work.
/// ``upgrade(core:capable:environment:)`` decides when (the executables restart themselves through ChapterSupport's
/// `BLASRestart`; Core starts no processes), and ``verify()`` checks the kernel that then runs against a plain
/// loop once per process before it is trusted.
///
/// A user's own `OPENBLAS_CORETYPE` is always respected (some machines set it because older OpenBLAS builds
/// compute wrong results on them).
public enum BLASKernel {
    /// OpenBLAS's name for the kernel set it runs (e.g. `Haswell`, `SkylakeX`, `Cooperlake`, `Prescott`).
    public static var coreName: String {
        guard let name = openblas_get_corename() else { return "unknown" }
        return String(cString: name)
    }

    /// OpenBLAS 0.3.21's x86-64 kernel sets that use AVX2 (and FMA) or AVX-512: anything else on a CPU that has
    /// AVX2 is a generic fallback.
    static let vectorCores: Set<String> = ["haswell", "zen", "skylakex", "cooperlake", "sapphirerapids"]

    /// The kernel set this CPU's instructions allow: `SkylakeX` with AVX-512 F/CD/BW/DQ/VL, `Haswell` with AVX2 and
    /// FMA, nil otherwise (no upgrade to offer).
    public static func capableCoreType(avx512: Bool = fok_cpu_has_avx512_skylakex() != 0,
                                       avx2: Bool = fok_cpu_has_avx2_fma() != 0) -> String? {
        avx512 ? "SkylakeX" : (avx2 ? "Haswell" : nil)
    }

    /// The variable that marks a process started again with a chosen kernel set (never twice).
    public static let restartMarker = "FSTI_BLAS_RESTARTED"
    /// Set to 1 to treat the detected kernel as a generic fallback, which exercises the upgrade on a CPU that
    /// OpenBLAS knows (a diagnostic; `benchmarks --machine` shows the result).
    public static let assumeGenericVariable = "FSTI_BLAS_ASSUME_GENERIC"

    /// The kernel set to restart with, or nil to keep the one that runs: only when OpenBLAS runs a generic kernel
    /// on a CPU with AVX2 or AVX-512, the user did not choose one, and this process is not already a restart.
    public static func upgrade(core: String, capable: String?, environment: [String: String]) -> String? {
        guard let capable, environment["OPENBLAS_CORETYPE"] == nil, environment[restartMarker] == nil else { return nil }
        let generic = !vectorCores.contains(core.lowercased()) || environment[assumeGenericVariable] == "1"
        return generic ? capable : nil
    }

    /// A 37×29×53 product through the BLAS against a plain triple loop in `Double`: every entry must agree to a
    /// rounding-sized error (2⁻¹⁶ of the sum of the magnitudes of its terms), or the kernel is not trusted. Then
    /// the runtime's packed kernel, at every level this CPU runs, on a 37×45×300 product (row groups, panels
    /// and k-blocks of ``PackedWeights`` all with a remainder).
    public static func verify() throws(RuntimeError) {
        try check(m: 37, n: 29, k: 53, kernel: "OpenBLAS's \(coreName) kernels",
                  remedy: "set OPENBLAS_CORETYPE to a kernel set your CPU runs correctly") { m, n, k, a, b, c in
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(n), Int32(k), 1, a, Int32(k), b,
                        Int32(n), 0, c, Int32(n))
        }
        for level in [Int32(1), 2] where PackedWeights.supports(level) { try verifyPacked(level: level) }
    }

    /// The packed kernel at `level` on a 37×45×300 product against the plain loop (``verify()``); the runtime
    /// also runs it before it uses a level (``PackedWeights/calibration``).
    static func verifyPacked(level: Int32) throws(RuntimeError) {
        try check(m: 37, n: 45, k: 300, kernel: "the runtime's packed kernel (level \(level))",
                  remedy: "a fault in Sources/CRuntime on this CPU; please report it") { m, n, k, a, b, c in
            PackedWeights.pack(Array(UnsafeBufferPointer(start: b, count: k * n)), k: k, n: n, level: level)!
                .multiply(m: m, a: a, lda: k, c: c, ldc: n, threads: 1)
        }
    }

    private static func check(m: Int, n: Int, k: Int, kernel: String, remedy: String,
                              _ product: (Int, Int, Int, UnsafePointer<Float>, UnsafePointer<Float>, UnsafeMutablePointer<Float>) -> Void) throws(RuntimeError) {
        var g = SeededGenerator(seed: 2302_14017)
        let a = (0..<(m * k)).map { _ in g.uniform(1) }, b = (0..<(k * n)).map { _ in g.uniform(1) }
        var c = [Float](repeating: 0, count: m * n)
        a.withUnsafeBufferPointer { ab in
            b.withUnsafeBufferPointer { bb in
                c.withUnsafeMutableBufferPointer { product(m, n, k, ab.baseAddress!, bb.baseAddress!, $0.baseAddress!) }
            }
        }
        for i in 0..<m {
            for j in 0..<n {
                var exact = 0.0, magnitude = 0.0
                for p in 0..<k {
                    let term = Double(a[i * k + p]) * Double(b[p * n + j])
                    exact += term
                    magnitude += abs(term)
                }
                guard abs(Double(c[i * n + j]) - exact) <= magnitude / 65_536 else {
                    throw RuntimeError(field: "blas", message: "\(kernel) computed C[\(i)][\(j)] = \(c[i * n + j]) where a plain loop gives \(exact); \(remedy)")
                }
            }
        }
    }
}
