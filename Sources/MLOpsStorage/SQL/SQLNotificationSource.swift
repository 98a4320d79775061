/// A database that pushes notifications to listeners: PostgreSQL's `LISTEN`/`NOTIFY`.
///
/// A writer sends a notification inside its transaction (on PostgreSQL,
/// `SELECT pg_notify('channel', 'payload')`); listeners get it when the transaction commits,
/// never when it rolls back. SQLite has no such channel: a watcher of a SQLite store polls a
/// counter instead (the registry's alias watcher does both, see `AliasResolver`).
///
/// ```swift
/// if let source = database as? any SQLNotificationSource {
///     try await source.listen(on: "mlops_registry", onListening: { await refresh() }) { _ in
///         await refresh()
///     }
/// }
/// ```
public protocol SQLNotificationSource: SQLDatabase {
    /// Listens on `channel` until the task is cancelled (then it returns) or the database closes
    /// or loses its connection (then it throws).
    ///
    /// - Parameters:
    ///   - channel: the channel's name: lowercase ASCII letters, digits and `_`, starting with a
    ///     letter, at most 63 characters.
    ///   - onListening: called once the server listens, before any notification: read the state
    ///     the notifications are about here, so no change falls between the read and the first
    ///     notification.
    ///   - onNotification: called with each notification's payload, one at a time, in order.
    /// - Throws: ``StorageError/Code/sqlFailed`` for a channel name outside the rules;
    ///   ``StorageError/Code/connectionFailed`` when the connection is lost;
    ///   ``StorageError/Code/closed`` or ``StorageError/Code/notRunning`` like a transaction would.
    func listen(
        on channel: String, onListening: @Sendable () async throws -> Void, onNotification: @Sendable (String) async throws -> Void
    ) async throws
}

/// The channel-name rule shared by every ``SQLNotificationSource``.
package enum NotificationChannel {
    /// Throws unless `name` is a safe unquoted identifier.
    package static func check(_ name: String, location: String) throws(StorageError) {
        let bytes = Array(name.utf8)
        let valid = !bytes.isEmpty && bytes.count <= 63 && (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(bytes[0])
            && bytes.allSatisfy { byte in
                (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                    || byte == UInt8(ascii: "_")
            }
        guard valid else {
            throw StorageError(
                .sqlFailed, "'\(name)' is not a notification channel name", location: location,
                fix: "use lowercase ASCII letters, digits and _, starting with a letter, at most 63 characters.")
        }
    }
}
