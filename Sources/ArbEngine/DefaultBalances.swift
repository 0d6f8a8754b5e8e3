import ArbCore

/// Initial paper balances (SPEC §2): each exchange gets quote cash worth `total_capital_usd / 2` (KRW at the
/// first fx), and per route base inventory worth `max_position_size_usd` on each exchange at the first mid;
/// `paper.initial_balances` overrides any asset it names.
public enum DefaultBalances {
    public static func make(routes: [Route], store: SnapshotStore, layout: MarketLayout, fx: Double,
                            limits: RiskLimits, overrides: [Venue: [String: Fixed]]) -> PaperExchange {
        var upbit: [String: Fixed] = ["KRW": Fixed(limits.totalCapitalUSD / 2 * fx, rounding: .down)]
        var binance: [String: Fixed] = ["USDT": Fixed(limits.totalCapitalUSD / 2, rounding: .down)]
        for route in routes {
            let a = store.read(layout.market(route: route.index, venue: .upbit))
            let b = store.read(layout.market(route: route.index, venue: .binance))
            if !a.isEmpty {
                upbit[route.base] = Fixed(limits.maxPositionSizeUSD / (a.mid / fx), rounding: .down)
                    .rounded(toMultipleOf: route.upbit.step, .down)
            }
            if !b.isEmpty {
                binance[route.base] = Fixed(limits.maxPositionSizeUSD / b.mid, rounding: .down)
                    .rounded(toMultipleOf: route.binance.step, .down)
            }
        }
        for (asset, amount) in overrides[.upbit] ?? [:] { upbit[asset] = amount }
        for (asset, amount) in overrides[.binance] ?? [:] { binance[asset] = amount }
        return PaperExchange(upbit: upbit, binance: binance)
    }
}
