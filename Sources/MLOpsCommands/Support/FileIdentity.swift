import Foundation

/// Which file a path names: its device and inode, after symbolic links.
///
/// Two paths with the same identity are the same file however they are spelled (`./a`, `../x/a`,
/// a symbolic link, a hard link), which is what "do not overwrite an input" needs.
struct FileIdentity: Hashable, Sendable {
    let device: UInt64
    let inode: UInt64

    /// The identity of the file at `path` (following symbolic links), or `nil` when nothing is there.
    init?(path: String) {
        var status = stat()
        guard stat(path, &status) == 0 else { return nil }
        device = UInt64(status.st_dev)
        inode = UInt64(status.st_ino)
    }
}
