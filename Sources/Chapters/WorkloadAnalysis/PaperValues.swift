import Core

/// The numbers the survey prints for §2 and App. A.1-A.4, exactly as printed (strings keep the printed
/// precision, which sets each claim's tolerance). Source: Kim et al. 2023, arXiv 2302.14017v1, as transcribed
/// in the project's claims file (sections 1-2).
enum PaperValues {
    /// One printed row of Tab. 3, 10 or 11: GFLOPs, % of FLOPs, GMOPs, % of MOPs, arithmetic intensity.
    struct Row {
        var label: String
        var gflops: String
        var flopShare: String
        var gmops: String
        var mopShare: String
        var intensity: String
    }

    /// Rows in the order MHA proj, act-to-act, FFN proj, Other, Total.
    typealias PrintedTable = [(seqLen: Int, rows: [Row])]

    /// Tab. 3: BERT-Base. Percentages printed as percent.
    static let table3: PrintedTable = [
        (128, [Row(label: "MHA proj", gflops: "7.25", flopShare: "32", gmops: "0.04", mopShare: "27", intensity: "192.00"),
               Row(label: "act-to-act", gflops: "0.60", flopShare: "3", gmops: "0.006", mopShare: "7", intensity: "63.62"),
               Row(label: "FFN proj", gflops: "14.50", flopShare: "65", gmops: "0.07", mopShare: "49", intensity: "211.86"),
               Row(label: "Other", gflops: "0.08", flopShare: "0.3", gmops: "0.02", mopShare: "18", intensity: "3.14"),
               Row(label: "Total", gflops: "22.42", flopShare: "100", gmops: "0.14", mopShare: "100", intensity: "159.68")]),
        (512, [Row(label: "MHA proj", gflops: "28.99", flopShare: "30", gmops: "0.07", mopShare: "16", intensity: "438.86"),
               Row(label: "act-to-act", gflops: "9.62", flopShare: "10", gmops: "0.09", mopShare: "20", intensity: "101.95"),
               Row(label: "FFN proj", gflops: "57.98", flopShare: "60", gmops: "0.10", mopShare: "25", intensity: "558.54"),
               Row(label: "Other", gflops: "0.42", flopShare: "0.4", gmops: "0.16", mopShare: "37", intensity: "2.73"),
               Row(label: "Total", gflops: "97.02", flopShare: "100", gmops: "0.42", mopShare: "100", intensity: "231.0")]),
        (4096, [Row(label: "MHA proj", gflops: "231.93", flopShare: "18", gmops: "0.33", mopShare: "3", intensity: "702.17"),
                Row(label: "act-to-act", gflops: "616.02", flopShare: "46", gmops: "4.98", mopShare: "44", intensity: "123.63"),
                Row(label: "FFN proj", gflops: "463.86", flopShare: "35", gmops: "0.43", mopShare: "4", intensity: "1068.52"),
                Row(label: "Other", gflops: "11.85", flopShare: "1", gmops: "5.47", mopShare: "49", intensity: "2.16"),
                Row(label: "Total", gflops: "1323.66", flopShare: "100", gmops: "11.22", mopShare: "100", intensity: "117.96")]),
    ]

