import Foundation

/// Extracts typed results from `<operationResponse>` elements.
enum AnswerReader {
    static func text(_ answer: XMLNode, _ operation: BirstOperation) throws(BirstError) -> String {
        guard let result = answer.result(of: operation) else {
            throw missing(operation, "\(operation.rawValue)Result")
        }
        return result.text
    }

    static func token(_ answer: XMLNode, _ operation: BirstOperation) throws(BirstError) -> String {
        let value = try text(answer, operation).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !value.isEmpty else { throw missing(operation, "a token in \(operation.rawValue)Result") }
        return value
    }

    static func bool(_ answer: XMLNode, _ operation: BirstOperation) throws(BirstError) -> Bool {
        switch try text(answer, operation).trimmingCharacters(in: .whitespacesAndNewlines).lowercased() {
        case "true": return true
        case "false": return false
        case let other: throw missing(operation, "true/false (got \(other.prefix(40)))")
        }
    }

    static func jobStatus(_ answer: XMLNode) throws(BirstError) -> JobStatus {
        guard let result = answer.result(of: .getJobStatus) else { throw missing(.getJobStatus, "getJobStatusResult") }
        func field(_ name: String) -> String? {
            result.children.first { $0.name == name }?.text
        }
        func integer(_ name: String) -> Int? {
            field(name).flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        }
        guard let code = field("statusCode")?.trimmingCharacters(in: .whitespacesAndNewlines), !code.isEmpty else {
            throw missing(.getJobStatus, "statusCode")
        }
        return JobStatus(
            statusCode: code, message: field("message") ?? "", processingGroup: field("processingGroup") ?? "",
            type: integer("type"), loadID: integer("loadid"))
    }

    private static func missing(_ operation: BirstOperation, _ what: String) -> BirstError {
        BirstError(kind: .invalidResponse, operation: operation, message: "answer lacks \(what)")
    }
}
