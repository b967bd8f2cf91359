/// Which side of the serial link wrote a byte.
public enum Direction: String, Sendable, Hashable, CaseIterable {
    case host, module

    public var other: Direction { self == .host ? .module : .host }
    /// `->` for bytes the host sent, `<-` for bytes the module sent.
    public var arrow: String { self == .host ? "->" : "<-" }
}
