import ArbCore
import Testing
@testable import ArbMarketData

func binance(_ text: String) throws -> FeedMessage {
    var copy = text
    return try copy.withUTF8 { try BinanceMessages.parse(UnsafeRawBufferPointer($0)) }
}

func upbit(_ text: String) throws -> FeedMessage {
    var copy = text
    return try copy.withUTF8 { try UpbitMessages.parse(UnsafeRawBufferPointer($0)) }
}

@Suite struct ExchangeMessagesTests {
    @Test func binancePartialDepthTakesItsSymbolFromTheStreamName() throws {
        let text = #"{"stream":"btcusdt@depth20@100ms","data":{"lastUpdateId":160,"bids":[["100000.01","0.5"],["100000.00","1.25"]],"asks":[["100000.02","0.00012"]]}}"#
        guard case .book(let symbol, let time, let bids, let asks) = try binance(text) else { Issue.record("not a book"); return }
        #expect(symbol == "BTCUSDT" && time == nil)
        #expect(bids.count == 2 && bids.price(1) == Fixed("100000")! && bids.quantity(1) == Fixed("1.25")!)
        #expect(asks.count == 1 && asks.quantity(0) == Fixed("0.00012")!)
        // The payload may come before the stream name.
        let reordered = #"{"data":{"bids":[["1","2"]],"asks":[["3","4"]],"lastUpdateId":1},"stream":"ethusdt@depth5"}"#
        guard case .book(let s2, _, _, _) = try binance(reordered) else { Issue.record("not a book"); return }
        #expect(s2 == "ETHUSDT")
    }

