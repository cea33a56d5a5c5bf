/// What an operation answers inside `<operationResponse>`.
enum OperationResult: Sendable {
    case empty
    case text(String)
    /// Child elements of `<operationResult>`, in order.
    case fields([(String, String)])
}
