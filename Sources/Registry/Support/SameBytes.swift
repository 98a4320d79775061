import Foundation

/// Whether two byte runs are the same, byte for byte (memcmp): what the registry compares when a
/// text's exact bytes matter (a record's JSON, a hash), where `String`'s `==` would find two
/// texts that differ only in Unicode normalization equal.
func sameBytes(_ bytes: UnsafeRawBufferPointer, _ other: [UInt8]) -> Bool {
    other.withUnsafeBytes { other in
        guard bytes.count == other.count else { return false }
        guard let left = bytes.baseAddress, let right = other.baseAddress else { return true }   // both empty
        return memcmp(left, right, bytes.count) == 0
    }
}