    @Test func binanceBookTickerAndControlMessages() throws {
        let ticker = #"{"stream":"bnbusdt@bookTicker","data":{"u":400900217,"s":"BNBUSDT","b":"25.35190000","B":"31.21000000","a":"25.36520000","A":"40.66000000"}}"#
        guard case .book(let symbol, _, let bids, let asks) = try binance(ticker) else { Issue.record("not a book"); return }
        #expect(symbol == "BNBUSDT" && bids.best == Fixed("25.3519")! && asks.quantity(0) == Fixed("40.66")!)
        guard case .subscribed(let id) = try binance(#"{"result":null,"id":7}"#) else { Issue.record("not an answer"); return }
        #expect(id == "7")
        guard case .error(let e) = try binance(#"{"code":2,"msg":"Invalid request: unknown stream","id":3}"#) else { Issue.record("not an error"); return }
        #expect(e.contains("unknown stream"))
        guard case .serverShutdown = try binance(#"{"stream":"!serverShutdown","data":{"e":"serverShutdown","E":1}}"#) else {
            Issue.record("not a shutdown"); return
        }
        #expect(BinanceMessages.subscribe(BinanceMessages.streams(["BTCUSDT", "ETHUSDT"], kind: "depth20@100ms"), id: 4)
                == #"{"method":"SUBSCRIBE","params":["btcusdt@depth20@100ms","ethusdt@depth20@100ms"],"id":4}"#)
    }

    @Test(arguments: [
        "", "garbage", "{}", #"{"stream":"btcusdt@depth20","data":{"bids":[["x","1"]],"asks":[]}}"#,
        #"{"stream":"btcusdt@depth20","data":{"bids":[["1","1"],["2","1"]],"asks":[]}}"#,
        #"{"stream":"@depth20","data":{"bids":[],"asks":[]}}"#, #"{"stream":"btcusdt@trade","data":{}}"#,
        #"{"stream":"btcusdt@depth20","data":{"bids":[]}}"#, #"{"stream":"btcusdt@depth20","data":{"bids":[],"asks":[]}} x"#,
    ])
    func binanceGarbageIsAParseError(text: String) {
        #expect(throws: FeedParseError.self) { _ = try binance(text) }
    }

    @Test func upbitOrderbookInBothFormats() throws {
        let simple = #"{"ty":"orderbook","cd":"KRW-BTC","tms":1704867306396,"tas":4.79,"tbs":2.65,"obu":[{"ap":143001000,"bp":143000000,"as":7.9276E-4,"bs":0.5},{"ap":143002000.0,"bp":142999000,"as":1,"bs":2}],"st":"REALTIME","lv":0}"#
        guard case .book(let code, let time, let bids, let asks) = try upbit(simple) else { Issue.record("not a book"); return }
        #expect(code == "KRW-BTC" && time == 1_704_867_306_396_000_000)
        #expect(asks.count == 2 && asks.quantity(0) == Fixed("0.00079276")! && asks.price(1) == Fixed("143002000")!)
        #expect(bids.best == Fixed("143000000")!)
        let full = #"{"type":"orderbook","code":"KRW-USDT.15","timestamp":1,"total_ask_size":1,"total_bid_size":1,"orderbook_units":[{"ask_price":1401,"bid_price":1400.5,"ask_size":10,"bid_size":20}],"stream_type":"SNAPSHOT","level":0}"#
        guard case .book(let c2, _, let b2, _) = try upbit(full) else { Issue.record("not a book"); return }
        #expect(c2 == "KRW-USDT" && b2.best == Fixed("1400.5")!)
        guard case .alive = try upbit(#"{"status":"UP"}"#) else { Issue.record("not alive"); return }
        guard case .error(let e) = try upbit(#"{"error":{"name":"INVALID_PARAM","message":"bad codes"}}"#) else { Issue.record("no error"); return }
        #expect(e == "INVALID_PARAM: bad codes")
        #expect(UpbitMessages.subscribe(["KRW-BTC", "KRW-USDT"], depth: 15, format: "SIMPLE", ticket: "t1")
                == #"[{"ticket":"t1"},{"type":"orderbook","codes":["KRW-BTC.15","KRW-USDT.15"]},{"format":"SIMPLE"}]"#)
    }

    @Test(arguments: [
        "PONG", #"{"ty":"ticker","cd":"KRW-BTC"}"#, #"{"ty":"orderbook","obu":[]}"#, #"{"ty":"orderbook","cd":"KRW-BTC"}"#,
        #"{"ty":"orderbook","cd":"KRW-BTC","obu":[{"ap":2,"bp":1,"as":1,"bs":1},{"ap":1,"bp":0.5,"as":1,"bs":1}]}"#,
        #"{"ty":"orderbook","cd":"KRW-BTC","obu":[{"ap":-2,"bp":1,"as":1,"bs":1}]}"#,
    ])
    func upbitGarbageIsAParseError(text: String) {
        #expect(throws: FeedParseError.self) { _ = try upbit(text) }
    }
}

/// Garbage from a websocket or a file never crashes a parser: valid messages cut short, with bytes flipped,
/// inserted or dropped, each either parses or throws.
@Suite struct ParserGarbageTests {
    /// The synthetic market's generator, with a bounded draw.
    struct Draws {
        var rng: Xoshiro256
        mutating func next() -> UInt64 { rng.next() }
        mutating func below(_ n: Int) -> Int { Int(rng.next() % UInt64(n)) }
    }

    static let seeds: [String] = [
        #"{"stream":"btcusdt@depth20@100ms","data":{"lastUpdateId":160,"bids":[["100000.01","0.5"],["100000.00","1.25"]],"asks":[["100000.02","0.00012"]]}}"#,
        #"{"stream":"bnbusdt@bookTicker","data":{"u":400900217,"s":"BNBUSDT","b":"25.35190000","B":"31.21000000","a":"25.36520000","A":"40.66000000"}}"#,
        #"{"ty":"orderbook","cd":"KRW-BTC","tms":1704867306396,"obu":[{"ap":143001000,"bp":143000000,"as":7.9276E-4,"bs":0.5}],"st":"REALTIME"}"#,
        #"{"type":"book","ts":1,"exchange":"upbit","symbol":"KRW-BTC","bids":[["140000000","1"]],"asks":[["140001000","1"]]}"#,
        #"{"arg":{"channel":"books","instId":"BTC-USDT"},"action":"update","data":[{"asks":[["30243.5","1.2","0","4"]],"bids":[["30243.4","0","0","0"]],"ts":"1652459224956","checksum":0,"prevSeqId":5,"seqId":6}]}"#,
        #"{"topic":"orderbook.50.BTCUSDT","ts":1731035685345,"type":"delta","data":{"s":"BTCUSDT","b":[["75848.62","0.014895"]],"a":[["75852.65","0"]],"u":2876701,"seq":47474967823},"cts":1731035685342}"#,
        "upbit,KRW-BTC,1767225600000100,1767225600000250,143001000,0.5,143000000,0.25,143002000,1.5,142999000,2",
    ]

    static func mutate(_ bytes: [UInt8], _ rng: inout Draws) -> [UInt8] {
        var b = bytes
        for _ in 0..<(1 + rng.below(4)) {
            switch rng.below(5) {
            case 0 where !b.isEmpty: b[rng.below(b.count)] = UInt8(truncatingIfNeeded: rng.next())
            case 1: b.insert(UInt8(truncatingIfNeeded: rng.next()), at: rng.below(b.count + 1))
            case 2 where !b.isEmpty: b.remove(at: rng.below(b.count))
            case 3: b = Array(b.prefix(rng.below(b.count + 1)))
            default:
                // Digits into a number, or a structural character where it does not belong.
                let specials: [UInt8] = Array("0123456789.eE-+\"[]{},:".utf8)
                if !b.isEmpty { b[rng.below(b.count)] = specials[rng.below(specials.count)] }
            }
        }
        return b
    }

    @Test func mutatedMessagesParseOrThrowButNeverCrash() {
        var rng = Draws(rng: Xoshiro256(seed: 42))
        var parsed = 0, refused = 0
        for seed in Self.seeds {
            let bytes = Array(seed.utf8)
            for _ in 0..<4_000 {
                let m = Self.mutate(bytes, &rng)
                m.withUnsafeBytes { raw in
                    for parse in [
                        { (r: UnsafeRawBufferPointer) -> Bool in (try? BinanceMessages.parse(r)) != nil },
                        { (r: UnsafeRawBufferPointer) -> Bool in (try? UpbitMessages.parse(r)) != nil },
                        { (r: UnsafeRawBufferPointer) -> Bool in (try? OKXMessages.parse(r)) != nil },
                        { (r: UnsafeRawBufferPointer) -> Bool in (try? BybitMessages.parse(r)) != nil },
                        { (r: UnsafeRawBufferPointer) -> Bool in (try? MarketJSONL.parse(r)) != nil },
                        { (r: UnsafeRawBufferPointer) -> Bool in (try? TardisCSV.parse(r, kind: .bookSnapshot(levels: 2))) != nil },
                        { (r: UnsafeRawBufferPointer) -> Bool in (try? TardisCSV.parse(r, kind: .quotes)) != nil },
                    ] {
                        if parse(raw) { parsed += 1 } else { refused += 1 }
                    }
                }
            }
        }
        // Both outcomes happen: the mutations reach past the first byte into the parsers.
        #expect(parsed > 1_000 && refused > 50_000)
    }
}
