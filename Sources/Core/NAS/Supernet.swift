/// The sizes of a weight-sharing supernet: every tensor is allocated at the search space's maximum, and a
/// sub-network (``NASArchitecture``) uses leading slices of it.
public struct SupernetShape: Sendable, Hashable, Codable {
    /// Input and output alphabet: 256 for a byte-level model.
    public var vocabulary: Int
    /// Context length T (bytes per window; positions are learned embeddings).
    public var context: Int
    public var maxLayers: Int
    public var maxDModel: Int
    public var maxHeads: Int
    public var headDimension: Int
    public var maxFFN: Int
    /// Width of the Q, K, V projections and of the attention output: maxHeads · headDimension.
    public var attentionWidth: Int { maxHeads * headDimension }

    public init(vocabulary: Int = 256, context: Int, maxLayers: Int, maxDModel: Int, maxHeads: Int,
                headDimension: Int, maxFFN: Int) throws(ConfigurationError) {
        try ConfigurationError.require(vocabulary, in: 2...65_536, field: "vocabulary")
        try ConfigurationError.require(context, in: 1...4_096, field: "context")
        try ConfigurationError.require(maxLayers, in: 1...64, field: "layers")
        try ConfigurationError.require(maxDModel, in: 1...8_192, field: "dModel")
        try ConfigurationError.require(maxHeads, in: 1...256, field: "heads")
        try ConfigurationError.require(headDimension, in: 1...1_024, field: "headDimension")
        try ConfigurationError.require(maxFFN, in: 1...65_536, field: "dFFN")
        self.vocabulary = vocabulary
        self.context = context
        self.maxLayers = maxLayers
        self.maxDModel = maxDModel
        self.maxHeads = maxHeads
        self.headDimension = headDimension
        self.maxFFN = maxFFN
    }

    /// The supernet that holds every architecture of `space`.
    public init(space: NASSearchSpace, context: Int, vocabulary: Int = 256) throws(ConfigurationError) {
        try self.init(vocabulary: vocabulary, context: context, maxLayers: space.maxLayers, maxDModel: space.maxDModel,
                      maxHeads: space.maxHeads, headDimension: space.headDimension, maxFFN: space.maxFFN)
    }

    /// Whether `architecture` fits in this supernet (any widths up to the maxima, not only a space's choices).
    public func validate(_ architecture: NASArchitecture) throws(ConfigurationError) {
        try ConfigurationError.require(architecture.layers, in: 1...maxLayers, field: "layers")
        try ConfigurationError.require(architecture.dModel, in: 1...maxDModel, field: "dModel")
        guard architecture.ffn.count == architecture.layers else {
            throw ConfigurationError(field: "dFFN", message: "\(architecture.ffn.count) FFN widths for \(architecture.layers) layers")
        }
        for h in architecture.heads { try ConfigurationError.require(h, in: 1...maxHeads, field: "heads") }
        for f in architecture.ffn { try ConfigurationError.require(f, in: 1...maxFFN, field: "dFFN") }
    }
}

/// Where each named tensor lives in the supernet's flat parameter vector (row-major, rows × columns).
/// Matrices are stored input × output, so a projection is y = x · W + b.
public struct SupernetLayout: Sendable {
    public struct Tensor: Sendable, Hashable {
        public var name: String
        public var offset: Int
        public var rows: Int
        public var columns: Int
        public var count: Int { rows * columns }
    }

    public struct Layer: Sendable {
        public var ln1Gamma, ln1Beta, wq, bq, wk, bk, wv, bv, wo, bo: Tensor
        public var ln2Gamma, ln2Beta, w1, b1, w2, b2: Tensor
    }

    public var tokenEmbedding, positionEmbedding: Tensor
    public var layers: [Layer]
    public var finalGamma, finalBeta, wOut, bOut: Tensor
    /// Every tensor in storage order.
    public var tensors: [Tensor]
    public var parameterCount: Int

