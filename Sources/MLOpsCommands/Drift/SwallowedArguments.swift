import ArgumentParser
import Foundation

/// Gives back the two files an option of several words took.
///
/// An option that takes several words (`--columns a b`, `--probabilities p q`) takes every word
/// up to the next option, so in `mlops drift --columns a,b ref.csv cur.csv` the two files end
/// up among the column names and the command seems to lack them. The list keeps the words in
/// the order they were written, even across a repeated option, but not where they stood among
/// the other arguments: so the files are given back only when the command lost both of them
/// and exactly two of the option's words name existing files (a column is not named like a file
/// beside it), in their written order. Any other case is refused with the reason, never guessed.
enum SwallowedArguments {
    /// Fills `positionals` (both `nil`) with the two words of the one non-empty list in `lists`
    /// that name existing files; they leave the list.
    ///
    /// - Parameters:
    ///   - names: The positional arguments' names, for the error (`reference`, `current`).
    ///   - flags: The lists' flags, for the error (`--columns`, `--probabilities`).
    ///   - exists: Whether a word names an existing file (a test seam).
    /// - Throws: `ValidationError` naming the first argument still missing, and what took it.
    static func recover(
        _ positionals: inout [String?], names: [String], from lists: inout [[String]], flags: [String],
        exists: (String) -> Bool = { FileManager.default.fileExists(atPath: $0) }
    ) throws {
        guard let first = positionals.firstIndex(where: { $0 == nil }) else { return }
        let holding = lists.indices.filter { !lists[$0].isEmpty }
        // Lists that took a word naming a file: only they can explain a missing file.
        let tookFiles = holding.filter { lists[$0].contains(where: exists) }
        let files = holding.count == 1 ? lists[holding[0]].indices.filter { exists(lists[holding[0]][$0]) } : []
        let usage = names.map { "<\($0)>" }.joined(separator: " ")
        guard positionals.allSatisfy({ $0 == nil }), files.count == positionals.count, let index = holding.first else {
            var message = "Missing expected argument '<\(names[first])>'."
            if tookFiles.isEmpty {
                message += " Fix: name both, as in mlops drift \(usage)."
            } else {
                let taken = tookFiles.map { "\(flags[$0]) took \(lists[$0].map { "'\($0)'" }.joined(separator: ", "))" }.joined(separator: "; ")
                message += " \(taken): an option of several names takes every word up to the next option. Fix: write \(usage) before \(tookFiles.map { flags[$0] }.joined(separator: " and "))."
            }
            throw ValidationError(message)
        }
        // The option itself must keep a name: `--columns ref.csv cur.csv` names no column.
        guard files.count < lists[index].count else {
            throw ValidationError("\(flags[index]) names no column: it took only the files (\(lists[index].map { "'\($0)'" }.joined(separator: ", "))). Fix: give the names after it, such as \(flags[index]) a,b, or leave it out.")
        }
        for (slot, position) in files.enumerated() { positionals[slot] = lists[index][position] }
        for position in files.reversed() { lists[index].remove(at: position) }
    }

    /// The note said when words were given back, so a column named like a file beside it is
    /// never read as a file unannounced.
    static func note(_ positionals: [String?], names: [String], flag: String) -> String {
        let given = zip(names, positionals).map { "'\($0.1 ?? "")' as <\($0.0)>" }.joined(separator: " and ")
        return "note: \(flag) took the words up to the next option; read \(given), the two of them that name files."
    }
}
