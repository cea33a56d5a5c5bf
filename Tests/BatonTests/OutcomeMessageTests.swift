import Baton
import Foundation
import Testing

@Suite("Outcome e-mail templates")
struct OutcomeMessageTests {
    @Test("the default templates fill in the outcome, without HTML escaping")
    func defaults() throws {
        var envelope = JobEnvelope(
            jobId: "j1", source: JobSource(bucket: "reports", key: "q4 <draft> & final.csv"),
            target: JobTarget(spaceId: "space-1", sourceName: "q4"), retriesLeft: 1
        )
        envelope.slices = 3
        let record = OutcomeRecord(envelope: envelope, result: JobResult(status: .failed, message: "Birst said \"no\""), worker: "w1")
        let message = try OutcomeMessage(subject: NotifySettings.defaultSubject, body: NotifySettings.defaultBody)
        let (subject, body) = message.render(record)
        #expect(subject == "[baton] failed: s3://reports/q4 <draft> & final.csv")
        #expect(body.contains("Message:  Birst said \"no\""))
        #expect(body.contains("Slices:   3"))
        #expect(body.contains("space space-1, source q4"))
    }

    @Test("a subject template cannot inject header lines")
    func subjectIsOneLine() throws {
        let record = OutcomeRecord(unrouted: JobSource(bucket: "b", key: "evil\r\nBcc: x@example.com"), jobId: "j", message: "m")
        let (subject, _) = try OutcomeMessage(subject: "{{key}}", body: "").render(record)
        #expect(!subject.contains("\n") && !subject.contains("\r"))
    }
}
