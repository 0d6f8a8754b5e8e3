import ArbCore

/// Trades as CSV (`Accept: text/csv`): one row per round trip, money as exact decimals.
enum TradeCSV {
    static let columns = [
        "id", "symbol", "direction", "status", "quantity", "entry_time", "exit_time", "exit_reason", "hold_seconds",
        "entry_gross_edge_bps", "entry_net_edge_bps", "entry_slippage_bps", "exit_edge_bps", "fees_usd",
        "realized_pnl_usd", "committed_usd", "entry_upbit_sequence", "entry_binance_sequence", "entry_fx",
    ]

    static func render(_ trades: [TradeRecord]) -> String {
        var out = columns.joined(separator: ",") + "\n"
        for t in trades {
            let row: [String] = [
                t.id, t.route, t.direction.rawValue, t.status.rawValue, t.quantity.description,
                UTCTime.format(t.entry.timeNs), t.exit.map { UTCTime.format($0.timeNs) } ?? "", t.exitReason ?? "",
                t.holdSeconds.map { "\($0)" } ?? "", "\(t.entry.grossEdgeBps)", "\(t.entry.netEdgeBps)",
                "\(t.entry.slippageBps)", t.exit.map { "\($0.grossEdgeBps)" } ?? "", t.feesUSD.description,
                t.realizedPnlUSD?.description ?? "", t.committedUSD.description, "\(t.entry.upbitSequence)",
                "\(t.entry.binanceSequence)", t.entry.fx.description,
            ]
            out += row.joined(separator: ",") + "\n"
        }
        return out
    }
}
