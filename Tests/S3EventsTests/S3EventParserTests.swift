import Foundation
import S3Events
import Testing

@Suite("S3 event notifications → object events")
struct S3EventParserTests {
    static let notification = """
    {"Records":[
      {"eventVersion":"2.1","eventSource":"aws:s3","awsRegion":"eu-west-1","eventTime":"2026-11-27T10:00:00.000Z",
       "eventName":"ObjectCreated:Put",
       "s3":{"bucket":{"name":"reports"},"object":{"key":"daily/Q4+report+%2B+%C3%BCbersicht.csv","size":1048576,
             "eTag":"abc","sequencer":"0062E99A88DC407460"}}},
      {"eventVersion":"2.1","eventSource":"aws:s3","eventName":"ObjectRemoved:Delete",
       "s3":{"bucket":{"name":"reports"},"object":{"key":"old.csv","sequencer":"01"}}},
      {"eventVersion":"2.1","eventSource":"aws:s3","eventName":"ObjectCreated:CompleteMultipartUpload",
       "s3":{"bucket":{"name":"reports"},"object":{"key":"b.csv","size":5,"versionId":"v2"}}}
    ]}
    """

    func parse(_ text: String) throws -> S3EventBatch { try S3EventParser.parse(Array(text.utf8)) }

    @Test("a Records document: created objects become events, keys URL-decoded (+ is a space), deletions skipped")
    func records() throws {
        let batch = try parse(Self.notification)
        #expect(batch.events.count == 2)
        let first = try #require(batch.events.first)
        #expect(first.bucket == "reports")
        #expect(first.key == "daily/Q4 report + übersicht.csv")
        #expect(first.size == 1_048_576)
        #expect(first.sequencer == "0062E99A88DC407460")
        #expect(first.format == .s3Notification)
        #expect(batch.events[1].versionId == "v2")
        #expect(batch.skipped.map(\.reason) == ["ObjectRemoved:Delete is not an object-created event"])
    }

    @Test("wrapped in an SNS notification (HTTP delivery and Lambda record form)")
    func sns() throws {
        let message = String(data: try JSONSerialization.data(withJSONObject: Self.notification, options: .fragmentsAllowed), encoding: .utf8)!
        let http = try parse(#"{"Type":"Notification","MessageId":"1","Message":\#(message)}"#)
        #expect(http.events.map(\.key) == ["daily/Q4 report + übersicht.csv", "b.csv"])
        #expect(http.events.allSatisfy { $0.format == .sns })
        let lambda = try parse(#"{"Records":[{"EventSource":"aws:sns","Sns":{"Message":\#(message)}}]}"#)
        #expect(lambda.events.count == 2)
    }

    @Test("EventBridge Object Created")
    func eventBridge() throws {
        let batch = try parse("""
        {"version":"0","detail-type":"Object Created","source":"aws.s3","time":"2026-11-27T10:00:00Z","region":"eu-west-1",
         "detail":{"version":"0","bucket":{"name":"reports"},
                   "object":{"key":"monthly/nov+2026.csv","size":5,"etag":"e1","version-id":"v1","sequencer":"617f"},
                   "reason":"PutObject"}}
        """)
        #expect(batch.events == [S3ObjectEvent(
            bucket: "reports", key: "monthly/nov 2026.csv", size: 5, eTag: "e1", versionId: "v1", sequencer: "617f",
            eventTime: "2026-11-27T10:00:00Z", eventName: "ObjectCreated:PutObject", region: "eu-west-1", format: .eventBridge
        )])
    }

    @Test("MinIO webhook form")
    func minio() throws {
        let batch = try parse("""
        {"EventName":"s3:ObjectCreated:Put","Key":"reports/a%20b.csv","Records":[{"eventVersion":"2.0","eventSource":"minio:s3",
         "eventName":"s3:ObjectCreated:Put","s3":{"bucket":{"name":"reports"},"object":{"key":"a%20b.csv","size":3,"sequencer":"17"}}}]}
        """)
        #expect(batch.events.map(\.key) == ["a b.csv"])
        #expect(batch.events.first?.format == .minio)
    }

    @Test("S3's test event and non-S3 events are told apart")
    func testEvent() throws {
        let batch = try parse(#"{"Service":"Amazon S3","Event":"s3:TestEvent","Bucket":"reports"}"#)
        #expect(batch.events.isEmpty)
        #expect(batch.skipped.count == 1)
    }

    @Test("invalid payloads name the offending field", arguments: [
        ("not json", "not valid JSON"),
        ("[1,2]", "expected a JSON object"),
        (#"{"hello":1}"#, "not an S3 event notification"),
        (#"{"Records":[{"eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"b"},"object":{}}}]}"#, "Records[0].s3.object.key: missing"),
        (#"{"Records":[{"eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"b"},"object":{"key":7}}}]}"#, "Records[0].s3.object.key: expected a string"),
        (#"{"Records":[{"eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"b"},"object":{"key":"k","size":-1}}}]}"#, "Records[0].s3.object.size: expected a non-negative integer"),
        (#"{"Records":[{"eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"b"},"object":{"key":"k","size":true}}}]}"#, "Records[0].s3.object.size: expected a non-negative integer"),
        (#"{"Records":{"a":1}}"#, "Records: expected an array"),
    ])
    func invalid(payload: String, message: String) {
        let error = #expect(throws: S3EventError.self) { try parse(payload) }
        #expect(error?.description.contains(message) == true, "\(String(describing: error))")
    }

    @Test("s3:// URIs from the command line")
    func uri() throws {
        let uri = try S3URI(parsing: "s3://reports/daily/a b+c.csv")
        #expect(uri.bucket == "reports")
        #expect(uri.key == "daily/a b+c.csv", "the command line key is literal, not URL-decoded")
        #expect(throws: S3EventError.self) { try S3URI(parsing: "s3://reports") }
        #expect(throws: S3EventError.self) { try S3URI(parsing: "https://reports/x") }
    }
}
