/// libFuzzer's entry point. Every check in `fuzzChecks` runs on every input; a broken
/// invariant stops the process with `precondition`, which libFuzzer reports as a crash and
/// saves the input under .build-fuzz/.
///
/// To fuzz another decoder: add a file here with a `func check…(_ input: [UInt8])` and append
/// it to `fuzzChecks`; a decoder above EDMSession needs `FUZZ_TARGET` (Fuzz/fuzz.sh) raised.
let fuzzChecks: [([UInt8]) -> Void] = [
    checkStreamDecoder,
    checkSessionDecoder,
]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size))
    for check in fuzzChecks { check(input) }
    return 0
}
