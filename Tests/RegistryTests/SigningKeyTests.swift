import Foundation
@testable import Registry
import Testing

@Suite("Ed25519 public keys")
struct SigningKeyTests {
    /// The curve's 8-torsion, canonical encodings (computed from the curve equation), and the
    /// non-canonical encodings of its points with x = 0; none may be a principal's key.
    static let smallOrder = [
        String(repeating: "00", count: 32), "0000000000000000000000000000000000000000000000000000000000000080",
        "01" + String(repeating: "00", count: 31), "ec" + String(repeating: "ff", count: 30) + "7f",
        "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa", "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
        "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05", "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
        "ed" + String(repeating: "ff", count: 30) + "7f", "ee" + String(repeating: "ff", count: 30) + "7f",
    ]

    static func bytes(_ hex: String) -> Data {
        var data = Data()
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            data.append(UInt8(hex[index..<next], radix: 16) ?? 0)
            index = next
        }
        return data
    }

    @Test("points of small order are not usable keys; generated keys are", arguments: smallOrder)
    func smallOrderRefused(_ hex: String) {
        #expect(!SigningKey.isPublicKey(Self.bytes(hex)), "\(hex)")
    }

    @Test("generated keys are usable; 31 or 33 bytes are not")
    func generated() {
        for _ in 0..<100 { #expect(SigningKey.isPublicKey(SigningKey().publicKey)) }
        #expect(!SigningKey.isPublicKey(Data(repeating: 7, count: 31)))
        #expect(!SigningKey.isPublicKey(Data(repeating: 7, count: 33)))
    }
}
