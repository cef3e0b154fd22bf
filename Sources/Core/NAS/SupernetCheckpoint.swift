/// The on-disk form of a trained supernet (chapter 5's `data/nas/supernet.bin`): a fixed little-endian header
/// followed by every parameter as a little-endian IEEE-754 `Float32`, in ``SupernetLayout`` storage order.
///
/// | bytes | field |
/// |---|---|
/// | 8 | magic `FSTI-NAS` |
/// | 4 | format version (2) |
/// | 4 × 8 | vocabulary, context, layers, d, heads, head width, d_FFN, width divisor (`UInt32`) |
/// | 8 × 4 | training seed, steps, sequences per step, peak learning rate × 10⁹ (`UInt64`) |
/// | 8 | parameter count (`UInt64`) |
/// | 8 | FNV-1a 64 hash of every byte before it and of the parameter bytes |
/// | 4 × count | parameters |
///
/// Core does no I/O: this type turns a supernet into bytes and back; the chapter reads and writes the file.
/// Decoding checks the magic, the version, the shape's ranges, the parameter count against the shape's
/// layout, the training metadata's ranges, the exact file length and the hash (which covers the header too, so
/// an edited step count is caught), and names what is wrong.
///
/// ```swift
/// let bytes = SupernetCheckpoint(supernet: net, training: info).encoded()
/// let back = try SupernetCheckpoint.decode(bytes)      // back.supernet.parameters == net.parameters
/// ```
public struct SupernetCheckpoint: Sendable {
    /// How the weights were trained (stored so that a report can state it).
    public struct Training: Sendable, Hashable, Codable {
        public var seed: UInt64
        public var steps: Int
        public var sequencesPerStep: Int
        public var peakLearningRate: Double
        public init(seed: UInt64, steps: Int, sequencesPerStep: Int, peakLearningRate: Double) {
            self.seed = seed
            self.steps = steps
            self.sequencesPerStep = sequencesPerStep
            self.peakLearningRate = peakLearningRate
        }
    }

    public static let magic = Array("FSTI-NAS".utf8)
    public static let version: UInt32 = 2
    /// Bytes before the first parameter.
    public static let headerBytes = 8 + 4 + 4 * 8 + 8 * 4 + 8 + 8

    public var supernet: Supernet<Float>
    /// The width divisor of the search space the supernet was trained for (``NASSearchSpace/scaled(widthDivisor:)``).
    public var widthDivisor: Int
    public var training: Training

    public init(supernet: Supernet<Float>, widthDivisor: Int, training: Training) {
        self.supernet = supernet
        self.widthDivisor = widthDivisor
        self.training = training
    }

