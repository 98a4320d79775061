/// A dictionary-encoded column of strings, any of which may be missing.
///
/// ## Storage
/// ``dictionary`` lists each distinct string once, and ``codes`` holds one Int32 per row: an
/// index into ``dictionary``, or -1 for a missing row. Readers add strings to the dictionary in
/// order of first appearance. A dictionary may hold strings that no row uses (after a
/// ``FeatureTable`` is filtered, which keeps the dictionary so that codes stay
/// comparable); ``categoryCounts()`` reports them with a count of 0.
///
/// The column has value semantics: copies (and filtered tables) share storage until one of
/// them is changed.
///
/// - Note: Two columns are equal when they hold the same strings in the same rows, whatever
///   their dictionaries' order.
public struct CategoricalColumn: Sendable, Equatable, RandomAccessCollection, CustomStringConvertible {
    /// The distinct strings; a row's code indexes this array.
    public private(set) var dictionary: [String]
    /// One code per row: an index into ``dictionary``, or -1 where the row is missing.
    public private(set) var codes: [Int32]
    /// The number of missing rows (codes equal to -1).
    public private(set) var nullCount: Int
    /// The code of each dictionary string.
    private var codeByValue: [String: Int32]

    /// Creates a column from optional strings, building the dictionary in order of first
    /// appearance; `nil` is a missing row.
    ///
    /// - Parameter values: One entry per row.
    /// - Complexity: O(*n*) expected (one hash lookup per row).
    public init(_ values: [String?]) {
        var dictionary = [String]()
        var map = [String: Int32]()
        var codes = [Int32]()
        codes.reserveCapacity(values.count)
        var nulls = 0
        for value in values {
            guard let value else {
                codes.append(-1)
                nulls += 1
                continue
            }
            if let code = map[value] {
                codes.append(code)
            } else {
                let code = Int32(truncatingIfNeeded: dictionary.count)
                map[value] = code
                dictionary.append(value)
                codes.append(code)
            }
        }
        self.dictionary = dictionary
        self.codes = codes
        self.nullCount = nulls
        self.codeByValue = map
    }

    /// Creates a column from a dictionary and codes.
    ///
    /// - Parameters:
    ///   - dictionary: Distinct strings.
    ///   - codes: One code per row, each in `-1..<dictionary.count` (-1 is missing).
    /// - Throws: ``TableError/Code/invalidCategoryCode`` when the dictionary repeats a string or
    ///   a code is out of range.
    /// - Complexity: O(*n* + *k*) for *n* rows and *k* dictionary strings.
    public init(dictionary: [String], codes: [Int32]) throws(TableError) {
        var map = [String: Int32](minimumCapacity: dictionary.count)
        for (i, value) in dictionary.enumerated() {
            if map.updateValue(Int32(truncatingIfNeeded: i), forKey: value) != nil {
                throw TableError(.invalidCategoryCode, value: value, detail: "the dictionary lists this string twice")
            }
        }
        guard dictionary.count <= Int(Int32.max) else {
            throw TableError(.invalidCategoryCode, detail: "the dictionary has more than Int32.max strings")
        }
        let limit = Int32(dictionary.count)
        var nulls = 0
        for (row, code) in codes.enumerated() {
            if code == -1 {
                nulls += 1
            } else if code < -1 || code >= limit {
                throw TableError(
                    .invalidCategoryCode, value: String(code),
                    detail: "row \(row) has code \(code) but the dictionary has \(dictionary.count) strings")
            }
        }
        self.dictionary = dictionary
        self.codes = codes
        self.nullCount = nulls
        self.codeByValue = map
    }

    /// Creates a column from parts whose consistency the caller (this module) guarantees.
    init(uncheckedDictionary dictionary: [String], codes: [Int32], nullCount: Int, codeByValue: [String: Int32]? = nil) {
        self.dictionary = dictionary
        self.codes = codes
        self.nullCount = nullCount
        if let codeByValue {
            self.codeByValue = codeByValue
        } else {
            var map = [String: Int32](minimumCapacity: dictionary.count)
            for (i, value) in dictionary.enumerated() { map[value] = Int32(truncatingIfNeeded: i) }
            self.codeByValue = map
        }
    }

    /// The number of rows.
    public var count: Int { codes.count }
    /// The first row index, always 0.
    public var startIndex: Int { 0 }
    /// One past the last row index, equal to ``count``.
    public var endIndex: Int { codes.count }

    /// The string of a row, or `nil` when it is missing.
    ///
    /// - Parameter row: A row index in `0..<count`; other indices trap, as with `Array`.
    /// - Complexity: O(1).
    public subscript(row: Int) -> String? {
        let code = codes[row]
        return code < 0 ? nil : dictionary[Int(code)]
    }

