import ArgumentParser

@main
struct EDMReplay: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "edm-replay",
        abstract: "Replay recorded module sessions through the DPS state machine."
    )
}
