/// Baton's version: the one place it is written. `baton --version` prints it.
public enum BatonVersion {
    /// Semantic version of this build.
    public static let current = "0.9.0"
}
