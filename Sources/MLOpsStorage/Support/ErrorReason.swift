import Foundation

/// An error's reason in words, for the parenthesis of a message such as "x cannot be written (…)".
///
/// Foundation's file errors read well through `localizedDescription` ("No space left on
/// device"); a Swift error of the suite's own (a `TableError`, a `StorageError`) reads there, on
/// Linux, as "The operation could not be completed. (TensorCore.TableError error 1.)", while its
/// `description` says what happened.
package enum ErrorReason {
    package static func text(_ error: any Error) -> String {
        let bridged = error as NSError
        if error is any LocalizedError || bridged.domain == NSCocoaErrorDomain || bridged.domain == NSPOSIXErrorDomain {
            return error.localizedDescription
        }
        return String(describing: error)
    }
}
