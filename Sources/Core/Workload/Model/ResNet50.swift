/// One layer of a convolutional network, with the shape that determines its cost.
public struct CNNLayer: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        /// A k×k convolution from `inChannels` to `outChannels` with the given stride on an `inSize`² input.
        case convolution(kernel: Int, inChannels: Int, outChannels: Int, stride: Int, inSize: Int)
        case batchNorm(channels: Int, size: Int)
        case relu(channels: Int, size: Int)
        case maxPool(kernel: Int, channels: Int, inSize: Int, outSize: Int)
        case globalAveragePool(channels: Int, inSize: Int)
        case residualAdd(channels: Int, size: Int)
        case fullyConnected(inFeatures: Int, outFeatures: Int)
    }

    /// Where a convolution sits in a bottleneck block (Fig. 28).
    public enum Role: String, Sendable, Hashable {
        case stem, reduce, spatial, expand, shortcut, none
    }

    /// e.g. `conv3_2/reduce`.
    public var name: String
    public var stage: String
    public var kind: Kind
    public var role: Role
}

/// ResNet-50 (He et al. 2016, Table 1; the survey's App. A.2, Fig. 28) at 224×224, layer by layer.
///
/// This is the original ("v1") network: the stride-2 downsampling of stages conv3-conv5 sits in the first 1×1
/// convolution of the first block, and each stage's first block has a 1×1 projection shortcut. He et al.
/// quote 3.8×10⁹ multiply-adds, which this list reproduces (7.71 GFLOPs of convolution at 2 FLOPs per MAC).
public enum ResNet50 {
    /// The four bottleneck stages: (name, bottleneck width, blocks, output size).
    public static let stages: [(name: String, width: Int, blocks: Int, size: Int)] = [
        ("conv2", 64, 3, 56), ("conv3", 128, 4, 28), ("conv4", 256, 6, 14), ("conv5", 512, 3, 7),
    ]

    /// Every layer in execution order: stem, bottleneck blocks (each conv followed by BatchNorm, ReLU where
    /// the network has one), residual adds, pooling and the classifier.
    public static func layers() -> [CNNLayer] {
        var out: [CNNLayer] = []
        func conv(_ name: String, _ stage: String, _ role: CNNLayer.Role, k: Int, cin: Int, cout: Int, stride: Int,
                  inSize: Int, relu: Bool) {
            out.append(CNNLayer(name: name, stage: stage,
                                kind: .convolution(kernel: k, inChannels: cin, outChannels: cout, stride: stride,
                                                   inSize: inSize), role: role))
            let size = inSize / stride
            out.append(CNNLayer(name: name + "/bn", stage: stage, kind: .batchNorm(channels: cout, size: size),
                                role: .none))
            if relu {
                out.append(CNNLayer(name: name + "/relu", stage: stage, kind: .relu(channels: cout, size: size),
                                    role: .none))
            }
        }
        conv("conv1", "conv1", .stem, k: 7, cin: 3, cout: 64, stride: 2, inSize: 224, relu: true)
        out.append(CNNLayer(name: "pool1", stage: "conv2",
                            kind: .maxPool(kernel: 3, channels: 64, inSize: 112, outSize: 56), role: .none))
        var channels = 64, size = 56
        for (stageIndex, stage) in stages.enumerated() {
            for block in 0..<stage.blocks {
                let name = "\(stage.name)_\(block + 1)"
                let stride = (block == 0 && stageIndex > 0) ? 2 : 1
                let w = stage.width, outSize = size / stride
                conv("\(name)/reduce", stage.name, .reduce, k: 1, cin: channels, cout: w, stride: stride,
                     inSize: size, relu: true)
                conv("\(name)/3x3", stage.name, .spatial, k: 3, cin: w, cout: w, stride: 1, inSize: outSize,
                     relu: true)
                conv("\(name)/expand", stage.name, .expand, k: 1, cin: w, cout: 4 * w, stride: 1, inSize: outSize,
                     relu: false)
                if block == 0 {
                    conv("\(name)/shortcut", stage.name, .shortcut, k: 1, cin: channels, cout: 4 * w, stride: stride,
                         inSize: size, relu: false)
                }
                out.append(CNNLayer(name: "\(name)/add", stage: stage.name,
                                    kind: .residualAdd(channels: 4 * w, size: outSize), role: .none))
                out.append(CNNLayer(name: "\(name)/relu", stage: stage.name,
                                    kind: .relu(channels: 4 * w, size: outSize), role: .none))
                channels = 4 * w
                size = outSize
            }
        }
        out.append(CNNLayer(name: "pool5", stage: "head", kind: .globalAveragePool(channels: channels, inSize: size),
                            role: .none))
        out.append(CNNLayer(name: "fc", stage: "head", kind: .fullyConnected(inFeatures: channels, outFeatures: 1000),
                            role: .none))
        return out
    }
}
