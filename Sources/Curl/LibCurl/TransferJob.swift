/// A transfer on its way from an async caller to the driver thread: the request and the
/// continuation that the driver resumes exactly once.
struct TransferJob: Sendable {
    let id: UInt64
    let request: TransferRequest
    let continuation: CheckedContinuation<TransferResult, any Error>
}
