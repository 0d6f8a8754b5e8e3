import ArbBench
import ArbEngine
import ArgumentParser

/// The `arbitrage` executable.
@main
struct Arbitrage: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "arbitrage",
        abstract: "Cross-exchange arbitrage campaigns (Upbit KRW vs Binance USDT) on a paper exchange.",
        version: BuildInfo.version,
        subcommands: [ServeCommand.self, RunCommand.self, SweepCommand.self, CompareCommand.self, BenchCommand.self, RecordCommand.self, DataCommand.self, ConfigCommand.self, OpenAPICommand.self]
    )
}
