/// Why an SNS message was not trusted or its subscription not confirmed; the text is safe
/// to return to the caller and to log (it names URLs and topics, never a secret).
public struct SNSError: Error, CustomStringConvertible, Equatable {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}
