import Foundation
import Synchronization
import Testing
@testable import ArbEngine

/// The gate a realtime run's checkpoint cuts through: evaluations and deliveries share it, the cut takes it alone.
@Suite struct CutGateTests {
    @Test func aCutWaitsForEveryEvaluationHalfwayAndNoneStartsDuringIt() async {
        let gate = CutGate()
        let inside = Atomic<Int>(0)
        let overlaps = Atomic<Int>(0)
        let cuts = Atomic<Int>(0)
        let stop = Atomic<Bool>(false)
        // Two "evaluation" threads share the gate; a "feed" thread cuts through it again and again.
        let workers = (0..<2).map { _ in
            Thread {
                while !stop.load(ordering: .relaxed) {
                    gate.shared {
                        inside.add(1, ordering: .relaxed)
                        for _ in 0..<50 where inside.load(ordering: .relaxed) < 0 {}
                        inside.subtract(1, ordering: .relaxed)
                    }
                }
            }
        }
        let feed = Thread {
            for _ in 0..<2_000 {
                gate.exclusive {
                    if inside.load(ordering: .relaxed) != 0 { overlaps.add(1, ordering: .relaxed) }
                    cuts.add(1, ordering: .relaxed)
                }
            }
            stop.store(true, ordering: .relaxed)
        }
        workers.forEach { $0.start() }
        feed.start()
        while !stop.load(ordering: .relaxed) { try? await Task.sleep(for: .milliseconds(5)) }
        let overlapped = overlaps.load(ordering: .relaxed), cut = cuts.load(ordering: .relaxed)
        // Writer preference: the cuts all went through while evaluations kept coming.
        #expect(cut == 2_000)
        #expect(overlapped == 0)
    }

    @Test func sharedHoldersRunTogether() async {
        let gate = CutGate()
        let both = Atomic<Int>(0)
        let met = Atomic<Bool>(false)
        let threads = (0..<2).map { _ in
            Thread {
                gate.shared {
                    both.add(1, ordering: .relaxed)
                    let deadline = Date().addingTimeInterval(5)
                    while both.load(ordering: .relaxed) < 2 && Date() < deadline {}
                    if both.load(ordering: .relaxed) == 2 { met.store(true, ordering: .relaxed) }
                }
            }
        }
        threads.forEach { $0.start() }
        for _ in 0..<600 where !met.load(ordering: .relaxed) { try? await Task.sleep(for: .milliseconds(10)) }
        let together = met.load(ordering: .relaxed)
        #expect(together, "two shared sections were inside the gate at once")
    }
}
