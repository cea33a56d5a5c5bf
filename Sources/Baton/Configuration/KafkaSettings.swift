/// How to reach Kafka. Everything librdkafka understands can be passed through
/// unchanged with `kafka.properties` (`name=value` entries); the named settings here
/// are the ones Baton itself relies on.
public struct KafkaSettings: Sendable, Equatable {
    public var bootstrapServers: String
    public var clientID: String
    public var groupID: String
    public var sessionTimeout: Duration
    public var maxPollInterval: Duration
    public var deliveryTimeout: Duration
    public var assignmentStrategy: String
    /// Extra librdkafka properties, applied after the named settings (so they win).
    public var properties: [String: String]

    static func load(_ settings: SettingsReader) throws -> KafkaSettings {
        var properties: [String: String] = [:]
        for entry in settings.stringArray("kafka.properties") {
            guard let equals = entry.firstIndex(of: "="), equals != entry.startIndex else {
                throw ConfigurationError(key: "kafka.properties", message: "expected name=value, got \"\(entry)\"")
            }
            let name = String(entry[..<equals]).trimmingCharacters(in: .whitespaces)
            guard !secretProperties.keys.contains(name) else {
                throw ConfigurationError(
                    key: "kafka.properties",
                    message: "\(name) is a secret; set \(SettingsReader.environmentName(of: secretProperties[name]!)) instead"
                )
            }
            properties[name] = String(entry[entry.index(after: equals)...]).trimmingCharacters(in: .whitespaces)
        }
        for (property, key) in secretProperties {
            if let value = try settings.secret(key) { properties[property] = value }
        }
        return KafkaSettings(
            bootstrapServers: settings.string("kafka.bootstrapServers", default: "127.0.0.1:9092"),
            clientID: settings.string("kafka.clientId", default: "baton"),
            groupID: settings.string("kafka.groupId", default: "baton-workers"),
            sessionTimeout: try settings.duration("kafka.sessionTimeout", default: .seconds(45), minimum: .seconds(1)),
            maxPollInterval: try settings.duration("kafka.maxPollInterval", default: .seconds(300), minimum: .seconds(1)),
            deliveryTimeout: try settings.duration("kafka.deliveryTimeout", default: .seconds(30), minimum: .milliseconds(100)),
            assignmentStrategy: settings.string("kafka.assignmentStrategy", default: "roundrobin"),
            properties: properties
        )
    }

    /// librdkafka properties that are credentials, and the setting that provides each.
    static let secretProperties = [
        "sasl.password": "kafka.saslPassword",
        "ssl.key.password": "kafka.sslKeyPassword",
    ]

    /// Properties common to producers, consumers and admin clients.
    public var clientProperties: [String: String] {
        var all = ["bootstrap.servers": bootstrapServers, "client.id": clientID]
        all.merge(properties) { _, passedThrough in passedThrough }
        return all
    }

    public var producerProperties: [String: String] {
        var all = [
            "acks": "all",
            "enable.idempotence": "true",
            "message.timeout.ms": String(deliveryTimeout.milliseconds),
            // A hand-off waits for its acknowledgement: batch for 1 ms, not librdkafka's 5.
            "linger.ms": "1",
            // Dead letters carry whatever arrived; the broker's own limit still applies.
            "message.max.bytes": String(16 << 20),
        ]
        all.merge(clientProperties) { _, explicit in explicit }
        return all
    }

    public func consumerProperties(groupID: String? = nil) -> [String: String] {
        var all = [
            "group.id": groupID ?? self.groupID,
            "session.timeout.ms": String(sessionTimeout.milliseconds),
            "max.poll.interval.ms": String(max(maxPollInterval, sessionTimeout).milliseconds),
            "partition.assignment.strategy": assignmentStrategy,
            "auto.offset.reset": "earliest",
            // A continuation should reach the next slice quickly, not after librdkafka's
            // default 500 ms fetch wait.
            "fetch.wait.max.ms": "100",
        ]
        all.merge(clientProperties) { _, explicit in explicit }
        return all
    }
}

extension Duration {
    /// Whole milliseconds, the unit librdkafka and curl take.
    public var milliseconds: Int64 {
        components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000
    }

    public var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
