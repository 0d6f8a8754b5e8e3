import ArbCore

extension SyntheticMarket {
    /// Writes a book around `mid` on the instrument's grid: best prices a jittered spread apart, then one level
    /// about every basis point, quantities random around `unitsPerLevel` and growing with depth.
    static func build(_ snap: inout BookSnapshot, mid: Double, instrument: Instrument, spreadBps: Double, levels: Int,
                      unitsPerLevel: Double, rng: inout Xoshiro256) {
        let tickRaw = instrument.tick.raw
        let tick = instrument.tick.double
        let stepRaw = instrument.step.raw
        let step = instrument.step.double
        // Multiplications by reciprocals: a division waits about fifteen cycles, and a book was a chain of them.
        let perTick = 1 / tick
        let half = Swift.max(mid * spreadBps * (0.7 + 0.6 * rng.unit()) * 5e-5, tick * 0.5)
        let bidTicks = floorInt((mid - half) * perTick)
        let askTicks = Swift.max(bidTicks + 1, ceilInt((mid + half) * perTick))
        let gap = Swift.max(1, floorInt(mid * 1e-4 * perTick + 0.5))
        snap.bids.removeAll()
        snap.asks.removeAll()
        // Steps per level, divided once: forty divisions a book were a good part of the synthetic market's time.
        let stepsPerLevel = unitsPerLevel / step
        guard levels > 0 else { return }
        // The top now, the levels under it when a reader needs them: all from one seed drawn here.
        let seed = rng.next()
        PendingDepth.level(0, into: &snap, draw: PendingDepth.draw(seed, 0), bidTicks: bidTicks, askTicks: askTicks, gap: gap,
                           tickRaw: tickRaw, stepRaw: stepRaw, stepsPerLevel: stepsPerLevel)
        guard levels > 1 else { return }
        snap.pending = PendingDepth(seed: seed, bidTicks: bidTicks, askTicks: askTicks, gap: gap, tickRaw: tickRaw, stepRaw: stepRaw,
                                    stepsPerLevel: stepsPerLevel, levels: levels)
    }

    // `rounded(.down)` and `.up` are calls to libm's floor and ceil through the PLT (the baseline x86-64 target has
    // no rounding instruction): three calls a book. The same values from a truncation and a compare.
    @inline(__always)
    static func floorInt(_ x: Double) -> Int64 {
        let t = Int64(x)
        return Double(t) > x ? t - 1 : t
    }

    @inline(__always)
    static func ceilInt(_ x: Double) -> Int64 {
        let t = Int64(x)
        return Double(t) < x ? t + 1 : t
    }
}
