#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// One network an asset moves on between venues: what the sending venue charges (in the asset), the smallest
/// withdrawal, the precision amounts are cut to, and how long the network takes (a lognormal given by its median
/// and 95th percentile). Amounts round down to `decimals`; fees are charged on top of the amount sent.
public struct TransferNetwork: Sendable, Codable, Equatable {
    public var asset: String
    /// `TRC20`, `ERC20`, `BTC`, …
    public var name: String
    /// The withdrawal fee each venue charges, in the asset.
    public var fees: PerVenue<Fixed>
    public var minimum: Fixed
    /// Decimal places an amount may have (at most 8, the ledger's).
    public var decimals: Int
    public var medianMinutes: Double
    public var p95Minutes: Double

    public init(asset: String, name: String, fees: PerVenue<Fixed>, minimum: Fixed, decimals: Int,
                medianMinutes: Double, p95Minutes: Double) {
        self.asset = asset
        self.name = name
        self.fees = fees
        self.minimum = minimum
        self.decimals = Swift.min(Swift.max(decimals, 0), Fixed.fractionDigits)
        self.medianMinutes = medianMinutes
        self.p95Minutes = Swift.max(p95Minutes, medianMinutes)
    }

    /// The lognormal's σ: p95 = median · e^(1.645 σ).
    public var sigma: Double { log(p95Minutes / medianMinutes) / 1.645 }

    /// The smallest step an amount moves in.
    public var step: Fixed {
        var raw: Int64 = 1
        for _ in 0..<(Fixed.fractionDigits - decimals) { raw *= 10 }
        return Fixed(raw: raw)
    }

    /// `amount` cut down to the network's precision.
    public func truncate(_ amount: Fixed) -> Fixed { amount.rounded(toMultipleOf: step, .down) }

    /// The network of an asset the table does not know: a fee worth 1 USD and a minimum worth 10 USD at
    /// `priceUSD`, 8 decimals, 10 minutes median and 45 at p95 (the simulators' common default).
    public static func generic(asset: String, priceUSD: Double) -> TransferNetwork {
        let price = priceUSD > 0 ? priceUSD : 1
        return TransferNetwork(asset: asset, name: "default", fees: PerVenue(repeating: Fixed(1 / price, rounding: .up)),
                               minimum: Fixed(10 / price, rounding: .up), decimals: 8, medianMinutes: 10, p95Minutes: 45)
    }
}

extension TransferNetwork {
    /// The embedded table for the synthetic listing's assets that practitioners move (docs/transfers.md gives the
    /// sources): fees by venue in registry order (Upbit, Binance, Bithumb, OKX, Bybit), Binance's minimum, the
    /// chain's precision, and transfer times in minutes. The cheapest network of an asset comes first.
    public static let defaults: [String: [TransferNetwork]] = {
        // asset, network, fees (upbit, binance, bithumb, okx, bybit), minimum, decimals, median, p95
        let rows: [(String, String, [String], String, Int, Double, Double)] = [
            ("BTC", "BTC", ["0.0005", "0.0002", "0.001", "0.0002", "0.0002"], "0.0004", 8, 35, 120),
            ("ETH", "ERC20", ["0.01", "0.0016", "0.01", "0.0008", "0.0016"], "0.005", 8, 8, 45),
            ("XRP", "XRP", ["1", "0.25", "1", "0.2", "0.25"], "30", 6, 3, 15),
            ("SOL", "SOL", ["0.01", "0.01", "0.01", "0.008", "0.01"], "0.02", 8, 3, 15),
            ("DOGE", "DOGE", ["5", "5", "5", "4", "5"], "80", 8, 15, 60),
            ("TRX", "TRC20", ["1", "1", "1", "1", "1"], "15", 6, 3, 15),
            ("ADA", "ADA", ["1", "1", "1", "0.8", "1"], "10", 6, 8, 30),
            ("LINK", "ERC20", ["0.5", "0.56", "0.5", "0.3", "0.3"], "1.12", 8, 8, 45),
            ("AVAX", "AVAXC", ["0.01", "0.01", "0.01", "0.01", "0.01"], "0.1", 8, 4, 20),
            ("USDT", "TRC20", ["1", "1", "1", "1", "1"], "10", 6, 3, 15),
            ("USDT", "ERC20", ["4", "4", "4", "4", "4"], "16", 6, 8, 45),
        ]
        var table: [String: [TransferNetwork]] = [:]
        for (asset, name, fees, minimum, decimals, median, p95) in rows {
            let perVenue = PerVenue { venue in venue.index < fees.count ? Fixed(fees[venue.index])! : Fixed(fees[1])! }
            table[asset, default: []].append(TransferNetwork(
                asset: asset, name: name, fees: perVenue, minimum: Fixed(minimum)!, decimals: decimals,
                medianMinutes: median, p95Minutes: p95))
        }
        return table
    }()
}
