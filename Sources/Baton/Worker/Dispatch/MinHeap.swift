/// A binary min-heap: the smallest element in O(1), insertion and removal of it in
/// O(log n). The dispatcher's watermarks and the pause timer keep thousands of entries
/// each, where a linear `min()` per event made a worker holding N jobs cost O(N²).
struct MinHeap<Element: Comparable & Sendable>: Sendable {
    private var elements: [Element] = []

    var first: Element? { elements.first }
    var count: Int { elements.count }
    var isEmpty: Bool { elements.isEmpty }

    mutating func insert(_ element: Element) {
        elements.append(element)
        var child = elements.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard elements[child] < elements[parent] else { break }
            elements.swapAt(child, parent)
            child = parent
        }
    }

    @discardableResult
    mutating func removeFirst() -> Element? {
        guard !elements.isEmpty else { return nil }
        elements.swapAt(0, elements.count - 1)
        let smallest = elements.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1, right = left + 1
            var target = parent
            if left < elements.count, elements[left] < elements[target] { target = left }
            if right < elements.count, elements[right] < elements[target] { target = right }
            guard target != parent else { return smallest }
            elements.swapAt(parent, target)
            parent = target
        }
    }
}