    /// The code of a string, or `nil` when the dictionary does not hold it.
    ///
    /// - Parameter value: The string to look up.
    /// - Complexity: O(1) expected.
    public func code(of value: String) -> Int32? {
        codeByValue[value]
    }

    /// The number of rows holding each dictionary string; strings no row uses count 0, and
    /// missing rows are not counted (see ``nullCount``).
    ///
    /// - Complexity: O(*n* + *k*).
    public func categoryCounts() -> [String: Int] {
        var counts = [Int](repeating: 0, count: dictionary.count)
        for code in codes where code >= 0 { counts[Int(code)] += 1 }
        var result = [String: Int](minimumCapacity: dictionary.count)
        for (i, value) in dictionary.enumerated() { result[value] = counts[i] }
        return result
    }

    /// Appends one row, adding the string to the dictionary if it is new.
    ///
    /// - Parameter value: The string, or `nil` for a missing row.
    /// - Complexity: Amortized O(1) expected.
    public mutating func append(_ value: String?) {
        guard let value else {
            codes.append(-1)
            nullCount += 1
            return
        }
        codes.append(internCode(value))
    }

    /// The code of `value`, adding it to the dictionary when new.
    private mutating func internCode(_ value: String) -> Int32 {
        if let code = codeByValue[value] { return code }
        let code = Int32(truncatingIfNeeded: dictionary.count)
        codeByValue[value] = code
        dictionary.append(value)
        return code
    }

    /// A short summary, for example `CategoricalColumn(count: 10, nullCount: 2, categories: 3)`.
    public var description: String {
        "CategoricalColumn(count: \(count), nullCount: \(nullCount), categories: \(dictionary.count))"
    }

    /// Compares the strings row by row (missing equals missing), whatever the dictionaries.
    ///
    /// - Complexity: O(*n*) when the dictionaries are equal, O(*n* + *k*) otherwise.
    public static func == (lhs: CategoricalColumn, rhs: CategoricalColumn) -> Bool {
        guard lhs.count == rhs.count, lhs.nullCount == rhs.nullCount else { return false }
        if lhs.dictionary == rhs.dictionary { return lhs.codes == rhs.codes }
        // Translate rhs codes into lhs codes (-2 where lhs lacks the string).
        let translation: [Int32] = rhs.dictionary.map { lhs.codeByValue[$0] ?? -2 }
        for i in 0..<lhs.codes.count {
            let r = rhs.codes[i]
            let mapped: Int32 = r < 0 ? -1 : translation[Int(r)]
            if mapped != lhs.codes[i] { return false }
        }
        return true
    }

    /// The rows whose mask entry is `true`, in order, sharing this column's dictionary.
    func filtered(_ mask: [Bool], kept: Int) -> CategoricalColumn {
        var c = [Int32]()
        c.reserveCapacity(kept)
        var nulls = 0
        for i in 0..<mask.count where mask[i] {
            let code = codes[i]
            c.append(code)
            if code < 0 { nulls += 1 }
        }
        return CategoricalColumn(uncheckedDictionary: dictionary, codes: c, nullCount: nulls, codeByValue: codeByValue)
    }

    /// The rows at `indices` (already checked to be in range), sharing this column's dictionary.
    func gathered(_ indices: [Int]) -> CategoricalColumn {
        var c = [Int32]()
        c.reserveCapacity(indices.count)
        var nulls = 0
        for i in indices {
            let code = codes[i]
            c.append(code)
            if code < 0 { nulls += 1 }
        }
        return CategoricalColumn(uncheckedDictionary: dictionary, codes: c, nullCount: nulls, codeByValue: codeByValue)
    }

    /// This column's rows followed by `other`'s; strings new to this dictionary are added in the
    /// order of `other`'s dictionary, so appending chunks read in order keeps first appearance.
    func appending(_ other: CategoricalColumn) -> CategoricalColumn {
        var result = self
        result.codes.reserveCapacity(codes.count + other.codes.count)
        if other.dictionary.count <= dictionary.count,
           dictionary.prefix(other.dictionary.count).elementsEqual(other.dictionary) {
            result.codes.append(contentsOf: other.codes)
        } else {
            var translation = [Int32]()
            translation.reserveCapacity(other.dictionary.count)
            for value in other.dictionary { translation.append(result.internCode(value)) }
            for code in other.codes {
                result.codes.append(code < 0 ? -1 : translation[Int(code)])
            }
        }
        result.nullCount += other.nullCount
        return result
    }
}
