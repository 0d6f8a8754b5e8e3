import ArbCore

/// The synthetic market's listing: fixed and embedded (names, 24h volumes, ticks, steps, minimum notionals), so
/// a Top 10 is the same on every machine and for every seed; the seed only moves prices.
///
/// Prices and volumes are rounded figures of the kind both exchanges showed in 2025. Binance lists BNB and TON
/// but Upbit's KRW market does not; BORA is on Upbit only; USDC and FDUSD are stablecoins.
///
/// The other venues list most of the same assets, not all: Bithumb what Upbit lists but SEI and ONDO, and LTC
/// besides; OKX what Binance lists but FDUSD and SEI; Bybit what Binance lists but IMX and ALGO. OKX trades about
/// 35 % of Binance's volume of an asset and Bybit 30 %. Their rules follow their documented forms: Bithumb
/// Upbit's KRW tick bands and 5,000 KRW minimum, OKX Binance's tick with a tenth of its step and no minimum beyond
/// 1 USDT, Bybit Binance's tick and step and a 5 USDT minimum order.
public enum SyntheticListing {
    /// KRW per USDT the listing's Upbit ticks were chosen at.
    static let referenceFx = 1_400.0

    // symbol base, price USD, 24h quote volume USD, Binance tick, Binance step, on Upbit, on Binance
    private static let rows: [(String, Double, Double, String, String, Bool, Bool)] = [
        ("BTC", 95_000, 1_500e6, "0.01", "0.00001", true, true),
        ("ETH", 3_300, 1_200e6, "0.01", "0.0001", true, true),
        ("USDC", 1, 1_000e6, "0.0001", "1", true, true),
        ("SOL", 180, 600e6, "0.01", "0.001", true, true),
        ("FDUSD", 1, 500e6, "0.0001", "1", false, true),
        ("XRP", 2.3, 500e6, "0.0001", "0.1", true, true),
        ("DOGE", 0.32, 400e6, "0.00001", "1", true, true),
        ("BNB", 680, 300e6, "0.01", "0.001", false, true),
        ("SUI", 4, 250e6, "0.0001", "0.1", true, true),
        ("ADA", 0.9, 200e6, "0.0001", "0.1", true, true),
        ("PEPE", 0.000015, 190e6, "0.00000001", "1", true, true),
        ("TRX", 0.25, 150e6, "0.0001", "0.1", true, true),
        ("LINK", 20, 140e6, "0.01", "0.01", true, true),
        ("AVAX", 35, 130e6, "0.01", "0.01", true, true),
        ("LTC", 105, 100e6, "0.01", "0.001", false, true),
        ("ENA", 0.9, 95e6, "0.0001", "0.1", true, true),
        ("TON", 5.5, 90e6, "0.001", "0.01", false, true),
        ("XLM", 0.4, 80e6, "0.0001", "1", true, true),
        ("HBAR", 0.28, 75e6, "0.00001", "1", true, true),
        ("DOT", 6.5, 70e6, "0.001", "0.01", true, true),
        ("BCH", 450, 65e6, "0.1", "0.001", true, true),
        ("SHIB", 0.00002, 60e6, "0.00000001", "1", true, true),
        ("NEAR", 5, 58e6, "0.001", "0.1", true, true),
        ("APT", 9, 52e6, "0.001", "0.01", true, true),
        ("UNI", 13, 50e6, "0.001", "0.01", true, true),
        ("ARB", 0.7, 48e6, "0.0001", "0.1", true, true),
        ("AAVE", 300, 46e6, "0.01", "0.001", true, true),
        ("ETC", 26, 42e6, "0.01", "0.01", true, true),
        ("ONDO", 1.2, 40e6, "0.0001", "0.1", true, true),
        ("SEI", 0.4, 38e6, "0.0001", "0.1", true, true),
        ("OP", 1.8, 34e6, "0.001", "0.01", true, true),
        ("FIL", 5, 32e6, "0.001", "0.01", true, true),
        ("ATOM", 6.5, 30e6, "0.001", "0.01", true, true),
        ("INJ", 22, 29e6, "0.01", "0.01", true, true),
        ("ALGO", 0.38, 25e6, "0.0001", "1", true, true),
        ("SAND", 0.55, 21e6, "0.0001", "1", true, true),
        ("STX", 1.5, 20e6, "0.0001", "0.1", true, true),
        ("GRT", 0.2, 19e6, "0.0001", "1", true, true),
        ("IMX", 1.3, 18e6, "0.0001", "0.1", true, true),
        ("BORA", 0.12, 6e6, "0.0001", "1", true, false),
    ]

