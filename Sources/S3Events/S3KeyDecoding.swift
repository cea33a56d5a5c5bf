/// S3 puts object keys into notifications form-URL-encoded: `+` is a space and
/// `%2B` is a plus. Decoding in the other order would turn a real `+` into a space.
public enum S3KeyDecoding {
    public static func decode(_ encoded: String) -> String? {
        encoded.replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }
}

import Foundation
