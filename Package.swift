// swift-tools-version:6.1
import PackageDescription

// The hot path's modules skip the runtime exclusivity checks in release builds (debug builds and the tests keep
// them): they were a few percent of a simulated campaign's time. They are also optimized across modules: the
// driver calls into the kernel, the store and the market on every update, and those calls were not inlined
// (docs/benchmarks.md).
let hotPath: [SwiftSetting] = [
    .unsafeFlags(["-enforce-exclusivity=unchecked", "-cross-module-optimization"], .when(configuration: .release)),
]

let package = Package(
    name: "Arbitrage",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "arbitrage", targets: ["ArbServer"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.1.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        .package(url: "https://github.com/vapor/websocket-kit", from: "2.16.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.78.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
    ],
    targets: [
        // Domain: no I/O, no C, no database, no network.
        .target(name: "ArbCore", swiftSettings: hotPath),
        // zlib, for gzip market-data files.
        .systemLibrary(name: "CZlib", providers: [.apt(["zlib1g-dev"])]),
        // Market data sources: synthetic, replay (JSONL, Tardis CSV), the JSONL writer of recordings.
        .target(
            name: "ArbMarketData",
            dependencies: [
                "ArbCore", "CZlib", "CPrefetch",
                .product(name: "HeapModule", package: "swift-collections"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: hotPath
        ),
        // Live exchange feeds: websocket connections (websocket-kit over SwiftNIO, TLS by NIOSSL), the hub
        // campaigns subscribe to.
        .target(
            name: "ArbLive",
            dependencies: [
                "ArbCore", "ArbMarketData",
                .product(name: "WebSocketKit", package: "websocket-kit"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // libmicrohttpd, as Swift sees it: module map and shim header only.
        .systemLibrary(
            name: "CMicroHTTPD",
            pkgConfig: "libmicrohttpd",
            providers: [.apt(["libmicrohttpd-dev"])]
        ),
        // Domain-free HTTP server over libmicrohttpd; the only importer of CMicroHTTPD.
        .target(name: "MicroHTTPD", dependencies: ["CMicroHTTPD"]),
        // The CPU's cycle counter, for timing evaluations.
        .target(name: "CCycleCounter"),
        // The CPU's prefetch hint: the simulated driver and market name the memory of the event after the one
        // they handle.
        .target(name: "CPrefetch"),
        // glibc's allocator controls (mmap threshold, trim), for the service's memory over long runs.
        .target(name: "CMalloc"),
        // Campaign drivers (simulated time, realtime), stats.
        .target(
            name: "ArbEngine",
            dependencies: [
                "ArbCore", "CCycleCounter", "CPrefetch",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "HeapModule", package: "swift-collections"),
            ],
            swiftSettings: hotPath
        ),
        // The JSON control API: routes, problem+json, auth; speaks MicroHTTPD's request/response types.
        .target(name: "ArbHTTP", dependencies: ["ArbCore", "MicroHTTPD", .product(name: "Yams", package: "Yams")]),
        // The campaign store on SQLite (GRDB).
        .target(name: "ArbStore", dependencies: ["ArbCore", .product(name: "GRDB", package: "GRDB.swift")]),
        // Prometheus exposition: every series rendered at scrape time by one text writer.
        .target(
            name: "ArbMetrics",
            dependencies: ["ArbCore", "ArbEngine"]
        ),
        // `arbitrage bench`: the scalability matrix, persistence, feeds and HTTP cases, each a child process.
        .target(
            name: "ArbBench",
            dependencies: [
                "ArbCore", "ArbMarketData", "ArbEngine", "ArbStore", "ArbMetrics", "ArbTesting",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The `arbitrage` executable: CLI, config files, bootstrap.
        .executableTarget(
            name: "ArbServer",
            dependencies: [
                "ArbCore", "ArbMarketData", "ArbLive", "ArbEngine", "ArbHTTP", "ArbMetrics", "ArbStore", "ArbBench", "MicroHTTPD", "CMalloc",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(name: "ArbCoreTests", dependencies: ["ArbCore"]),
        // Test doubles and builders over the domain: the in-memory store, the recording recorder, campaigns on
        // the standard sources.
        .target(name: "ArbTesting", dependencies: ["ArbCore", "ArbEngine", "ArbMarketData"]),
        // Domain-free helpers for tests that talk to real servers (raw HTTP client, fake exchange, processes).
        .target(
            name: "ArbTestSupport",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
            ],
            path: "Sources/ArbTestSupport"
        ),
        .testTarget(name: "MicroHTTPDTests", dependencies: ["MicroHTTPD", "ArbTestSupport"]),
        .testTarget(name: "ArbStoreTests", dependencies: ["ArbTesting", "ArbCore", "ArbEngine", "ArbStore"]),
        .testTarget(name: "ArbHTTPTests", dependencies: ["ArbTesting", "ArbCore", "ArbEngine", "ArbMarketData", "ArbHTTP", "ArbMetrics", "MicroHTTPD", "ArbTestSupport"]),
        .testTarget(
            name: "ArbMarketDataTests",
            dependencies: ["ArbCore", "ArbMarketData", "ArbTestSupport", .product(name: "Logging", package: "swift-log")]
        ),
        .testTarget(name: "ArbEngineTests", dependencies: ["ArbTesting", "CMalloc", "ArbCore", "ArbMarketData", "ArbEngine", "ArbStore", "ArbMetrics", "ArbTestSupport",
                                                       .product(name: "GRDB", package: "GRDB.swift")],
                    exclude: ["Fixtures"]),
        .testTarget(name: "ArbLiveTests", dependencies: ["ArbTesting", "ArbCore", "ArbMarketData", "ArbLive", "ArbEngine", "ArbMetrics", "ArbTestSupport", "MicroHTTPD", "ArbHTTP"]),
    ]
)
