import MLOpsStorage
import Foundation
import Synchronization
import TensorCore

/// The folder `mlops demo` writes into, and which of its paths the demo wrote.
///
/// A folder the demo creates, or finds empty, gets a marker file (``markerName``) that lists
/// every path the demo wrote there. The demo refuses a non-empty folder without the marker, and
/// in its own folder it removes or replaces only the paths the marker lists: a file someone else
/// put there is never touched.
final class DemoFolder: Sendable {
    /// The marker's name inside the folder.
    static let markerName = ".mlops-demo"

    /// The folder's path, without a trailing slash.
    let path: String
    /// Names (relative to ``path``) the demo wrote.
    private let owned: Mutex<Set<String>>

    /// Opens `path` for the demo: creates it (with the marker) when missing, marks it when empty,
    /// reads the marker of a folder the demo made before, and refuses anything else.
    ///
    /// - Throws: ``CommandFailure`` (exit 2) when `path` is a file, a non-empty folder without the
    ///   marker, or cannot be created.
    init(preparing path: String) throws(CommandFailure) {
        let folder = path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
        self.path = folder
        let files = FileManager.default
        var isFolder: ObjCBool = false
        var names: Set<String> = []
        if files.fileExists(atPath: folder, isDirectory: &isFolder) {
            guard isFolder.boolValue else {
                throw .usage("error: --output \(folder) is a file, not a folder; it was left as it is. Fix: choose a new folder with --output.")
            }
            let marker = "\(folder)/\(Self.markerName)"
            if files.fileExists(atPath: marker) {
                guard let text = try? String(contentsOfFile: marker, encoding: .utf8) else {
                    throw .usage("error: cannot read \(marker). Fix: make it readable, or choose a new folder with --output.")
                }
                names = Set(text.split(separator: "\n").map(String.init).filter { !$0.isEmpty && !$0.hasPrefix("#") })
                // Temporary files an earlier run left when it was killed mid-write: the marker's,
                // and those of the files it lists.
                for name in ((try? files.contentsOfDirectory(atPath: folder)) ?? []) where Self.isLeftover(name, of: names) {
                    try? files.removeItem(atPath: "\(folder)/\(name)")
                }
            } else {
                let contents: [String]
                do {
                    contents = try files.contentsOfDirectory(atPath: folder)
                } catch {
                    throw .usage("error: cannot list --output \(folder): \(error.localizedDescription). Fix: choose a readable folder.")
                }
                // A demo killed while it wrote the first marker leaves only the marker's
                // temporary file: the folder is still the empty one that demo made.
                let leftovers = contents.filter { Self.isLeftover($0) }
                guard contents.count == leftovers.count else {
                    throw .usage(
                        "error: --output \(folder) holds files that mlops demo did not write (it has no \(Self.markerName) marker); nothing was changed. Fix: choose a new or empty folder with --output.")
                }
                for name in leftovers { try? files.removeItem(atPath: "\(folder)/\(name)") }
            }
        } else {
            do {
                try files.createDirectory(atPath: folder, withIntermediateDirectories: true)
            } catch {
                throw .usage("error: cannot create the output folder \(folder): \(error.localizedDescription). Fix: choose a writable --output.")
            }
        }
        owned = Mutex(names)
        try Self.saveMarker(names, in: folder)
    }

    /// The path of `name` inside the folder, claimed for the demo: a path the demo wrote before is
    /// the demo's to replace; a path that exists and is not the demo's is refused.
    ///
    /// The claim is recorded in the marker before the caller writes, so a run killed half-way
    /// still knows what it wrote.
    ///
    /// - Throws: ``CommandFailure`` (exit 2) when something the demo did not write is there.
    func claim(_ name: String) throws(CommandFailure) -> String {
        let full = "\(path)/\(name)"
        try owned.withLock { (names: inout Set<String>) throws(CommandFailure) in
            if names.contains(name) { return }
            if Self.exists(full) {
                throw .usage(
                    "error: \(full) exists and was not written by mlops demo; it was left as it is. Fix: move it away, or choose a new folder with --output.")
            }
            names.insert(name)
            try Self.saveMarker(names, in: path)
        }
        return full
    }

    /// Writes `bytes` to `name` in the folder (claimed first): beside it, then renamed into place,
    /// so a run killed mid-write leaves the old file or the new one, and at most a temporary file
    /// the next run removes.
    ///
    /// - Returns: The file's path.
    /// - Throws: ``CommandFailure`` (exit 2) when the path is not the demo's or cannot be written.
    @discardableResult
    func write(_ bytes: some Sequence<UInt8>, to name: String) throws(CommandFailure) -> String {
        let full = try claim(name)
        try Self.writeFile(bytes, at: full)
        return full
    }

    private static func writeFile(_ bytes: some Sequence<UInt8>, at path: String) throws(CommandFailure) {
        do {
            let writer = try BufferedFileWriter(path: path)
            try writer.append(bytes)
            try writer.finish()
        } catch {
            throw .usage("error: cannot write: \(FileWriteProblem.describe(path, error)). Fix: choose a writable --output.")
        }
    }

    /// Removes `name` when the demo wrote it (after ``claim(_:)``); does nothing when it is absent.
    ///
    /// - Throws: ``CommandFailure`` (exit 2) when the path is not the demo's, or cannot be removed.
    func removeOwned(_ name: String) throws(CommandFailure) {
        let full = try claim(name)
        guard Self.exists(full) else { return }
        do {
            try FileManager.default.removeItem(atPath: full)
        } catch {
            throw .usage("error: cannot remove \(full), which an earlier demo wrote: \(error.localizedDescription). Fix: remove it yourself, or choose a new folder with --output.")
        }
    }

    /// Whether anything, a dangling symbolic link included, is at `path`.
    private static func exists(_ path: String) -> Bool {
        var status = stat()
        return lstat(path, &status) == 0
    }

    private static func saveMarker(_ names: Set<String>, in path: String) throws(CommandFailure) {
        let marker = "\(path)/\(Self.markerName)"
        let text = """
            # Written by mlops demo. This folder is the demo's: it writes and replaces only the paths
            # listed here, and refuses a non-empty folder without this file.

            """ + names.sorted().joined(separator: "\n") + "\n"
        // Written beside itself and renamed into place, under a name the demo recognises as its
        // own if a kill leaves it (Foundation's atomic write would leave a temporary file of its
        // own naming).
        try writeFile(Array(text.utf8), at: marker)
    }

    /// Whether `name` is a temporary file that a killed write of the marker, or of one of
    /// `owned`, left (`NAME.partial-XXXXXXXX`, as `BufferedFileWriter` names them).
    static func isLeftover(_ name: String, of owned: Set<String> = []) -> Bool {
        guard let range = name.range(of: ".partial-", options: .backwards) else { return false }
        let target = String(name[..<range.lowerBound])
        return target == markerName || owned.contains(target)
    }
}
