import Foundation

/// The path of the running `baton` executable, to start workers from the same build.
enum ExecutablePath {
    static func current() -> String {
        if let resolved = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            return resolved
        }
        let argument = CommandLine.arguments.first ?? "baton"
        if argument.hasPrefix("/") { return argument }
        if argument.contains("/") {
            return URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(argument).standardizedFileURL.path
        }
        return argument  // found through PATH
    }
}
