import EDMKitIO

/// Wording the tools share, so their messages read alike.
public enum ToolText {
    /// The version every tool reports with `--version`.
    public static let version = "1.0.0"

    /// `1 unit`, `2 units`: the count with its noun, singular for one.
    public static func counted(_ count: Int, _ noun: String, plural: String? = nil) -> String {
        "\(count) " + (count == 1 ? noun : plural ?? noun + "s")
    }

    /// `19.196 s`: seconds with milliseconds, as every tool prints a time.
    public static func seconds(_ duration: Duration) -> String { duration.secondsText + " s" }

    /// The message as one sentence: it ends in exactly one full stop (a question keeps its
    /// mark), however the parts it was built from ended.
    public static func sentence(_ message: String) -> String {
        var text = Substring(message)
        while let last = text.last, last == " " || last == "\n" { text.removeLast() }
        guard let last = text.last, last != "?", last != "!" else { return String(text) }
        while text.hasSuffix(".") { text.removeLast() }
        return text + "."
    }
}
