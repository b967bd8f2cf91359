import EDMFrames
import EDMSession
import EDMTrace

/// Invariants of an importer on arbitrary bytes: it returns records or throws a
/// `TraceImportError`, never traps; and cutting the input in two (at a point the fuzzer steers
/// with the first byte) gives the same bytes in each direction (record boundaries may follow
/// the chunks), or an error again.
func importerCheck(_ format: TraceFormat) -> ([UInt8]) -> Void {
    importerCheck(format.rawValue) { format.makeImporter()! }
}

func importerCheck(_ name: String, _ makeImporter: @escaping () -> any TraceImporter) -> ([UInt8]) -> Void {
    { input in
        let whole = importAll(makeImporter(), input, cut: input.count)
        let cut = input.isEmpty ? 0 : Int(input[0]) % (input.count + 1)
        let split = importAll(makeImporter(), input, cut: cut)
        switch (whole, split) {
        case (.success(let a), .success(let b)):
            for direction in [Direction.host, .module] as [Direction?] + [nil] {
                precondition(
                    a.filter { $0.direction == direction }.flatMap(\.bytes)
                        == b.filter { $0.direction == direction }.flatMap(\.bytes),
                    "\(name): cutting the input changed the records' bytes")
            }
        case (.failure, .failure): break
        default: preconditionFailure("\(name): cutting the input turned an error into records or back")
        }
    }
}

private func importAll(
    _ importer: any TraceImporter, _ input: [UInt8], cut: Int
) -> Result<[TraceRecord], TraceImportError> {
    var importer = importer
    do {
        var records = try importer.consume(input[..<cut])
        records += try importer.consume(input[cut...])
        records += try importer.finish()
        return .success(records)
    } catch {
        return .failure(error)
    }
}

/// The text formats: every importer but pcap and pcapng. EDMKitIO reads whole pcap and pcapng
/// files with libpcap (their packets go through `UpperPDU`, checked by `checkUpperPDU`); a
/// pcapng still being written goes through `PcapngStreamImporter`, the `pcapng-stream` check.
let textFormats: [TraceFormat] = TraceFormat.allCases.filter { $0.makeImporter() != nil }
