/// A check that took longer than `baton check --timeout`.
struct PreflightTimeout: Error, CustomStringConvertible {
    var timeout: Duration
    var description: String { "no answer within \(ConfigDuration.format(timeout))" }
}
