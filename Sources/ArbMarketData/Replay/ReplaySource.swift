import ArbCore
import Foundation
import HeapModule
import Logging

/// Recorded books played back in time order (SPEC §3.2.2): JSONL or Tardis CSV files, plain or gzip, merged by
/// receive time, ties broken by exchange, symbol and line. Rows of markets the campaign does not trade are
/// skipped; rows that cannot be read are counted, logged with their file and line, and skipped.
///
/// A source moves between the tasks that pull it but is never pulled by two at once, so its files (classes)
/// are not shared.
public struct ReplaySource: ScheduledMarketSource, @unchecked Sendable {
    public enum Format: Sendable {
        case jsonl, tardis
        /// Each file by its first line: `{` is JSONL, a `exchange,symbol,…` header Tardis CSV.
        case auto

        /// The format of the file at `path`: this one, or for `auto` the one its first line shows.
        func resolved(path: String) throws(MarketFileError) -> Format {
            guard self == .auto else { return self }
            let reader = try LineReader(path: path)
            let first: Format??
            do {
                first = try reader.nextLine { line -> Format? in
                    if line.first == 0x7b { return .jsonl }
                    return line.starts(with: "exchange,symbol,".utf8) ? .tardis : nil
                }
            } catch { throw error as? MarketFileError ?? MarketFileError(path: path, "\(error)") }
            guard let found = first, let format = found else {
                throw MarketFileError(path: path, "line 1 is neither JSONL nor the header of a Tardis CSV file")
            }
            return format
        }
    }

    /// Bad rows logged one by one per file; later ones are only counted.
    static let loggedBadRowsPerFile = 20

    final class File {
        let index: Int
        let reader: LineReader
        let format: Format
        var tardisKind: TardisCSV.Kind?
        /// The next book of this file and its market index.
        var head: MarketEvent?
        var headMarket = 0
        var headLine = 0
        var lastTimeNs = Int64.min
        var endMarkNs: Int64?
        var badRows = 0

        init(index: Int, path: String, format: Format) throws(MarketFileError) {
            self.index = index
            self.format = try format.resolved(path: path)
            reader = try LineReader(path: path)
        }
    }

    struct Key: Comparable {
        var timeNs: Int64
        var venue: UInt8
        var symbol: String
        var line: Int
        var file: Int
        static func < (a: Key, b: Key) -> Bool {
            if a.timeNs != b.timeNs { return a.timeNs < b.timeNs }
            if a.venue != b.venue { return a.venue < b.venue }
            if a.symbol != b.symbol { return a.symbol < b.symbol }
            if a.line != b.line { return a.line < b.line }
            return a.file < b.file
        }
    }

    /// Where each file stood at a checkpoint.
    struct State: Codable {
        struct FileState: Codable {
            /// Lines read before the pending book (all lines when the file is done).
            var linesBefore: Int
            var lastTimeNs: Int64
            var endMarkNs: Int64?
            var badRows: Int
            var done: Bool
        }
        var files: [FileState]
        var rows: Int
        var badRows: Int
        var skippedRows: Int
    }

    private(set) var names: MarketMap
    let logger: Logger
    private let files: [File]
    private var heap = Heap<Key>()
    public let counters: MarketSourceCounters?

    /// Opens `paths` and reads each file's first book, or (with `fromNs`) the first received at or after it: the
    /// books before it are read past, neither emitted nor counted.
    public init(paths: [String], format: Format, names: MarketMap, logger: Logger, fromNs: Int64? = nil) throws(MarketFileError) {
        try self.init(paths: paths, format: format, names: names, logger: logger, state: nil, fromNs: fromNs ?? .min)
        if let fromNs { passOver(before: fromNs) }
    }

    /// Opens `paths` and continues where a checkpoint's `state` left them.
    public init(paths: [String], format: Format, names: MarketMap, logger: Logger, state: [UInt8]) throws {
        let decoded = try JSONDecoder().decode(State.self, from: Data(state))
        guard decoded.files.count == paths.count else {
            throw MarketFileError(path: paths.first ?? "", "checkpoint of \(decoded.files.count) files does not match the \(paths.count) configured")
        }
        try self.init(paths: paths, format: format, names: names, logger: logger, state: decoded)
    }

    private init(paths: [String], format: Format, names: MarketMap, logger: Logger, state: State?,
                 fromNs: Int64 = .min) throws(MarketFileError) {
        self.fromNs = fromNs
        self.names = names
        self.logger = logger
        var files: [File] = []
        for (i, path) in paths.enumerated() { files.append(try File(index: i, path: path, format: format)) }
        self.files = files
        let counters = MarketSourceCounters(files: paths.count)
        self.counters = counters
        if let state {
            counters.rows.store(state.rows, ordering: .relaxed)
            counters.badRows.store(state.badRows, ordering: .relaxed)
            counters.skippedRows.store(state.skippedRows, ordering: .relaxed)
        }
        for file in files {
            if file.format == .tardis { try readTardisHeader(file) }
            if let saved = state?.files[file.index] {
                file.lastTimeNs = saved.lastTimeNs
                file.endMarkNs = saved.endMarkNs
                file.badRows = saved.badRows
                do { try file.reader.skipLines(saved.linesBefore - file.reader.lineNumber) } catch {
                    throw error as? MarketFileError ?? MarketFileError(path: file.reader.path, "\(error)")
                }
                if saved.done { continue }
            }
            try advance(file)
        }
    }

    public var nextTimeNs: Int64? { heap.min?.timeNs }

