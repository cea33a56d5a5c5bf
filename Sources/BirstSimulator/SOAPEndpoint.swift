import Hummingbird
import Logging

/// `POST /CommandWebService.asmx`: routing by affinity cookie, SOAPAction dispatch,
/// fault injection, the operation, and the ASP.NET-shaped answer. Never crashes on
/// malformed input: every problem becomes a SOAP fault.
struct SOAPEndpoint: Sendable {
    let engine: SimulatorEngine
    let logger: Logger

    func handle(_ request: Request, context: SimulatorRequestContext) async throws -> Response {
        let buffer = try await request.body.collect(upTo: engine.configuration.maxRequestBytes)
        let bytes = Array(buffer.readableBytesView)
        let action = request.headers.first { $0.name.canonicalName == "soapaction" }?.value
        let cookie = request.cookies[SimulatorState.cookieName]?.value
        let (server, viaCookie, serverName) = engine.withState { state, _ in
            let route = state.route(cookie: cookie)
            return (route.server, route.viaCookie, state.servers[route.server].name)
        }
        var record = CallRecord(
            sequence: 0, operation: nil, soapAction: action, server: serverName, hadAffinityCookie: viaCookie,
            httpStatus: 200, fault: nil, injected: nil, requestBytes: bytes.count,
            expectedContinue: request.headers[.expect]?.lowercased() == "100-continue", at: 0)

        let contentType = request.headers[.contentType]?.lowercased() ?? ""
        guard contentType.hasPrefix("text/xml") else {
            return finish(&record, Response(status: .unsupportedMediaType))
        }
        let operation: Operation
        do { operation = try SOAPCall.operation(forAction: action) } catch {
            return answer(error, &record)
        }
        record.operation = operation.rawValue

        let knobs = engine.settings.faults.knobs(for: operation.rawValue)
        if knobs.latencySeconds > 0 { try await Task.sleep(for: .milliseconds(Int64(knobs.latencySeconds * 1000))) }
        if chance(knobs.dropConnectionRate) {
            record.injected = "dropConnection"
            return drop(&record, context)
        }
        if chance(knobs.http500Rate) {
            record.injected = "http500"
            let html = "<html><head><title>Runtime Error</title></head><body><h1>Server Error in '/' Application.</h1></body></html>"
            return finish(&record, Response(status: .internalServerError, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: html))))
        }
        if chance(knobs.transientFaultRate) {
            record.injected = "transientFault"
            return answer(.transient, &record)
        }
        if chance(knobs.hostileXMLRate) {
            record.injected = "hostileXML"
            return finish(&record, xml(.ok, SOAPWriter.hostile(operation.rawValue)))
        }

        let outcome: Result<OperationResult, SOAPFault>
        do {
            let call = try SOAPCall.read(bytes, as: operation)
            outcome = engine.withState { state, now in
                Result { () throws(SOAPFault) -> OperationResult in try state.perform(call, server: server, now: now) }
            }
        } catch {
            outcome = .failure(error)
        }
        let delay = engine.withState { state, _ in state.takeDelayAfterApply(operation.rawValue) }
        if delay > 0 {
            // The call has run; its answer is late (a client with a shorter timeout gives up).
            record.injected = "delayAfterApply"
            try? await Task.sleep(for: .milliseconds(Int64(delay * 1000)))
        }
        if chance(knobs.dropResponseRate) {
            record.injected = "dropResponse"
            return drop(&record, context)
        }
        switch outcome {
        case .failure(let error):
            return answer(error, &record)
        case .success(let result):
            var response = xml(.ok, SOAPWriter.answer(operation.rawValue, result))
            if operation == .login {
                response.setCookie(Cookie(name: SimulatorState.cookieName, value: serverName, path: "/", httpOnly: true))
            }
            return finish(&record, response)
        }
    }

    /// ASP.NET answers every SOAP fault with HTTP 500.
    private func answer(_ fault: SOAPFault, _ record: inout CallRecord) -> Response {
        record.fault = fault.string
        return finish(&record, xml(.internalServerError, SOAPWriter.fault(fault)))
    }

    private func xml(_ status: HTTPResponse.Status, _ text: String) -> Response {
        Response(
            status: status, headers: [.contentType: "text/xml; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    private func chance(_ rate: Double) -> Bool {
        rate > 0 && Double.random(in: 0..<1) < rate
    }

    private func drop(_ record: inout CallRecord, _ context: SimulatorRequestContext) -> Response {
        record.httpStatus = 0
        _ = finish(&record, Response(status: .internalServerError))
        context.dropConnection()
        return Response(status: .internalServerError)
    }

    private func finish(_ record: inout CallRecord, _ response: Response) -> Response {
        if record.httpStatus != 0 { record.httpStatus = Int(response.status.code) }
        let call = record
        engine.withState { state, now in
            var call = call
            call.sequence = state.nextSequence()
            call.at = now
            state.record(call)
        }
        logger.debug(
            "birst-sim call",
            metadata: [
                "operation": "\(record.operation ?? "-")", "server": "\(record.server)",
                "status": "\(record.httpStatus)", "injected": "\(record.injected ?? "-")",
            ])
        return response
    }
}
