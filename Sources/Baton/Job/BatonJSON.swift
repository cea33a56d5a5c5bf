import Foundation

/// JSON coders for everything Baton writes to topics: sorted keys, ISO-8601 UTC times.
enum BatonJSON {
    static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(Timestamp.format(date))
        }
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            switch UTCTimestamp.read(text) {
            case .success(let date): return date
            case .failure(let problem):
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "expected an ISO-8601 time, got \"\(text)\": \(problem.reason)")
            }
        }
        return decoder
    }
}
