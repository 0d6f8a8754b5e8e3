import CMalloc
import Testing

/// The allocator controls `serve`'s memory trimmer uses reach glibc (they compile to nothing where it is absent).
@Suite struct AllocatorControlsTests {
    @Test func theControlsReachTheAllocator() {
        #if os(Linux)
        #expect(cmalloc_set_mmap_threshold(256 * 1024) == 1, "mallopt(M_MMAP_THRESHOLD) was not called")
        // A burst of small blocks freed leaves whole free pages for the trim to hand back.
        var blocks: [UnsafeMutableRawPointer] = []
        for _ in 0..<20_000 { blocks.append(UnsafeMutableRawPointer.allocate(byteCount: 2_000, alignment: 8)) }
        for (i, b) in blocks.enumerated() where i % 50 != 0 { b.deallocate() }
        #expect(cmalloc_trim() == 1, "malloc_trim released nothing")
        for (i, b) in blocks.enumerated() where i % 50 == 0 { b.deallocate() }
        #endif
    }
}
