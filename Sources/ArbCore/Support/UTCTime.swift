/// RFC 3339 UTC timestamps ↔ nanoseconds since the Unix epoch, without Foundation.
public enum UTCTime {
    /// Years a timestamp may have: nanoseconds since 1970 fit an `Int64` until 2262.
    public static let years = 1970...2199

    /// Parses `YYYY-MM-DDTHH:MM:SS[.fraction]Z` with a year in `years`; nil for anything else.
    public static func parse(_ text: String) -> Int64? {
        let b = Array(text.utf8)
        guard b.count >= 20, b[4] == 45, b[7] == 45, b[10] == 84, b[13] == 58, b[16] == 58,
              b.last == 90 else { return nil }
        func num(_ from: Int, _ len: Int) -> Int? {
            var v = 0
            for i in from..<(from + len) {
                guard b[i] >= 48, b[i] <= 57 else { return nil }
                v = v * 10 + Int(b[i] - 48)
            }
            return v
        }
        guard let y = num(0, 4), let mo = num(5, 2), let d = num(8, 2), let h = num(11, 2), let mi = num(14, 2),
              let s = num(17, 2), years.contains(y), (1...12).contains(mo), d >= 1, d <= daysIn(month: mo, year: y), h < 24, mi < 60, s < 60
        else { return nil }
        var nanos: Int64 = 0
        if b.count > 20 {
            guard b[19] == 46, b.count >= 22 else { return nil }
            let digits = b.count - 21
            guard digits <= 9, let f = num(20, digits) else { return nil }
            nanos = Int64(f)
            for _ in digits..<9 { nanos *= 10 }
        } else {
            guard b.count == 20 else { return nil }
        }
        let days = daysFromCivil(y, mo, d)
        return ((days * 24 + Int64(h)) * 60 + Int64(mi)) * 60_000_000_000 + Int64(s) * 1_000_000_000 + nanos
    }

    /// Formats as `YYYY-MM-DDTHH:MM:SS.mmmZ` (milliseconds).
    public static func format(_ ns: Int64) -> String {
        let ms = ns.floorDiv(1_000_000)
        let secs = ms.floorDiv(1000)
        let days = secs.floorDiv(86_400)
        let rem = secs - days * 86_400
        let (y, m, d) = civil(fromDays: days)
        func p(_ v: Int64, _ w: Int) -> String { let s = String(v); return String(repeating: "0", count: Swift.max(0, w - s.count)) + s }
        return "\(p(Int64(y), 4))-\(p(Int64(m), 2))-\(p(Int64(d), 2))T\(p(rem / 3600, 2)):\(p(rem / 60 % 60, 2)):\(p(rem % 60, 2)).\(p(ms - secs * 1000, 3))Z"
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 (Howard Hinnant's algorithm).
    static func daysFromCivil(_ y0: Int, _ m: Int, _ d: Int) -> Int64 {
        let y = Int64(m <= 2 ? y0 - 1 : y0)
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = Int64((m + 9) % 12)
        let doy = (153 * mp + 2) / 5 + Int64(d) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civil(fromDays z0: Int64) -> (Int, Int, Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (Int(m <= 2 ? y + 1 : y), Int(m), Int(d))
    }
}
