import Foundation

/// Builders for the operations in birst-api.md, parameters in wire order.
extension SOAPRequest {
    static func login(_ credentials: BirstCredentials) -> SOAPRequest {
        SOAPRequest(.login, [("username", .text(credentials.username)), ("password", .secret(credentials.password))])
    }

    static func logout(token: String) -> SOAPRequest {
        SOAPRequest(.logout, [("token", .secret(token))])
    }

    static func getLoadStatus(token: String, spaceID: String) -> SOAPRequest {
        SOAPRequest(.getLoadStatus, [("token", .secret(token)), ("spaceID", .text(spaceID))])
    }

    static func beginDataUpload(token: String, spaceID: String, sourceName: String) -> SOAPRequest {
        SOAPRequest(
            .beginDataUpload,
            [("token", .secret(token)), ("spaceID", .text(spaceID)), ("sourceName", .text(sourceName))])
    }

    static func setDataUploadOptions(token: String, uploadToken: String, options: [String]) -> SOAPRequest {
        SOAPRequest(
            .setDataUploadOptions,
            [("token", .secret(token)), ("dataUploadToken", .text(uploadToken)), ("options", .strings(options))])
    }

    /// `numBytes` is the raw byte count; `data` their base64.
    static func uploadData(token: String, uploadToken: String, bytes: [UInt8]) -> SOAPRequest {
        SOAPRequest(
            .uploadData,
            [
                ("token", .secret(token)), ("dataUploadToken", .text(uploadToken)),
                ("numBytes", .text(String(bytes.count))), ("data", .text(Data(bytes).base64EncodedString())),
            ])
    }

    static func finishDataUpload(token: String, uploadToken: String) -> SOAPRequest {
        SOAPRequest(.finishDataUpload, [("token", .secret(token)), ("dataUploadToken", .text(uploadToken))])
    }

    /// `date` goes out as a UTC xs:dateTime (`2026-11-27T10:00:00Z`).
    static func publishData(token: String, spaceID: String, subgroups: [String], date: Date) -> SOAPRequest {
        SOAPRequest(
            .publishData,
            [
                ("token", .secret(token)), ("spaceID", .text(spaceID)), ("subgroups", .strings(subgroups)),
                ("date", .text(date.formatted(.iso8601))),
            ])
    }

    static func isJobComplete(token: String, jobToken: String) -> SOAPRequest {
        SOAPRequest(.isJobComplete, [("token", .secret(token)), ("jobToken", .text(jobToken))])
    }

    static func getJobStatus(token: String, jobToken: String) -> SOAPRequest {
        SOAPRequest(.getJobStatus, [("token", .secret(token)), ("jobToken", .text(jobToken))])
    }
}
