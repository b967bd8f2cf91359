import Foundation

/// Runs one of the package's built tools and captures what it says, as a user would see it.
struct Tool {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
        var stdoutBytes: Data
    }

    /// The products sit next to the test bundle in the build folder.
    static let buildDirectory: URL = {
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: url.appendingPathComponent("edm-decode").path), url.path != "/" {
            url = url.deletingLastPathComponent()
        }
        return url
    }()

    static let root: String = {
        var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)
        return parts.joined(separator: "/")
    }()

    /// `directory`: where it runs (default: the package's root).
    static func run(_ name: String, _ arguments: [String], stdin: Data? = nil, environment: [String: String] = [:],
                    directory: String? = nil) throws -> Result {
        let process = Process()
        process.executableURL = buildDirectory.appendingPathComponent(name)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory ?? root)
        var env = ProcessInfo.processInfo.environment
        env.merge(environment) { $1 }
        process.environment = env
        // Files, not pipes: a tool that writes a lot must never block on a full pipe.
        let outURL = try temporaryURL("stdout"), errURL = try temporaryURL("stderr")
        let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
        let input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(stdin) }
        try input.fileHandleForWriting.close()
        process.waitUntilExit()
        try out.close()
        try err.close()
        let outData = try Data(contentsOf: outURL), errData = try Data(contentsOf: errURL)
        return Result(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                      stderr: String(decoding: errData, as: UTF8.self), stdoutBytes: outData)
    }

    private static func temporaryURL(_ name: String) throws -> URL {
        let path = try temporaryFile("\(name)-\(UUID().uuidString)", Data())
        return URL(fileURLWithPath: path)
    }

    static func temporaryFile(_ name: String, _ contents: Data) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("edm-tool-tests-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let url = dir.appendingPathComponent(name)
        try contents.write(to: url)
        return url.path
    }
}

extension Tool {
    static func temporaryDirectory(_ name: String) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent(
            "edm-tool-tests-\(getpid())/\(name)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url.path
    }

    /// The simulator's test credentials, taken from the source that embeds them.
    static func simulatorCredentials(in dir: String) throws -> (ca: String, cert: String, key: String) {
        let source = try String(contentsOfFile: root + "/Sources/azure-dps/SimulatorCredentials.swift", encoding: .utf8)
        let blocks = source.components(separatedBy: "\"\"\"").enumerated().filter { $0.offset % 2 == 1 }.map(\.element)
        let pems = blocks.map { block in
            block.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.joined(
                separator: "\n") + "\n"
        }
        var paths: [String] = []
        for (name, pem) in zip(["ca.pem", "cert.pem", "key.pem"], pems) {
            let path = dir + "/" + name
            try Data(pem.utf8).write(to: URL(fileURLWithPath: path))
            paths.append(path)
        }
        return (paths[0], paths[1], paths[2])
    }

    /// A tool started in the background; `finish()` waits for it.
    struct Running {
        let process: Process
        let out: URL, err: URL

        func finish() throws -> Result {
            process.waitUntilExit()
            let o = try Data(contentsOf: out)
            let e = try Data(contentsOf: err)
            return Result(
                status: process.terminationStatus, stdout: String(decoding: o, as: UTF8.self),
                stderr: String(decoding: e, as: UTF8.self), stdoutBytes: o)
        }
    }

    static func start(_ name: String, _ arguments: [String], environment: [String: String] = [:],
                      directory: String? = nil) throws -> Running {
        let process = Process()
        process.executableURL = buildDirectory.appendingPathComponent(name)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory ?? root)
        var env = ProcessInfo.processInfo.environment
        env.merge(environment) { $1 }
        process.environment = env
        let out = URL(fileURLWithPath: try temporaryFile("out-\(UUID().uuidString)", Data()))
        let err = URL(fileURLWithPath: try temporaryFile("err-\(UUID().uuidString)", Data()))
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return Running(process: process, out: out, err: err)
    }
}
