import EDMKit
import Foundation

/// A fresh directory under the system temp dir, removed by `remove()`.
struct TempDir {
    let path: String

    init() {
        var template = Array((NSTemporaryDirectory() + "edmkitio-XXXXXX").utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        precondition(made != nil, "mkdtemp failed")
        path = String(cString: made!)
    }

    func file(_ name: String) -> String { path + "/" + name }
    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

func stream(_ records: [TraceRecord], _ direction: Direction?) -> [UInt8] {
    records.filter { $0.direction == direction }.flatMap(\.bytes)
}

func readFile(_ path: String) -> [UInt8] {
    let fd = open(path, O_RDONLY)
    precondition(fd >= 0, "cannot open \(path)")
    defer { close(fd) }
    var out: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n <= 0 { return out }
        out += buffer[0..<n]
    }
}

func writeFile(_ path: String, _ bytes: [UInt8]) {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    precondition(fd >= 0, "cannot create \(path)")
    defer { close(fd) }
    var done = 0
    while done < bytes.count {
        let n = bytes[done...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        precondition(n > 0, "write failed")
        done += n
    }
}

/// The full path of a program on PATH, or nil (tests that need it are skipped).
func which(_ program: String) -> String? {
    for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
        let path = "\(dir)/\(program)"
        if FileManager.default.isExecutableFile(atPath: path) { return path }
    }
    return nil
}

/// A child process started with posix_spawn. Its signal mask is cleared and SIGTERM set to
/// the default action: test runner threads block signals, and a child inheriting that mask
/// would ignore `stop()` (Foundation's Process does not reset it).
struct Child {
    let pid: pid_t

    /// Starts `program` with stdout and stderr sent to files (or /dev/null).
    init(_ program: String, _ arguments: [String], stdout: String = "/dev/null", stderr: String = "/dev/null") throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t(), defaults = sigset_t()
        sigemptyset(&empty)
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGTERM)
        sigaddset(&defaults, SIGPIPE)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let argv = ([program] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid = pid_t()
        let status = posix_spawn(&pid, program, &actions, &attributes, argv, environ)
        guard status == 0 else {
            throw SpawnError(message: "cannot start \(program): \(String(cString: strerror(status)))")
        }
        self.pid = pid
    }

    /// Waits for the child to exit; its exit status.
    @discardableResult
    func wait() -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0, errno == EINTR {}
        return (status >> 8) & 0xFF
    }

    /// SIGTERM, then waits (SIGKILL if it has not gone after 5 s).
    func stop() {
        kill(pid, SIGTERM)
        for _ in 0..<500 {
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid { return }
            usleep(10_000)
        }
        kill(pid, SIGKILL)
        wait()
    }
}

struct SpawnError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// Runs a program to completion; its exit status and standard output.
@discardableResult
func run(_ program: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
    let dir = TempDir()
    defer { dir.remove() }
    let child = try Child(program, arguments, stdout: dir.file("out"))
    let status = child.wait()
    return (status, String(decoding: readFile(dir.file("out")), as: UTF8.self))
}

/// A small provisioning exchange with the bytes that break naive tools: NUL, LF inside
/// frames, 0xAA/0x55 inside bodies, bytes ≥ 0x80 (ESP32 boot noise).
enum MiniSession {
    static let steps: [(Direction, [UInt8])] = [
        (.host, Array("AT+CPWROFF\r".utf8)),
        (.module, Array("AT+CPWROFF\r\r\nOK\r\n".utf8)),
        (
            .module,
            [0x00, 0xE0, 0xFF, 0x80, 0x0A, 0x1B, 0x55, 0xAA, 0xC3, 0x28, 0x0D, 0x7F] + Array("\r\n+STARTUP\r\n".utf8)
        ),
        (.host, Array("ATO2\r".utf8)),
        (.module, Array("ATO2\r\r\nOK\r\n".utf8)),
        (.host, EDMEncoder.atRequest("AT+UWSC=0,2,SSID\r")),
        (.module, EDMEncoder.atConfirmation("\r\nOK\r\n")),
        (
            .host,
            EDMEncoder.dataCommand(channel: 0, data: Array("{\"payload\":\"\",\"registrationId\":\"ninadps\"}".utf8))
        ),
        (
            .module,
            EDMEncoder.dataEvent(
                channel: 0, data: [0xAA, 0x55, 0x0A, 0x00] + Array("{\"status\":\"assigning\"}\n".utf8))
        ),
        (.module, EDMEncoder.atEvent("\r\n+UUDPD:2\r\n"))
    ]

    static func bytes(_ direction: Direction) -> [UInt8] { steps.filter { $0.0 == direction }.flatMap(\.1) }
}

extension TraceImporter {
    /// Feeds `input` in chunks of the given sizes (cycled), then finishes.
    mutating func importChunked(_ input: [UInt8], sizes: [Int]) throws(TraceImportError) -> [TraceRecord] {
        var out: [TraceRecord] = []
        var start = 0, k = 0
        while start < input.count {
            let end = min(input.count, start + max(1, sizes[k % sizes.count]))
            out += try consume(input[start..<end])
            start = end
            k += 1
        }
        out += try finish()
        return out
    }
}
