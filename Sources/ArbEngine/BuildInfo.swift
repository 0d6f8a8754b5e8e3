/// What this build is.
public enum BuildInfo {
    public static let version = "0.1.0"
}
