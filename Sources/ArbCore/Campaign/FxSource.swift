/// Where the KRW per USDT rate comes from.
public enum FxSource: Sendable, Equatable {
    /// Upbit's `KRW-USDT` book mid.
    case book
    /// A configured constant.
    case fixed(Fixed)
}
