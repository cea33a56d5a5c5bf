/// A CSV-looking report of exactly `size` bytes whose rows depend on `label`, so two
/// reports with different labels never share content.
public func sampleCSV(size: Int, label: String) -> [UInt8] {
    var bytes = Array("id,key,value\n".utf8)
    var row = 0
    while bytes.count < size {
        bytes += Array("\(row),\(label),\(row &* 2_654_435_761 % 1_000_003)\n".utf8)
        row += 1
    }
    return Array(bytes.prefix(size))
}
