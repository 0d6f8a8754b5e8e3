#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import ArbCore

/// Records a source's stream straight into a market-data cache (`arbitrage record --out FILE.arbcache`): after
/// each book the source writes into the store, the book as stored; written beside `path` and renamed into place
/// with its end mark once whole.
public final class CacheRecorder {
    public let path: String
    let names: MarketMap
    let writer: MarketCacheWriter
    /// The cache's market of each store market the campaign reads (a fixed fx rate has no book to record).
    let tableIndex: [Int?]
    /// Books written.
    public private(set) var books = 0
    /// The file's size (whole once finished).
    public var bytes: Int { writer.bytes }

    public init(path: String, names: MarketMap) throws(MarketCacheError) {
        self.path = path
        self.names = names
        let read = names.readMarkets
        var table = [Int?](repeating: nil, count: names.count)
        for (i, market) in read.enumerated() { table[market] = i }
        tableIndex = table
        writer = try MarketCacheWriter(path: path + ".partial", markets: read.map { names.keys[$0] })
    }

    /// Writes market `market`'s newest book from `store`.
    public func record(market: Int, from store: SnapshotStore) throws(MarketCacheError) {
        let snapshot = store.read(market)
        let name = names.keys[market]
        try writer.append(MarketEvent(venue: name.venue, symbol: name.symbol, timeNs: snapshot.receiveTimeNs,
                                      exchangeTimeNs: snapshot.exchangeTimeNs, bids: snapshot.bids, asks: snapshot.asks),
                          market: tableIndex[market]!)
        books += 1
    }

    /// Writes the end mark, the index and the header, and puts the file in place.
    public func finish(endNs: Int64) throws(MarketCacheError) {
        try writer.finish(dataEndNs: endNs)
        guard rename(path + ".partial", path) == 0 else {
            throw MarketCacheError(path: path, offset: nil, String(cString: strerror(errno)))
        }
    }
}
