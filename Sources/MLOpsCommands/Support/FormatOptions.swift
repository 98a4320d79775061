import ArgumentParser

/// A choice of output format: a command-line value with a default.
protocol OutputFormatChoice: ExpressibleByArgument, CaseIterable, RawRepresentable, Sendable where RawValue == String {
    /// The format a command prints when `--format` is not given.
    static var standard: Self { get }
}

/// How most commands print their result: text for people, json for programs.
enum OutputFormat: String, OutputFormatChoice {
    case text
    case json

    static var standard: OutputFormat { .text }
}

/// `--format`: the option group every command that prints a result uses.
///
/// Commands declare `@OptionGroup var formatting: FormatOptions<OutputFormat>`; the drift
/// commands, which can also write an HTML page, use `FormatOptions<DriftOutputFormat>`. A value
/// outside `Format`'s cases is refused by the parser with the list of accepted ones.
struct FormatOptions<Format: OutputFormatChoice>: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "How to print the result: text for people, json for programs (stable; see Documentation/CommandLine.md).",
            valueName: "format"))
    var format: Format = .standard

    init() {}
}
