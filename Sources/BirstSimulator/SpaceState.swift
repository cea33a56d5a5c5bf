/// One Birst space: its load number (raised by each publish) and the publish running in
/// it, if any (a space runs one at a time).
struct SpaceState: Sendable {
    var loadNumber = 0
    var runningPublish: String?
}
