/// One point of the equity curve.
public struct EquityPoint: Sendable, Equatable, Codable {
    /// Seconds since the campaign started, on its clock.
    public var t: Double
    public var realizedUSD: Double
    public var unrealizedUSD: Double

    public init(t: Double, realizedUSD: Double, unrealizedUSD: Double) {
        self.t = t
        self.realizedUSD = realizedUSD
        self.unrealizedUSD = unrealizedUSD
    }
}
