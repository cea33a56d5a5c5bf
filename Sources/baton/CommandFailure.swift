/// An error a command reports as it is (`Error: <description>`, exit 1), without usage.
struct CommandFailure: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) {
        self.description = description
    }
}
