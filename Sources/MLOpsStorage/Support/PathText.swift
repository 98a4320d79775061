/// Path arithmetic on text, without Foundation's `NSString` path methods: on Linux,
/// `("x" as NSString).deletingLastPathComponent` traps on a one-character path, and `--store
/// sqlite:x` or `--output o` are paths a user may type.
package enum PathText {
    /// The folder that holds `path`: the text before its last `/` (trailing slashes ignored),
    /// `"."` for a bare name, `"/"` for a name at the root.
    ///
    /// `folder(of: "a/b.csv")` is `"a"`, `folder(of: "o")` is `"."`, `folder(of: "/o")` is `"/"`.
    package static func folder(of path: String) -> String {
        var text = Substring(path)
        while text.count > 1, text.hasSuffix("/") { text = text.dropLast() }
        guard let slash = text.lastIndex(of: "/") else { return "." }
        var folder = text[..<slash]
        while folder.count > 1, folder.hasSuffix("/") { folder = folder.dropLast() }
        return folder.isEmpty ? "/" : String(folder)
    }
}
