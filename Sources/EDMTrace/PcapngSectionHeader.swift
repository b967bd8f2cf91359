import EDMBytes

/// What a pcapng file's section header says about who wrote it (`shb_userappl`): our
/// recorder writes `azure-dps`, a conversion by `edm-decode` says `edm-decode`.
public enum PcapngSectionHeader {
    /// The `shb_userappl` option of the first section header in `bytes` (the file's start),
    /// nil when there is none or the bytes are not a pcapng section header.
    public static func userApplication(_ bytes: [UInt8]) -> String? {
        guard bytes.count >= 28, bytes[0..<4].elementsEqual([0x0A, 0x0D, 0x0D, 0x0A]) else { return nil }
        let little = bytes[8..<12].elementsEqual([0x4D, 0x3C, 0x2B, 0x1A])
        guard little || bytes[8..<12].elementsEqual([0x1A, 0x2B, 0x3C, 0x4D]) else { return nil }
        func u16(_ i: Int) -> Int {
            little ? Int(bytes[i]) | Int(bytes[i + 1]) << 8 : Int(bytes[i]) << 8 | Int(bytes[i + 1])
        }
        func u32(_ i: Int) -> Int { little ? u16(i) | u16(i + 2) << 16 : u16(i) << 16 | u16(i + 2) }
        let end = min(bytes.count, u32(4)) - 4
        var i = 24
        while i + 4 <= end {
            let code = u16(i), length = u16(i + 2)
            guard code != 0, i + 4 + length <= end else { return nil }
            if code == 4 { return String(decoding: bytes[(i + 4)..<(i + 4 + length)], as: UTF8.self) }
            i += 4 + (length + 3) / 4 * 4
        }
        return nil
    }
}
