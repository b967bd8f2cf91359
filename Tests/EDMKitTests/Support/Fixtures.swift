/// Paths of files the tests read from the repository.
enum Fixtures {
    /// The repository's root, found from this file's path (Tests/EDMKitTests/Support/).
    static let root: String = {
        var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(4)
        return parts.joined(separator: "/")
    }()

    static let referenceLog = root + "/captures/azure-dps-example-session.log"
}