    public func encoded() -> [UInt8] {
        let s = supernet.shape
        var out: [UInt8] = Self.magic
        out.reserveCapacity(Self.headerBytes + 4 * supernet.parameters.count)
        func u32(_ v: Int) { withUnsafeBytes(of: UInt32(v).littleEndian) { out += $0 } }
        func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { out += $0 } }
        u32(Int(Self.version))
        for v in [s.vocabulary, s.context, s.maxLayers, s.maxDModel, s.maxHeads, s.headDimension, s.maxFFN, widthDivisor] {
            u32(v)
        }
        u64(training.seed)
        u64(UInt64(training.steps))
        u64(UInt64(training.sequencesPerStep))
        u64(UInt64((training.peakLearningRate * 1e9).rounded()))
        u64(UInt64(supernet.parameters.count))
        let body = Self.parameterBytes(supernet.parameters)
        u64(Self.fnv1a(body, seed: Self.fnv1a(out)))
        out += body
        return out
    }

    /// Decodes `bytes`; when `expected` is given, the stored shape must equal it.
    public static func decode(_ bytes: [UInt8], expected: SupernetShape? = nil) throws(ConfigurationError) -> SupernetCheckpoint {
        func fail(_ message: String) -> ConfigurationError { ConfigurationError(field: "checkpoint", message: message) }
        guard bytes.count >= headerBytes else {
            throw fail("\(bytes.count) bytes is shorter than the \(headerBytes)-byte header; not a supernet checkpoint")
        }
        guard Array(bytes[0..<8]) == magic else { throw fail("the file does not start with the magic 'FSTI-NAS'") }
        var cursor = 8
        func u32() -> Int {
            var v: UInt32 = 0
            for i in 0..<4 { v |= UInt32(bytes[cursor + i]) << (8 * UInt32(i)) }
            cursor += 4
            return Int(v)
        }
        func u64() -> UInt64 {
            var v: UInt64 = 0
            for i in 0..<8 { v |= UInt64(bytes[cursor + i]) << (8 * UInt64(i)) }
            cursor += 8
            return v
        }
        let version = u32()
        guard version == Int(Self.version) else { throw fail("format version \(version); this build reads version \(Self.version)") }
        let fields = (0..<8).map { _ in u32() }
        let shape: SupernetShape
        do {
            shape = try SupernetShape(vocabulary: fields[0], context: fields[1], maxLayers: fields[2], maxDModel: fields[3],
                                      maxHeads: fields[4], headDimension: fields[5], maxFFN: fields[6])
        } catch { throw fail("stored shape is invalid (\(error.description))") }
        let divisor = fields[7]
        guard NASSearchSpace.allowedWidthDivisors.contains(divisor) else { throw fail("stored width divisor \(divisor) is not allowed") }
        if let expected, expected != shape {
            throw fail("stored shape (context \(shape.context), d \(shape.maxDModel), d_FFN \(shape.maxFFN), \(shape.maxLayers) layers, "
                + "head width \(shape.headDimension)) does not match the requested one (context \(expected.context), "
                + "d \(expected.maxDModel), d_FFN \(expected.maxFFN), \(expected.maxLayers) layers, head width \(expected.headDimension))")
        }
        let training = Training(seed: u64(), steps: Int(clamping: u64()), sequencesPerStep: Int(clamping: u64()),
                                peakLearningRate: Double(u64()) / 1e9)
        let count = u64(), hash = u64()
        let layout = SupernetLayout(shape: shape)
        guard count == UInt64(layout.parameterCount) else {
            throw fail("stores \(count) parameters; its shape needs \(layout.parameterCount)")
        }
        guard bytes.count == headerBytes + 4 * layout.parameterCount else {
            throw fail("\(bytes.count) bytes; header and \(layout.parameterCount) Float32 parameters need \(headerBytes + 4 * layout.parameterCount) (truncated or padded)")
        }
        let body = bytes[headerBytes...]
        guard fnv1a(body, seed: fnv1a(bytes[0..<(headerBytes - 8)])) == hash else {
            throw fail("the header and parameter bytes do not match the stored hash (corrupted or edited file)")
        }
        guard (1...10_000_000).contains(training.steps), (1...1_000_000).contains(training.sequencesPerStep),
              training.peakLearningRate > 0, training.peakLearningRate <= 1 else {
            throw fail("implausible training metadata (\(training.steps) steps of \(training.sequencesPerStep) sequences, peak learning rate \(training.peakLearningRate))")
        }
        var net = Supernet<Float>(shape: shape, seed: 0)
        body.withUnsafeBytes { raw in
            for i in 0..<layout.parameterCount {
                net.parameters[i] = Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)))
            }
        }
        return SupernetCheckpoint(supernet: net, widthDivisor: divisor, training: training)
    }

    static func parameterBytes(_ parameters: [Float]) -> [UInt8] {
        var body = [UInt8](repeating: 0, count: 4 * parameters.count)
        body.withUnsafeMutableBytes { raw in
            for (i, p) in parameters.enumerated() {
                raw.storeBytes(of: p.bitPattern.littleEndian, toByteOffset: 4 * i, as: UInt32.self)
            }
        }
        return body
    }

    /// FNV-1a, 64-bit (Fowler, Noll, Vo): offset basis 0xcbf29ce484222325, prime 0x100000001b3.
    /// `seed` continues a hash over more bytes: fnv1a(b, seed: fnv1a(a)) is the hash of a followed by b.
    static func fnv1a<C: Collection>(_ bytes: C, seed: UInt64 = 0xcbf2_9ce4_8422_2325) -> UInt64 where C.Element == UInt8 {
        var h: UInt64 = seed
        for b in bytes { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
        return h
    }
}
