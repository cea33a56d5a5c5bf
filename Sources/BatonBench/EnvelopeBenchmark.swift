import Baton
import Foundation

/// The CPU of one hop's JSON work: decoding a job envelope (`JobEnvelopeCodec.decode`, as a
/// worker admits a message) and encoding its continuation (`JobEnvelopeCodec.encode`), beside
/// the floor Foundation sets for the same ~0.6 KB object: `JSONSerialization` parsing it,
/// and `JSONDecoder`/`JSONEncoder` (sorted keys) with a plain synthesized `Codable` struct of
/// the same shape, which keeps no unknown fields. The envelope is the one the side-by-side hop
/// benchmark circulates (scripts/bench-reference/benchsupport.py). Single-threaded.
struct EnvelopeBenchmark {
    var iterations: Int
    var repetitions: Int

    private static let key = Array("3f9c2e61-bench-hop-1234".utf8)
    private static let value = Array(#"""
        {"version":1,"jobId":"3f9c2e61-bench-hop-1234","createdAt":"2026-12-01T06:00:00Z","source":{"bucket":"reports","key":"daily/bench-1234.csv","size":50000,"eTag":"9b2cf535f27731c974343645a3985328","versionId":null,"sequencer":"0055AED6DCD9028001234","eventTime":"2026-12-01T06:00:00Z"},"target":{"spaceId":"space-1234","sourceName":"bench-1234","subgroups":[],"route":"bench"},"stage":"upload","retriesLeft":1000000,"slices":0,"notBefore":null,"birst":{"uploadedBytes":0},"lastError":null}
        """#.utf8)

    /// The same envelope with a number no double holds in an unknown field: refused, and
    /// the reason found by a second pass over the bytes (`JSONReadLimits`).
    private static let refused = Array(String(decoding: value, as: UTF8.self).replacingOccurrences(of: #""lastError":null"#, with: #""lastError":null,"huge":1e400"#).utf8)

    /// The same envelope with an unknown field nested as deep as Baton allows (63 levels of
    /// objects under the envelope), the worst a hostile producer can make a worker decode.
    private static let deepest = Array(String(decoding: value, as: UTF8.self).replacingOccurrences(
        of: #""lastError":null"#,
        with: #""lastError":null,"deep":"# + String(repeating: #"{"a":["#, count: 31) + "{}" + String(repeating: "]}", count: 31)).utf8)

    /// The same shape as plain synthesized `Codable`, times as text: Foundation's own cost.
    private struct PlainEnvelope: Codable {
        struct Source: Codable { var bucket, key: String; var size: Int?; var eTag, versionId, sequencer, eventTime: String? }
        struct Target: Codable { var route: String?; var spaceId, sourceName: String; var subgroups: [String] }
        struct Birst: Codable { var uploadedBytes: Int }
        var version: Int
        var jobId, createdAt: String
        var source: Source
        var target: Target
        var stage: String
        var retriesLeft, slices: Int
        var notBefore: String?
        var birst: Birst
        var lastError: String?
    }

    func run() throws -> [Figure] {
        var job = try JobEnvelopeCodec.decode(key: Self.key, value: Self.value).get()
        job.slices += 1
        job.firstSliceAt = Date()
        let data = Data(Self.value)
        let decoder = JSONDecoder()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let plain = try decoder.decode(PlainEnvelope.self, from: data)
        let section = "8 Envelope"
        return [
            Figure(section, "CPU per envelope decode (JobEnvelopeCodec.decode, unknown fields kept)", "µs",
                   measure { _ = JobEnvelopeCodec.decode(key: Self.key, value: Self.value) }),
            Figure(section, "  refused: a number beyond a double in an unknown field, reason with its path", "µs",
                   measure { _ = JobEnvelopeCodec.decode(key: Self.key, value: Self.refused) }),
            Figure(section, "  an unknown field of objects and arrays nested 63 levels (Baton's limit: 64 in all)", "µs",
                   measure(iterations: max(iterations / 50, 20)) { _ = JobEnvelopeCodec.decode(key: Self.key, value: Self.deepest) }),
            Figure(section, "CPU per continuation encode (JobEnvelopeCodec.encode, sorted keys)", "µs",
                   measure { _ = JobEnvelopeCodec.encode(job) }),
            Figure(section, "  floor: JSONDecoder, plain synthesized struct of the same shape", "µs",
                   measure { _ = try? decoder.decode(PlainEnvelope.self, from: data) }),
            Figure(section, "  floor: JSONEncoder (sorted keys), the same struct", "µs",
                   measure { _ = try? encoder.encode(plain) }),
            Figure(section, "  floor: JSONSerialization.jsonObject (parse only, no mapping)", "µs",
                   measure { _ = try? JSONSerialization.jsonObject(with: data) }),
        ]
    }

    private func measure(iterations: Int? = nil, _ body: () -> Void) -> [Double] {
        let iterations = iterations ?? self.iterations
        var values: [Double] = []
        for repetition in 0...repetitions {
            let started = LogBenchmark.cpuSeconds()
            for _ in 0..<iterations { body() }
            let each = (LogBenchmark.cpuSeconds() - started) / Double(iterations) * 1e6
            if repetition > 0 { values.append(each) }  // the first is a warm-up
        }
        return values
    }
}
