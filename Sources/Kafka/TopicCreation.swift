/// What ``KafkaAdmin/createTopics(_:timeout:)`` did with one topic.
public struct TopicCreation: Sendable, Hashable, CustomStringConvertible {
    public enum Outcome: Sendable, Hashable {
        case created
        /// The topic existed already (its settings were not compared or changed).
        case alreadyExists
    }

    public var name: String
    public var outcome: Outcome

    public init(name: String, outcome: Outcome) {
        self.name = name
        self.outcome = outcome
    }

    public var description: String {
        "\(name): \(outcome == .created ? "created" : "already exists")"
    }
}
