// swift-tools-version: 6.1
import PackageDescription
import class Foundation.ProcessInfo

// The benchmark suite pulls in ordo-one/benchmark and its malloc interposer; it is only
// wanted by `make bench`, so `swift test` and CI never build it unless EDM_BENCH is set.
let wantsBenchmarks = ProcessInfo.processInfo.environment["EDM_BENCH"] != nil

var dependencies: [Package.Dependency] = [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    .package(url: "https://github.com/apple/swift-certificates", from: "1.21.1"),
    // azure-dps's --config files (TOML) and batch CSV files.
    .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
    .package(url: "https://github.com/yaslab/CSV.swift", from: "2.5.2"),
]

var targets: [Target] = [
    // The pure core (no I/O, no clock, no randomness), in layers that depend only downwards:
    // docs/architecture.md draws them, and Tests/ArchitectureTests checks this list against it.
    // Bytes: byte text, JSON scanning and writing, output buffers, seeded random numbers.
    .target(name: "EDMBytes"),
    // EDM frames: the frame view, payload ids, connect events, the encoder, the stream decoder.
    .target(name: "EDMFrames", dependencies: ["EDMBytes"]),
    // AT text: the line parser, command-mode text tests, the catalog of commands and URCs.
    .target(name: "EDMAT", dependencies: ["EDMBytes", "EDMFrames"]),
    // The session decoder: both directions and both modes into units.
    .target(name: "EDMSession", dependencies: ["EDMBytes", "EDMFrames", "EDMAT"]),
    // Trace import: capture formats into records, redaction, the pcapng encoder.
    .target(name: "EDMTrace", dependencies: ["EDMBytes", "EDMFrames", "EDMAT", "EDMSession"]),
    // Analysis: what a session's units mean (descriptions, DPS answers, the session summary).
    .target(name: "EDMAnalysis", dependencies: ["EDMBytes", "EDMFrames", "EDMAT", "EDMSession", "EDMTrace"]),
    // Renderers only: transcript, JSON Lines, Mermaid, the HTML report.
    .target(name: "EDMRender", dependencies: ["EDMBytes", "EDMFrames", "EDMAT", "EDMSession", "EDMTrace", "EDMAnalysis"]),
    // Provisioning: DPS configuration, the state machine, outcomes, notes. Crypto: the
    // credentials' MD5s, which the module reports.
    .target(name: "EDMProvisioning", dependencies: [.product(name: "Crypto", package: "swift-crypto"), "EDMBytes", "EDMFrames", "EDMAT", "EDMSession", "EDMTrace", "EDMAnalysis", "EDMRender"]),
    // The module models (the simulator, a recorded trace) and the harness that joins a machine
    // to a model in simulated time. Crypto: the simulated credential store's MD5s.
    .target(
        name: "EDMModel",
        dependencies: ["EDMBytes", "EDMFrames", "EDMAT", "EDMSession", "EDMTrace", "EDMAnalysis", "EDMRender", "EDMProvisioning",
                       .product(name: "Crypto", package: "swift-crypto")]
    ),
    // Replay: strict and semantic checks, seeded faults, fuzzing, the replay report.
    .target(name: "EDMReplay", dependencies: ["EDMBytes", "EDMFrames", "EDMAT", "EDMSession", "EDMTrace", "EDMAnalysis", "EDMRender", "EDMProvisioning", "EDMModel"]),
    // The whole core in one import: re-exports every layer above.
    .target(
        name: "EDMKit",
        dependencies: ["EDMBytes", "EDMFrames", "EDMAT", "EDMSession", "EDMTrace", "EDMAnalysis", "EDMRender", "EDMProvisioning", "EDMModel", "EDMReplay"]
    ),
    // libpcap, seen through its system header.
    .systemLibrary(name: "CPcap", pkgConfig: "libpcap", providers: [.apt(["libpcap-dev"])]),
    // glibc's malloc tuning (`mallopt`), which its Swift module does not show.
    .systemLibrary(name: "CMalloc"),
    // The edge: files, pcap/pcapng, serial ports, ptys, clocks.
    .target(
        name: "EDMKitIO",
        dependencies: [
            "EDMKit", "CPcap",
            .product(name: "X509", package: "swift-certificates"),
            .product(name: "Crypto", package: "swift-crypto"),
        ]
    ),
    // What the three command-line tools share: exit statuses, `fail`, the version, option
    // groups and validated option values.
    .target(
        name: "ToolSupport",
        dependencies: ["EDMKit", "EDMKitIO", .product(name: "ArgumentParser", package: "swift-argument-parser")]
    ),
    .executableTarget(
        name: "edm-decode",
        dependencies: [
            "EDMKit", "EDMKitIO", "ToolSupport", .target(name: "CMalloc", condition: .when(platforms: [.linux])),
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]
    ),
    .executableTarget(
        name: "azure-dps",
        dependencies: [
            "EDMKit", "EDMKitIO", "ToolSupport",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "TOMLKit", package: "TOMLKit"),
            .product(name: "CSV", package: "CSV.swift"),
        ]
    ),
    .executableTarget(
        name: "edm-replay",
        dependencies: ["EDMKit", "EDMKitIO", "ToolSupport", .product(name: "ArgumentParser", package: "swift-argument-parser")]
    ),
    .testTarget(name: "EDMKitTests", dependencies: ["EDMBytes", "EDMFrames", "EDMAT", "EDMSession", "EDMTrace", "EDMAnalysis", "EDMRender",
                                                       "EDMProvisioning", "EDMModel", "EDMReplay", "EDMKit"]),
    .testTarget(
        name: "EDMKitIOTests",
        dependencies: [
            "EDMKit", "EDMKitIO",
            .product(name: "X509", package: "swift-certificates"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "_CryptoExtras", package: "swift-crypto"),
            // (built, so the pipeline's output can be compared with the tool's)
            "edm-decode",
        ]
    ),
    .testTarget(
        name: "ToolTests",
        dependencies: [
            "EDMKit", "EDMKitIO", "ToolSupport", "edm-decode", "azure-dps", "edm-replay",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ],
        exclude: ["Golden"]
    ),
]

if wantsBenchmarks {
    dependencies.append(.package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]))
    targets.append(.target(name: "CFrameWalker", path: "Benchmarks/CFrameWalker"))
    targets.append(
        .executableTarget(
            name: "EDMBenchmarks",
            dependencies: ["EDMKit", "CFrameWalker", .product(name: "Benchmark", package: "benchmark")],
            path: "Benchmarks/EDMBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        )
    )
}

let package = Package(
    name: "EDMToolkit",
    products: [
        .library(name: "EDMKit", targets: ["EDMKit"]),
        .executable(name: "edm-decode", targets: ["edm-decode"]),
        .executable(name: "azure-dps", targets: ["azure-dps"]),
        .executable(name: "edm-replay", targets: ["edm-replay"]),
    ],
    dependencies: dependencies,
    targets: targets
)
