import Configuration
import Synchronization

/// Every setting key Baton reads, recorded as swift-configuration reports the access;
/// `UnknownSettings` compares them with the keys the sources hold.
final class AccessedKeys: AccessReporter {
    private let keys = Mutex(Set<String>())

    func report(_ event: AccessEvent) {
        let key = event.metadata.key.components.joined(separator: ".")
        keys.withLock { _ = $0.insert(key) }
    }

    var all: Set<String> { keys.withLock { $0 } }
}
