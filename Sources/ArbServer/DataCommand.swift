import ArbCore
import ArbMarketData
import ArgumentParser
import Foundation
import Logging

/// `arbitrage data`: the market-data cache.
struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "Convert recordings into the market-data cache and check cache files (docs/market-data.md).",
        subcommands: [Import.self, Verify.self]
    )

    /// `arbitrage data import IN... --out FILE`.
    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract: "Convert JSONL and Tardis CSV recordings (plain or gzip, merged by time) into one market-data cache file.",
            discussion: "Every book of every market in the files is kept exactly (at most 20 levels a side, as replay reads them), in the order replaying the files plays them, with their end mark."
        )

        @Argument(help: "Recordings to convert.")
        var inputs: [String]

        @Option(name: .shortAndLong, help: "The cache file to write (replaced whole once written).")
        var out: String

        @Option(help: "jsonl, tardis, or auto (each file by its first line).")
        var format: String = "auto"

        @OptionGroup var logging: LoggingOptions

        func run() throws {
            logging.bootstrap()
            guard let parsed = ["jsonl": ReplaySource.Format.jsonl, "tardis": .tardis, "auto": .auto][format] else {
                throw ValidationError("--format must be jsonl, tardis or auto")
            }
            do {
                let s = try MarketCacheImport.run(paths: inputs, format: parsed, out: out, logger: Logger(label: "arbitrage.data"))
                print("\(out): \(s.rows) books of \(s.markets) markets, \(s.bytes) bytes" + (s.badRows > 0 ? ", \(s.badRows) unreadable rows skipped" : ""))
            } catch {
                FileHandle.standardError.write(Data("data import: \(error)\n".utf8))
                throw ExitCode(2)
            }
        }
    }

    /// `arbitrage data verify FILE...`.
    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "verify", abstract: "Check cache files whole: header, markets, index and every block of rows.")

        @Argument(help: "Cache files.")
        var files: [String]

        func run() throws {
            var failed = false
            for file in files {
                do {
                    let reader = try MarketCacheReader(path: file)
                    try reader.verify()
                    print("\(file): ok, \(reader.rowCount) books of \(reader.markets.count) markets in \(reader.blocks.count) blocks")
                } catch {
                    FileHandle.standardError.write(Data("\(error)\n".utf8))
                    failed = true
                }
            }
            if failed { throw ExitCode(2) }
        }
    }
}
