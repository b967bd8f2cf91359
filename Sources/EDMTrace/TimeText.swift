import EDMBytes
import EDMFrames
import EDMAT
import EDMSession

/// Exact parsing of the times capture formats print, without floating point or a clock.
///
/// Decimal seconds (`0.0123452`, `8.68e-05`) and microseconds (`109.000000`) become whole
/// nanoseconds by integer arithmetic, so a time survives import unchanged. Calendar times
/// (`2026/11/28 07:54:14.000425418`) become Unix nanoseconds by the civil-days algorithm;
/// the formats print local time without a zone, so callers pass the zone's UTC offset
/// (default 0: the capture is read as UTC).
package enum TimeText {
    /// `[-+]digits[.digits][(e|E)[-+]digits]` in units of 10^`unitExponent` seconds
    /// (0 seconds, -6 microseconds), to nanoseconds, rounded half away from zero.
    package static func nanoseconds(_ s: ArraySlice<UInt8>, unitExponent: Int) -> Int64? {
        var i = s.startIndex
        var negative = false
        if i < s.endIndex, s[i] == 0x2D || s[i] == 0x2B { negative = s[i] == 0x2D; i += 1 }
        var mantissa: Int64 = 0
        var exponent = unitExponent + 9 // to nanoseconds
        var digits = 0, significant = 0
        var dropped = false
        while i < s.endIndex, ByteText.isDigit(s[i]) {
            if significant < 17 {
                mantissa = mantissa * 10 + Int64(s[i] - 0x30)
                if mantissa > 0 { significant += 1 }
            } else {
                exponent += 1
                dropped = dropped || s[i] != 0x30
            }
            digits += 1; i += 1
        }
        if i < s.endIndex, s[i] == 0x2E {
            i += 1
            while i < s.endIndex, ByteText.isDigit(s[i]) {
                if significant < 17 {
                    mantissa = mantissa * 10 + Int64(s[i] - 0x30)
                    if mantissa > 0 { significant += 1 }
                    exponent -= 1
                }
                digits += 1; i += 1
            }
        }
        guard digits > 0 else { return nil }
        if i < s.endIndex, s[i] == 0x65 || s[i] == 0x45 {
            i += 1
            var expNegative = false
            if i < s.endIndex, s[i] == 0x2D || s[i] == 0x2B { expNegative = s[i] == 0x2D; i += 1 }
            guard let e = ByteText.decimal(s[i..<s.endIndex]), e < 400 else { return nil }
            exponent += expNegative ? -e : e
            i = s.endIndex
        }
        guard i == s.endIndex else { return nil }
        var value = mantissa
        if exponent >= 0 {
            for _ in 0..<exponent {
                let (m, overflow) = value.multipliedReportingOverflow(by: 10)
                if overflow { return nil }
                value = m
            }
        } else {
            var divisor: Int64 = 1
            for _ in 0..<(-exponent) {
                if divisor > Int64.max / 10 { return 0 }
                divisor *= 10
            }
            let (q, r) = value.quotientAndRemainder(dividingBy: divisor)
            value = q + (r * 2 >= divisor ? 1 : 0)
        }
        return negative ? -value : value
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
    package static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    /// Year, month, day of a day count since 1970-01-01: the inverse of `daysFromCivil`
    /// (Howard Hinnant's civil_from_days).
    package static func civil(fromDays days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    package static func unixNanoseconds(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int,
                                nanosecond: Int, utcOffsetSeconds: Int = 0) -> Int64 {
        let days = Int64(daysFromCivil(year: year, month: month, day: day))
        let seconds = days * 86_400 + Int64(hour * 3600 + minute * 60 + second) - Int64(utcOffsetSeconds)
        return seconds * 1_000_000_000 + Int64(nanosecond)
    }

    /// A fraction's digits (after the dot) to nanoseconds: `000425418` → 425418, `550992` → 550992000.
    package static func fractionNanoseconds(_ digits: ArraySlice<UInt8>) -> Int? {
        guard !digits.isEmpty, digits.allSatisfy(ByteText.isDigit) else { return nil }
        var v = 0, n = 0
        for d in digits where n < 9 { v = v * 10 + Int(d - 0x30); n += 1 }
        while n < 9 { v *= 10; n += 1 }
        return v
    }

    /// `YYYY?MM?DD HH:MM:SS[.fraction]` where `?` is any one separator (`/` for socat, `-` for
    /// jpnevulator, `T` allowed between date and time). Returns Unix nanoseconds and the raw
    /// fraction digits (socat's 1.7.4 check needs them).
    package static func calendar(_ s: ArraySlice<UInt8>, utcOffsetSeconds: Int) -> (nanoseconds: Int64,
        fraction: ArraySlice<UInt8>)? {
        let b = Array(s)
        guard b.count >= 19 else { return nil }
        func num(_ from: Int, _ count: Int) -> Int? { ByteText.decimal(b[from..<(from + count)]) }
        guard let year = num(0, 4), let month = num(5, 2), let day = num(8, 2),
              b[10] == ByteText.space || b[10] == 0x54,
              let hour = num(11, 2), b[13] == 0x3A, let minute = num(14, 2), b[16] == 0x3A, let second = num(17, 2),
              (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        var fraction: ArraySlice<UInt8> = []
        var nanos = 0
        if b.count > 19 {
            guard b[19] == 0x2E, b.count > 20, let f = fractionNanoseconds(b[20...]) else { return nil }
            fraction = s[(s.startIndex + 20)...]
            nanos = f
        }
        let ns = unixNanoseconds(year: year, month: month, day: day, hour: hour, minute: minute, second: second,
                                 nanosecond: nanos, utcOffsetSeconds: utcOffsetSeconds)
        return (ns, fraction)
    }
}
