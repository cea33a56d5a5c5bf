/// The Command Web Service operations Baton uses, named exactly as on the wire.
public enum BirstOperation: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
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

    /// Namespace of every body element (`http://www.birst.com/`).
    public static let namespace = "http://www.birst.com/"
    /// The SOAP 1.1 envelope namespace.
    public static let envelopeNamespace = "http://schemas.xmlsoap.org/soap/envelope/"

    /// Value of the `SOAPAction` header, quoted: `"http://www.birst.com/<Operation>"`.
    public var soapAction: String { "\"\(Self.namespace)\(rawValue)\"" }

    /// Parameter element names, in wire order.
    public var parameterNames: [String] {
        switch self {
        case .login: ["username", "password"]
        case .logout: ["token"]
        case .getLoadStatus: ["token", "spaceID"]
        case .beginDataUpload: ["token", "spaceID", "sourceName"]
        case .setDataUploadOptions: ["token", "dataUploadToken", "options"]
        case .uploadData: ["token", "dataUploadToken", "numBytes", "data"]
        case .finishDataUpload: ["token", "dataUploadToken"]
        case .publishData: ["token", "spaceID", "subgroups", "date"]
        case .isJobComplete: ["token", "jobToken"]
        case .getJobStatus: ["token", "jobToken"]
        }
    }

    public var description: String { rawValue }
}
