import ArbCore
import ArbTestSupport
import Foundation
import Logging
import Testing
@testable import ArbMarketData

/// The market-data cache: conversion keeps every book in replay order, and a damaged file is refused naming the byte.
@Suite struct MarketCacheTests {
    static let logger = Logger(label: "test")

    /// Three markets over 10,000 books (more than two blocks), a row that cannot be read, an end mark.
    static func recording(_ dir: URL) throws -> String {
        var lines: [String] = []
        for i in 0..<3_400 {
            let t = 1_767_225_600_000_000_000 + Int64(i) * 100_000_000
            let p = 140_000_000 + (i % 97) * 1_000
            lines.append(#"{"ts":\#(t),"exchange_ts":\#(t - 5),"exchange":"upbit","symbol":"KRW-BTC","bids":[["\#(p)","0.5"],["\#(p - 1_000)","1.25"]],"asks":[["\#(p + 1_000)","0.75"]]}"#)
            lines.append(#"{"ts":\#(t),"exchange":"binance","symbol":"BTCUSDT","bids":[["99990.01","0.00001"]],"asks":[["100000","3"],["100000.5","4"],["100001","5"]]}"#)
            if i % 3 == 0 { lines.append(#"{"ts":\#(t + 7),"exchange":"upbit","symbol":"KRW-USDT","bids":[["1399","100000"]],"asks":[["1401","100000"]]}"#) }
            if i == 1_000 { lines.append(#"{"ts":\#(t),"exchange":"upbit","symbol":"KRW-BTC","bids":"oops"}"#) }
        }
        lines.append(#"{"type":"end","ts":1767226000000000000}"#)
        return try write(lines.joined(separator: "\n") + "\n", dir, "rec.jsonl")
    }

    /// What replaying `paths` plays, in order.
    static func replayed(_ paths: [String], format: ReplaySource.Format, markets: [MarketKey]) throws -> [MarketEvent] {
        var source = try ReplaySource(paths: paths, format: format, names: MarketMap(markets: markets), logger: logger)
        var out: [MarketEvent] = []
        while source.nextTimeNs != nil { out.append(source.nextEvent().event) }
        return out
    }

    @Test func aConversionKeepsEveryBookInReplayOrder() throws {
        let dir = try tempDir()
        let jsonl = try Self.recording(dir)
        let out = dir.appendingPathComponent("rec.arbcache").path
        let summary = try MarketCacheImport.run(paths: [jsonl], format: .auto, out: out, logger: Self.logger)
        #expect(summary.markets == 3 && summary.rows == 3_400 * 2 + 1_134 && summary.badRows == 1)
        #expect(summary.dataEndNs == 1_767_226_000_000_000_000)
        let reader = try MarketCacheReader(path: out)
        try reader.verify()
        #expect(reader.blocks.count == (summary.rows + MarketCache.blockRows - 1) / MarketCache.blockRows && reader.rowCount == summary.rows && reader.dataEndNs == summary.dataEndNs)
        let cached = try reader.events()
        let original = try Self.replayed([jsonl], format: .jsonl, markets: reader.markets)
        #expect(cached.count == original.count && cached == original)
        #expect(cached.first?.exchangeTimeNs == 1_767_225_600_000_000_000 - 5 && cached[1].bids.quantity(0) == Fixed("0.00001"))
        #expect(!FileManager.default.fileExists(atPath: out + ".partial"))
    }

    /// A replayed row is stored as its tops, its depth read from the row when a reader takes the whole book:
    /// read at once or after other rows, every book is the row's, whatever the shape of its sides.
    @Test func aReplayedRowIsReadWholeFromTheStore() throws {
        let dir = try tempDir()
        var lines: [String] = []
        for i in 0..<2_500 {
            let t = 1_767_225_600_000_000_000 + Int64(i) * 1_000_000
            let bids = (0..<(i % 7)).map { #"["\#(100_000 - $0 - i % 5)","\#(1 + $0)"]"# }.joined(separator: ",")
            let asks = (0..<(1 + i % 4)).map { #"["\#(100_001 + $0 + i % 3)","\#(2 + $0)"]"# }.joined(separator: ",")
            let symbol = i % 3 == 0 ? "ETHUSDT" : "BTCUSDT"
            lines.append(#"{"ts":\#(t),"exchange_ts":\#(t - 9),"exchange":"binance","symbol":"\#(symbol)","bids":[\#(bids)],"asks":[\#(asks)]}"#)
        }
        let out = dir.appendingPathComponent("shapes.arbcache").path
        _ = try MarketCacheImport.run(paths: [try write(lines.joined(separator: "\n") + "\n", dir, "shapes.jsonl")], format: .auto,
                                      out: out, logger: Self.logger)
        let reader = try MarketCacheReader(path: out)
        let events = try reader.events()
        let names = MarketMap(markets: reader.markets)
        var source = try CacheReplaySource(reader: reader, names: names, logger: Self.logger)
        let store = SnapshotStore(marketCount: names.count)
        func stored(_ market: Int, as event: MarketEvent) -> MarketEvent {
            let book = store.read(market)
            return MarketEvent(venue: event.venue, symbol: event.symbol, timeNs: book.receiveTimeNs, exchangeTimeNs: book.exchangeTimeNs,
                               bids: book.bids, asks: book.asks)
        }
        var last: [Int: MarketEvent] = [:]
        #expect(events.count == 2_500 && events.contains { $0.bids.count == 0 } && events.contains { $0.bids.count == 6 })
        for (i, event) in events.enumerated() {
            let market = source.emit(into: store)
            #expect(market == names.index(event.venue, event.symbol))
            let top = store.top(market)
            #expect(top.hasBids == (event.bids.count > 0) && top.ask == event.asks.prices[0] && top.receiveTimeNs == event.timeNs)
            // Half the rows are read whole at once; every other market's newest row after rows of this one.
            if i % 2 == 0 { #expect(stored(market, as: event) == event) }
            for (other, older) in last where other != market { #expect(stored(other, as: older) == older) }
            last[market] = event
        }
        #expect(source.nextTimeNs == nil)
    }

    @Test func tardisAndJSONLMergeAsTheyReplay() throws {
        let dir = try tempDir()
        let jsonl = try Self.recording(dir)
        var csv = ["exchange,symbol,timestamp,local_timestamp," + (0..<5).map {
            "asks[\($0)].price,asks[\($0)].amount,bids[\($0)].price,bids[\($0)].amount"
        }.joined(separator: ",")]
        for i in 0..<500 {
            let us = 1_767_225_600_000_000 + Int64(i) * 150_000
            csv.append("okex,BTC-USDT,\(us - 3),\(us),100010.5,0.25,100000.1,0.5" + String(repeating: ",,,,", count: 4))
        }
        let tardis = try write(csv.joined(separator: "\n") + "\n", dir, "okx.csv")
        let out = dir.appendingPathComponent("mixed.arbcache").path
        _ = try MarketCacheImport.run(paths: [tardis, jsonl], format: .auto, out: out, logger: Self.logger)
        let reader = try MarketCacheReader(path: out)
        let cached = try reader.events()
        #expect(cached == (try Self.replayed([tardis, jsonl], format: .auto, markets: reader.markets)))
        #expect(reader.markets.contains(MarketKey(.okx, "BTC-USDT")) && cached.contains { $0.venue == .okx })
    }

    @Test func aWindowStartsAtItsBlock() throws {
        let dir = try tempDir()
        let out = dir.appendingPathComponent("w.arbcache").path
        _ = try MarketCacheImport.run(paths: [try Self.recording(dir)], format: .jsonl, out: out, logger: Self.logger)
        let reader = try MarketCacheReader(path: out)
        #expect(reader.block(atOrAfter: .min) == 0 && reader.block(atOrAfter: .max) == reader.blocks.count - 1)
        let second = reader.blocks[1].firstNs
        #expect(reader.block(atOrAfter: second + 1) == 1 && reader.block(atOrAfter: second - 1) == 0)
        // The instant a block starts at may end the block before.
        #expect(reader.block(atOrAfter: second) == 0)
    }

    /// A file of version 2 (the multiply checksum, what earlier builds wrote) reads as the same books as its
    /// version 3 twin, and is checked with its own checksum: a byte flipped in a block is refused.
    @Test func aVersionTwoFileIsStillRead() throws {
        let dir = try tempDir()
        let v3 = dir.appendingPathComponent("v3.arbcache").path
        _ = try MarketCacheImport.run(paths: [try Self.recording(dir)], format: .jsonl, out: v3, logger: Self.logger)
        let current = try MarketCacheReader(path: v3)
        let events = try current.events()
        let v2 = dir.appendingPathComponent("v2.arbcache").path
        let writer = try MarketCacheWriter(path: v2, markets: current.markets, version: 2)
        let names = MarketMap(markets: current.markets)
        for e in events { try writer.append(e, market: try #require(names.index(e.venue, e.symbol))) }
        try writer.finish(dataEndNs: current.dataEndNs)
        let old = try MarketCacheReader(path: v2)
        try old.verify()
        #expect(current.version == 3 && old.version == 2 && old.blocks.count == current.blocks.count)
        #expect(try old.events() == events && old.dataEndNs == current.dataEndNs)
        // Same bytes, other checksums.
        #expect(zip(old.blocks, current.blocks).allSatisfy { $0.checksum != $1.checksum && $0.offset == $1.offset })
        let flipped = try Self.altered(v2) { $0[old.blocks[2].offset + 33] ^= 0x10 }
        #expect(throws: MarketCacheError.self) { try MarketCacheReader(path: flipped).verify() }
    }

    /// Version 3's checksum changes with any byte flipped, any two words swapped and the length.
    @Test func theChecksumSeesEveryByteAndEveryWordsPlace() {
        var bytes = (0..<203).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
        func sum(_ b: [UInt8]) -> UInt64 { b.withUnsafeBytes { MarketCache.checksum($0) } }
        let base = sum(bytes)
        var seen: Set<UInt64> = [base]
        for i in bytes.indices {
            for bit in [0, 3, 7] {
                bytes[i] ^= 1 << bit
                seen.insert(sum(bytes))
                bytes[i] ^= 1 << bit
            }
        }
        #expect(seen.count == 1 + bytes.count * 3)
        // Words of one lane (32 bytes apart) and of two lanes swapped.
        for (a, b) in [(0, 32), (8, 40), (0, 8), (64, 136)] {
            var swapped = bytes
            for k in 0..<8 { swapped.swapAt(a + k, b + k) }
            #expect(swapped != bytes && sum(swapped) != base)
        }
        #expect(sum(bytes + [0]) != base && sum(Array(bytes.dropLast())) != base)
        #expect(bytes.withUnsafeBytes { MarketCache.checksum($0, version: 2) } != base)
    }

    /// The file's bytes with `edit` applied, written to a new file.
    static func altered(_ path: String, _ edit: (inout [UInt8]) -> Void) throws -> String {
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        edit(&bytes)
        let copy = path + ".altered"
        try Data(bytes).write(to: URL(fileURLWithPath: copy))
        return copy
    }

    @Test func aDamagedFileIsRefusedNamingTheByte() throws {
        let dir = try tempDir()
        let out = dir.appendingPathComponent("d.arbcache").path
        _ = try MarketCacheImport.run(paths: [try Self.recording(dir)], format: .jsonl, out: out, logger: Self.logger)
        let good = try MarketCacheReader(path: out)
        let indexAt = Int(good.bytes.loadUnaligned(fromByteOffset: 48, as: UInt64.self))
        let secondBlock = good.blocks[1].offset

        func refusal(_ path: String, verify: Bool = false) -> MarketCacheError? {
            do {
                let r = try MarketCacheReader(path: path)
                if verify { try r.verify() }
                return nil
            } catch { return error }
        }
        // A byte flipped in the index.
        let index = refusal(try Self.altered(out) { $0[indexAt + 20] ^= 0x40 })
        #expect(index?.offset == indexAt && index?.message.contains("index does not match its checksum") == true, "\(String(describing: index))")
        // A byte flipped in the second block of rows: the file opens, the block is refused when checked.
        let rows = try Self.altered(out) { $0[secondBlock + 100] ^= 0x01 }
        #expect(refusal(rows) == nil)
        let block = refusal(rows, verify: true)
        #expect(block?.offset == secondBlock && block?.message.contains("block 1 of rows does not match") == true)
        // A tail cut off.
        let cut = refusal(try Self.altered(out) { $0.removeLast(40) })
        #expect(cut?.message.hasPrefix("truncated") == true && cut?.offset != nil, "\(String(describing: cut))")
        let stub = refusal(try Self.altered(out) { $0.removeLast($0.count - 30) })
        #expect(stub?.offset == 30 && stub?.message.contains("shorter than the 72-byte header") == true)
        // Another version, and not a cache at all.
        let version = refusal(try Self.altered(out) { $0[8] = 1 })
        #expect(version?.offset == 8 && version?.message.contains("cache version 1; this build reads versions 2 and 3") == true)
        let other = refusal(try write(String(repeating: "{}\n", count: 40), dir, "x.jsonl"))
        #expect(other?.offset == 0 && other?.message.contains("not a market-data cache") == true)
        // The header altered.
        let header = refusal(try Self.altered(out) { $0[24] ^= 0x01 })
        #expect(header?.offset == 0 && header?.message.contains("header does not match its checksum") == true)
    }
}
