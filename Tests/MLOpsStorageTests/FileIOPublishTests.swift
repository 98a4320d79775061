import CFileOps
import Foundation
@testable import MLOpsStorage
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// ``FileIO/publish(_:at:folder:)`` never replaces a file, also where the file system has no hard
/// links (simulated with ``FileIO/hardLinksUnavailable``, so the rename that refuses to replace
/// is the one that publishes).
@Suite("Publishing a finished file under its name")
struct FileIOPublishTests {
    private func folder() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("mlops-publish-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        return path
    }

    private func write(_ text: String, to path: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }

    private func read(_ path: String) throws -> String {
        String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)), as: UTF8.self)
    }

    @Test("a file another process put at the name meanwhile is kept, with hard links and without", arguments: [false, true])
    func keepsAFileThatAppeared(withoutHardLinks: Bool) throws {
        let root = try folder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let temporary = "\(root)/.model.bin.partial", path = "\(root)/model.bin"
        try write("ours", to: temporary)
        try write("theirs", to: path)  // appeared after the slot was checked
        #expect(throws: StorageError.self) {
            try FileIO.$hardLinksUnavailable.withValue(withoutHardLinks) {
                try FileIO.publish(temporary, at: path, folder: root)
            }
        }
        #expect(try read(path) == "theirs")
    }

    @Test("without hard links the finished file is published by renaming, leaving no hidden file")
    func publishesWithoutHardLinks() async throws {
        let root = try folder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let path = "\(root)/key.pem"
        try FileIO.$hardLinksUnavailable.withValue(true) {
            try FileIO.writeNewFile(path, Array("secret".utf8), mode: 0o600)
        }
        #expect(try read(path) == "secret")
        #expect(try FileManager.default.contentsOfDirectory(atPath: root) == ["key.pem"])
        var info = stat()
        #expect(stat(path, &info) == 0 && info.st_mode & 0o777 == 0o600)
    }

    @Test("the C call refuses an existing name with EEXIST and renames onto a free one")
    func renameWithoutReplacing() throws {
        let root = try folder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try write("a", to: "\(root)/a")
        try write("b", to: "\(root)/b")
        let result = mlops_rename_noreplace("\(root)/a", "\(root)/b")
        let code = errno
        #expect(result == -1 && code == EEXIST)
        #expect(try read("\(root)/b") == "b")
        #expect(mlops_rename_noreplace("\(root)/a", "\(root)/c") == 0)
        #expect(try read("\(root)/c") == "a")
        #expect(!FileManager.default.fileExists(atPath: "\(root)/a"))
    }
}