    /// The realistic listing.
    public static let realistic: [ListingEntry] = rows.map { base, price, volume, tick, step, onUpbit, onBinance in
        entry(base: base, price: price, volume: volume, binanceTick: Fixed(tick)!, binanceStep: Fixed(step)!,
              onUpbit: onUpbit, onBinance: onBinance)
    }

    /// The listing with generated symbols appended up to `symbolCount` entries (0 = realistic only). Generated
    /// symbols (`SYN0001USDT`, …) trade on both exchanges, with volumes below the realistic ones so they rank last.
    public static func listing(symbolCount: Int) -> [ListingEntry] {
        var result = realistic
        var n = 0
        while result.count < symbolCount {
            n += 1
            let digits = String(n)
            let base = "SYN" + String(repeating: "0", count: Swift.max(0, 4 - digits.count)) + digits
            // Prices spread over five decades, deterministic from n.
            let decade = [0.01, 0.1, 1, 10, 100][n % 5]
            let price = decade * (1 + Double((n * 37) % 89) / 10)
            let tick = Fixed(decade / 10_000, rounding: .up)
            let step = Fixed(Swift.max(0.00001, Swift.min(1, 1 / (price * 100))), rounding: .up)
            let stepPow10 = pow10Ceil(step)
            result.append(entry(base: base, price: price, volume: 5e6 / Double(n), binanceTick: tick,
                                binanceStep: stepPow10, onUpbit: true, onBinance: true))
        }
        return result
    }

    /// The smallest power of ten ≥ `value` (steps are powers of ten on both exchanges).
    static func pow10Ceil(_ value: Fixed) -> Fixed {
        var p = Fixed(raw: 1)
        while p < value { p = Fixed(raw: p.raw * 10) }
        return p
    }

    static let notOnBithumb: Set<String> = ["SEI", "ONDO"]
    static let onBithumbBesides: Set<String> = ["LTC"]
    static let notOnOKX: Set<String> = ["FDUSD", "SEI"]
    static let notOnBybit: Set<String> = ["IMX", "ALGO"]

    static func entry(base: String, price: Double, volume: Double, binanceTick: Fixed, binanceStep: Fixed,
                      onUpbit: Bool, onBinance: Bool) -> ListingEntry {
        let krw = Instrument(tick: UpbitTickTable.tick(forPrice: price * referenceFx),
                             step: Fixed(raw: 1), minNotional: Fixed(5_000))
        let binance = Instrument(tick: binanceTick, step: binanceStep, minNotional: Fixed(5))
        let okxStep = Swift.max(Fixed(raw: 1), Fixed(raw: binanceStep.raw / 10))
        let okx = Instrument(tick: binanceTick, step: okxStep, minNotional: Fixed(1))
        let bybit = Instrument(tick: binanceTick, step: binanceStep, minNotional: Fixed(5))
        let onBithumb = (onUpbit && !notOnBithumb.contains(base)) || onBithumbBesides.contains(base)
        let onOKX = onBinance && !notOnOKX.contains(base)
        let onBybit = onBinance && !notOnBybit.contains(base)
        var instruments = PerVenue<Instrument?>(repeating: nil)
        var volumes = PerVenue(repeating: 0.0)
        if onUpbit { instruments[.upbit] = krw }
        if onBithumb { instruments[.bithumb] = krw }
        if onBinance { (instruments[.binance], volumes[.binance]) = (binance, volume) }
        if onOKX { (instruments[.okx], volumes[.okx]) = (okx, volume * 35 / 100) }
        if onBybit { (instruments[.bybit], volumes[.bybit]) = (bybit, volume * 30 / 100) }
        return ListingEntry(symbol: base + "USDT", base: base, usdtVolumes: volumes, referencePriceUSD: price,
                            instruments: instruments)
    }

    /// The fx book's market: Upbit `KRW-USDT`.
    public static let fxInstrument = Instrument(tick: Fixed(1), step: Fixed(raw: 1), minNotional: Fixed(5_000))
}
