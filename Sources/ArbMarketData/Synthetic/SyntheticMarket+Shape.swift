import ArbCore

extension SyntheticMarket {
    /// A market's fixed facts, kept beside its state: asked of the venue registry on every book, they were a
    /// global's accessor call each, and a copy of the venue's whole entry for its depth.
    struct Shape: Sendable {
        var instrument: Instrument
        var venue: Venue
        var isKRW: Bool
        /// Levels a side (the venue's feed depth; 15 on fx books).
        var levels: Int
        /// Its asset; -1 for fx books.
        var asset: Int32

        init(_ instrument: Instrument, venue: Venue, levels: Int, asset: Int32) {
            self.instrument = instrument
            self.venue = venue
            isKRW = venue.isKRW
            self.levels = levels
            self.asset = asset
        }
    }
}
