import Benchmark
import EDMKit
#if canImport(Glibc)
import Glibc
#endif

/// Custom metrics: throughput in MB/s (10^6 bytes) over the whole buffer, and the buffer's size
/// and frame count, so Benchmarks/bench.sh can print GB/s and divide mallocs by frames.
enum Mix {
    static let megabytesPerSecond = BenchmarkMetric.custom("MB/s", polarity: .prefersLarger, useScalingFactor: false)
    static let frames = BenchmarkMetric.custom("frames", polarity: .prefersLarger, useScalingFactor: false)
    static let inputBytes = BenchmarkMetric.custom("input bytes", polarity: .prefersLarger, useScalingFactor: false)
}

let benchmarks: @Sendable () -> Void = {
    // 32 MiB by default; EDM_BENCH_MB picks another size (16-64 is the intended range).
    let megabytes = Int(getenv("EDM_BENCH_MB").flatMap { String(validatingCString: $0) }.flatMap { Int($0) } ?? 32)
    let mix = RealisticMix(targetBytes: megabytes << 20)
    let expected = walkC(mix.bytes)
    // Both walkers must see the same frames, or the comparison means nothing.
    precondition(walkSwift(mix.bytes) == expected, "Swift decoder and C walker disagree on the mix")
    precondition(walkSession(mix.bytes) == expected, "the session decoder and C walker disagree on the mix")

    Benchmark.defaultConfiguration = .init(
        // No .retainCount/.releaseCount: on Linux with Swift 6.3 the library's ARC hooks crash
        // the benchmark process (ordo-one/benchmark issue 349) unless its separate runtime
        // interposer package is available, and it is not in this machine's package mirror.
        metrics: [.wallClock, .mallocCountTotal, Mix.megabytesPerSecond, Mix.frames, Mix.inputBytes],
        timeUnits: .microseconds,
        // Plain numbers (no K/M scaling) so the summary script can read the table.
        units: [.mallocCountTotal: .count, Mix.megabytesPerSecond: .count, Mix.frames: .count, Mix.inputBytes: .count],
        warmupIterations: 2,
        maxDuration: .seconds(8),
        maxIterations: 40
    )

    func measure(_ name: String, _ walk: @escaping ([UInt8]) -> WalkStats) {
        Benchmark(name) { benchmark in
            let clock = ContinuousClock()
            for _ in benchmark.scaledIterations {
                benchmark.startMeasurement()
                let start = clock.now
                let stats = walk(mix.bytes)
                let elapsed = clock.now - start
                benchmark.stopMeasurement()
                precondition(stats == expected)
                blackHole(stats)
                let megabytes = Double(mix.bytes.count) / 1e6
                benchmark.measurement(Mix.megabytesPerSecond, Int(megabytes / (elapsed / .seconds(1))))
                benchmark.measurement(Mix.frames, stats.frames)
                benchmark.measurement(Mix.inputBytes, mix.bytes.count)
            }
        }
    }

    measure("Swift EDMStreamDecoder", walkSwift)
    measure("Swift SessionDecoder (edm-decode path)", walkSession)
    measure("C frame walker", walkC)

    // The three above run one after the other, so on a shared machine a burst of load can fall
    // on one of them alone. Here every round times all three back to back, the C walker on both
    // sides of the Swift ones, and records the round's ratios (x100): load weighs on them alike.
    let streamRatio = BenchmarkMetric.custom("C/stream x100", polarity: .prefersSmaller, useScalingFactor: false)
    let sessionRatio = BenchmarkMetric.custom("C/session x100", polarity: .prefersSmaller, useScalingFactor: false)
    let sideBySide = Benchmark.Configuration(
        metrics: [streamRatio, sessionRatio], units: [streamRatio: .count, sessionRatio: .count],
        maxDuration: .seconds(20), maxIterations: 40)
    Benchmark("Side by side (ratios per round)", configuration: sideBySide) { benchmark in
        func time(_ walk: ([UInt8]) -> WalkStats) -> Duration {
            ContinuousClock().measure { precondition(walk(mix.bytes) == expected) }
        }
        for _ in benchmark.scaledIterations {
            let before = time(walkC), stream = time(walkSwift), session = time(walkSession), after = time(walkC)
            let c = (before + after) / 2
            benchmark.measurement(streamRatio, Int((stream / c * 100).rounded()))
            benchmark.measurement(sessionRatio, Int((session / c * 100).rounded()))
        }
    }

    // Replaying one full provisioning session (assigned after two polls, recorded by the
    // harness) strictly through the machine: CPU time per replay (target under 1 ms).
    let session = ProvisioningHarness(
        configuration: ReplayBench.configuration, module: SimulatedModule(scenario: .assigned, seed: 1)
    ).run().records
    precondition(ReplayCheck.run(session, mode: .strict).divergence == nil, "the benchmark's session does not replay")
    // The library's CPU metric ticks in 10 ms; the process CPU clock has nanoseconds.
    let cpuPerReplay = BenchmarkMetric.custom("CPU ns per replay", polarity: .prefersSmaller, useScalingFactor: false)
    Benchmark("Replay one session (strict)",
              configuration: .init(metrics: [.wallClock, .throughput, cpuPerReplay], timeUnits: .microseconds,
                                   units: [cpuPerReplay: .count], maxDuration: .seconds(5))) { benchmark in
        for _ in benchmark.scaledIterations {
            let before = processCPUNanoseconds()
            blackHole(ReplayCheck.run(session, mode: .strict).run.outcome)
            benchmark.measurement(cpuPerReplay, Int(processCPUNanoseconds() - before))
        }
    }
}

func processCPUNanoseconds() -> Int64 {
    var t = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
    return Int64(t.tv_sec) * 1_000_000_000 + Int64(t.tv_nsec)
}

enum ReplayBench {
    static var configuration: ProvisioningConfiguration {
        let pem = Array("-----BEGIN CERTIFICATE-----\nbench\n-----END CERTIFICATE-----\n".utf8)
        return ProvisioningConfiguration(
            idScope: "0ne00000001", registrationID: "bench-device",
            credentials: [
                .init(type: .rootCA, name: "ca.pem", bytes: pem),
                .init(type: .clientCertificate, name: "cert.pem", bytes: pem),
                .init(type: .clientPrivateKey, name: "key.pem", bytes: pem)
            ],
            ssid: "lab", passphrase: Array("bench passphrase".utf8))
    }
}
