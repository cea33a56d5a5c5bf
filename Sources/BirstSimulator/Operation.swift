/// The operations the simulator serves, with their parameters in wire order.
enum Operation: String, CaseIterable, Sendable {
    case login = "Login"
    case logout = "Logout"
    case getLoadStatus
    case beginDataUpload
    case setDataUploadOptions
    case uploadData
    case finishDataUpload
    case publishData
    case isJobComplete
    case getJobStatus

    enum Kind { case text, strings }

    var parameters: [(name: String, kind: Kind)] {
        switch self {
        case .login: [("username", .text), ("password", .text)]
        case .logout: [("token", .text)]
        case .getLoadStatus: [("token", .text), ("spaceID", .text)]
        case .beginDataUpload: [("token", .text), ("spaceID", .text), ("sourceName", .text)]
        case .setDataUploadOptions: [("token", .text), ("dataUploadToken", .text), ("options", .strings)]
        case .uploadData: [("token", .text), ("dataUploadToken", .text), ("numBytes", .text), ("data", .text)]
        case .finishDataUpload: [("token", .text), ("dataUploadToken", .text)]
        case .publishData: [("token", .text), ("spaceID", .text), ("subgroups", .strings), ("date", .text)]
        case .isJobComplete, .getJobStatus: [("token", .text), ("jobToken", .text)]
        }
    }
}
