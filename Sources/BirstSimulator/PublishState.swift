/// One publish (processing) job: where and by whom it was started, its load, and when
/// (simulated seconds) it completes with which outcome.
struct PublishState: Sendable {
    var token: String
    var server: Int
    var username: String
    var spaceID: String
    var subgroups: [String]
    var date: String
    var loadID: Int
    var startedAt: Double
    var completesAt: Double
    var outcome: JobBehaviour

    func isComplete(at now: Double) -> Bool { now >= completesAt }
}
