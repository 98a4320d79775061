import Foundation

extension SeededRandomSource {
    /// Shuffles a collection in place with the Fisher–Yates algorithm.
    ///
    /// For `i` from `count − 1` down to 1 the element at offset `i` is swapped with the one at
    /// offset `j = nextInt(below: i + 1)`, so every permutation is equally likely and the result
    /// depends only on the source's state.
    ///
    /// - Parameter elements: The collection to shuffle.
    /// - Complexity: O(n); consumes about n − 1 words of the stream.
    public mutating func shuffle<Elements: MutableCollection & RandomAccessCollection>(
        _ elements: inout Elements
    ) {
        let count = elements.count
        guard count > 1 else { return }
        var i = count - 1
        while i > 0 {
            let j = Int(truncatingIfNeeded: boundedWord(below: UInt64(i + 1)))
            if i != j {
                let first = elements.index(elements.startIndex, offsetBy: i)
                let second = elements.index(elements.startIndex, offsetBy: j)
                elements.swapAt(first, second)
            }
            i -= 1
        }
    }

    /// Returns the elements of a sequence in a random order (Fisher–Yates; see ``shuffle(_:)``).
    ///
    /// - Parameter elements: The elements to shuffle.
    /// - Returns: A new array with the elements in random order.
    /// - Complexity: O(n).
    public mutating func shuffled<Elements: Sequence>(_ elements: Elements) -> [Elements.Element] {
        var result = Array(elements)
        shuffle(&result)
        return result
    }

    /// Returns a random permutation of `0..<count`.
    ///
    /// Equivalent to shuffling `Array(0..<count)` with ``shuffle(_:)``.
    ///
    /// - Parameter count: The number of elements; must not be negative.
    /// - Returns: The integers `0..<count` in random order.
    /// - Throws: ``DistributionError`` with code `invalidParameter` if `count` is negative.
    /// - Complexity: O(n).
    public mutating func permutation(count: Int) throws(DistributionError) -> [Int] {
        guard count >= 0 else {
            throw DistributionError(.invalidParameter, parameter: "count", value: Double(count),
                                    requirement: "zero or a positive integer")
        }
        var result = Array(0..<count)
        shuffle(&result)
        return result
    }
}
