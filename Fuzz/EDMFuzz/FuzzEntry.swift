/// libFuzzer's entry point. Every check in `fuzzChecks` runs on every input; a broken
/// invariant stops the process with `precondition`, which libFuzzer reports as a crash and
/// saves the input under .build-fuzz/.
///
/// To fuzz another decoder: list its source folder in Fuzz/sources.txt, add a file here with a
/// `func check…(_ input: [UInt8])`, and append it to `fuzzChecks`.
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
