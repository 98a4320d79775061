import ArgumentParser

/// `--principal`: who a mutating registry command acts as. The store checks the principal's
/// role; this only carries the name.
struct PrincipalOption: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The principal this command acts as (its role is checked by the store).", valueName: "id"))
    var principal: String

    init() {}
}

