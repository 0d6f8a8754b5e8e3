import ArbCore

/// Which markets a set of replay files holds, found before the campaign starts so that its universe can keep
/// only the routes with both books recorded.
public enum ReplayCatalog {
    /// Market keys (`upbit:KRW-BTC`) per file. A JSONL file with a header lists its markets there (otherwise
    /// the file is read through); a Tardis file holds one exchange and symbol, as Tardis downloads do, named
    /// by its first readable row.
    public static func markets(paths: [String], format: ReplaySource.Format) throws(MarketFileError) -> [Set<String>] {
        try paths.map { path throws(MarketFileError) in
            let format = try format.resolved(path: path)
            let reader = try LineReader(path: path)
            do {
                switch format {
                case .jsonl: return try jsonlMarkets(reader)
                case .tardis: return try tardisMarkets(reader)
                case .auto: preconditionFailure("resolved above")
                }
            } catch let error as MarketFileError {
                throw error
            } catch {
                throw MarketFileError(path: path, "\(error)")
            }
        }
    }

    static func jsonlMarkets(_ reader: LineReader) throws -> Set<String> {
        var markets = Set<String>()
        var first = true
        var looksLikeCSV = false
        while let line = try reader.nextLine({ line -> MarketJSONL.Line?? in
            if line.isEmpty { return .some(nil) }
            if first && line.starts(with: "exchange,symbol,".utf8) { looksLikeCSV = true }
            do throws(MarketJSONL.LineError) { return .some(try MarketJSONL.parse(line)) } catch where error.message.hasPrefix("unknown exchange") {
                // A venue the service does not know is the wrong file, not a bad row: refused, not skipped.
                throw MarketFileError(path: reader.path, "line \(reader.lineNumber): \(error.message)")
            } catch { return .some(nil) }
        }) {
            defer { first = false }
            if looksLikeCSV {
                throw MarketFileError(path: reader.path, "is a CSV file (header \"exchange,symbol,…\"); set market_data.replay.format: tardis")
            }
            switch line {
            case .header(let listed)? where first && !listed.isEmpty:
                return Set(listed.map { MarketEvent.key($0.venue, $0.symbol) })
            case .book(let e)?:
                markets.insert(e.marketKey)
            default:
                break
            }
        }
        return markets
    }

    static func tardisMarkets(_ reader: LineReader) throws -> Set<String> {
        guard let header = try reader.nextLine({ TardisCSV.kind(ofHeader: $0) }) else {
            throw MarketFileError(path: reader.path, "is empty")
        }
        guard let kind = header else {
            if try reader.lineNumber == 1 && isJSONL(reader.path) {
                throw MarketFileError(path: reader.path, "is JSONL, not Tardis CSV; set market_data.replay.format: jsonl")
            }
            throw MarketFileError(path: reader.path,
                                  "line 1 is not the header of a Tardis book_snapshot_5, book_snapshot_25 or quotes file")
        }
        while let row = try reader.nextLine({ line -> MarketEvent? in
            do throws(TardisCSV.RowError) { return try TardisCSV.parse(line, kind: kind) } catch where error.message.hasPrefix("unknown exchange") {
                throw MarketFileError(path: reader.path, "line \(reader.lineNumber): \(error.message)")
            } catch { return nil }
        }) {
            if let row { return [row.marketKey] }
        }
        return []
    }

    static func isJSONL(_ path: String) throws -> Bool {
        let reader = try LineReader(path: path)
        return try reader.nextLine { $0.first == 0x7b } ?? false
    }
}
