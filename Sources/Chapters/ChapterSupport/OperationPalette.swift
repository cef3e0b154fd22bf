import Core
import Foundation
import Render

/// The one palette for operations, used by every chapter's charts and graphs: a colour means the same operation
/// (class) wherever it appears. Colour-blind-safe hues of Okabe and Ito (2008) for the four classes of the
/// survey's Tab. 3, with a lighter tint of the class colour for the second operation of a class when a
/// breakdown splits it, and Paul Tol's wine and purple for the non-linear operations a breakdown separates.
///
/// | class | operations | colour |
/// |---|---|---|
/// | MHA projections (and other weight matmuls: convolutions) | W_Q, W_K, W_V · W_out | sky blue `#56B4E9` · tint `#AAD9F4` |
/// | act-to-act matmuls | Q×K · Attn×V | orange `#E69F00` · tint `#F2CF7F` |
/// | FFN matmuls | W1 · W2 | bluish green `#009E73` · tint `#7FCEB9` |
/// | non-linear ("Other") | Softmax · LayerNorm, BatchNorm, RMSNorm · GELU, ReLU, SwiGLU's product · residual add · (de)quantization · rotary embedding | reddish purple `#CC79A7` · wine `#882255` · purple `#AA4499` · tint `#E5BCD3` · vermilion `#D55E00` · yellow `#F0E442` |
/// | all matmuls together (the array's share) | | blue `#0072B2` |
///
/// ```swift
/// BarSeries(name: "Softmax", values: shares, colour: OperationPalette.colour(.softmax))
/// Node(id: "qk", attributes: [("label", "Q×K")] + OperationPalette.fill(.queryKey))   // fill, readable font
/// ```
public enum OperationPalette {
    /// The operations the chapters draw, at the granularity of their breakdowns.
    public enum Operation: CaseIterable, Sendable {
        /// W_Q, W_K and W_V (drawn together), or a convolution's weights.
        case queryKeyValue
        case outputProjection
        case queryKey
        /// Attention scores × V.
        case scoreValue
        case ffn1, ffn2
        case softmax
        /// LayerNorm, BatchNorm.
        case normalisation
        /// GELU, ReLU.
        case activation
        case residualAdd
        /// Rotary position embedding (chapter 7).
        case rotary
        /// Quantization and dequantization.
        case quantization
        /// Every matmul together: the array's work in a breakdown that does not split it.
        case matmul
    }

    public static let projection = "#56B4E9", actToAct = "#E69F00", ffn = "#009E73", nonlinear = "#CC79A7"
    public static let matmul = "#0072B2"

    /// The colour of a class of Tab. 3 (chapter 1's breakdowns, the graphs of one layer).
    public static func colour(_ c: OperationClass) -> String {
        switch c {
        case .projection: return projection
        case .actToAct: return actToAct
        case .ffn: return ffn
        case .nonlinear: return nonlinear
        }
    }

    /// The colour of one operation: its class's, or a tint of it for the second operation of a class.
    public static func colour(_ op: Operation) -> String {
        switch op {
        case .queryKeyValue: return projection
        case .outputProjection: return "#AAD9F4"
        case .queryKey: return actToAct
        case .scoreValue: return "#F2CF7F"
        case .ffn1: return ffn
        case .ffn2: return "#7FCEB9"
        case .softmax: return nonlinear
        case .normalisation: return "#882255"
        case .activation: return "#AA4499"
        case .residualAdd: return "#E5BCD3"
        case .quantization: return "#D55E00"
        case .rotary: return "#F0E442"
        case .matmul: return matmul
        }
    }

    /// A graph node's fill, with a white font where white contrasts more than Graphviz's black (WCAG 2's
    /// contrast ratio: wine, purple and the matmul blue).
    public static func fill(_ colour: String) -> [(String, String)] {
        [("fillcolor", colour)] + (whiteReadsBetter(on: colour) ? [("fontcolor", GraphStyle.Colour.white)] : [])
    }

    /// Whether white text contrasts more than black on a `#RRGGBB` colour: 1.05 / (L + 0.05) against
    /// (L + 0.05) / 0.05, with L the relative luminance of WCAG 2.
    static func whiteReadsBetter(on colour: String) -> Bool {
        let hex = Array(colour.utf8.dropFirst())
        guard hex.count == 6 else { return false }
        func linear(_ k: Int) -> Double {
            let c = Double(Int(String(decoding: hex[(2 * k)..<(2 * k + 2)], as: UTF8.self), radix: 16) ?? 0) / 255
            return c <= 0.03928 ? c / 12.92 : Foundation.pow((c + 0.055) / 1.055, 2.4)
        }
        let l = 0.2126 * linear(0) + 0.7152 * linear(1) + 0.0722 * linear(2)
        return 1.05 / (l + 0.05) > (l + 0.05) / 0.05
    }

    public static func fill(_ op: Operation) -> [(String, String)] { fill(colour(op)) }
    public static func fill(_ c: OperationClass) -> [(String, String)] { fill(colour(c)) }
}
