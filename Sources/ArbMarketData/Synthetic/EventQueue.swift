/// The synthetic market's pending book events, earliest first: a 4-ary min-heap on one array.
///
/// Each emission replaces the earliest event with its market's next one, one sift down. swift-collections'
/// `Heap` is a min-max heap, whose sift looks at grandchildren for the double-ended order this queue never uses:
/// at 200 routes (401 markets) its `replaceMin` was an eighth of a simulated campaign's time. Four children a node
/// halve the levels a sift goes down, and four 16-byte events share a cache line: the comparisons of a level are
/// more, but hit memory once and mispredict about as often as the binary heap's one a level.
struct EventQueue<Element: Comparable> {
    private(set) var items: [Element]

    init(_ elements: some Sequence<Element>) {
        items = Array(elements)
        var i = (items.count + 2) / 4
        while i > 0 {
            i -= 1
            siftDown(from: i)
        }
    }

    var min: Element? { items.first }
    var count: Int { items.count }

    mutating func insert(_ element: Element) {
        items.append(element)
        items.withUnsafeMutableBufferPointer { a in
            var hole = a.count - 1
            while hole > 0 {
                let parent = (hole - 1) / 4
                guard element < a[parent] else { break }
                a[hole] = a[parent]
                hole = parent
            }
            a[hole] = element
        }
    }

    /// Replaces the earliest element (the queue must not be empty).
    mutating func replaceMin(with element: Element) {
        items[0] = element
        siftDown(from: 0)
    }

    /// Removes the earliest element (the queue must not be empty).
    mutating func removeMin() {
        let last = items.removeLast()
        guard !items.isEmpty else { return }
        items[0] = last
        siftDown(from: 0)
    }

    private mutating func siftDown(from start: Int) {
        items.withUnsafeMutableBufferPointer { a in
            let n = a.count
            let element = a[start]
            var hole = start
            while true {
                let first = 4 * hole + 1
                if first >= n { break }
                var child: Int
                if first + 3 < n {
                    // Two pairs, then their winners: the comparisons of a pair do not wait on each other.
                    let left = a[first + 1] < a[first] ? first + 1 : first
                    let right = a[first + 3] < a[first + 2] ? first + 3 : first + 2
                    child = a[right] < a[left] ? right : left
                } else {
                    child = first
                    var c = first + 1
                    while c < n {
                        if a[c] < a[child] { child = c }
                        c += 1
                    }
                }
                guard a[child] < element else { break }
                a[hole] = a[child]
                hole = child
            }
            a[hole] = element
        }
    }
}

extension EventQueue: Sendable where Element: Sendable {}
