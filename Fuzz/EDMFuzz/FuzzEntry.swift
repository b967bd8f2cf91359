import Glibc
import EDMTrace

/// libFuzzer's entry point. The checks of `fuzzChecks` run on every input, or only the one
/// `EDM_FUZZ_CHECK` names (Fuzz/fuzz.sh runs each on its own, with a corpus of its own); a
/// broken invariant stops the process with `precondition`, which libFuzzer reports as a crash
/// and saves the input under .build-fuzz/.
///
/// To fuzz another parser: add a file here with a `func check…(_ input: [UInt8])` and append
/// it to `fuzzChecks`; a parser above `FUZZ_TARGET`'s dependencies needs it raised (Fuzz/fuzz.sh).
/// The targets from EDMProvisioning up import swift-crypto, which the bare `swiftc` build here
/// cannot link: the fault-spec parser (EDMReplay) is fuzzed by a seeded test instead
/// (Tests/EDMKitTests/MutationSpecFuzzTests.swift).
let fuzzChecks: [(name: String, check: ([UInt8]) -> Void)] = [
    ("stream", checkStreamDecoder),
    ("session", checkSessionDecoder),
    ("upper-pdu", checkUpperPDU),
    ("json", checkJSON),
    ("at-line", checkATLine),
] + textFormats.map { ("import-\($0.rawValue)", importerCheck($0)) } + [
    ("pcapng-stream", importerCheck("pcapng-stream") { PcapngStreamImporter() }),
]

let selectedChecks: [([UInt8]) -> Void] = {
    guard let name = getenv("EDM_FUZZ_CHECK").map({ String(cString: $0) }), !name.isEmpty else {
        return fuzzChecks.map(\.check)
    }
    guard let chosen = fuzzChecks.first(where: { $0.name == name }) else {
        fatalError("EDM_FUZZ_CHECK=\(name) names no check; known: \(fuzzChecks.map(\.name).joined(separator: " "))")
    }
    return [chosen.check]
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size))
    for check in selectedChecks { check(input) }
    return 0
}

/// `edm-fuzz -list` is not a libFuzzer flag: the check names come from `EDM_FUZZ_LIST=1`.
@_cdecl("LLVMFuzzerInitialize")
public func fuzzInitialize(
    _ argc: UnsafeMutablePointer<CInt>?,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>?
) -> CInt {
    if getenv("EDM_FUZZ_LIST") != nil {
        for check in fuzzChecks { print(check.name) }
        exit(0)
    }
    return 0
}
