/// A small deterministic generator (SplitMix64) for sample data.
struct DemoRandom {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func pick(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(next() % UInt64(range.count))
    }

    mutating func pick(_ choices: [String]) -> String {
        choices[pick(0...(choices.count - 1))]
    }

    /// A money amount such as 1234.56.
    mutating func amount() -> String {
        let cents = pick(0...99)
        return "\(pick(0...25_000)).\(cents < 10 ? "0" : "")\(cents)"
    }
}
