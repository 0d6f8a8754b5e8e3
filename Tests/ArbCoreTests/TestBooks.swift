@testable import ArbCore

/// Builds books from readable levels for tests.
func book(bids: [(String, String)], asks: [(String, String)], time: Int64 = 0, sequence: UInt64 = 1) -> BookSnapshot {
    var s = BookSnapshot()
    for (p, q) in bids { s.bids.append(price: Fixed(p)!, quantity: Fixed(q)!) }
    for (p, q) in asks { s.asks.append(price: Fixed(p)!, quantity: Fixed(q)!) }
    s.exchangeTimeNs = time
    s.receiveTimeNs = time
    s.sequence = sequence
    return s
}

let upbitBTC = Instrument(tick: Fixed(1000), step: Fixed(raw: 1), minNotional: Fixed(5000))
let binanceBTC = Instrument(tick: Fixed("0.01")!, step: Fixed("0.00001")!, minNotional: Fixed(5))
let btcRoute = Route(index: 0, key: "BTCUSDT", base: "BTC", upbit: upbitBTC, binance: binanceBTC)

func fx(_ rate: String, time: Int64 = 0) -> FxQuote {
    FxQuote(rate: Fixed(rate)!.double, fixed: Fixed(rate)!, timeNs: time, sequence: 1)
}
