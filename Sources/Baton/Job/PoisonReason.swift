import Foundation

/// Why a message cannot be processed; becomes the dead letter's `baton-error`.
public struct PoisonReason: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
