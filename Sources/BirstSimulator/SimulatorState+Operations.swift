import Foundation

/// The Command Web Service operations against the simulated state.
extension SimulatorState {
    mutating func perform(_ call: SOAPCall, server: Int, now: Double) throws(SOAPFault) -> OperationResult {
        let operation = call.operation
        if operation == .login { return try login(call, server: server, now: now) }
        let user = try authenticate(operation, token: call.text("token"), server: server, now: now)
        switch operation {
        case .login:
            preconditionFailure("handled above")
        case .logout:
            servers[server].sessions[call.text("token")] = nil
            return .empty
        case .getLoadStatus:
            let spaceID = call.text("spaceID")
            try requireSpace(spaceID, operation)
            return .text(isBusy(spaceID, now: now) == nil ? "Available" : "Running")
        case .beginDataUpload:
            return try beginDataUpload(call, user: user, server: server, now: now)
        case .setDataUploadOptions:
            var upload = try openUpload(call, server: server)
            for option in call.list("options") where !option.contains("=") {
                throw SOAPFault.server(operation.rawValue, "Invalid option '\(option)': expected name=value.")
            }
            upload.options.append(contentsOf: call.list("options"))
            uploads[upload.token] = upload
            return .empty
        case .uploadData:
            return try uploadData(call, server: server)
        case .finishDataUpload:
            var upload = try upload(call.text("dataUploadToken"), operation, server: server)
            if upload.finishedAt == nil {
                upload.finishedAt = now
                upload.completesAt = now + settings.uploadJob.durationSeconds
                upload.outcome = settings.uploadJob
                uploads[upload.token] = upload
            }
            return .empty
        case .publishData:
            return try publishData(call, user: user, server: server, now: now)
        case .isJobComplete:
            let job = try jobStatus(call.text("jobToken"), operation, server: server, now: now)
            return .text(job.complete ? "true" : "false")
        case .getJobStatus:
            let job = try jobStatus(call.text("jobToken"), operation, server: server, now: now)
            return .fields([
                ("processingGroup", job.processingGroup), ("type", "\(job.type)"), ("loadid", "\(job.loadID)"),
                ("message", job.message), ("statusCode", job.status),
            ])
        }
    }

    private mutating func login(_ call: SOAPCall, server: Int, now: Double) throws(SOAPFault) -> OperationResult {
        let username = call.text("username"), password = call.text("password")
        guard !username.isEmpty, !password.isEmpty else {
            throw SOAPFault(code: "soap:Server", string: "Validation failure", detailMessage: "Validation failure")
        }
        guard let expected = configuration.users[username] else {
            throw SOAPFault.server("Login", "Failed web service login request for user \(username)")
        }
        guard expected == password else {
            throw SOAPFault.server("Login", "Failed web services login attempt for user \(username)")
        }
        let token = Self.newToken()
        servers[server].sessions[token] = LoginSession(username: username, lastUsed: now)
        logins.append(LoginRecord(server: servers[server].name, username: username, token: token, at: now))
        return .text(token)
    }

    private mutating func beginDataUpload(
        _ call: SOAPCall, user: String, server: Int, now: Double
    ) throws(SOAPFault) -> OperationResult {
        let spaceID = call.text("spaceID"), source = call.text("sourceName")
        try requireSpace(spaceID, .beginDataUpload)
        guard !source.isEmpty, configuration.sources.map({ $0.contains(source) }) ?? true else {
            throw SOAPFault.server("beginDataUpload", "Data source '\(source)' is not allowed in space \(spaceID).")
        }
        let token = Self.newToken()
        uploads[token] = UploadState(
            token: token, server: server, username: user, spaceID: spaceID, sourceName: source, begunAt: now)
        uploadOrder.append(token)
        servers[server].jobTokens.insert(token)
        return .text(token)
    }