    public var dataEndNs: Int64? {
        guard heap.isEmpty else { return nil }
        var end = Int64.min
        for file in files {
            end = Swift.max(end, file.lastTimeNs)
            if let mark = file.endMarkNs { end = Swift.max(end, mark) }
        }
        return end == .min ? nil : end
    }

    public mutating func emit(into store: SnapshotStore) -> Int {
        let (event, market) = nextEvent()
        event.write(into: store, market: market, receiveTimeNs: event.timeNs)
        return market
    }

    /// Takes the next book and its market index (call only while `nextTimeNs` is not nil): what `emit` writes,
    /// and what a conversion into the market-data cache keeps.
    public mutating func nextEvent() -> (event: MarketEvent, market: Int) {
        let key = heap.removeMin()
        let file = files[key.file]
        let event = file.head!
        let market = file.headMarket
        counters?.rows.add(1, ordering: .relaxed)
        do { try advance(file) } catch {
            // A read error ends this file; the others go on.
            logger.error("replay: \(error); the rest of the file is skipped")
            file.head = nil
        }
        return (event, market)
    }

    /// Books before this instant are not counted (those of untraded markets included).
    private var fromNs = Int64.min

    /// Reads past the books received before `timeNs`, neither emitted nor counted (a window's start).
    private mutating func passOver(before timeNs: Int64) {
        var passed = 0
        while let t = nextTimeNs, t < timeNs {
            _ = nextEvent()
            passed += 1
        }
        counters?.rows.subtract(passed, ordering: .relaxed)
    }

    public func checkpointState() throws -> [UInt8] {
        let state = State(
            files: files.map { f in
                State.FileState(linesBefore: f.head == nil ? f.reader.lineNumber : f.headLine - 1, lastTimeNs: f.lastTimeNs,
                                endMarkNs: f.endMarkNs, badRows: f.badRows, done: f.head == nil)
            },
            rows: counters?.rows.load(ordering: .relaxed) ?? 0, badRows: counters?.badRows.load(ordering: .relaxed) ?? 0,
            skippedRows: counters?.skippedRows.load(ordering: .relaxed) ?? 0)
        return Array(try JSONEncoder().encode(state))
    }

    private func readTardisHeader(_ file: File) throws(MarketFileError) {
        let kind: TardisCSV.Kind??
        do { kind = try file.reader.nextLine { TardisCSV.kind(ofHeader: $0) } } catch {
            throw error as? MarketFileError ?? MarketFileError(path: file.reader.path, "\(error)")
        }
        guard let kind else { throw MarketFileError(path: file.reader.path, "is empty") }
        guard let kind else {
            throw MarketFileError(path: file.reader.path,
                                  "line 1 is not the header of a Tardis book_snapshot_5, book_snapshot_25 or quotes file")
        }
        file.tardisKind = kind
    }

    /// Reads `file` up to its next book of a traded market, and queues it.
    private mutating func advance(_ file: File) throws(MarketFileError) {
        file.head = nil
        while true {
            enum Outcome { case book(MarketEvent), end(Int64), skip, bad(String) }
            let outcome: Outcome?
            do {
                outcome = try file.reader.nextLine { line -> Outcome in
                    if line.isEmpty { return .skip }
                    switch file.format {
                    case .jsonl:
                        do {
                            switch try MarketJSONL.parse(line) {
                            case .header: return .skip
                            case .end(let t): return .end(t)
                            case .book(let e): return .book(e)
                            }
                        } catch let error as MarketJSONL.LineError { return .bad(error.message) } catch { return .bad("\(error)") }
                    case .tardis, .auto:
                        do { return .book(try TardisCSV.parse(line, kind: file.tardisKind!)) } catch let error as TardisCSV.RowError {
                            return .bad(error.message)
                        } catch { return .bad("\(error)") }
                    }
                }
            } catch {
                throw error as? MarketFileError ?? MarketFileError(path: file.reader.path, "\(error)")
            }
            guard let outcome else { return }
            switch outcome {
            case .skip:
                continue
            case .end(let t):
                file.endMarkNs = Swift.max(file.endMarkNs ?? .min, t)
            case .bad(let reason):
                bad(file, reason)
            case .book(let event):
                guard let market = names.index(event.venue, event.symbol) else {
                    if event.timeNs >= fromNs { counters?.skippedRows.add(1, ordering: .relaxed) }
                    continue
                }
                if event.timeNs < file.lastTimeNs {
                    bad(file, "time goes backwards (\(event.timeNs) ns after \(file.lastTimeNs) ns)")
                    continue
                }
                file.lastTimeNs = event.timeNs
                file.head = event
                file.headMarket = market
                file.headLine = file.reader.lineNumber
                heap.insert(Key(timeNs: event.timeNs, venue: event.venue == .upbit ? 1 : 0, symbol: event.symbol,
                                line: file.headLine, file: file.index))
                return
            }
        }
    }

    private func bad(_ file: File, _ reason: String) {
        counters?.badRows.add(1, ordering: .relaxed)
        file.badRows += 1
        if file.badRows <= Self.loggedBadRowsPerFile {
            logger.warning("replay: skipped bad row \(file.reader.path):\(file.reader.lineNumber): \(reason)")
        }
        if file.badRows == Self.loggedBadRowsPerFile {
            logger.warning("replay: \(file.reader.path) has more bad rows; they are counted (market_data.bad_rows), not logged")
        }
    }
}

extension ReplaySource {
    /// Routes joining the campaign: their rows are routed from the next row read in each file on.
    public mutating func addRoutes(_ members: [UniverseMember], nowNs: Int64) throws(ConfigError) {
        names.add(members.map(\.route))
    }
}
