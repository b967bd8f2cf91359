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

    static func run(_ name: String, _ arguments: [String], stdin: Data? = nil, environment: [String: String] = [:]) throws -> Result {
        let process = Process()
        process.executableURL = buildDirectory.appendingPathComponent(name)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: root)
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
