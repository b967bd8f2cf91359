import EDMBytes
import EDMFrames
import EDMAT
import EDMSession

/// Puts per-byte rows back in time order when the format writes them slightly out of it.
///
/// sigrok emits an annotation when a byte ends, so a TX byte that started first can be
/// printed after an RX byte that ended first; merged exports can interleave rows the same
/// way. Rows wait here until they are `window` older than the newest row seen, then leave
/// in (time, arrival) order. A row older than what already left cannot be placed: that is
/// an error rather than a silently unordered trace. Memory is bounded by the window.
package struct TimeOrderBuffer {
    /// One byte waiting for its place in time order.
    package struct Item {
        package var time: Duration
        package var direction: Direction?
        package var byte: UInt8
        package var line: Int
    }

    package let window: Duration
    private var items: [Item] = []
    private var head = 0
    private var newest: Duration?
    private(set) var released: Duration?

    package init(window: Duration) { self.window = window }

    /// Adds a row; returns rows now old enough to leave, in order.
    package mutating func insert(_ item: Item, format: TraceFormat) throws(TraceImportError) -> ArraySlice<Item> {
        if let released, item.time < released {
            throw TraceImportError(
                .outOfOrder, format: format, line: item.line,
                "row at \(item.time) is earlier than rows already emitted (up to \(released)) "
                    + "by more than the \(window) reorder window: sort the export by time"
            )
        }
        // Usually the newest row: append; otherwise walk back to keep (time, arrival) order.
        var at = items.endIndex
        while at > head, items[at - 1].time > item.time { at -= 1 }
        items.insert(item, at: at)
        if newest.map({ item.time > $0 }) ?? true { newest = item.time }
        return release(upTo: newest! - window)
    }

    /// Everything still waiting, in order.
    package mutating func drain() -> ArraySlice<Item> { release(upTo: nil) }

    private mutating func release(upTo limit: Duration?) -> ArraySlice<Item> {
        let start = head
        while head < items.endIndex, limit.map({ items[head].time <= $0 }) ?? true { head += 1 }
        guard head > start else { return [] }
        released = items[head - 1].time
        let out = items[start..<head]
        // Compact once the released prefix dominates, so the array does not grow forever.
        // (The slice keeps the old storage alive for the caller.)
        if head > 1024, head * 2 > items.count {
            items = Array(items[head...])
            head = 0
        }
        return out
    }
}
