/// `transfers` and `rebalance`: how inventory moves between venues (SPEC §9, docs/transfers.md).
extension CampaignSchema {
    static let fraction = SchemaType.number(min: 0, max: 1, exclusiveMin: false)
    static let hours = SchemaType.number(min: 0, max: 8_760, exclusiveMin: false)
    static let minutes = SchemaType.number(min: 0.001, max: 100_000, exclusiveMin: false)

    /// One venue's withdrawal fee in an override.
    static let venueFees: [SchemaField] = Venue.allCases.map {
        SchemaField($0.rawValue, .number(min: 0, max: 1e9, exclusiveMin: false), nullable: true,
                    doc: "\($0.info.name)'s withdrawal fee, in the asset. null = `fee`, else the table's.")
    }

    static let networkOverride = SchemaType.object([
        SchemaField("network", .string(maxLength: 32), nullable: true,
                    doc: "The network overridden or added. null = the asset's cheapest network in the table (`default` for an asset the table lacks)."),
        SchemaField("fee", .number(min: 0, max: 1e9, exclusiveMin: false), nullable: true,
                    doc: "Withdrawal fee on every venue, in the asset. null = the table's."),
        .section("fees", doc: "Withdrawal fee per sending venue, over `fee`.", venueFees),
        SchemaField("minimum", .number(min: 0, max: 1e9, exclusiveMin: false), nullable: true,
                    doc: "Smallest amount sent. null = the table's."),
        SchemaField("decimals", .integer(min: 0, max: 8), nullable: true, doc: "Precision of amounts. null = the table's, else 8."),
        SchemaField("median_minutes", minutes, nullable: true, doc: "Median transfer time. null = the table's, else 10."),
        SchemaField("p95_minutes", minutes, nullable: true, doc: "95th percentile of the transfer time. null = the table's, else 45."),
    ])

    static let suspensionEntry = SchemaType.object([
        SchemaField("venue", .enumeration(venueNames), doc: "The venue whose wallet is suspended."),
        SchemaField("asset", .string(maxLength: 20), nullable: true, doc: "The asset. null = every asset (a venue-wide halt)."),
        SchemaField("network", .string(maxLength: 32), nullable: true, doc: "The network. null = all of the asset's."),
        SchemaField("direction", .enumeration(WalletSuspension.Direction.allCases.map(\.rawValue)), default: "both",
                    doc: "`withdraw`: nothing leaves. `deposit`: nothing is credited (transfers on the way wait). `both`."),
        SchemaField("from", .timestamp, doc: "Start, on the campaign clock."),
        SchemaField("until", .timestamp, doc: "End; transfers waiting for it are credited then."),
    ])

    static let transfers = SchemaField.section("transfers", doc: "How coins and cash move between venues: networks, rules, suspensions (docs/transfers.md). KRW never moves.", [
        SchemaField("allow", .array(.enumeration(pairNames), maxItems: pairNames.count), nullable: true,
                    doc: "Withdrawals allowed, as `from-to` venue pairs. null = every pair but `upbit` to a foreign venue (Upbit has not sent to them since the travel rule of 2022-03) and `bithumb-okx`."),
        SchemaField("seed", .integer(min: 0, max: 9_007_199_254_740_991), nullable: true,
                    doc: "Seed of transfer times, reviews, failures and drawn suspensions. null = `market_data.seed`."),
        SchemaField("networks", .map(key: .asset, value: networkOverride, maxEntries: 500), default: .object([:]),
                    doc: "Per asset, one network overridden or added over the embedded table (docs/transfers.md). An asset the table lacks moves on a generic network: a fee worth 1 USD, a minimum worth 10 USD, 10 minutes median, 45 at p95."),
        SchemaField("review_probability", fraction, default: 0.02, doc: "Chance a transfer is held for a manual review."),
        SchemaField("review_min_hours", hours, default: 1, doc: "Shortest review (uniform between the two)."),
        SchemaField("review_max_hours", hours, default: 6, doc: "Longest review."),
        SchemaField("failure_probability", fraction, default: 0.003, doc: "Chance a transfer fails; it comes back to the source after `return_hours` (the fee is lost)."),
        SchemaField("return_hours", hours, default: 24, doc: "How long a failed transfer takes to come back."),
        SchemaField("travel_rule_minutes", .number(min: 0, max: 10_000, exclusiveMin: false), default: 15,
                    doc: "A deposit to a KRW venue worth at least `travel_rule_threshold_krw` waits up to this long (uniform) for the travel-rule check."),
        SchemaField("travel_rule_threshold_krw", .number(min: 0, max: 1e12, exclusiveMin: false), default: 1_000_000,
                    doc: "Deposits to a KRW venue from this value on are checked."),
        .section("suspensions", doc: "Wallet suspensions per (venue, asset, network, direction).", [
            SchemaField("process", .enumeration(["seeded", "off"]), default: "seeded",
                        doc: "`seeded`: drawn per wallet from the seed (working an exponential time, then suspended a lognormal time; a venue-wide incident on KRW venues). `off`: only `schedule`."),
            SchemaField("mean_up_days", .number(min: 0.001, max: 36_500, exclusiveMin: false), default: 45,
                        doc: "Mean time a wallet works between two suspensions."),
            SchemaField("down_median_hours", .number(min: 0.01, max: 8_760, exclusiveMin: false), default: 3,
                        doc: "Median length of a suspension."),
            SchemaField("down_p95_hours", .number(min: 0.01, max: 8_760, exclusiveMin: false), default: 48,
                        doc: "95th percentile of its length."),
            SchemaField("incidents_per_year", .number(min: 0, max: 365, exclusiveMin: false), default: 1,
                        doc: "Venue-wide halts of every wallet per KRW venue and year, each 2 to 14 days."),
            SchemaField("schedule", .array(suspensionEntry, maxItems: 1_000), default: [],
                        doc: "Suspensions at set times (a listed event, a test scenario), on top of the drawn ones."),
        ]),
    ])

    static let rebalance = SchemaField.section("rebalance", doc: "Moving inventory back toward a target share per venue (docs/transfers.md).", [
        SchemaField("policy", .enumeration(["off", "band"]), default: "off",
                    doc: "`off`: inventory moves only by closes by transfer and operators. `band`: for each asset and each pair of venues its routes trade it on, when a venue's share leaves the band, or a side holds less than `low_orders` orders, move it toward `target` (coins, and USDT between USDT venues; KRW never moves)."),
        SchemaField("band_low", fraction, default: 0.25, doc: "Lower edge of a venue's share of an asset between two venues (what is in transit to it counted)."),
        SchemaField("band_high", fraction, default: 0.75, doc: "Upper edge."),
        SchemaField("target", fraction, default: 0.5, doc: "Share a rebalance moves the poorer venue to."),
        SchemaField("low_orders", .number(min: 0, max: 1_000, exclusiveMin: false), default: 2,
                    doc: "A side holding less than this many orders of `strategy.order_notional_usd` is refilled."),
        SchemaField("max_fee_pct", .number(min: 0, max: 1, exclusiveMin: true), default: 0.001,
                    doc: "A transfer's fee stays under this fraction of its amount (the amount is made larger, or nothing is sent)."),
        SchemaField("max_in_transit_pct", .number(min: 0, max: 1, exclusiveMin: true), default: 0.3,
                    doc: "Capital in transit (valued at request) never exceeds this fraction of `total_capital_usd`."),
        SchemaField("check_seconds", .number(min: 1, max: 86_400, exclusiveMin: false), default: 60,
                    doc: "How often the rebalancer looks, on the campaign clock."),
    ])
}
