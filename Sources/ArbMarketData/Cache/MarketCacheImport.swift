#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import ArbCore
import Logging

/// Converts recordings (JSONL, Tardis CSV, plain or gzip, several merged) into one market-data cache: every book
/// of every market in them, in the order replaying them plays it, and their end mark. Written beside the target
/// and renamed into place once whole.
public enum MarketCacheImport {
    public struct Summary: Sendable, Equatable {
        public var markets: Int
        public var rows: Int
        public var badRows: Int
        public var bytes: Int
        public var dataEndNs: Int64?
    }

    public static func run(paths: [String], format: ReplaySource.Format, out: String, logger: Logger) throws -> Summary {
        let found = try ReplayCatalog.markets(paths: paths, format: format).reduce(into: Set<String>()) { $0.formUnion($1) }
        let keys = found.sorted().compactMap { name -> MarketKey? in
            guard let colon = name.firstIndex(of: ":"), let venue = Venue(rawValue: String(name[..<colon])) else { return nil }
            return MarketKey(venue, String(name[name.index(after: colon)...]))
        }
        let names = MarketMap(markets: keys)
        var source = try ReplaySource(paths: paths, format: format, names: names, logger: logger)
        let partial = out + ".partial"
        let writer = try MarketCacheWriter(path: partial, markets: names.keys)
        do {
            while source.nextTimeNs != nil {
                let (event, market) = source.nextEvent()
                try writer.append(event, market: market)
            }
            try writer.finish(dataEndNs: source.dataEndNs)
            guard rename(partial, out) == 0 else { throw MarketCacheError(path: out, offset: nil, String(cString: strerror(errno))) }
        } catch {
            unlink(partial)
            throw error
        }
        return Summary(markets: names.count, rows: writer.rows, badRows: source.counters?.badRows.load(ordering: .relaxed) ?? 0,
                       bytes: writer.bytes, dataEndNs: source.dataEndNs)
    }
}
