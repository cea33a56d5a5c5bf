import Birst
import BirstSimulator
import Curl
import Foundation

/// §3 Birst uploads (ChunkedUpload → the in-process simulator over HTTP) and §4 S3
/// ranged GETs (S3Client → moto).
struct TransferBenchmarks {
    let context: BenchContext
    private var plan: Plan { context.plan }

    func birstUpload() async throws -> [Figure] {
        // Birst time runs 1000x faster; login tokens must then not expire after their
        // default 600 s of idle Birst time (0.6 s here) between two chunks.
        var configuration = SimulatorConfiguration(timeScale: 0.001, maxRecordedCalls: 1000)
        configuration.settings.sessionIdleTimeoutSeconds = 1e9
        let simulator = BirstSimulator(configuration: configuration, logger: context.logger)
        _ = try await simulator.start()
        let http = CurlClient(logger: context.logger)
        defer { http.shutdown() }
        let client = BirstClient(
            configuration: BirstClient.Configuration(endpoint: simulator.endpointURL!), http: http, logger: context.logger)
        let credentials = BirstCredentials(username: "baton", password: "baton-dev")
        let size = plan.uploadBytes
        let data = fillerBytes(size, seed: 3)
        let source = ClosureByteSource { range, _ in Array(data[Int(range.lowerBound)..<Int(range.upperBound)]) }
        let upload = ChunkedUpload(chunkSize: 1 << 20, safetyMargin: .seconds(1))

        /// A logged-in session with an open upload token (not timed).
        func open(_ space: String) async throws -> (BirstSession, String) {
            let session = client.session(credentials: credentials)
            let deadline = Deadline.after(.seconds(60))
            try await session.login(deadline: deadline)
            let token = try await session.beginDataUpload(spaceID: space, sourceName: "bench", deadline: deadline)
            return (session, token)
        }
        /// The chunked upload itself (timed by the caller), then finishDataUpload.
        @Sendable func transfer(_ session: BirstSession, _ token: String, _ size: Int) async throws {
            let deadline = Deadline.after(.seconds(600))
            let progress = try await upload.upload(
                0..<Int64(size), of: source, uploadToken: token, session: session, deadline: deadline)
            guard progress.stop == .finished, progress.bytesUploaded == Int64(size) else {
                throw BenchFailure("upload stopped (\(progress.stop)) after \(progress.bytesUploaded) bytes")
            }
            try await session.finishDataUpload(uploadToken: token, deadline: deadline)
        }

        let clock = ContinuousClock()
        // Warm-ups move a quarter of the size: they only warm connections and allocators.
        let repetitions = min(plan.repetitions, 3)
        let single = try await context.repeated("Birst upload, 1 at a time", repetitions: repetitions) { round in
            let (session, token) = try await open("bench-single-\(round + 1)")
            let started = clock.now
            try await transfer(session, token, round < 0 ? size / 4 : size)
            return clock.now - started
        }
        let parallel = try await context.repeated("Birst upload, \(plan.parallelUploads) in parallel", repetitions: repetitions) { round in
            var opened: [(BirstSession, String)] = []
            for lane in 0..<plan.parallelUploads { opened.append(try await open("bench-parallel-\(round + 1)-\(lane)")) }
            let started = clock.now
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (session, token) in opened { group.addTask { try await transfer(session, token, round < 0 ? size / 4 : size) } }
                try await group.waitForAll()
            }
            return clock.now - started
        }

        // The simulator saw every byte of every finished measured upload.
        let uploads = simulator.inspect().uploads.filter(\.finished)
        await simulator.stop()
        guard uploads.count == (1 + repetitions) * (1 + plan.parallelUploads),
            uploads.filter({ $0.bytesReceived == Int64(size) }).count == repetitions * (1 + plan.parallelUploads)
        else {
            throw BenchFailure("the simulator did not receive every upload completely")
        }

        let mib = size >> 20
        let section = "3 Birst upload"
        return [
            Figure(section, "ChunkedUpload \(mib) MiB in 1 MiB chunks → simulator", "MB/s",
                single.map { megabytesPerSecond(size, $0) }),
            Figure(section, "\(plan.parallelUploads) such uploads in parallel (aggregate)", "MB/s",
                parallel.map { megabytesPerSecond(size * plan.parallelUploads, $0) }),
        ]
    }

    func s3RangedGets() async throws -> [Figure] {
        let http = CurlClient(logger: context.logger)
        defer { http.shutdown() }
        let s3 = S3Client(configuration: context.stack.s3Configuration, http: http)
        let bucket = context.name("s3")
        let key = "bench/object.bin"
        let size = plan.s3ObjectBytes
        let rangeSize = 1 << 20
        let data = fillerBytes(size, seed: 4)
        try await s3.createBucket(bucket)
        try await s3.putObject(bucket: bucket, key: key, body: data)

        let ranges = stride(from: 0, to: size, by: rangeSize).map { $0..<min($0 + rangeSize, size) }
        let lanes = plan.s3Concurrency
        let clock = ContinuousClock()
        let measured = try await context.repeated("S3 ranged GETs, \(lanes) concurrent") { _ in
            let cpu = CPUTime.now()
            let started = clock.now
            let parts = try await withThrowingTaskGroup(of: [(Int, [UInt8])].self) { group in
                for lane in 0..<lanes {
                    group.addTask {
                        var got: [(Int, [UInt8])] = []
                        for index in stride(from: lane, to: ranges.count, by: lanes) {
                            got.append((index, try await s3.getObject(bucket: bucket, key: key, range: ranges[index]).bytes))
                        }
                        return got
                    }
                }
                var all: [(Int, [UInt8])] = []
                for try await got in group { all += got }
                return all
            }
            let time = clock.now - started
            let cpuSeconds = CPUTime.now() - cpu
            for (index, bytes) in parts where bytes != Array(data[ranges[index]]) {
                throw BenchFailure("range \(ranges[index]) came back different")
            }
            guard parts.count == ranges.count else { throw BenchFailure("\(parts.count) of \(ranges.count) ranges") }
            return (time, cpuSeconds)
        }
        let elapsed = measured.map(\.0)
        return [
            Figure("4 S3 GET", "1 MiB ranges of a \(size >> 20) MiB object, \(lanes) concurrent (moto)", "MB/s",
                elapsed.map { megabytesPerSecond(size, $0) }),
            Figure("4 S3 GET", "  ranged GETs", "req/s", elapsed.map { Double(ranges.count) / $0.inSeconds }),
            Figure("4 S3 GET", "  client CPU (bench process) per MB received", "ms/MB",
                measured.map { $0.1 * 1000 / (Double(size) / 1e6) }),
        ]
    }
}
