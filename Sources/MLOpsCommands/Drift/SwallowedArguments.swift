import ArgumentParser

/// Gives back the file arguments an option of several words took.
///
/// An option that takes several words (`--columns a b`, `--probabilities p q`) takes every word
/// up to the next option, so in `mlops drift --columns a,b ref.csv cur.csv` the two files end
/// up among the column names and the command seems to lack them. ArgumentParser fills
/// positional arguments in order, so the ones left empty are the last ones, and the words they
/// should have had are the last words of the option that took them: this moves them back.
enum SwallowedArguments {
    /// Fills the empty entries of `positionals` (`nil`, always the last ones) from the end of the
    /// one list in `lists` that holds words; the words it gives back leave that list.
    ///
    /// - Parameters:
    ///   - names: The positional arguments' names, for the error (`reference`, `current`).
    ///   - flags: The lists' flags, for the error (`--columns`, `--probabilities`).
    /// - Throws: `ValidationError` naming the first argument still missing when no list holds
    ///   enough words, or when two lists hold words (which one took the files is then unknown).
    static func recover(_ positionals: inout [String?], names: [String], from lists: inout [[String]], flags: [String]) throws {
        let missing = positionals.indices.filter { positionals[$0] == nil }
        guard let first = missing.first else { return }
        let holding = lists.indices.filter { !lists[$0].isEmpty }
        guard holding.count == 1, let index = holding.first, lists[index].count >= missing.count else {
            let order = (names.map { "<\($0)>" }).joined(separator: " ")
            let hint = holding.count > 1
                ? " Fix: write the files before \(holding.map { flags[$0] }.joined(separator: " and ")), or each option's names as one word (\(flags[holding[0]]) a,b)."
                : " Fix: name \(order)."
            throw ValidationError("Missing expected argument '<\(names[first])>'.\(hint)")
        }
        let taken = lists[index].suffix(missing.count)
        lists[index].removeLast(missing.count)
        for (slot, word) in zip(missing, taken) { positionals[slot] = word }
    }
}
