import Testing
@testable import Core

@Suite("Runtime correctness", .serialized)
struct RuntimeTests {
    static let small = TransformerConfig(name: "tiny", layers: 2, dModel: 32, heads: 4, dFFN: 64, architecture: .encoder)

    @Test("the encoder matches the plain reference within 1e-4, with its products on each kernel",
          arguments: [RuntimeProducts.fastest, .packed, .openBLAS])
    func encoderMatchesReference(_ products: RuntimeProducts) throws {
        let rt = try TransformerRuntime(Self.small, maxSequenceLength: 24, vocabulary: 50, products: products)
        let tokens = (0..<24).map { ($0 * 7) % 50 }
        var times = OperationTimes()
        let fast = try rt.encode(tokens: tokens, times: &times)
        let slow = ReferenceTransformer(rt).forward(tokens: tokens, causal: false)
        let worst = zip(fast, slow).map { abs(Double($0) - $1) }.max()!
        #expect(worst < 1e-4, "largest difference \(worst)")
        #expect(times.total > 0 && OperationClass.allCases.allSatisfy { times[$0] > 0 })
    }

    @Test("decoding with the KV cache matches recomputing the whole prefix causally, on each kernel",
          arguments: [RuntimeProducts.packed, .openBLAS])
    func cacheMatchesRecompute(_ products: RuntimeProducts) throws {
        var m = Self.small
        m.architecture = .decoder
        let rt = try TransformerRuntime(m, maxSequenceLength: 20, vocabulary: 1000, products: products)
        var times = OperationTimes()
        let cached = try rt.generate(steps: 20, times: &times)
        let recomputed = ReferenceTransformer(rt).forward(tokens: Array(0..<20), causal: true)
        let worst = zip(cached, recomputed).map { abs(Double($0) - $1) }.max()!
        #expect(worst < 1e-4, "largest difference \(worst)")
    }

    @Test("bad configurations and sizes fail before any allocation, naming the field")
    func badInputs() throws {
        var badHeads = Self.small
        badHeads.heads = 5
        #expect(throws: RuntimeError.self) { _ = try TransformerRuntime(badHeads, maxSequenceLength: 8) }
        do {
            _ = try TransformerRuntime(.bertLarge, maxSequenceLength: 65_536, memoryLimitBytes: 1_073_741_824)
            Issue.record("accepted a model larger than the memory limit")
        } catch {
            #expect(error.field == "memory")
        }
        do {
            _ = try TransformerRuntime(Self.small, maxSequenceLength: 8, layersToRun: 3)
            Issue.record("accepted more layers than the model has")
        } catch {
            #expect(error.field == "layersToRun")
        }
        let rt = try TransformerRuntime(Self.small, maxSequenceLength: 8)
        var times = OperationTimes()
        #expect(throws: RuntimeError.self) { _ = try rt.encode(tokens: Array(0..<9), times: &times) }
        #expect(throws: RuntimeError.self) { _ = try rt.generate(steps: 0, times: &times) }
    }

    @Test("seeded weights: the same seed gives the same outputs")
    func deterministic() throws {
        var t1 = OperationTimes(), t2 = OperationTimes()
        let a = try TransformerRuntime(Self.small, maxSequenceLength: 8, seed: 3).encode(tokens: Array(0..<8), times: &t1)
        let b = try TransformerRuntime(Self.small, maxSequenceLength: 8, seed: 3).encode(tokens: Array(0..<8), times: &t2)
        #expect(a == b)
    }
}

@Suite("Runtime vector math")
struct VectorMathTests {
    @Test("vector exp against libm on a dense grid, both signs (the SiLU gate takes e^-g for any g)")
    func accuracy() {
        var worstExp: Float = 0
        var x: Float = -30
        while x <= 30 {
            let v = VectorMath.exp(SIMD8(repeating: x))[0]
            let exact = Float(Double(x).exponentialForTest)
            worstExp = max(worstExp, abs(v - exact) / exact)
            x += 0.001
        }
        #expect(worstExp < 2e-6, "exp relative error \(worstExp)")
    }
}

#if canImport(Glibc)
import Glibc
#endif
extension Double {
    var exponentialForTest: Double { Glibc.exp(self) }
}

