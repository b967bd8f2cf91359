import EDMBytes
import EDMFrames
import EDMAT
import EDMSession

/// Undoes Python's `repr()` of a `str`, back to the UTF-8 bytes it was decoded from.
///
/// azure_dps.py prints a frame's body as `repr(body.decode())`. So `\xNN` is a code point
/// (U+00NN), not a byte: `\x00` is byte 00 but `\x85` is U+0085, UTF-8 `C2 85`. Printable
/// non-ASCII characters appear as themselves (already UTF-8 in the log). Python picks the
/// quote character: `'` unless the text holds `'` and no `"`; the other one is then escaped.
package enum PythonRepr {
    /// The bytes a repr's inside (between the quotes) stands for; nil on a malformed escape.
    package static func decode(_ s: ArraySlice<UInt8>) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(s.count)
        var i = s.startIndex
        while i < s.endIndex {
            let b = s[i]
            guard b == 0x5C else { out.append(b); i += 1; continue }
            i += 1
            guard i < s.endIndex else { return nil }
            let e = s[i]
            i += 1
            switch e {
            case 0x5C: out.append(0x5C)            // \\
            case 0x27: out.append(0x27)            // \'
            case 0x22: out.append(0x22)            // \"
            case 0x6E: out.append(ByteText.lf)     // \n
            case 0x72: out.append(ByteText.cr)     // \r
            case 0x74: out.append(ByteText.tab)    // \t
            case 0x78, 0x75, 0x55:                 // \xNN, \uNNNN, \UNNNNNNNN
                let digits = e == 0x78 ? 2 : e == 0x75 ? 4 : 8
                guard s.endIndex - i >= digits else { return nil }
                var value: UInt32 = 0
                for d in s[i..<(i + digits)] {
                    guard let v = ByteText.hexValue(d) else { return nil }
                    value = value << 4 | UInt32(v)
                }
                i += digits
                guard let scalar = Unicode.Scalar(value) else { return nil }
                out += Array(String(Character(scalar)).utf8)
            default:
                return nil
            }
        }
        return out
    }
}
