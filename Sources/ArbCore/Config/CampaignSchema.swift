/// The campaign config schema (SPEC §3.7). Key names are the contract.
public enum CampaignSchema {
    static let usd = SchemaType.number(min: 0, max: 1e9, exclusiveMin: true)
    static let seconds = SchemaType.number(min: 0, max: 31_536_000, exclusiveMin: false)

    static func exchangeLimits(_ name: String) -> SchemaField {
        .section(name, doc: "Limits of \(name == "upbit" ? "Upbit" : "Binance") in the exchange tier.", [
            SchemaField("max_exposure_usd", usd, default: 10_000,
                        doc: "Most USD notional of open pairs' legs on this exchange."),
            SchemaField("max_orders_per_second", .integer(min: 1, max: 100_000), default: 50,
                        doc: "Most orders sent to this exchange in any one second of the campaign clock (entries are refused past it; exits are not)."),
        ])
    }

    static func balances(_ name: String) -> SchemaField {
        SchemaField(name, .map(key: .asset, value: .number(min: 0, max: 1e10, exclusiveMin: false), maxEntries: 5_000),
                    default: .object([:]),
                    doc: "Initial \(name == "upbit" ? "Upbit" : "Binance") balances per asset, overriding the defaults for the assets named.")
    }

    /// Every registered venue's name, in registry order.
    static let venueNames = Venue.allCases.map(\.rawValue)
    /// Every ordered pair of two venues: `upbit-binance`, `bithumb-okx`, ….
    static let pairNames = Venue.allCases.flatMap { a in Venue.allCases.filter { $0 != a }.map { "\(a.rawValue)-\($0.rawValue)" } }

    /// One venue's settings under `venue_config`; null keys fall back to the seed's keys (Upbit, Binance) or the
    /// registry's defaults.
    static func venueSettings(_ venue: Venue) -> SchemaField {
        let legacy = venue == .upbit || venue == .binance
        let fallback = legacy ? " null = `fees.\(venue.rawValue)_taker_bps`." : " null = \(SchemaType.format(venue.info.takerBps))."
        func exchange(_ key: String, _ standard: String) -> String {
            legacy ? "`multi_symbol_risk_guard.exchange.\(venue.rawValue).\(key)`" : standard
        }
        return .section(venue.rawValue, doc: "\(venue.info.name) (\(venue.info.quote) quote).", [
            SchemaField("taker_bps", .number(min: 0, max: 1_000, exclusiveMin: false), nullable: true,
                        doc: "Taker fee in bps." + fallback),
            SchemaField("latency_ms", .number(min: 0, max: 60_000, exclusiveMin: false), nullable: true,
                        doc: "Simulated order latency." + (legacy ? " null = `paper.latency_ms.\(venue.rawValue)`." : " null = 0.")),
            SchemaField("max_exposure_usd", usd, nullable: true,
                        doc: "Exchange tier: most USD notional of open pairs' legs on this venue. null = " + exchange("max_exposure_usd", "10000") + "."),
            SchemaField("max_orders_per_second", .integer(min: 1, max: 100_000), nullable: true,
                        doc: "Exchange tier: most orders sent to this venue in any one second. null = " + exchange("max_orders_per_second", "50") + "."),
            SchemaField("initial_balances", .map(key: .asset, value: .number(min: 0, max: 1e10, exclusiveMin: false), maxEntries: 5_000),
                        default: .object([:]),
                        doc: "Initial balances per asset, overriding the defaults (and `paper.initial_balances`) for the assets named."),
            SchemaField("ws_url", .string(maxLength: 2_048), nullable: true,
                        doc: "Public websocket of the live feed. null = " + (legacy ? "`market_data.live.\(venue.rawValue)_ws_url`." : "`\(venue.info.wsURL)`.")),
            SchemaField("rest_url", .string(maxLength: 2_048), nullable: true,
                        doc: "REST base of the live listing. null = " + (legacy ? "`market_data.live.\(venue.rawValue)_rest_url`." : "`\(venue.info.restURL)`.")),
            SchemaField("feed", .enumeration(venue.info.feedOptions), nullable: true,
                        doc: feedDoc[venue.rawValue, default: ""]),
        ])
    }

