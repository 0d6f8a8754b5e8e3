import ArbCore

/// Initial paper balances (SPEC §2): each of the campaign's venues gets quote cash worth `total_capital_usd / 2`
/// (KRW at its own first fx), and per route base inventory worth `max_position_size_usd` on each leg's venue at the
/// first mid (at the listing's reference price for a live market that has sent no book yet);
/// `paper.initial_balances` overrides any asset it names.
public enum DefaultBalances {
    public static func make(venues: [Venue], routes: [Route], store: SnapshotStore, map: MarketMap, fx: PerVenue<Double>,
                            limits: RiskLimits, overrides: [Venue: [String: Fixed]],
                            referencePricesUSD: [String: Double] = [:]) -> PaperExchange {
        var balances = PerVenue<[String: Fixed]>(repeating: [:])
        for venue in venues {
            let usd = limits.totalCapitalUSD / 2
            balances[venue][venue.quoteAsset] = Fixed(venue.isKRW ? usd * fx[venue] : usd, rounding: .down)
        }
        for route in routes {
            for leg in Leg.allCases {
                let venue = route.venues[leg]
                let book = store.read(map.routes[route.index][leg])
                let midUSD: Double
                if !book.isEmpty {
                    midUSD = venue.isKRW ? book.mid / fx[route.fxVenue ?? venue] : book.mid
                } else if let price = referencePricesUSD[route.base], price > 0, balances[venue][route.base] == nil {
                    midUSD = price
                } else {
                    continue
                }
                balances[venue][route.base] = Fixed(limits.maxPositionSizeUSD / midUSD, rounding: .down)
                    .rounded(toMultipleOf: route.instruments[leg].step, .down)
            }
        }
        for venue in venues {
            for (asset, amount) in overrides[venue] ?? [:] { balances[venue][asset] = amount }
        }
        return PaperExchange(balances: balances)
    }
}
