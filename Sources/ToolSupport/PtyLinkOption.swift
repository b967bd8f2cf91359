import ArgumentParser

/// `--link PATH` of the commands that serve a module on a pty (`azure-dps simulator`,
/// `edm-replay serve`).
///
/// Required, but declared optional and checked with the other usage checks, so that a typo
/// (`--lnk /tmp/x`) is reported as the unknown option it is rather than as a missing `--link`.
public struct PtyLinkOption: ParsableArguments {
    @Option(help: "Create this symlink to the pty (e.g. /tmp/nina).")
    var link: String?

    public init() {}

    /// Call from the command's `checkUsage()`.
    public func check() throws {
        if link == nil { throw ValidationError("Missing --link PATH: the symlink to create to the pty.") }
    }

    /// The path, once `check()` has passed.
    public var path: String { link ?? "" }
}
