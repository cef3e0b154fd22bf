// swift-tools-version:6.0
// The executable companion to Kim et al., "Full Stack Optimization of Transformer Inference" (arXiv 2302.14017).
// Layout and conventions: see DESIGN.md in the shared folder and README.md.
import PackageDescription

let package = Package(
    name: "FullStackTransformerInference",
    products: [
        .library(name: "Core", targets: ["Core"]),
        .library(name: "Render", targets: ["Render"]),
        .executable(name: "workload-analysis", targets: ["WorkloadAnalysis"]),
        .executable(name: "nonlinear-hardware", targets: ["NonlinearHardware"]),
        .executable(name: "fixed-architecture", targets: ["FixedArchitecture"]),
        .executable(name: "scheduling", targets: ["Scheduling"]),
        .executable(name: "nas", targets: ["NASChapter"]),
        .executable(name: "gemmini-case-study", targets: ["GemminiCaseStudy"]),
        .executable(name: "modern-llms", targets: ["ModernLLMs"]),
        .executable(name: "benchmarks", targets: ["Benchmarks"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        // YAML architecture, problem, constraint and mapper specs (Core/Mapping/Spec, a subset of Timeloop v0.4).
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
    ],
    targets: [
        // The shared model: workload counts, accelerator models, claims. No I/O, no rendering.
        .target(name: "Core", dependencies: ["CBLAS", "CKernels", "CRuntime", .product(name: "Yams", package: "Yams")], path: "Sources/Core",
                exclude: ["README.md"], linkerSettings: [.linkedLibrary("m")]),
        // Fixed-order fp32 kernels (GEMM, softmax, LayerNorm, GELU, exp/log) whose results do not depend on the
        // CPU, the ISA level or the thread count: chapter 5's perplexities (Core/NAS/SupernetEvaluator.swift).
        .target(name: "CKernels", path: "Sources/CKernels"),
        // fp32 products on weights packed once (AVX-512F or AVX2 with FMA): the CPU runtime's projections and FFN.
        .target(name: "CRuntime", path: "Sources/CRuntime"),
        // The FMA chains that measure the fp32 peak for `make bench`.
        .target(name: "CMachine", path: "Sources/CMachine"),
        // OpenBLAS's CBLAS through pkg-config, for the CPU runtime's matrix products.
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        // Graphviz (libgvc + libcgraph) through pkg-config, linked in-process.
        .systemLibrary(name: "CGraphviz", path: "Sources/CGraphviz", pkgConfig: "libgvc",
                       providers: [.apt(["libgraphviz-dev"])]),
        // Generic presentation: Graphviz graphs, SVG charts, Markdown tables and reports.
        .target(name: "Render", dependencies: ["CGraphviz"], path: "Sources/Render", linkerSettings: [.linkedLibrary("m")]),
        // What every chapter executable shares: common flags, claims output, file writing, --check.
        .target(name: "ChapterSupport",
                dependencies: ["Core", "Render", .product(name: "ArgumentParser", package: "swift-argument-parser")],
                path: "Sources/Chapters/ChapterSupport"),
        .executableTarget(name: "WorkloadAnalysis",
                          dependencies: ["Core", "Render", "ChapterSupport",
                                         .product(name: "ArgumentParser", package: "swift-argument-parser")],
                          path: "Sources/Chapters/WorkloadAnalysis"),
        .executableTarget(name: "NonlinearHardware",
                          dependencies: ["Core", "Render", "ChapterSupport",
                                         .product(name: "ArgumentParser", package: "swift-argument-parser")],
                          path: "Sources/Chapters/NonlinearHardware"),
        .executableTarget(name: "FixedArchitecture",
                          dependencies: ["Core", "Render", "ChapterSupport",
                                         .product(name: "ArgumentParser", package: "swift-argument-parser")],
                          path: "Sources/Chapters/FixedArchitecture"),
        .executableTarget(name: "Scheduling",
                          dependencies: ["Core", "Render", "ChapterSupport",
                                         .product(name: "ArgumentParser", package: "swift-argument-parser")],
                          path: "Sources/Chapters/Scheduling"),
        .executableTarget(name: "NASChapter",
                          dependencies: ["Core", "Render", "ChapterSupport",
                                         .product(name: "ArgumentParser", package: "swift-argument-parser")],
                          path: "Sources/Chapters/NAS"),
        .executableTarget(name: "GemminiCaseStudy",
                          dependencies: ["Core", "Render", "ChapterSupport",
                                         .product(name: "ArgumentParser", package: "swift-argument-parser")],
                          path: "Sources/Chapters/GemminiCaseStudy"),
        .executableTarget(name: "ModernLLMs",
                          dependencies: ["Core", "Render", "ChapterSupport",
                                         .product(name: "ArgumentParser", package: "swift-argument-parser")],
                          path: "Sources/Chapters/ModernLLMs"),
        // `make bench`: timings and ratios of the shared machinery (never run by CI).
        .executableTarget(name: "Benchmarks",
                          dependencies: ["Core", "Render", "CBLAS", "CMachine", "ChapterSupport",
                                         .product(name: "ArgumentParser", package: "swift-argument-parser")],
                          path: "Sources/Benchmarks"),
        .testTarget(name: "CoreTests", dependencies: ["Core", "CKernels"]),
        .testTarget(name: "RenderTests", dependencies: ["Render"], exclude: ["__Snapshots__"]),
        .testTarget(name: "ChapterTests", dependencies: ["Core", "Render", "ChapterSupport", "WorkloadAnalysis",
                                                       "NonlinearHardware", "FixedArchitecture", "Scheduling", "NASChapter",
                                                       "GemminiCaseStudy", "ModernLLMs"]),
    ]
)
