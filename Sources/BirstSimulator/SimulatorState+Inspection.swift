extension SimulatorState {
    func inspection(now: Double) -> Inspection {
        let uploadRecords = uploadOrder.compactMap { uploads[$0] }.map { upload in
            let done = upload.isComplete(at: now)
            return UploadRecord(
                uploadToken: upload.token, server: servers[upload.server].name, username: upload.username,
                spaceID: upload.spaceID, sourceName: upload.sourceName, options: upload.options,
                bytesReceived: upload.bytes, chunks: upload.chunks, sha256: ContentHash.hex(upload.hasher.finalize()),
                finished: upload.finishedAt != nil, complete: done,
                status: done ? upload.outcome?.status ?? "None" : "Running",
                message: done ? upload.outcome?.message ?? "" : "", begunAt: upload.begunAt,
                finishedAt: upload.finishedAt)
        }
        let publishRecords = publishOrder.compactMap { publishes[$0] }.map { job in
            let done = job.isComplete(at: now)
            return PublishRecord(
                jobToken: job.token, server: servers[job.server].name, username: job.username, spaceID: job.spaceID,
                subgroups: job.subgroups, date: job.date, loadID: job.loadID, complete: done,
                status: done ? job.outcome.status : "Running", message: done ? job.outcome.message : "",
                startedAt: job.startedAt, completesAt: job.completesAt)
        }
        return Inspection(
            simulatedTime: now, servers: servers.map(\.name), uploads: uploadRecords, publishes: publishRecords,
            logins: logins, calls: calls, callsDropped: callsDropped)
    }
}
