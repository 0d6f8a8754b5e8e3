@testable import ArbMarketData
import Testing

@Suite struct EventQueueTests {
    /// Against a sorted array: the same minimum after every insert and replacement, from any starting order.
    @Test func alwaysYieldsTheSmallestElement() {
        var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> Int {
            seed ^= seed << 13; seed ^= seed >> 7; seed ^= seed << 17
            return Int(seed % 1_000)
        }
        for size in [0, 1, 2, 3, 4, 5, 6, 7, 64, 401] {
            var reference = (0..<size).map { _ in next() }
            var queue = EventQueue(reference)
            reference.sort()
            #expect(queue.min == reference.first)
            #expect(queue.count == size)
            for step in 0..<2_000 {
                if step % 5 == 0 || reference.isEmpty {
                    let x = next()
                    queue.insert(x)
                    reference.append(x)
                } else {
                    let x = reference[0] + next() % 300
                    queue.replaceMin(with: x)
                    reference[0] = x
                }
                reference.sort()
                #expect(queue.min == reference.first)
            }
            #expect(queue.items.sorted() == reference)
        }
    }
}
