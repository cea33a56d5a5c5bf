/// librdkafka properties (`bootstrap.servers`, `security.protocol`, `sasl.*`, …), passed
/// through to librdkafka unchanged. An unknown property or an invalid value makes the
/// client's initializer throw a ``KafkaError`` whose ``KafkaError/property`` names it.
///
/// See https://github.com/confluentinc/librdkafka/blob/v2.0.2/CONFIGURATION.md
public struct KafkaConfiguration: Sendable, Hashable {
    public var properties: [String: String]

    public init(_ properties: [String: String] = [:]) {
        self.properties = properties
    }

    public subscript(property: String) -> String? {
        get { properties[property] }
        set { properties[property] = newValue }
    }

    /// A copy with `other`'s properties added; `other` wins where both set a property.
    public func merging(_ other: [String: String]) -> KafkaConfiguration {
        KafkaConfiguration(properties.merging(other) { _, new in new })
    }
}