    public init(shape s: SupernetShape) {
        var all: [Tensor] = []
        var next = 0
        func tensor(_ name: String, _ rows: Int, _ columns: Int) -> Tensor {
            let t = Tensor(name: name, offset: next, rows: rows, columns: columns)
            next += rows * columns
            all.append(t)
            return t
        }
        let d = s.maxDModel, a = s.attentionWidth, f = s.maxFFN
        tokenEmbedding = tensor("embedding/token", s.vocabulary, d)
        positionEmbedding = tensor("embedding/position", s.context, d)
        layers = (0..<s.maxLayers).map { l in
            let p = "layer\(l)/"
            let mha = p + LayerModule.attention.path + "/", ffn = p + LayerModule.ffn.path + "/"
            return Layer(ln1Gamma: tensor(p + "ln1/gamma", 1, d), ln1Beta: tensor(p + "ln1/beta", 1, d),
                         wq: tensor(mha + "wq", d, a), bq: tensor(mha + "bq", 1, a),
                         wk: tensor(mha + "wk", d, a), bk: tensor(mha + "bk", 1, a),
                         wv: tensor(mha + "wv", d, a), bv: tensor(mha + "bv", 1, a),
                         wo: tensor(mha + "wo", a, d), bo: tensor(mha + "bo", 1, d),
                         ln2Gamma: tensor(p + "ln2/gamma", 1, d), ln2Beta: tensor(p + "ln2/beta", 1, d),
                         w1: tensor(ffn + "w1", d, f), b1: tensor(ffn + "b1", 1, f),
                         w2: tensor(ffn + "w2", f, d), b2: tensor(ffn + "b2", 1, d))
        }
        finalGamma = tensor("final/ln/gamma", 1, d)
        finalBeta = tensor("final/ln/beta", 1, d)
        wOut = tensor("output/w", d, s.vocabulary)
        bOut = tensor("output/b", 1, s.vocabulary)
        tensors = all
        parameterCount = next
    }
}

/// A weight-sharing supernet of pre-LayerNorm, decoder-only (causal) Transformer language models, with
/// hand-written forward and backward passes (see `SupernetPass.swift`).
///
/// Initialisation (GPT-2's): matrices and embeddings with standard deviation 0.02 (drawn uniformly, SplitMix64),
/// the two residual projections (W_O, W_2) scaled by 1/√(2·layers), biases 0, LayerNorm γ = 1, β = 0.
public struct Supernet<Scalar: NASScalar>: Sendable {
    public let shape: SupernetShape
    public let layout: SupernetLayout
    public var parameters: [Scalar]

    public init(shape: SupernetShape, seed: UInt64) {
        self.shape = shape
        layout = SupernetLayout(shape: shape)
        var g = SeededGenerator(seed: seed)
        var p = [Scalar](repeating: 0, count: layout.parameterCount)
        let std = 0.02, halfWidth = std * 3.0.squareRoot()      // uniform on ±√3·σ has standard deviation σ
        let residualScale = 1 / (2 * Double(shape.maxLayers)).squareRoot()
        for t in layout.tensors {
            let name = t.name
            if name.hasSuffix("gamma") {
                for i in 0..<t.count { p[t.offset + i] = 1 }
            } else if t.rows > 1 {
                let bound = halfWidth * (name.hasSuffix("wo") || name.hasSuffix("w2") ? residualScale : 1)
                for i in 0..<t.count { p[t.offset + i] = Scalar((2 * g.unitDouble() - 1) * bound) }
            }
        }
        parameters = p
    }

    /// A copy of the weights a sub-network uses, laid out as a supernet whose maxima are that sub-network's
    /// (per-layer maxima of heads and d_FFN), and the same architecture to run it with. Running the copy and
    /// running the supernet at `architecture` must give the same numbers (tested).
    public func extract(_ architecture: NASArchitecture) throws(ConfigurationError) -> Supernet<Scalar> {
        try shape.validate(architecture)
        let small = try SupernetShape(vocabulary: shape.vocabulary, context: shape.context, maxLayers: architecture.layers,
                                      maxDModel: architecture.dModel, maxHeads: architecture.heads.max()!,
                                      headDimension: shape.headDimension, maxFFN: architecture.ffn.max()!)
        var copy = Supernet(shape: small, seed: 0)
        func move(_ from: SupernetLayout.Tensor, _ to: SupernetLayout.Tensor) {
            for r in 0..<to.rows {
                for c in 0..<to.columns {
                    copy.parameters[to.offset + r * to.columns + c] = parameters[from.offset + r * from.columns + c]
                }
            }
        }
        let big = layout, little = copy.layout
        move(big.tokenEmbedding, little.tokenEmbedding)
        move(big.positionEmbedding, little.positionEmbedding)
        for l in 0..<architecture.layers {
            let f = big.layers[l], t = little.layers[l]
            for (x, y) in [(f.ln1Gamma, t.ln1Gamma), (f.ln1Beta, t.ln1Beta), (f.wq, t.wq), (f.bq, t.bq), (f.wk, t.wk),
                           (f.bk, t.bk), (f.wv, t.wv), (f.bv, t.bv), (f.wo, t.wo), (f.bo, t.bo), (f.ln2Gamma, t.ln2Gamma),
                           (f.ln2Beta, t.ln2Beta), (f.w1, t.w1), (f.b1, t.b1), (f.w2, t.w2), (f.b2, t.b2)] {
                move(x, y)
            }
        }
        move(big.finalGamma, little.finalGamma)
        move(big.finalBeta, little.finalBeta)
        move(big.wOut, little.wOut)
        move(big.bOut, little.bOut)
        return copy
    }
}
