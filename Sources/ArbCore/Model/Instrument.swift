/// Trading rules of one market: price tick, quantity step and minimum order notional (in quote currency).
public struct Instrument: Sendable, Hashable, Codable {
    public var tick: Fixed
    public var step: Fixed
    public var minNotional: Fixed

    public init(tick: Fixed, step: Fixed, minNotional: Fixed) {
        self.tick = tick
        self.step = step
        self.minNotional = minNotional
    }
}

/// Upbit's KRW-market tick table by price band (docs.upbit.com, KRW market order unit table).
public enum UpbitTickTable {
    /// The KRW tick for a price in KRW.
    public static func tick(forPrice price: Double) -> Fixed {
        switch price {
        case 1_000_000...: return Fixed(1000)
        case 500_000..<1_000_000: return Fixed(500)
        case 100_000..<500_000: return Fixed(100)
        case 50_000..<100_000: return Fixed(50)
        case 10_000..<50_000: return Fixed(10)
        case 5_000..<10_000: return Fixed(5)
        case 100..<5_000: return Fixed(1)
        case 10..<100: return Fixed(raw: 1_000_000)  // 0.01
        case 1..<10: return Fixed(raw: 100_000)  // 0.001
        case 0.1..<1: return Fixed(raw: 10_000)  // 0.0001
        case 0.01..<0.1: return Fixed(raw: 1_000)
        default: return Fixed(raw: 100)
        }
    }
}
