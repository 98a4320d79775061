import Foundation

/// Hides the credentials of URLs given on the command line wherever a message repeats them.
///
/// The argument parser quotes a value it refuses ("The value 'postgres://ann:secret@…' is
/// invalid"); a store URL's password must never reach a terminal or a CI log that way.
enum CredentialRedaction {
    /// `message` with every argument that holds `scheme://credentials@…` replaced by its redacted form.
    static func redact(_ message: String, arguments: [String]) -> String {
        var result = message
        for argument in arguments {
            // `--store=URL` arrives as one argument; the value is what the parser quotes.
            var value = argument
            if argument.hasPrefix("--"), let equals = argument.firstIndex(of: "=") {
                value = String(argument[argument.index(after: equals)...])
            }
            guard let hidden = redacted(value), hidden != value else { continue }
            result = result.replacingOccurrences(of: value, with: hidden)
        }
        return result
    }

    /// The URL with everything between `://` and its last `@` after the user name hidden, or with
    /// everything after `://` hidden when there is no `@` but a `:` (a password may be in there);
    /// `nil` when the text is not a URL.
    static func redacted(_ text: String) -> String? {
        guard let schemeEnd = text.range(of: "://") else { return nil }
        let scheme = text[..<schemeEnd.upperBound]
        let rest = text[schemeEnd.upperBound...]
        if let at = rest.lastIndex(of: "@") {
            let credentials = rest[..<at]
            let user = credentials.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            return "\(scheme)\(user):***\(rest[at...])"
        }
        return rest.contains(":") ? "\(scheme)***" : text
    }
}
