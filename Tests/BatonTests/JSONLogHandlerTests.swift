import Baton
import Foundation
import Logging
import Testing

@Suite("JSON log lines")
struct JSONLogHandlerTests {
    @Test("every line is valid JSON, also with quotes, control characters and non-ASCII text; fixed fields win over metadata")
    func validJSON() throws {
        let (sink, text) = LogSink.capturing()
        var logger = Logger(label: "baton.test", factory: { JSONLogHandler(label: $0, level: .info, sink: sink) })
        logger[metadataKey: "jobId"] = "j-1"
        logger.warning("he said \"hi\"\n\tthen \u{01} left — ça va? 🎉", metadata: [
            "msg": "not me", "count": .stringConvertible(42), "ratio": .stringConvertible(0.5), "flag": .stringConvertible(true),
            "list": ["a", "b\\c"], "nested": ["k": "v"],
        ])
        let line = text()
        #expect(line.hasSuffix("\n"))
        #expect(line.split(separator: "\n").count == 1)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["msg"] as? String == "he said \"hi\"\n\tthen \u{01} left — ça va? 🎉")
        #expect(object["level"] as? String == "warning")
        #expect(object["logger"] as? String == "baton.test")
        #expect(object["jobId"] as? String == "j-1")
        #expect(object["count"] as? Int == 42)
        #expect(object["ratio"] as? Double == 0.5)
        #expect(object["flag"] as? Bool == true)
        #expect(object["list"] as? [String] == ["a", "b\\c"])
        #expect(object["nested"] as? [String: String] == ["k": "v"])
        #expect((object["source"] as? String)?.hasPrefix("JSONLogHandlerTests.swift:") == true)
        let ts = try #require(object["ts"] as? String)
        #expect(ts.count == 24 && ts.hasSuffix("Z"))
        #expect((try? Date(ts, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true))) != nil)
    }
}
