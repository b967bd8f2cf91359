#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// The names recordings get. A recording is never written over unless `--overwrite` says so:
/// a default name that is taken (two runs started in the same second in one folder) gets a
/// number, `-2`, `-3`, …; a name that was given and exists is refused before the run starts.
enum RecordingName {
    /// azure-dps-<UTC time>-<registration id>.pcapng, in the current folder.
    static func defaultName(_ registrationID: String, at date: Date = Date()) -> String {
        let f = DateFormatter()
        f.dateFormat = "yyyyMMdd-HHmmss"
        f.timeZone = TimeZone(identifier: "UTC")
        return "azure-dps-\(f.string(from: date))-\(registrationID).pcapng"
    }

    /// The `n`th name to try for `path` (n from 2): run.pcapng -> run-2.pcapng.
    static func numbered(_ path: String, _ n: Int) -> String {
        let (stem, ext) = split(path)
        return "\(stem)-\(n)\(ext)"
    }

    /// A batch row's recording when `--record` names one for the whole batch: one.pcapng ->
    /// one-<registration id>.pcapng.
    static func perModule(_ base: String, _ registrationID: String) -> String {
        let (stem, ext) = split(base)
        return "\(stem)-\(registrationID)\(ext.isEmpty ? ".pcapng" : ext)"
    }

    /// Whether anything is at `path`, a dangling symlink included (which O_EXCL refuses too).
    static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    /// The name without and with its extension; only `.pcapng` and `.pcap` count as one, so
    /// a dot in a folder's or a registration id's name is left alone.
    private static func split(_ path: String) -> (stem: String, ext: String) {
        for ext in [".pcapng", ".pcap"] where path.hasSuffix(ext) && path.count > ext.count {
            return (String(path.dropLast(ext.count)), ext)
        }
        return (path, "")
    }
}
