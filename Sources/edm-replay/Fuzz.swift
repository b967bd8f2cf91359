import ArgumentParser
import Glibc
import EDMKit
import EDMKitIO
import ToolSupport

struct Fuzz: ParsableCommand, UsageChecks {
    static let configuration = CommandConfiguration(
        abstract: "Replay traces many times with seeded faults on the module side.",
        usage: "edm-replay fuzz [<options>] <traces> ...",
        discussion: """
        Each run injects faults chosen by its seed and checks that the machine ends in a \
        clean, defined failure or success: no hang, nothing past the deadlines. A seed that \
        found a problem replays alone: edm-replay check TRACE --mutate SPEC --seed N.

        Exit status: 0 every run clean, 1 a problem was found, 64/65/66 as for check.

        \(faultSyntax)
        """
    )

    @Argument(help: "Traces to fuzz.")
    var traces: [String]

    @OptionGroup var traceOptions: TraceOptions

    @Option(parsing: .unconditional, help: "How many seeds per trace, \(Bounds.runs.limits) (default 100).",
        transform: Bounds.runs.parse)
    var runs: Int = 100

    @Option(parsing: .unconditional, help: "First seed (default 1).", transform: Bounds.seed.parse)
    var seed: UInt64 = 1

    @Option(help: "Faults to inject (see Faults above).")
    var mutate: String = "default"

    @Option(help: "How to replay (default: strict for pcap/pcapng, semantic otherwise).")
    var mode: ReplayCheck.Mode?

    func checkUsage() throws {
        if seed > UInt64.max - UInt64(runs) {
            throw ValidationError(
                "--seed \(seed) with --runs \(runs) goes past the last seed, \(UInt64.max): give a lower --seed.")
        }
    }

    func run() throws {
        let spec: MutationSpec
        do { spec = try MutationSpec(parsing: mutate) } catch { throw ValidationError("\(error)") }
        var clean = true
        for path in traces {
            let (records, format) = traceOptions.load(path)
            let chosen = mode ?? (format.isPacketCapture ? .strict : .semantic)
            let terminal = isatty(2) == 1
            let last = seed + UInt64(runs) - 1
            let report = ReplayFuzz.run(records: records, mode: chosen, spec: spec,
                seeds: seed..<(seed + UInt64(runs))) { s in
                // Named before each run: a crash kills the process, and this says which seed did
                // it. A log (not a terminal) gets a line every 100 seeds instead of a counter.
                if terminal {
                    FileDescriptorText.write("\r\(path): seed \(s)", to: 2)
                } else if (s - seed) % 100 == 0 {
                    FileDescriptorText.write("\(path): seeds \(s) to \(min(s + 99, last))\n", to: 2)
                }
            }
            if terminal { FileDescriptorText.write("\r", to: 2) }
            print("\(path) (\(chosen.rawValue), \(ToolText.counted(runs, "seed")) from \(seed), faults \(spec)):")
            print(report.text)
            clean = clean && report.problems.isEmpty
        }
        if !clean { throw ExitStatus.failed.exitCode }
    }
}