    /// What each venue's `feed` chooses.
    static let feedDoc: [String: String] = [
        "upbit": "Levels of Upbit's orderbook per message (the `.N` code suffix). null = `market_data.live.upbit_depth`.",
        "binance": "Binance stream per symbol: partial depth every 100 ms, or the best bid and ask as they change. null = `market_data.live.binance_stream`.",
        "bithumb": "Bithumb's message format (`SIMPLE` or `DEFAULT`); every message is the top 15 levels. null = `SIMPLE`.",
        "okx": "OKX channel: `books5` (top 5, a full book every 100 ms), `bbo-tbt` (best level as it changes), `books` (400 levels, a snapshot then updates chained by seqId; a break resubscribes). null = `books5`.",
        "bybit": "Levels of Bybit's `orderbook.N` topic (a snapshot then deltas counted by `u`; a gap resubscribes; the engine reads the top 20). null = `50`.",
    ]

    /// Rules between fields of one section, as JSON Schema `if`/`then` (the validator checks the same rules in
    /// `CampaignConfig`). What JSON Schema cannot say (whitelisted symbols must be listed on both exchanges, a
    /// universe file must exist and parse, the work budget) is only checked by the service.
    public static let conditions: [String: [JSONValue]] = [
        "universe": [
            ["if": ["properties": ["mode": ["const": "FIXED_LIST"]], "required": ["mode"]],
             "then": ["properties": ["whitelist": ["minItems": 1]], "required": ["whitelist"]]],
            ["if": ["properties": ["source": ["const": "file"]], "required": ["source"]],
             "then": ["properties": ["file": ["type": "string"]], "required": ["file"]]],
        ],
        "market_data": [
            ["if": ["properties": ["source": ["const": "replay"]], "required": ["source"]],
             "then": ["properties": ["replay": ["properties": ["files": ["minItems": 1]], "required": ["files"]]],
                      "required": ["replay"]]],
        ],
        "engine": [
            ["if": ["properties": ["mode": ["const": "multi"]], "required": ["mode"]],
             "then": ["properties": ["multi_symbol_enabled": ["const": true]], "required": ["multi_symbol_enabled"]]],
        ],
    ]

