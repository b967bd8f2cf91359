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

/// A small seeded generator (SplitMix64) for reproducible property tests.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
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

/// Runs a program to completion; returns its exit status and standard output.
@discardableResult
func run(_ program: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: program)
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = FileHandle.nullDevice
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

/// A small provisioning exchange with the bytes that break naive tools: NUL, LF inside
/// frames, 0xAA/0x55 inside bodies, bytes ≥ 0x80 (ESP32 boot noise).
enum MiniSession {
    static let steps: [(Direction, [UInt8])] = [
        (.host, Array("AT+CPWROFF\r".utf8)),
        (.module, Array("AT+CPWROFF\r\r\nOK\r\n".utf8)),
        (.module, [0x00, 0xE0, 0xFF, 0x80, 0x0A, 0x1B, 0x55, 0xAA, 0xC3, 0x28, 0x0D, 0x7F] + Array("\r\n+STARTUP\r\n".utf8)),
        (.host, Array("ATO2\r".utf8)),
        (.module, Array("ATO2\r\r\nOK\r\n".utf8)),
        (.host, EDMEncoder.atRequest("AT+UWSC=0,2,SSID\r")),
        (.module, EDMEncoder.atConfirmation("\r\nOK\r\n")),
        (.host, EDMEncoder.dataCommand(channel: 0, data: Array("{\"payload\":\"\",\"registrationId\":\"ninadps\"}".utf8))),
        (.module, EDMEncoder.dataEvent(channel: 0, data: [0xAA, 0x55, 0x0A, 0x00] + Array("{\"status\":\"assigning\"}\n".utf8))),
        (.module, EDMEncoder.atEvent("\r\n+UUDPD:2\r\n")),
    ]

    static func bytes(_ direction: Direction) -> [UInt8] { steps.filter { $0.0 == direction }.flatMap(\.1) }
}
