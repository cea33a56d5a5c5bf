import Baton
import Foundation
import Synchronization

/// An ``OutcomeLedger`` that knows a fixed list of records (topic and source message) and
/// counts the questions it is asked; it can be told to fail every look-up.
final class ListedLedger: OutcomeLedger {
    struct Question: Hashable {
        var topic: String
        var source: String
    }

    private let state = Mutex<(known: Set<Question>, asked: [Question], failing: Bool)>(([], [], false))

    init(_ known: [(topic: String, source: String)] = [], failing: Bool = false) {
        state.withLock { $0 = (Set(known.map { Question(topic: $0.topic, source: $0.source) }), [], failing) }
    }

    var asked: [Question] { state.withLock { $0.asked } }

    func hasRecord(on topic: String, from source: String, messageWrittenAt: Date?) async throws -> Bool {
        try state.withLock { state in
            let question = Question(topic: topic, source: source)
            state.asked.append(question)
            if state.failing { throw CancellationError() }
            return state.known.contains(question)
        }
    }
}
