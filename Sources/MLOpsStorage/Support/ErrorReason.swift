import Foundation

/// An error's reason in words, for the parenthesis of a message such as "x cannot be written (…)".
///
/// Foundation's file errors read well through `localizedDescription` ("No space left on
/// device"), and so do the suite's own errors (each a `LocalizedError` whose text is its
/// `description`); any other Swift error reads there, on Linux, as "The operation could not be
/// completed. (Module.SomeError error 1.)", so its `description` is used instead.
package enum ErrorReason {
    package static func text(_ error: any Error) -> String {
        let bridged = error as NSError
        if error is any LocalizedError || bridged.domain == NSCocoaErrorDomain || bridged.domain == NSPOSIXErrorDomain {
            return error.localizedDescription
        }
        return String(describing: error)
    }
}
