import Foundation
import Hummingbird

/// JSON endpoints for tests and operators:
/// `GET /admin/inspect`, `GET|PUT /admin/settings`, `GET|PUT /admin/faults`,
/// `POST /admin/clock/advance` (`{"seconds": 601}`), `POST /admin/servers/restart`.
struct AdminEndpoints: Sendable {
    let engine: SimulatorEngine

    func register(on router: Router<SimulatorRequestContext>) {
        router.get("/admin/inspect") { _, _ in
            json(engine.withState { state, now in state.inspection(now: now) })
        }
        router.get("/admin/settings") { _, _ in json(engine.settings) }
        router.put("/admin/settings") { request, _ in
            let settings: SimulatorSettings = try await decode(request)
            engine.withState { state, _ in state.settings = settings }
            return json(settings)
        }
        router.get("/admin/faults") { _, _ in json(engine.settings.faults) }
        router.put("/admin/faults") { request, _ in
            let faults: FaultPlan = try await decode(request)
            engine.withState { state, _ in state.settings.faults = faults }
            return json(faults)
        }
        router.post("/admin/clock/advance") { request, _ in
            let advance: ClockAdvance = try await decode(request)
            let now = engine.withState { state, now in
                state.clockOffset += advance.seconds
                return now + advance.seconds
            }
            return json(ClockReading(simulatedTime: now))
        }
        router.post("/admin/servers/restart") { _, _ in
            engine.withState { state, _ in state.restartServers() }
            return json(engine.withState { state, now in ClockReading(simulatedTime: now) })
        }
    }

    struct ClockAdvance: Codable { var seconds: Double }
    struct ClockReading: Codable { var simulatedTime: Double }

    private func decode<T: Decodable>(_ request: Request) async throws -> T {
        let buffer = try await request.body.collect(upTo: 1 << 20)
        do {
            return try JSONDecoder().decode(T.self, from: Data(buffer.readableBytesView))
        } catch {
            throw HTTPError(.badRequest, message: "invalid JSON for \(T.self): \(error)")
        }
    }
}

/// A JSON response with sorted keys.
func json(_ value: some Encodable) -> Response {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    let data = (try? encoder.encode(value)) ?? Data("null".utf8)
    return Response(
        status: .ok, headers: [.contentType: "application/json"],
        body: .init(byteBuffer: ByteBuffer(bytes: data)))
}
