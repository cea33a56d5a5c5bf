// swift-tools-version:6.2
import PackageDescription

// Swift 6 language mode (strict concurrency) is the default for tools 6.x.
let package = Package(
    name: "baton",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "baton", targets: ["baton"]),
        .library(name: "Baton", targets: ["Baton"]),
        .library(name: "Kafka", targets: ["Kafka"]),
        .library(name: "Curl", targets: ["Curl"]),
        .library(name: "Birst", targets: ["Birst"]),
        .library(name: "BirstSimulator", targets: ["BirstSimulator"]),
        .library(name: "S3Events", targets: ["S3Events"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        // `baton metrics`: Prometheus text exposition of the metrics scraped from worker logs.
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        // SNS message signatures: the signing certificate's public key (`baton ingest`).
        .package(url: "https://github.com/apple/swift-certificates", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-configuration", from: "1.4.0", traits: [.defaults, "YAML"]),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        // Only the executable uses it: `baton demo` starts worker processes with a clean
        // signal mask (Foundation.Process children block SIGTERM; PLATFORM-NOTES.md).
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2"),
    ],
    targets: [
        // C libraries, found through pkg-config. Only these two folders see C types.
        .systemLibrary(
            name: "CRdKafka",
            pkgConfig: "rdkafka",
            providers: [.apt(["librdkafka-dev"])]
        ),
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),

        // Safe Swift over the C libraries.
        .target(
            name: "Kafka",
            dependencies: [
                "CRdKafka",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "Curl",
            dependencies: [
                "CCurl",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // Birst: the SOAP client, and the simulator that speaks the same protocol.
        .target(
            name: "Birst",
            dependencies: [
                "Curl",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ]
        ),
        .target(
            name: "BirstSimulator",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),

        // S3 event notifications → job requests (pure Swift).
        .target(name: "S3Events"),

        // The domain: envelope, routes, slice engine, worker, configuration.
        .target(
            name: "Baton",
            dependencies: [
                "Kafka",
                "Curl",
                "Birst",
                "S3Events",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "HeapModule", package: "swift-collections"),
            ]
        ),

        .executableTarget(
            name: "baton",
            dependencies: [
                "Baton",
                "BirstSimulator",
                "BatonDemo",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ]
        ),

        // `baton demo`: the whole relay on this machine (a local stack, a simulator, worker
        // processes of this build, sample reports). Its own target, so the executable stays
        // commands over `Baton`.
        .target(
            name: "BatonDemo",
            dependencies: [
                "Baton",
                "BirstSimulator",
                "Kafka",
                "Curl",
                "S3Events",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "SystemPackage", package: "swift-system"),
            ]
        ),

        // `scripts/bench`: throughput, latency and memory figures against the local stack and
        // an in-process Birst simulator. Not a test: nothing here is timed against a limit.
        .executableTarget(
            name: "baton-bench",
            dependencies: [
                "Baton",
                "Kafka",
                "Curl",
                "Birst",
                "BirstSimulator",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                // In-process workers are stopped the way SIGTERM stops them.
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Sources/BatonBench"
        ),

        // The local stack for any test: where it runs, unique names, timeouts, child
        // processes, captured logs. Knows nothing of the domain, so the tests of the layers
        // beneath it (Kafka, Curl, Birst) do not depend on `Baton`.
        .target(
            name: "StackTestSupport",
            dependencies: [
                "Curl",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/StackTestSupport"
        ),
        // Shared by the domain's test targets: the stack support above, plus in-process
        // workers and SNS signing. (The benchmark has its own few of these.)
        .target(
            name: "BatonTestSupport",
            dependencies: [
                "Baton",
                "StackTestSupport",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                // A locally generated RSA key and certificate that sign SNS messages.
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ],
            path: "Tests/BatonTestSupport"
        ),
        .testTarget(name: "KafkaTests", dependencies: ["Kafka", "StackTestSupport"]),
        .testTarget(name: "CurlTests", dependencies: ["Curl", "StackTestSupport"]),
        .testTarget(name: "BirstTests", dependencies: ["Birst", "BirstSimulator", "Curl", "StackTestSupport"]),
        .testTarget(name: "S3EventsTests", dependencies: ["S3Events"]),
        .testTarget(
            name: "BatonTests",
            dependencies: [
                "Baton", "BatonTestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ]
        ),
        .testTarget(
            name: "EndToEndTests",
            dependencies: ["Baton", "BirstSimulator", "BatonTestSupport", .product(name: "Hummingbird", package: "hummingbird")]
        ),
    ]
)
