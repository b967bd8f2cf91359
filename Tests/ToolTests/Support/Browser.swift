import Foundation
import Testing

/// Headless chromium, for the tests that open the HTML report as a user's browser would.
enum Browser {
    /// The browser's path, nil when none is installed (`make deps` installs `chromium`).
    static let path: String? = {
        let dirs = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        for name in ["chromium", "chromium-browser"] {
            for dir in dirs where FileManager.default.isExecutableFile(atPath: "\(dir)/\(name)") {
                return "\(dir)/\(name)"
            }
        }
        return nil
    }()

    static let missing = Comment(rawValue:
        "chromium is not installed (apt-get install chromium, or make "
            + "deps): the HTML report is not checked in a browser")

    /// The DOM after the page's script ran (`--dump-dom`), for `file` with `fragment` (`dir=host`).
    static func dom(_ file: String, fragment: String = "") throws -> String {
        let r = try run(["--dump-dom", url(file, fragment)])
        guard r.status == 0 else {
            throw TestFailure("chromium --dump-dom exited \(r.status): \(r.stderr.suffix(500))")
        }
        return r.stdout
    }

    /// A PNG of the page, `width`×`height` pixels.
    static func screenshot(_ file: String, to png: String, width: Int, height: Int) throws {
        let r = try run(["--screenshot=\(png)", "--window-size=\(width),\(height)", "--hide-scrollbars", url(file, "")])
        guard r.status == 0, FileManager.default.fileExists(atPath: png) else {
            throw TestFailure("chromium --screenshot exited \(r.status): \(r.stderr.suffix(500))")
        }
    }

    private static func url(_ file: String, _ fragment: String) -> String {
        let absolute = file.hasPrefix("/") ? file : Tool.root + "/" + file
        return "file://" + absolute + (fragment.isEmpty ? "" : "#" + fragment)
    }

    /// Each run with a profile of its own: runs in parallel would fight over one profile's lock.
    private static func run(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let profile = try Tool.temporaryDirectory("chromium-profile")
        defer { try? FileManager.default.removeItem(atPath: profile) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path!)
        process.arguments =
            ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--user-data-dir=\(profile)"]
            + arguments
        let out = URL(fileURLWithPath: try Tool.temporaryFile("chromium-out-\(UUID().uuidString)", Data()))
        let err = URL(fileURLWithPath: try Tool.temporaryFile("chromium-err-\(UUID().uuidString)", Data()))
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: try Data(contentsOf: out), as: UTF8.self),
                String(decoding: try Data(contentsOf: err), as: UTF8.self))
    }
}

/// What the report tests read from a PNG without decoding its pixels: the IHDR's size.
enum PNG {
    static func size(_ data: Data) -> (width: Int, height: Int)? {
        let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        let bytes = [UInt8](data.prefix(24))
        guard bytes.count == 24, Array(bytes[0..<8]) == signature, Array(bytes[12..<16]) == Array("IHDR".utf8) else {
            return nil
        }
        func be(_ i: Int) -> Int { bytes[i..<(i + 4)].reduce(0) { $0 << 8 | Int($1) } }
        return (be(16), be(20))
    }
}