    /// The root of the schema.
    public static let root: [SchemaField] = [
        SchemaField("name", .string(maxLength: 200), nullable: true, doc: "Campaign name shown in lists."),
        SchemaField("env", .string(maxLength: 64), default: "development", doc: "Informational label (kept from the seed configs)."),
        SchemaField("venues", .array(.enumeration(venueNames), maxItems: venueNames.count), default: ["upbit", "binance"],
                    doc: "The venues the campaign trades on (each gets an account; each KRW venue's fx comes from its own `KRW-USDT` book). See docs/venues.md."),
        .section("routes", doc: "Which venue pairs carry routes.", [
            SchemaField("pairs", .array(.enumeration(pairNames), maxItems: pairNames.count), nullable: true,
                        doc: "Ordered pairs `a-b` (leg A on `a`, leg B on `b`), both venues in `venues`. null = every KRW venue × every USDT venue of `venues`, the KRW venue as A; pairs of one quote (`upbit-bithumb`, `binance-okx`) only when named. A route's key is its symbol, with `@a-b` unless the pair is `upbit-binance`."),
        ]),
        .section("venue_config", doc: "Per-venue settings; a null key falls back to the seed's key for Upbit and Binance, or the venue's default.",
                 Venue.allCases.map(venueSettings)),
        .section("universe", doc: "Which routes the campaign trades.", [
            SchemaField("mode", .enumeration(["TOP_N", "FIXED_LIST"]), default: "TOP_N",
                        doc: "`TOP_N`: the highest 24h quote volume routes listed on both exchanges. `FIXED_LIST`: the `whitelist`, in order."),
            SchemaField("top_n", .integer(min: 1, max: 5_000), default: 10,
                        doc: "How many assets `TOP_N` keeps, ranked by 24 h USDT volume summed over the campaign's USDT venues; each gets a route on every pair that lists it."),
            SchemaField("max_routes_per_symbol", .integer(min: 1, max: 20), nullable: true,
                        doc: "Most routes per asset: the pairs with the most USDT volume for it are kept. null = every pair that lists it."),
            SchemaField("base_quote", .enumeration(["USDT"]), default: "USDT", doc: "Quote asset of the Binance symbols."),
            SchemaField("whitelist", .array(.symbol, maxItems: 5_000), default: [], doc: "Routes of `FIXED_LIST`, in order."),
            SchemaField("blacklist", .array(.symbol, maxItems: 5_000), default: [], doc: "Routes never traded."),
            SchemaField("exclude_stablecoins", .bool, default: true,
                        doc: "Leave out stablecoin routes (USDCUSDT, FDUSDUSDT, …) whatever the blacklist says."),
            SchemaField("source", .enumeration(["synthetic", "file", "live"]), default: "synthetic",
                        doc: "Where the listing comes from: the embedded synthetic listing, `file`, or `live`: the exchanges' REST APIs at `market_data.live.*_rest_url` (Binance 24 h quote volume and trading rules, Upbit's KRW markets)."),
            SchemaField("file", .string(maxLength: 4_096), nullable: true,
                        doc: "Universe file (JSON, see docs/universe.md) when `source: file`."),
            SchemaField("refresh_seconds", .number(min: 0, max: 86_400, exclusiveMin: false), default: 0,
                        doc: "Re-resolves the universe every this many seconds of the campaign clock (0 = never): the file is read again, the live listing fetched again (the synthetic listing never changes). Routes that leave take no more entries and unwind their open pair; routes that join start with inventory worth `max_position_size_usd` on each exchange at the listing's reference price, counted as initial balance. A campaign has room for 4 × its starting routes + 16."),
        ]),
        .section("engine", doc: "How routes are run.", [
            SchemaField("mode", .enumeration(["single", "multi"]), default: "single",
                        doc: "`single` runs the first route of the resolved universe; `multi` runs them all."),
            SchemaField("multi_symbol_enabled", .bool, default: false, doc: "Must be true for `mode: multi`."),
            SchemaField("per_symbol_isolation", .bool, default: true,
                        doc: "A failing route stops alone and is listed in `failed_routes`; false stops the campaign as `failed`."),
        ]),
        .section("multi_symbol_risk_guard", doc: "Limits of the risk tiers (global, portfolio, symbol, route, data, exchange). A symbol is an asset across all its routes; on the seed's pair each asset has one route.", [
            SchemaField("max_total_exposure_usd", usd, default: 10_000, doc: "Global: most USD notional of one leg summed over open pairs."),
            SchemaField("max_daily_loss_usd", usd, default: 1_000,
                        doc: "Global: realized plus unrealized loss in one UTC day of the campaign clock; reaching it stops entries for the rest of the day."),
            SchemaField("emergency_stop_loss_usd", usd, default: 2_000,
                        doc: "Global: loss over the whole campaign that unwinds everything and stops it with `stop_reason: emergency_stop`."),
            SchemaField("total_capital_usd", .number(min: 0, max: 1e7, exclusiveMin: true), default: 10_000,
                        doc: "Portfolio: committed allocations never add up to more than this. Also sizes the default paper balances."),
            SchemaField("max_symbol_allocation_pct", .number(min: 0, max: 1, exclusiveMin: true), default: 0.30,
                        doc: "Portfolio: each symbol's cap (all its routes together) as a fraction of `total_capital_usd` (0.30 = 30 %)."),
            SchemaField("max_position_size_usd", .number(min: 0, max: 1e6, exclusiveMin: true), default: 1_000,
                        doc: "Symbol: most USD notional an asset holds across its routes. Also sizes the default base inventory."),
            SchemaField("max_position_count", .integer(min: 1, max: 100), default: 1,
                        doc: "Symbol: pairs open at once on a route (one open pair per route, so above 1 changes nothing)."),
            SchemaField("cooldown_seconds", seconds, default: 30,
                        doc: "Symbol: no entry on any route of an asset for this long after one of them closes."),
            SchemaField("circuit_breaker_consecutive_losses", .integer(min: 1, max: 1_000), default: 3,
                        doc: "Symbol: this many losing round trips in a row, over the asset's routes, halt its entries."),
            SchemaField("circuit_breaker_halt_seconds", seconds, default: 300, doc: "Symbol: how long the circuit breaker halts entries."),
            .section("route", doc: "Route tier: one route of an asset, within its symbol's limits.", [
                SchemaField("max_position_size_usd", .number(min: 0, max: 1e6, exclusiveMin: true), nullable: true,
                            doc: "Most USD notional one route holds. null = only the symbol's `max_position_size_usd`."),
                SchemaField("cooldown_seconds", seconds, default: 0, doc: "No entry on a route for this long after one of its own closes."),
                SchemaField("circuit_breaker_consecutive_losses", .integer(min: 1, max: 1_000), nullable: true,
                            doc: "This many losing round trips in a row on one route halt that route. null = no route breaker."),
                SchemaField("circuit_breaker_halt_seconds", seconds, default: 300, doc: "How long the route breaker halts the route."),
            ]),
            SchemaField("fx_band_pct", .number(min: 0, max: 1, exclusiveMin: true), default: 0.02,
                        doc: "Data: entries and exits wait while fx is further than this fraction from the median of its recent values."),
            .section("exchange", doc: "Exchange tier limits.", [exchangeLimits("upbit"), exchangeLimits("binance")]),
        ]),
        .section("session", doc: "How long and on which clock the campaign runs.", [
            SchemaField("mode", .enumeration(["paper"]), default: "paper", doc: "Only paper trading exists."),
            SchemaField("clock", .enumeration(["realtime", "simulated"]), default: "realtime",
                        doc: "`realtime`: wall clock, one task per route. `simulated`: virtual clock, one ordered event loop, deterministic."),
            SchemaField("max_runtime_seconds", .number(min: 0, max: 31_536_000, exclusiveMin: true), default: 60,
                        doc: "Campaign length on its own clock; honoured within one loop interval."),
            SchemaField("loop_interval_ms", .number(min: 0, max: 3_600_000, exclusiveMin: false), default: 0,
                        doc: "> 0: each route evaluates once per tick of this interval. 0: on every new snapshot of either leg."),
            SchemaField("max_iterations", .integer(min: 1, max: 1_000_000_000_000), nullable: true,
                        doc: "Evaluations per route; a route that reaches it stops. null = no limit."),
            SchemaField("start_time", .timestamp, default: "2026-01-01T00:00:00Z",
                        doc: "Where the simulated clock starts."),
            SchemaField("flatten_on_stop", .bool, default: true, doc: "Unwind open pairs when the campaign ends or is stopped."),
            SchemaField("checkpoint_seconds", .number(min: 0.1, max: 86_400, exclusiveMin: false), default: 5,
                        doc: "Checkpoint interval on the campaign clock; the service commits a campaign's records with each checkpoint, so trades are listed within one interval (docs/persistence.md)."),
        ]),
        .section("market_data", doc: "Where books come from.", [
            SchemaField("source", .enumeration(["synthetic", "replay", "live"]), default: "synthetic",
                        doc: "`synthetic`: the embedded deterministic market. `replay`: recorded books from `replay.files`. `live`: the exchanges' websocket feeds (realtime clock only). See docs/market-data.md."),
            SchemaField("seed", .integer(min: 0, max: 9_007_199_254_740_991), default: 1,
                        doc: "Seed of the synthetic market: the same seed gives the same prices."),
            SchemaField("updates_per_second", .number(min: 0.001, max: 1_000, exclusiveMin: false), default: 10,
                        doc: "Synthetic book updates per second per market (each exchange × symbol, and KRW-USDT), jittered; at least one every 1,000 s."),
            SchemaField("symbol_count", .integer(min: 0, max: 5_000), default: 0,
                        doc: "Listed symbols in the synthetic listing: generated ones are added after the realistic listing up to this count. 0 = the realistic listing only."),
            SchemaField("max_data_age_ms", .number(min: 0, max: 3_600_000, exclusiveMin: true), nullable: true,
                        doc: "A leg or fx older than this is stale. null = 3 × the slowest expected update interval (synthetic: 3 × 1.5 / updates_per_second s; replay: 3 s)."),
            .section("replay", doc: "Recorded market data (`source: replay`); see docs/market-data.md.", [
                SchemaField("files", .array(.string(maxLength: 1_024), maxItems: 500), default: [],
                            doc: "Files to replay, merged by time; plain or gzip; or one market-data cache alone (`arbitrage data import`). Each route needs both its books in them, and fx a `KRW-USDT` book unless `fx.source: fixed`."),
                SchemaField("format", .enumeration(["jsonl", "tardis", "auto"]), default: "jsonl",
                            doc: "`jsonl`: this project's format (what `arbitrage record` writes). `tardis`: Tardis.dev CSV (`book_snapshot_5`, `book_snapshot_25`, `quotes`; exchange ids `upbit`, `binance`, `okex`, `bybit-spot`). `auto`: each file by its first line, so JSONL and Tardis files mix in one campaign."),
                SchemaField("speed", .number(min: 0, max: 1_000_000, exclusiveMin: false), default: 1,
                            doc: "Realtime clock: market time per second of wall time (1 = as recorded, 10 = ten times faster). 0 = as fast as possible, which is the simulated clock."),
                SchemaField("from", .timestamp, nullable: true,
                            doc: "Books received before this time are passed over: the campaign starts at the first instant every market has a book at or after it (a window of a long recording). null = from the first book."),
                SchemaField("instruments", .string(maxLength: 4_096), nullable: true,
                            doc: "A universe file (docs/universe.md) for markets the listing does not know: its assets join the listing, and the venues' rules it gives replace the listing's."),
            ]),
            .section("live", doc: "Live feeds (`source: live`): one hub per service, shared by its campaigns; see docs/market-data.md.", [
                SchemaField("binance_ws_url", .string(maxLength: 2_048), default: "wss://stream.binance.com:9443",
                            doc: "Binance websocket base; combined streams are opened at `/stream`."),
                SchemaField("upbit_ws_url", .string(maxLength: 2_048), default: "wss://api.upbit.com/websocket/v1",
                            doc: "Upbit quotation websocket."),
                SchemaField("binance_rest_url", .string(maxLength: 2_048), default: "https://api.binance.com",
                            doc: "Binance REST base (24h tickers, exchange info)."),
                SchemaField("upbit_rest_url", .string(maxLength: 2_048), default: "https://api.upbit.com",
                            doc: "Upbit REST base (market list)."),
                SchemaField("max_streams_per_connection", .integer(min: 1, max: 1_024), default: 50,
                            doc: "Symbols per websocket connection; more symbols open more connections (Binance allows 1,024 streams a connection)."),
                SchemaField("binance_stream", .enumeration(["depth20@100ms", "depth10@100ms", "depth5@100ms", "bookTicker"]),
                            default: "depth20@100ms", doc: "Binance stream per symbol: partial depth every 100 ms, or the best bid and ask as they change."),
                SchemaField("upbit_depth", .enumeration(["1", "5", "15", "30"]), default: "15",
                            doc: "Levels of Upbit's orderbook per message (the `.N` code suffix)."),
                SchemaField("upbit_format", .enumeration(["SIMPLE", "DEFAULT"]), default: "SIMPLE", doc: "Upbit message format."),
                SchemaField("silence_seconds", .number(min: 0.1, max: 3_600, exclusiveMin: false), default: 15,
                            doc: "A connection that brings nothing for this long is closed and opened again (the watchdog)."),
                SchemaField("reconnect_min_seconds", .number(min: 0.01, max: 600, exclusiveMin: false), default: 0.5,
                            doc: "First reconnect delay; doubles per failed attempt up to `reconnect_max_seconds`, with ±20 % jitter."),
                SchemaField("reconnect_max_seconds", .number(min: 0.01, max: 3_600, exclusiveMin: false), default: 30,
                            doc: "Longest reconnect delay."),
                SchemaField("connection_max_age_seconds", .number(min: 1, max: 86_400, exclusiveMin: false), default: 84_600,
                            doc: "A connection older than this is replaced by a new one, which takes over before the old one closes (Binance ends connections at 24 h)."),
            ]),
            .section("fx", doc: "KRW per USDT.", [
                SchemaField("source", .enumeration(["book", "fixed"]), default: "book",
                            doc: "`book`: the mid of Upbit's KRW-USDT book. `fixed`: `krw_per_usdt`."),
                SchemaField("krw_per_usdt", .number(min: 100, max: 10_000, exclusiveMin: false), default: 1_400,
                            doc: "The fixed rate, and the synthetic market's starting rate."),
            ]),
        ]),
        .section("strategy", doc: "When and how much to trade.", [
            SchemaField("entry_threshold_bps", .number(min: -10_000, max: 10_000, exclusiveMin: false), default: 30,
                        doc: "Enter when the net edge at size (after both taker fees) is at least this."),
            SchemaField("exit_threshold_bps", .number(min: -10_000, max: 10_000, exclusiveMin: false), default: 0,
                        doc: "Unwind when the unwind edge at size, gross of fees, is at most this."),
            SchemaField("max_hold_seconds", .number(min: 0, max: 31_536_000, exclusiveMin: true), default: 600,
                        doc: "Unwind a pair held this long whatever its edge."),
            SchemaField("order_notional_usd", .number(min: 0, max: 1e6, exclusiveMin: true), default: 200,
                        doc: "Wanted USD notional of one leg per entry (before the limits and depth shrink it)."),
            SchemaField("max_slippage_bps", .number(min: 0, max: 10_000, exclusiveMin: false), default: 10,
                        doc: "Most edge lost to walking the books; each leg may walk at most half of it from its best price."),
            SchemaField("exit_by_transfer", .bool, default: false,
                        doc: "Close a pair whose premium has not reverted after `transfer_after_seconds` by moving its inventory back instead of trading back: the coin to the venue that sold it, the quote cash through the KRW venue's `KRW-USDT` book and a USDT transfer. Its PnL is booked when the transfers arrive; refused transfers leave the pair to its other exits (docs/transfers.md)."),
            SchemaField("transfer_after_seconds", .number(min: 0, max: 31_536_000, exclusiveMin: false), default: 300,
                        doc: "How long a pair waits for its premium to revert before it is closed by transfer."),
        ]),
        .section("fees", doc: "Taker fees.", [
            SchemaField("upbit_taker_bps", .number(min: 0, max: 1_000, exclusiveMin: false), default: 5, doc: "Upbit taker fee."),
            SchemaField("binance_taker_bps", .number(min: 0, max: 1_000, exclusiveMin: false), default: 10, doc: "Binance taker fee."),
        ]),
        .section("paper", doc: "The paper exchange.", [
            .section("initial_balances", doc: "Balances overriding the defaults: quote cash worth `total_capital_usd / 2` per exchange, and per route base inventory worth `max_position_size_usd` on each exchange.", [
                balances("upbit"), balances("binance"),
            ]),
            .section("latency_ms", doc: "Simulated order latency: each leg fills against the book its venue shows this long after the decision (0 = against the decision's own snapshots).", [
                SchemaField("upbit", .number(min: 0, max: 60_000, exclusiveMin: false), default: 0, doc: "Upbit order latency."),
                SchemaField("binance", .number(min: 0, max: 60_000, exclusiveMin: false), default: 0, doc: "Binance order latency."),
            ]),
        ]),
        transfers,
        rebalance,
    ]
}
