// The allocator controls live in include/cmalloc.h; this file gives the target a source.