    /// Tab. 10: BERT-Base with 4 heads. Percentages printed as fractions.
    static let table10: PrintedTable = [
        (128, [Row(label: "MHA proj", gflops: "7.25", flopShare: "0.32", gmops: "0.04", mopShare: "0.28", intensity: "192.00"),
               Row(label: "act-to-act", gflops: "0.60", flopShare: "0.03", gmops: "0.01", mopShare: "0.047", intensity: "95.69"),
               Row(label: "FFN proj", gflops: "14.47", flopShare: "0.65", gmops: "0.07", mopShare: "0.51", intensity: "211.86"),
               Row(label: "Other", gflops: "0.07", flopShare: "0.003", gmops: "0.02", mopShare: "0.16", intensity: "3.30"),
               Row(label: "Total", gflops: "22.42", flopShare: "1", gmops: "0.13", mopShare: "1", intensity: "167.14")]),
        (512, [Row(label: "MHA proj", gflops: "28.99", flopShare: "0.30", gmops: "0.07", mopShare: "0.21", intensity: "438.86"),
               Row(label: "act-to-act", gflops: "9.65", flopShare: "0.10", gmops: "0.04", mopShare: "0.14", intensity: "219.04"),
               Row(label: "FFN proj", gflops: "57.98", flopShare: "0.60", gmops: "0.10", mopShare: "0.32", intensity: "558.54"),
               Row(label: "Other", gflops: "0.32", flopShare: "0.003", gmops: "0.10", mopShare: "0.33", intensity: "3.07"),
               Row(label: "Total", gflops: "96.94", flopShare: "1", gmops: "0.32", mopShare: "1", intensity: "303.59")]),
        (4096, [Row(label: "MHA proj", gflops: "231.93", flopShare: "0.18", gmops: "0.33", mopShare: "0.07", intensity: "702.17"),
                Row(label: "act-to-act", gflops: "617.63", flopShare: "0.47", gmops: "1.76", mopShare: "0.37", intensity: "350.61"),
                Row(label: "FFN proj", gflops: "463.86", flopShare: "0.35", gmops: "0.43", mopShare: "0.09", intensity: "1068.52"),
                Row(label: "Other", gflops: "5.41", flopShare: "0.004", gmops: "2.25", mopShare: "0.47", intensity: "2.40"),
                Row(label: "Total", gflops: "1318.83", flopShare: "1", gmops: "4.78", mopShare: "1", intensity: "276.00")]),
    ]

    /// Tab. 11: GPT-2 decoder, totals over generating l tokens. Percentages printed as percent.
    static let table11: PrintedTable = [
        (128, [Row(label: "MHA proj", gflops: "7.25", flopShare: "33", gmops: "3.63", mopShare: "33", intensity: "2.00"),
               Row(label: "act-to-act", gflops: "30", flopShare: "0.01", gmops: "0.16", mopShare: "1", intensity: "1.92"),
               Row(label: "FFN proj", gflops: "14.50", flopShare: "66", gmops: "7.26", mopShare: "66", intensity: "2.00"),
               Row(label: "Other", gflops: "0.07", flopShare: "0.3", gmops: "0.03", mopShare: "0.3", intensity: "2.58"),
               Row(label: "Total", gflops: "22.12", flopShare: "100", gmops: "11.08", mopShare: "100", intensity: "2.0")]),
        (512, [Row(label: "MHA proj", gflops: "28.99", flopShare: "32", gmops: "14.53", mopShare: "32", intensity: "2.00"),
               Row(label: "act-to-act", gflops: "4.83", flopShare: "5", gmops: "2.45", mopShare: "5", intensity: "2.00"),
               Row(label: "FFN proj", gflops: "57.98", flopShare: "63", gmops: "29.04", mopShare: "63", intensity: "2.00"),
               Row(label: "Other", gflops: "0.35", flopShare: "0.4", gmops: "0.14", mopShare: "0.3", intensity: "2.47"),
               Row(label: "Total", gflops: "92.15", flopShare: "100", gmops: "46.17", mopShare: "100", intensity: "2.00")]),
        (4096, [Row(label: "MHA proj", gflops: "231.93", flopShare: "23", gmops: "116.27", mopShare: "23", intensity: "2.00"),
                Row(label: "act-to-act", gflops: "309.24", flopShare: "31", gmops: "155.98", mopShare: "31", intensity: "1.98"),
                Row(label: "FFN proj", gflops: "463.86", flopShare: "46", gmops: "232.31", mopShare: "46", intensity: "2.0"),
                Row(label: "Other", gflops: "7.02", flopShare: "0.7", gmops: "3.25", mopShare: "0.6", intensity: "2.16"),
                Row(label: "Total", gflops: "1012.04", flopShare: "100", gmops: "507.80", mopShare: "100", intensity: "1.99")]),
    ]

