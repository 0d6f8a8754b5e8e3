import ArbCore
import Testing
@testable import ArbMarketData

func parse(_ text: String, _ parser: (UnsafeRawBufferPointer) throws(FeedParseError) -> FeedMessage) throws -> FeedMessage {
    var copy = text
    return try copy.withUTF8 { bytes throws -> FeedMessage in try parser(UnsafeRawBufferPointer(bytes)) }
}

func depth(_ text: String, _ parser: (UnsafeRawBufferPointer) throws(FeedParseError) -> FeedMessage) throws -> DepthMessage {
    guard case .depth(let m) = try parse(text, parser) else { throw FeedParseError("not a depth message") }
    return m
}

func okxBooks(_ action: String, prev: Int64, seq: Int64, bids: String = "", asks: String = "") -> String {
    #"{"arg":{"channel":"books","instId":"BTC-USDT"},"action":"\#(action)","data":[{"asks":[\#(asks)],"bids":[\#(bids)],"ts":"1700000000000","checksum":0,"prevSeqId":\#(prev),"seqId":\#(seq)}]}"#
}

func bybitBook(_ type: String, u: Int64, bids: String = "", asks: String = "") -> String {
    #"{"topic":"orderbook.50.BTCUSDT","ts":1700000000001,"type":"\#(type)","data":{"s":"BTCUSDT","b":[\#(bids)],"a":[\#(asks)],"u":\#(u),"seq":9},"cts":1700000000000}"#
}

