import Crypto

/// Not Sendable (swift-crypto's SHA256 is not): lives only inside the engine's mutex.
struct UploadState {
    var token: String
    var server: Int
    var username: String
    var spaceID: String
    var sourceName: String
    var options: [String] = []
    var bytes: Int64 = 0
    var chunks = 0
    var hasher = SHA256()
    var begunAt: Double
    var finishedAt: Double?
    var completesAt: Double?
    var outcome: JobBehaviour?

    func isComplete(at now: Double) -> Bool {
        completesAt.map { now >= $0 } ?? false
    }
}