@Suite("Runtime profiles")
struct ProfileTests {
    @Test("the profiler returns every class, scaled to the full layer count")
    func measure() throws {
        let m = TransformerConfig(name: "tiny", layers: 4, dModel: 32, heads: 4, dFFN: 64, architecture: .encoder)
        let p = try Profiler.measure(m, sequenceLength: 16, settings: ProfileSettings(threads: 1, warmups: 0, repeats: 3, layersToRun: 2))
        #expect(p.layersRun == 2 && p.layers == 4)
        #expect(OperationClass.allCases.allSatisfy { p.seconds[$0] > 0 })
    }

    @Test("a profile round-trips through its CSV text")
    func roundTrip() throws {
        var s = OperationTimes()
        s[.projection] = 0.25; s[.actToAct] = 0.000125; s[.ffn] = 1.5; s[.nonlinear] = 0.03
        let profile = CPUProfile(provenance: [("cpu", "test"), ("threads", "2")],
                                 points: [ProfilePoint(model: "bert-base", sequenceLength: 128, layersRun: 12, layers: 12,
                                                       repeats: 3, seconds: s)])
        #expect(try CPUProfile.parse(profile.csv()) == profile)
    }

    @Test("malformed profile files name the line at fault",
          arguments: [("", "no header"),
                      ("# cpu: x\nmodel,seqLen\n", "line 2: expected the header"),
                      ("model,seqLen,layersRun,layers,repeats,projection_s,actToAct_s,ffn_s,nonlinear_s\nbert-base,128,12,12,3,1,2,3\n", "line 2: expected 9 fields"),
                      ("model,seqLen,layersRun,layers,repeats,projection_s,actToAct_s,ffn_s,nonlinear_s\nbert-base,128,12,12,3,1,2,x,4\n", "line 2: ffn_s 'x'"),
                      ("model,seqLen,layersRun,layers,repeats,projection_s,actToAct_s,ffn_s,nonlinear_s\nbert-base,0,12,12,3,1,2,3,4\n", "line 2: seqLen"),
                      ("# no colon here\n", "line 1: a comment")])
    func malformed(text: String, expected: String) {
        do {
            _ = try CPUProfile.parse(text)
            Issue.record("accepted a malformed profile")
        } catch {
            #expect(error.description.contains(expected), "\(error)")
        }
    }
}

@Suite("BLAS kernel choice")
struct BLASKernelTests {
    @Test("a generic OpenBLAS kernel on a CPU with AVX2 or AVX-512 is upgraded; a vector kernel, a user's choice or a restart is kept")
    func upgradeDecision() {
        #expect(BLASKernel.upgrade(core: "Prescott", capable: "SkylakeX", environment: [:]) == "SkylakeX")
        #expect(BLASKernel.upgrade(core: "Nehalem", capable: "Haswell", environment: [:]) == "Haswell")
        #expect(BLASKernel.upgrade(core: "Cooperlake", capable: "SkylakeX", environment: [:]) == nil)
        #expect(BLASKernel.upgrade(core: "Zen", capable: "Haswell", environment: [:]) == nil)
        #expect(BLASKernel.upgrade(core: "Prescott", capable: nil, environment: [:]) == nil)
        #expect(BLASKernel.upgrade(core: "Prescott", capable: "SkylakeX", environment: ["OPENBLAS_CORETYPE": "Prescott"]) == nil)
        #expect(BLASKernel.upgrade(core: "Prescott", capable: "SkylakeX", environment: [BLASKernel.restartMarker: "Prescott"]) == nil)
        #expect(BLASKernel.upgrade(core: "Zen", capable: "Haswell", environment: [BLASKernel.assumeGenericVariable: "1"]) == "Haswell")
    }

    @Test("the CPU's instructions name the kernel set they allow")
    func capable() {
        #expect(BLASKernel.capableCoreType(avx512: true, avx2: true) == "SkylakeX")
        #expect(BLASKernel.capableCoreType(avx512: false, avx2: true) == "Haswell")
        #expect(BLASKernel.capableCoreType(avx512: false, avx2: false) == nil)
    }

    @Test("the kernel that runs agrees with a plain loop")
    func verify() throws {
        try BLASKernel.verify()
        #expect(!BLASKernel.coreName.isEmpty)
    }
}
