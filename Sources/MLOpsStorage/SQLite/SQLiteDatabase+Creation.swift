#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

extension SQLiteDatabase {
    /// How old a draft left by a killed ``create(path:schemas:)`` must be before another
    /// creation removes it: far longer than any creation takes.
    static let abandonedDraftAge: TimeInterval = 3600

    /// Creates a store file at `path` that holds `schemas`, whole or not at all: the file appears
    /// at `path` only once it is a WAL-mode database with every schema migrated.
    ///
    /// Opening a missing `path` with ``init(path:configuration:)`` and migrating it creates the
    /// file first and fills it after: a process killed in between leaves a file without tables
    /// (or with a rollback journal beside it that only a writer can roll back), which readers
    /// then take for a damaged or foreign store. Here the database is built in a hidden draft
    /// beside `path` (`.NAME.UUID.partial`), closed (which folds its write-ahead log into it and
    /// flushes it) and linked to `path`, never over a file another process created meanwhile;
    /// that process's store is then used instead. Drafts that killed creations left behind are
    /// removed by ``removeAbandonedDrafts(of:)`` once they are an hour old.
    ///
    /// - Parameters:
    ///   - path: Where the store goes; its folder must exist.
    ///   - schemas: What the new store holds.
    /// - Returns: The new store's migration, or `nil` when something was at `path` already or
    ///   appeared there first (nothing is changed then).
    /// - Throws: ``StorageError`` when the folder cannot be written or a migration fails; no
    ///   file is left at `path` then.
    @discardableResult
    public static func create(path: String, schemas: [SQLSchema]) async throws -> MigrationReport? {
        // Anything at the path, a link to a file not made yet included, is left to the opening
        // (SQLite creates a link's target as it always did).
        var info = stat()
        guard path != ":memory:", lstat(path, &info) != 0 else { return nil }
        removeAbandonedDrafts(of: path)
        guard let (folder, draft) = try Self.draftSlot(for: path) else { return nil }
        do {
            let database = try await SQLiteDatabase(path: draft)
            let report: MigrationReport
            do {
                report = try await database.migrate(schemas)
            } catch {
                try? await database.close()
                throw error
            }
            try await database.close()
            // The last connection's close checkpoints the log into the file and deletes it; a log
            // still holding commits would be lost with the draft's name.
            guard !FileIO.exists(draft + "-wal") else {
                throw StorageError(
                    .fileSystem, "The new store's write-ahead log (\(draft)-wal) was not folded into it on closing", location: path,
                    fix: "check that the folder is writable and not on a network file system, then try again.")
            }
            try FileIO.publish(draft, at: path, folder: folder)
            return report
        } catch let error as StorageError where error.code == .fileSystem && FileIO.exists(path) {
            // Another process created the store first: use it.
            removeDraft(draft)
            return nil
        } catch {
            removeDraft(draft)
            throw error
        }
    }

    /// The folder and the draft's name for a store at `path`, or nil when another process created
    /// the store meanwhile.
    private static func draftSlot(for path: String) throws(StorageError) -> (folder: String, draft: String)? {
        do {
            let slot = try FileIO.newFileSlot(path)
            return (slot.folder, slot.temporary)
        } catch {
            if FileIO.exists(path) { return nil }
            throw error
        }
    }

    /// Removes a draft and its side files.
    private static func removeDraft(_ draft: String) {
        for suffix in ["", "-wal", "-shm", "-journal"] { unlink(draft + suffix) }
    }

    /// Removes the drafts of a store at `path` that creations killed before they finished left
    /// beside it (with their side files), once older than an hour: a creation in
    /// progress is never that old. ``create(path:schemas:)`` calls it; a program that opens an
    /// existing store for writing may call it too (`mlops` does on every writing command), since
    /// a kill is often followed by a run that finds the store made by then.
    public static func removeAbandonedDrafts(of path: String) {
        guard path != ":memory:" else { return }
        let folder = FileIO.parent(of: path)
        let name = path.split(separator: "/").last.map(String.init) ?? path
        let prefix = ".\(name)."
        let cutoff = Date().timeIntervalSince1970 - abandonedDraftAge
        for entry in FileIO.contents(of: folder) ?? [] where entry.hasPrefix(prefix) {
            // Exactly a draft's name: `.NAME.` + a 36-character UUID + `.partial` and a side
            // file's suffix (other files written beside the store share the first part).
            let rest = entry.dropFirst(prefix.count)
            guard rest.count >= 36 + 8, UUID(uuidString: String(rest.prefix(36))) != nil,
                ["", "-wal", "-shm", "-journal"].contains(where: { rest.dropFirst(36) == ".partial" + $0 })
            else { continue }
            let entryPath = folder + "/" + entry
            var info = stat()
            guard lstat(entryPath, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { continue }
            #if canImport(Darwin)
            let modified = info.st_mtimespec.tv_sec
            #else
            let modified = info.st_mtim.tv_sec
            #endif
            guard Double(modified) < cutoff else { continue }
            unlink(entryPath)
        }
    }
}
