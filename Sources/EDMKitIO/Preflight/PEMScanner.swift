import EDMKit
/// One `-----BEGIN <label>-----` … `-----END <label>-----` block of a PEM file.
struct PEMBlock: Sendable {
    var label: String
    /// 1-based lines of the BEGIN and END lines.
    var beginLine: Int
    var endLine: Int
    /// RFC 1421 headers before the base64 (`Proc-Type`, `DEK-Info`): only legacy encrypted
    /// keys carry them.
    var headers: [(name: String, value: String)]
    var der: [UInt8]

    /// A key that needs a password: PKCS#8 `ENCRYPTED PRIVATE KEY`, or an OpenSSL legacy
    /// `RSA/EC PRIVATE KEY` with `Proc-Type: 4,ENCRYPTED`.
    var isEncrypted: Bool {
        label == "ENCRYPTED PRIVATE KEY"
            || headers.contains { $0.name == "Proc-Type" && $0.value.contains("ENCRYPTED") }
    }
}

/// Splits a PEM file into blocks, keeping line numbers, so an error can say "line 3" instead of
/// the "invalid PEM" that a whole-document parser gives.
///
/// Text outside blocks is allowed and skipped (RFC 7468 section 2: `openssl x509 -text` and
/// PKCS#12 exports put some there). Lines may end in CRLF; trailing blanks are ignored.
enum PEMScanner {
    /// The blocks of `bytes` in file order; throws for the first structural or base64 fault.
    static func scan(_ bytes: [UInt8], file: String) throws(PreflightError) -> [PEMBlock] {
        var blocks: [PEMBlock] = []
        var open: OpenBlock?
        var lineNumber = 0
        // Windows editors may start the file with a UTF-8 byte order mark; the module's parser
        // looks for "-----BEGIN" anywhere, so it is no reason to refuse the file.
        let text = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? bytes.dropFirst(3) : bytes[...]
        for rawLine in text.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            let line = trimmed(rawLine)
            if let label = boundary(line, "BEGIN") {
                if let open {
                    throw PreflightError(
                        .missingEnd, file: file, line: open.beginLine,
                        "'-----BEGIN \(open.label)-----' has no END line before the next BEGIN "
                            + "on line \(lineNumber); the file looks cut or pasted together."
                    )
                }
                open = OpenBlock(label: label, beginLine: lineNumber)
            } else if let label = boundary(line, "END") {
                guard let block = open else {
                    throw PreflightError(
                        .noPEMBlock, file: file, line: lineNumber,
                        "'-----END \(label)-----' has no BEGIN line before it; the start of the block is missing."
                    )
                }
                guard block.label == label else {
                    throw PreflightError(
                        .labelMismatch, file: file, line: lineNumber,
                        "'-----END \(label)-----' does not close '-----BEGIN \(block.label)-----' "
                            + "from line \(block.beginLine); the two lines must name the same thing."
                    )
                }
                blocks.append(try block.finish(endLine: lineNumber, file: file))
                open = nil
            } else if open != nil {
                try open!.add(line, lineNumber: lineNumber, file: file)
            }
        }
        if let open {
            throw PreflightError(
                .missingEnd, file: file, line: open.beginLine,
                "'-----BEGIN \(open.label)-----' has no END line; the file looks cut short."
            )
        }
        guard !blocks.isEmpty else {
            // A DER file starts with a SEQUENCE tag; saying so saves a round of guessing.
            let hint = bytes.first == 0x30
                ? "it looks like binary DER; convert it to PEM (openssl x509 -inform der, or openssl pkey -inform der)"
                : bytes.isEmpty ? "the file is empty" : "this is not a PEM file"
            throw PreflightError(.noPEMBlock, file: file, "no '-----BEGIN' line; \(hint).")
        }
        return blocks
    }

    /// The label of a `-----BEGIN label-----` (or END) line, or nil for any other line.
    private static func boundary(_ line: ArraySlice<UInt8>, _ word: String) -> String? {
        let prefix = Array("-----\(word) ".utf8)
        let suffix = Array("-----".utf8)
        guard line.count >= prefix.count + suffix.count, line.starts(with: prefix),
            line.suffix(suffix.count).elementsEqual(suffix)
        else { return nil }
        return String(decoding: line.dropFirst(prefix.count).dropLast(suffix.count), as: UTF8.self)
    }

    private static func trimmed(_ line: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var line = line
        while let last = line.last, last == 0x0D || last == 0x20 || last == 0x09 { line.removeLast() }
        while let first = line.first, first == 0x20 || first == 0x09 { line.removeFirst() }
        return line
    }

    /// A block between its BEGIN line and its END line.
    private struct OpenBlock {
        var label: String
        var beginLine: Int
        var headers: [(name: String, value: String)] = []
        var base64: [UInt8] = []
        /// Where the base64 ended with `=`: nothing may follow it.
        var paddedOnLine: Int?
        var lastDataLine: Int?

        init(label: String, beginLine: Int) {
            self.label = label
            self.beginLine = beginLine
        }

        mutating func add(_ line: ArraySlice<UInt8>, lineNumber: Int, file: String) throws(PreflightError) {
            if line.isEmpty { return }
            // Headers ("Name: value") come only before the first base64 line; ':' is not base64.
            if lastDataLine == nil, let colon = line.firstIndex(of: UInt8(ascii: ":")) {
                let name = String(decoding: line[..<colon], as: UTF8.self)
                let value = String(decoding: trimmed(line[(colon + 1)...]), as: UTF8.self)
                headers.append((name, value))
                return
            }
            if let padded = paddedOnLine {
                throw PreflightError(
                    .badBase64, file: file, line: lineNumber,
                    "base64 continues after the '=' padding that ended the "
                        + "data on line \(padded); the block is damaged."
                )
            }
            for (column, byte) in zip(1..., line) {
                if byte == UInt8(ascii: "=") {
                    paddedOnLine = lineNumber
                } else if Base64.value(of: byte) == nil {
                    // Only a byte outside the alphabet is named: it cannot be part of a key.
                    let shown = (0x21...0x7E).contains(byte) ? " '\(Character(UnicodeScalar(byte)))'" : ""
                    throw PreflightError(
                        .badBase64, file: file, line: lineNumber,
                        "character\(shown) at column \(column) is not base64; the block "
                            + "is damaged (a stray edit or a bad copy and paste)."
                    )
                } else if paddedOnLine != nil {
                    throw PreflightError(
                        .badBase64, file: file, line: lineNumber,
                        "base64 continues at column \(column) after the '=' "
                            + "padding that ends the data; the block is damaged."
                    )
                }
            }
            base64 += line
            lastDataLine = lineNumber
        }

        func finish(endLine: Int, file: String) throws(PreflightError) -> PEMBlock {
            guard let lastDataLine else {
                throw PreflightError(.badBase64, file: file, line: beginLine, "the '\(label)' block holds no data.")
            }
            guard let der = Base64.decode(base64) else {
                throw PreflightError(
                    .badBase64, file: file, line: lastDataLine,
                    "the base64 of the '\(label)' block does not end cleanly (\(base64.count) characters, "
                        + "not a whole number of 4-character groups); a line is missing or cut."
                )
            }
            return PEMBlock(label: label, beginLine: beginLine, endLine: endLine, headers: headers, der: der)
        }
    }
}
