import Foundation

/// The Baton checkout the demo runs in: the directory holding Package.swift and
/// scripts/stack, found from the current directory or the running executable upwards.
enum RepositoryRoot {
    struct NotFound: Error, CustomStringConvertible {
        var description: String {
            "cannot find the Baton repository (a directory with Package.swift and scripts/stack) above the current directory or the baton executable; run the demo from the checkout"
        }
    }

    static func find(executable: String) throws -> String {
        let starts = [FileManager.default.currentDirectoryPath, (executable as NSString).deletingLastPathComponent]
        for start in starts {
            if let root = search(upwardsFrom: start) { return root }
        }
        throw NotFound()
    }

    private static func search(upwardsFrom start: String) -> String? {
        var directory = URL(fileURLWithPath: start).standardizedFileURL.path
        while true {
            let manager = FileManager.default
            if manager.fileExists(atPath: directory + "/Package.swift"), manager.isExecutableFile(atPath: directory + "/scripts/stack") {
                return directory
            }
            let parent = (directory as NSString).deletingLastPathComponent
            if parent == directory || parent.isEmpty { return nil }
            directory = parent
        }
    }
}
