/// How two legs that filled different quantities become a pair: the pair keeps the smaller quantity and the
/// larger leg's excess is reversed on its venue (SPEC §2: "when one leg fills partly, the other is resized to
/// match"). A leg that did not fill at all counts as a zero fill, so the other leg is reversed whole.
public struct LegPairing: Sendable, Equatable {
    /// The order that brings the larger leg back.
    public struct Correction: Sendable, Equatable {
        public var leg: Leg
        public var side: Side
        public var quantity: Fixed
    }

    public var pairQuantity: Fixed
    public var correction: Correction?

    /// `unwinding`: the legs were exit legs (each the opposite of its entry side).
    public init(direction: Direction, filledA: Fixed, filledB: Fixed, unwinding: Bool) {
        pairQuantity = Swift.min(filledA, filledB)
        guard filledA != filledB else { correction = nil; return }
        let leg: Leg = filledA > filledB ? .a : .b
        let traded = unwinding ? direction.entrySide(on: leg).opposite : direction.entrySide(on: leg)
        correction = Correction(leg: leg, side: traded.opposite, quantity: filledA > filledB ? filledA - filledB : filledB - filledA)
    }
}
