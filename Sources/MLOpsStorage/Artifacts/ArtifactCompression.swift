/// How a ``FileSystemArtifactStore`` keeps bytes at rest.
public enum ArtifactCompression: Sendable, Hashable {
    /// As they are.
    case none
    /// zlib-compressed at `level` (1 fastest ... 9 smallest); reads decompress transparently.
    case zlib(level: Int)

    /// zlib at level 1: about as fast as the disk on these machines, a good default for text data.
    public static let fast = ArtifactCompression.zlib(level: 1)
}