    private mutating func uploadData(_ call: SOAPCall, server: Int) throws(SOAPFault) -> OperationResult {
        var upload = try openUpload(call, server: server)
        guard let declared = Int(call.text("numBytes").trimmingSpaces) else {
            throw SOAPFault.unreadable("Input string was not in a correct format.")
        }
        // Byte-wise: this runs under the state lock for every chunk, and Character
        // filtering of a 1.4 MB string costs more than the rest of the call.
        let whitespace: Set<UInt8> = [0x20, 0x09, 0x0A, 0x0D]
        let text = Data(call.text("data").utf8.filter { !whitespace.contains($0) })
        guard let data = Data(base64Encoded: text) else {
            throw SOAPFault.unreadable(
                "The input is not a valid Base-64 string as it contains a non-base 64 character, more than two "
                    + "padding characters, or an illegal character among the padding characters.")
        }
        guard data.count == declared else {
            throw SOAPFault.server("uploadData", "numBytes \(declared) does not match the \(data.count) bytes of data.")
        }
        upload.hasher.update(data: data)
        upload.bytes += Int64(data.count)
        upload.chunks += 1
        uploads[upload.token] = upload
        return .empty
    }

    private mutating func publishData(
        _ call: SOAPCall, user: String, server: Int, now: Double
    ) throws(SOAPFault) -> OperationResult {
        let spaceID = call.text("spaceID"), date = call.text("date").trimmingSpaces
        try requireSpace(spaceID, .publishData)
        guard Self.isXSDateTime(date) else {
            throw SOAPFault.unreadable("The string '\(date)' is not a valid AllXsd value.")
        }
        if isBusy(spaceID, now: now) != nil {
            throw SOAPFault.server("publishData", "Space \(spaceID) is busy: a publish is already running.")
        }
        let token = Self.newToken()
        spaces[spaceID, default: SpaceState()].loadNumber += 1
        let loadID = spaces[spaceID]?.loadNumber ?? 1
        spaces[spaceID]?.runningPublish = token
        publishes[token] = PublishState(
            token: token, server: server, username: user, spaceID: spaceID, subgroups: call.list("subgroups"),
            date: date, loadID: loadID, startedAt: now, completesAt: now + settings.publishJob.durationSeconds,
            outcome: settings.publishJob)
        publishOrder.append(token)
        servers[server].jobTokens.insert(token)
        return .text(token)
    }

    private func upload(_ token: String, _ operation: Operation, server: Int) throws(SOAPFault) -> UploadState {
        guard servers[server].jobTokens.contains(token), let upload = uploads[token] else {
            throw SOAPFault.invalidToken(operation.rawValue, token)
        }
        return upload
    }

    private func openUpload(_ call: SOAPCall, server: Int) throws(SOAPFault) -> UploadState {
        let upload = try upload(call.text("dataUploadToken"), call.operation, server: server)
        guard upload.finishedAt == nil else {
            throw SOAPFault.server(call.operation.rawValue, "Upload \(upload.token) has already been finished.")
        }
        return upload
    }

    struct JobView {
        var complete: Bool
        var status: String
        var message: String
        var processingGroup: String
        var type: Int
        var loadID: Int
    }

    /// An upload token or a publish token issued on this server.
    func jobStatus(_ token: String, _ operation: Operation, server: Int, now: Double) throws(SOAPFault) -> JobView {
        guard servers[server].jobTokens.contains(token) else { throw SOAPFault.invalidToken(operation.rawValue, token) }
        if let upload = uploads[token] {
            let done = upload.isComplete(at: now)
            return JobView(
                complete: done, status: done ? upload.outcome?.status ?? "None" : "Running",
                message: done ? upload.outcome?.message ?? "" : "", processingGroup: "", type: 1, loadID: 0)
        }
        if let job = publishes[token] {
            let done = job.isComplete(at: now)
            return JobView(
                complete: done, status: done ? job.outcome.status : "Running", message: done ? job.outcome.message : "",
                processingGroup: job.subgroups.joined(separator: ","), type: 2, loadID: job.loadID)
        }
        throw SOAPFault.invalidToken(operation.rawValue, token)
    }

    /// xs:dateTime: `2026-11-27T10:00:00Z`, with optional fraction and offset.
    static func isXSDateTime(_ text: String) -> Bool {
        let pattern = #"^-?\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$"#
        return text.range(of: pattern, options: .regularExpression) != nil
    }
}