    /// Tab. 4: ResNet-50, per class (Convolution, BatchNorm, ReLU, Other), then the unfused total.
    static let table4: [Row] = [
        Row(label: "Convolution", gflops: "7.26", flopShare: "99", gmops: "0.04", mopShare: "36", intensity: "183.36"),
        Row(label: "BatchNorm", gflops: "0.03", flopShare: "0.5", gmops: "0.03", mopShare: "31", intensity: "1.00"),
        Row(label: "ReLU", gflops: "0.008", flopShare: "0.1", gmops: "0.02", mopShare: "15", intensity: "0.50"),
        Row(label: "Other", gflops: "0.01", flopShare: "0.1", gmops: "0.02", mopShare: "18", intensity: "0.53"),
        Row(label: "Total", gflops: "7.31", flopShare: "100", gmops: "0.11", mopShare: "100", intensity: "66.94"),
    ]
    /// Tab. 4's fused total: GFLOPs, GMOPs, intensity.
    static let table4Fused = (gflops: "7.28", gmops: "0.06", intensity: "121.36")

    /// Tab. 12: ResNet-50 convolutions: kernel, output channels, output size, GFLOPs, GMOPs, intensity.
    static let table12: [(kernel: Int, outChannels: Int, outSize: Int, gflops: String, gmops: String, intensity: String)] = [
        (1, 64, 56, "0.31", "0.0031", "100.76"), (3, 64, 56, "0.69", "0.0013", "527.55"),
        (1, 256, 56, "0.31", "0.0031", "100.76"), (1, 128, 28, "0.31", "0.0017", "181.14"),
        (3, 128, 28, "0.92", "0.0014", "664.09"), (1, 512, 28, "0.41", "0.0023", "181.14"),
        (1, 256, 14, "0.51", "0.0026", "200.30"), (3, 256, 14, "1.39", "0.0041", "335.00"),
        (1, 1024, 14, "0.62", "0.0031", "200.30"), (1, 512, 7, "0.21", "0.0023", "87.53"),
        (3, 512, 7, "0.69", "0.0072", "95.96"), (1, 2048, 7, "0.31", "0.0035", "87.53"),
    ]

    /// Sequence lengths of Fig. 4-9.
    static let figureSeqLens = [128, 256, 512, 1024, 2048, 4096]
    /// Fig. 4 (GFLOPs), Fig. 5 (GMOPs), Fig. 6 (arithmetic intensity) data labels, per model name.
    static let figure4: [String: [String]] = [
        "bert-base": ["22", "46", "97", "214", "505", "1324"],
        "bert-large": ["73", "149", "310", "673", "1554", "3942"],
        "gpt2": ["22", "45", "92", "194", "428", "1012"],
    ]
    static let figure5: [String: [String]] = [
        "bert-base": ["0.1", "0.2", "0.4", "1.1", "3.2", "11.2"],
        "bert-large": ["0.4", "0.6", "1.2", "2.9", "8.7", "29.9"],
        "gpt2": ["11.1", "22.5", "46.2", "97.3", "214.3", "507.8"],
    ]
    static let figure6: [String: [String]] = [
        "bert-base": ["160", "215", "231", "202", "156", "117"],
        "bert-large": ["171", "239", "266", "235", "179", "131"],
        "gpt2": ["2", "2", "2", "2", "2", "2"],
    ]

    /// Digits after the decimal point of a printed number.
    static func decimals(_ printed: String) -> Int {
        guard let dot = printed.firstIndex(of: ".") else { return 0 }
        return printed.distance(from: printed.index(after: dot), to: printed.endIndex)
    }

    static func value(_ printed: String) -> Double { Double(printed)! }
}
