import Foundation
import MLOpsStorage

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A command's input file, or a temporary copy of it when it is a pipe.
///
/// A pipe (a FIFO, a shell's `<(…)`) can be read only once, but some readers open their input
/// twice: its header first and its rows after, or a check before an import. Such an input is read
/// to its end into a temporary file first, under the pipe's own name (so `.jsonl` still says
/// JSON Lines), and the copy is removed when this is released; a regular file is read in place.
final class PipedInput: Sendable {
    /// The path to read: the file itself, or the copy of the pipe.
    let path: String
    /// The folder holding the copy, if one was made.
    private let copyFolder: String?

    /// Uses `path` as it is, or copies it when it is a pipe.
    ///
    /// - Parameter option: How the command names the input in a message (`--events`).
    /// - Throws: ``CommandFailure`` (exit 2) when the pipe cannot be read or copied.
    init(_ path: String, option: String) throws {
        guard FileIO.fileType(path) == S_IFIFO else {
            self.path = path
            copyFolder = nil
            return
        }
        let folder = (NSTemporaryDirectory() as NSString).appendingPathComponent("mlops-pipe-\(UUID().uuidString)")
        let name = (path as NSString).lastPathComponent
        let copy = (folder as NSString).appendingPathComponent(name.isEmpty ? "input" : name)
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
            guard FileManager.default.createFile(atPath: copy, contents: nil), let handle = FileHandle(forWritingAtPath: copy) else {
                throw CommandFailure.usage("error: \(option): cannot copy the pipe \(path) to \(copy). Fix: give a file instead, or free the temporary folder.")
            }
            defer { try? handle.close() }
            try FileIO.readChunks(of: path) { chunk in try handle.write(contentsOf: Data(chunk)) }
        } catch let failure as CommandFailure {
            try? FileManager.default.removeItem(atPath: folder)
            throw failure
        } catch {
            try? FileManager.default.removeItem(atPath: folder)
            throw CommandFailure.usage("error: \(option): cannot read the pipe \(path): \(ErrorReason.text(error)). Fix: give a file instead, or check what writes to the pipe.")
        }
        self.path = copy
        copyFolder = folder
    }

    deinit {
        if let copyFolder { try? FileManager.default.removeItem(atPath: copyFolder) }
    }
}
