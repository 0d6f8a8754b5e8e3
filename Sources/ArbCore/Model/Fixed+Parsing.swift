extension Fixed {
    /// Parses decimal text straight into fixed point, without going through `Double`:
    /// `"25.35190000"`, `"-3"`, `"7.9276E-4"`, `"1e3"`. More than eight fractional digits round half to even.
    /// Returns nil for anything else (empty, two dots, letters, out of range).
    public init?(_ text: String) {
        var copy = text
        let parsed: Fixed? = copy.withUTF8 { Fixed.parse(UnsafeRawBufferPointer($0)) }
        guard let parsed else { return nil }
        self = parsed
    }

    /// Parses ASCII bytes (a JSON number or string body) into fixed point; nil when malformed.
    public static func parse(_ bytes: UnsafeRawBufferPointer) -> Fixed? {
        var i = 0
        let n = bytes.count
        guard n > 0, n <= 64 else { return nil }
        var negative = false
        if bytes[0] == UInt8(ascii: "-") { negative = true; i = 1 } else if bytes[0] == UInt8(ascii: "+") { i = 1 }
        // Accumulate up to 38 significant digits in 128 bits with a decimal exponent.
        var mantissa: Int128 = 0
        var digits = 0
        var exponent = 0
        var sawDot = false
        var sawDigit = false
        var dropped = false  // non-zero digits beyond precision (for rounding)
        while i < n {
            let c = bytes[i]
            if c >= 48 && c <= 57 {
                sawDigit = true
                if digits < 36 {
                    mantissa = mantissa * 10 + Int128(c - 48)
                    if mantissa != 0 { digits += 1 }
                    if sawDot { exponent -= 1 }
                } else {
                    if c != 48 { dropped = true }
                    if !sawDot { exponent += 1 }
                }
            } else if c == UInt8(ascii: ".") {
                if sawDot { return nil }
                sawDot = true
            } else if c == UInt8(ascii: "e") || c == UInt8(ascii: "E") {
                break
            } else {
                return nil
            }
            i += 1
        }
        guard sawDigit else { return nil }
        if i < n {
            guard let e = exponentPart(bytes, after: i) else { return nil }
            exponent += e
        }
        // value = mantissa × 10^exponent; we want units of 10^-8.
        let shift = exponent + Fixed.fractionDigits
        var units: Int128
        if shift >= 0 {
            if mantissa == 0 { units = 0 } else {
                guard shift <= 30 else { return nil }
                units = mantissa
                for _ in 0..<shift {
                    units *= 10
                    if units > Int128(Int64.max) { return nil }
                }
            }
        } else {
            let down = -shift
            if down > 38 { units = 0; if mantissa != 0 { dropped = true } } else {
                var divisor: Int128 = 1
                for _ in 0..<down { divisor *= 10 }
                let q = mantissa / divisor
                let r = mantissa % divisor
                units = q
                let twice = r * 2
                if twice > divisor || (twice == divisor && (dropped || q % 2 != 0)) { units += 1 }
                dropped = false
            }
        }
        guard units <= Int128(Int64.max) else { return nil }
        return Fixed(raw: negative ? -Int64(units) : Int64(units))
    }

    /// The exponent after the `e` at `index` (`e-4`, `E+3`); nil when malformed or beyond ±400.
    private static func exponentPart(_ bytes: UnsafeRawBufferPointer, after index: Int) -> Int? {
        let n = bytes.count
        var i = index + 1
        guard i < n else { return nil }
        var negative = false
        if bytes[i] == UInt8(ascii: "-") { negative = true; i += 1 } else if bytes[i] == UInt8(ascii: "+") { i += 1 }
        guard i < n else { return nil }
        var e = 0
        while i < n {
            let c = bytes[i]
            guard c >= 48 && c <= 57 else { return nil }
            e = e * 10 + Int(c - 48)
            if e > 400 { return nil }
            i += 1
        }
        return negative ? -e : e
    }
}
