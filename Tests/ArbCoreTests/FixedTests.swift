import Testing
@testable import ArbCore

@Suite struct FixedTests {
    @Test func parsesExchangeText() {
        #expect(Fixed("25.35190000")?.raw == 2_535_190_000)
        #expect(Fixed("-3")?.raw == -300_000_000)
        #expect(Fixed("7.9276E-4")?.raw == 79_276)
        #expect(Fixed("1e3") == Fixed(1000))
        #expect(Fixed("0.000000015")?.raw == 2)  // half to even: 1.5 → 2
        #expect(Fixed("0.000000025")?.raw == 2)  // 2.5 → 2
        #expect(Fixed("0.0000000251")?.raw == 3)
        #expect(Fixed("+1.5") == Fixed("1.5"))
    }

    @Test(arguments: ["", "-", "1.2.3", "abc", "1e", "1e+", "--1", "1,5", "0x10", "1e999", "99999999999999"])
    func rejectsGarbage(_ text: String) {
        #expect(Fixed(text) == nil)
    }

    @Test func rendersWithoutTrailingZeros() {
        #expect(Fixed("25.35190000")!.description == "25.3519")
        #expect(Fixed("-0.5")!.description == "-0.5")
        #expect(Fixed(1400).description == "1400")
        #expect(Fixed(raw: 1).description == "0.00000001")
    }

    /// The text of any value, the extremes included, is the decimal built digit by digit from its parts, and reads
    /// back as the same value.
    @Test func rendersEveryValueAsItsDecimal() {
        func reference(_ raw: Int64) -> String {
            let whole = raw.magnitude / 100_000_000
            var fraction = String(raw.magnitude % 100_000_000)
            fraction = String(repeating: "0", count: 8 - fraction.count) + fraction
            while fraction.hasSuffix("0") { fraction.removeLast() }
            return (raw < 0 ? "-" : "") + String(whole) + (fraction.isEmpty ? "" : "." + fraction)
        }
        var rng = SystemRandomNumberGenerator()
        var raws: [Int64] = [0, 1, -1, 10, 100_000_000, -100_000_000, 123_456_789, .max, .min, .min + 1, 99_999_999, -50_000_000]
        for _ in 0..<5_000 { raws.append(Int64.random(in: .min ... .max, using: &rng) >> Int64.random(in: 0...62, using: &rng)) }
        for raw in raws {
            let text = Fixed(raw: raw).description
            #expect(text == reference(raw), "raw \(raw)")
            if raw != .min { #expect(Fixed(text)?.raw == raw, "raw \(raw)") }
        }
    }

    @Test func multipliesAndDividesWithOneRounding() {
        let price = Fixed("95123.45")!, qty = Fixed("0.00123")!
        #expect(price.multiplied(by: qty) == Fixed("117.0018435"))
        // 1/3 = 0.333333333… → half-even at 8 digits
        #expect(Fixed(1).divided(by: Fixed(3)) == Fixed("0.33333333"))
        #expect(Fixed(2).divided(by: Fixed(3)) == Fixed("0.66666667"))
        #expect(Fixed(2).divided(by: Fixed(3), rounding: .down) == Fixed("0.66666666"))
        #expect(Fixed(-2).divided(by: Fixed(3), rounding: .down) == Fixed("-0.66666667"))
        #expect(Fixed(-2).divided(by: Fixed(3), rounding: .towardZero) == Fixed("-0.66666666"))
    }

    @Test func feesRoundUp() {
        // 10 bps of 117.0018435 = 0.11700184 35 → up to 0.11700185
        #expect(Fixed("117.0018435")!.basisPoints(Fixed(10), rounding: .up) == Fixed("0.11700185"))
        #expect(Fixed(100).basisPoints(Fixed(5), rounding: .up) == Fixed("0.05"))
    }

    @Test func roundsToSteps() {
        #expect(Fixed("1.23456")!.rounded(toMultipleOf: Fixed("0.001")!, .down) == Fixed("1.234"))
        #expect(Fixed("1.23456")!.rounded(toMultipleOf: Fixed("0.001")!, .up) == Fixed("1.235"))
        #expect(Fixed("-1.23456")!.rounded(toMultipleOf: Fixed("0.001")!, .down) == Fixed("-1.235"))
        #expect(Fixed("5")!.rounded(toMultipleOf: .zero, .down) == Fixed(5))
    }

    @Test func commonStepIsTheLeastCommonMultiple() {
        let i1 = Instrument(tick: Fixed(1), step: Fixed("0.00000001")!, minNotional: Fixed(5000))
        let i2 = Instrument(tick: Fixed("0.01")!, step: Fixed("0.001")!, minNotional: Fixed(5))
        let route = Route(index: 0, key: "SOLUSDT", base: "SOL", upbit: i1, binance: i2)
        #expect(route.commonStep == Fixed("0.001"))
        #expect(Route.base(ofSymbol: "BTCUSDT") == "BTC")
        #expect(Route.base(ofSymbol: "USDT") == nil)
        #expect(route.market(.a) == "KRW-SOL")
    }

    @Test func utcTimeRoundTrips() {
        let ns = UTCTime.parse("2026-01-05T12:34:56Z")!
        #expect(UTCTime.format(ns) == "2026-01-05T12:34:56.000Z")
        #expect(UTCTime.parse("2026-01-01T00:00:00Z") == Int64(1_767_225_600) * 1_000_000_000)
        #expect(UTCTime.parse("2026-02-30T00:00:00Z") == nil)
        #expect(UTCTime.parse("2026-01-01 00:00:00") == nil)
        #expect(UTCTime.parse("2026-01-01T00:00:00.5Z") == Int64(1_767_225_600) * 1_000_000_000 + 500_000_000)
    }
}

@Suite struct InputBoundsTests {
    @Test func farFutureTimestampsAreRefusedNotOverflowed() throws {
        #expect(UTCTime.parse("9999-12-31T23:59:59Z") == nil)
        #expect(UTCTime.parse("2199-12-31T23:59:59.999999999Z") != nil)
        #expect(UTCTime.parse("1969-12-31T23:59:59Z") == nil)
        do {
            _ = try CampaignConfig.parse(["session": ["start_time": "9999-01-01T00:00:00Z"]])
            Issue.record("accepted year 9999")
        } catch {
            #expect(error.issues.map(\.field) == ["session.start_time"])
        }
    }

    @Test func doubleConversionsClampInsteadOfTrapping() {
        #expect(Fixed(1e30).raw == 4_000_000_000_000_000_000)
        #expect(Fixed(-1e30).raw == -4_000_000_000_000_000_000)
        #expect(Fixed(Double.nan).raw == 0)
    }
}