@Suite struct DepthBooksTests {
    @Test func okxUpdatesFollowTheirPrevSeqIdAndAGapWaitsForASnapshot() throws {
        var books = DepthBooks()
        let p = OKXMessages.parse
        // An update before any snapshot waits.
        guard case .waiting = books.apply(try depth(okxBooks("update", prev: 1, seq: 2), p)) else { Issue.record("applied"); return }
        let snapshot = okxBooks("snapshot", prev: -1, seq: 10, bids: #"["100","1","0","1"],["99","2","0","1"]"#,
                                asks: #"["101","1","0","1"],["102","3","0","2"]"#)
        guard case .book(_, let t, let bids, let asks) = books.apply(try depth(snapshot, p)) else { Issue.record("no book"); return }
        #expect(t == 1_700_000_000_000_000_000 && bids.count == 2 && asks.best == Fixed(101))
        // Remove the best bid, add a level between, change a size.
        let update = okxBooks("update", prev: 10, seq: 11, bids: #"["100","0","0","0"],["99.5","4","0","1"]"#, asks: #"["102","5","0","2"]"#)
        guard case .book(_, _, let b2, let a2) = books.apply(try depth(update, p)) else { Issue.record("no book"); return }
        #expect(b2.best == Fixed("99.5")! && b2.count == 2 && a2.quantity(1) == Fixed(5))
        // A quiet book's heartbeat repeats the seqId; a reset after maintenance goes backwards: both accepted.
        guard case .book = books.apply(try depth(okxBooks("update", prev: 11, seq: 11), p)) else { Issue.record("heartbeat"); return }
        guard case .book = books.apply(try depth(okxBooks("update", prev: 11, seq: 3), p)) else { Issue.record("reset"); return }
        // A lost message: the chain breaks, the book is dropped until the next snapshot.
        guard case .gap(let symbol, let reason) = books.apply(try depth(okxBooks("update", prev: 7, seq: 8), p)) else {
            Issue.record("gap not seen"); return
        }
        #expect(symbol == "BTC-USDT" && reason == "prevSeqId 7 where the last seqId was 3")
        guard case .waiting = books.apply(try depth(okxBooks("update", prev: 8, seq: 9), p)) else { Issue.record("applied"); return }
        guard case .book = books.apply(try depth(snapshot, p)) else { Issue.record("snapshot after the gap"); return }
    }

    @Test func bybitDeltasCountUpByOneAndACrossedBookIsAGap() throws {
        var books = DepthBooks()
        let p = BybitMessages.parse
        guard case .book = books.apply(try depth(bybitBook("snapshot", u: 5, bids: #"["100","1"]"#, asks: #"["101","1"]"#), p)) else {
            Issue.record("no book"); return
        }
        guard case .book(_, let t, _, let asks) = books.apply(try depth(bybitBook("delta", u: 6, asks: #"["100.5","2"]"#), p)) else {
            Issue.record("no book"); return
        }
        // `cts`, the matching engine's time, is the exchange time.
        #expect(t == 1_700_000_000_000_000_000 && asks.best == Fixed("100.5")! && asks.count == 2)
        guard case .gap(_, let reason) = books.apply(try depth(bybitBook("delta", u: 8), p)) else { Issue.record("no gap"); return }
        #expect(reason == "update 8 where 7 was next")
        // A service restart sends a snapshot with u = 1: a fresh book.
        guard case .book = books.apply(try depth(bybitBook("snapshot", u: 1, bids: #"["100","1"]"#, asks: #"["101","1"]"#), p)) else {
            Issue.record("restart snapshot"); return
        }
        guard case .gap(_, let crossed) = books.apply(try depth(bybitBook("delta", u: 2, bids: #"["102","1"]"#), p)) else {
            Issue.record("crossed book kept"); return
        }
        #expect(crossed.hasPrefix("crossed book"))
    }

    @Test func okxAndBybitControlMessages() throws {
        let o = OKXMessages.parse, y = BybitMessages.parse
        guard case .alive = try parse("pong", o) else { Issue.record("pong"); return }
        guard case .subscribed(let id) = try parse(#"{"event":"subscribe","arg":{"channel":"books5","instId":"ETH-USDT"}}"#, o) else {
            Issue.record("ack"); return
        }
        #expect(id == "ETH-USDT")
        guard case .error(let e) = try parse(#"{"event":"error","code":"60018","msg":"Wrong URL or channel:books9,instId:BTC-USDT doesn't exist.","connId":"x"}"#, o) else {
            Issue.record("error"); return
        }
        #expect(e.contains("60018") && e.contains("doesn't exist"))
        guard case .serverShutdown = try parse(#"{"event":"notice","code":"64008","msg":"reconnect","connId":"x"}"#, o) else {
            Issue.record("notice"); return
        }
        guard case .book(let s, _, let bids, let asks) = try parse(#"{"arg":{"channel":"bbo-tbt","instId":"SOL-USDT"},"data":[{"asks":[["20.1","3","0","1"]],"bids":[["20","4","0","2"]],"ts":"1","seqId":5}]}"#, o) else {
            Issue.record("bbo"); return
        }
        #expect(s == "SOL-USDT" && bids.best == Fixed(20) && asks.quantity(0) == Fixed(3))
        guard case .alive = try parse(#"{"success":true,"ret_msg":"pong","conn_id":"c","op":"ping"}"#, y) else { Issue.record("pong"); return }
        guard case .subscribed = try parse(#"{"success":true,"ret_msg":"subscribe","conn_id":"c","req_id":"3","op":"subscribe"}"#, y) else {
            Issue.record("ack"); return
        }
        guard case .error(let ye) = try parse(#"{"success":false,"ret_msg":"args size >10","conn_id":"c","op":"subscribe"}"#, y) else {
            Issue.record("refusal"); return
        }
        #expect(ye == "subscribe: args size >10")
        #expect(OKXMessages.request("subscribe", channel: "books5", instIds: ["BTC-USDT", "ETH-USDT"])
                == #"{"op":"subscribe","args":[{"channel":"books5","instId":"BTC-USDT"},{"channel":"books5","instId":"ETH-USDT"}]}"#)
        #expect(BybitMessages.request("subscribe", topics: BybitMessages.topics(["BTCUSDT"], depth: 50), id: 2)
                == #"{"req_id":"2","op":"subscribe","args":["orderbook.50.BTCUSDT"]}"#)
    }

    @Test(arguments: [
        "ping", "{}", #"{"arg":{"channel":"books5","instId":"BTC-USDT"}}"#,
        #"{"arg":{"channel":"books5","instId":"BTC-USDT"},"data":[]}"#,
        #"{"arg":{"channel":"books5","instId":"BTC-USDT"},"data":[{"asks":[["1","1","0","1"],["0.5","1","0","1"]],"bids":[]}]}"#,
        #"{"arg":{"channel":"books","instId":"BTC-USDT"},"data":[{"asks":[],"bids":[]}]}"#,
        #"{"arg":{"channel":"books5","instId":"BTC-USDT"},"data":[{"asks":[["-1","1","0","1"]],"bids":[]}]}"#,
    ])
    func okxGarbageIsAParseError(text: String) {
        #expect(throws: FeedParseError.self) { _ = try parse(text, OKXMessages.parse) }
    }

    @Test(arguments: [
        "{}", #"{"topic":"tickers.BTCUSDT","data":{}}"#, #"{"topic":"orderbook.50.BTCUSDT","type":"delta","data":{"s":"BTCUSDT"}}"#,
        #"{"topic":"orderbook.50.BTCUSDT","type":"partial","data":{"s":"BTCUSDT","b":[],"a":[],"u":1}}"#,
        #"{"topic":"orderbook.50.BTCUSDT","type":"delta","data":{"s":"BTCUSDT","b":[["x","1"]],"a":[],"u":1}}"#,
    ])
    func bybitGarbageIsAParseError(text: String) {
        #expect(throws: FeedParseError.self) { _ = try parse(text, BybitMessages.parse) }
    }
}
