#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where the bytes of an output file go, decided the way a shell redirection (`> path`) would
/// treat what is already at the path.
///
/// - Nothing there, a regular file or a folder: ``replace(_:)`` the path, atomically (a folder is
///   then refused by the write itself).
/// - A symbolic link to a regular file: ``replace(_:)`` the file it points to, so the link stays
///   a link.
/// - A device (`/dev/null`, a terminal), a FIFO, a socket, or a link to one:
///   ``writeThrough(_:)``, opening it as it is.
/// - One of the process's own open files (`/dev/stdout`, `/dev/fd/N`): ``append(_:)``, so that
///   what the shell's `>>` kept, or the command's other output, stays. Replacing such a node with a regular file would
///   break it for every other program (as root, `--output /dev/null` would have replaced the
///   system's `/dev/null`), and without write access to `/dev` it could not be done at all.
package enum OutputDestination: Equatable {
    /// Write a file beside this path and rename it over the path.
    case replace(String)
    /// Open this path for writing and write into it.
    case writeThrough(String)
    /// Open this path for appending and write at its end: one of the process's own open files
    /// (`/dev/stdout`, `/dev/fd/N`, `/proc/self/fd/N`), which a shell opened for the command with
    /// `>` or `>>`; truncating or replacing it would lose what was written there before.
    case append(String)

    /// What is at `path` now decides (see the type's description).
    package init(_ path: String) {
        var own = stat()
        guard lstat(path, &own) == 0 else {
            self = .replace(path)
            return
        }
        switch own.st_mode & S_IFMT {
        case S_IFREG, S_IFDIR:
            self = .replace(path)
        case S_IFLNK:
            if Self.namesAnOpenDescriptor(path) {
                self = .append(path)
                return
            }
            var target = stat()
            guard stat(path, &target) == 0 else {
                // A dangling link: replaced like a missing file.
                self = .replace(path)
                return
            }
            switch target.st_mode & S_IFMT {
            case S_IFREG:
                // The file the link names, replaced beside itself; a link realpath cannot follow
                // (a /proc/self/fd link to a deleted file) is written through instead.
                guard let resolved = realpath(path, nil) else {
                    self = .writeThrough(path)
                    return
                }
                defer { free(resolved) }
                self = .replace(String(cString: resolved))
            case S_IFDIR:
                self = .replace(path)
            default:
                self = .writeThrough(path)
            }
        default:
            self = .writeThrough(path)
        }
    }

    /// Whether `path` is a link to one of this process's open file descriptors: `/dev/stdout`,
    /// `/dev/stderr`, `/dev/fd/N`, `/proc/self/fd/N`, or a link whose target is one of those.
    static func namesAnOpenDescriptor(_ path: String) -> Bool {
        if path == "/dev/stdout" || path == "/dev/stderr" || path.hasPrefix("/dev/fd/") || path.hasPrefix("/proc/self/fd/") { return true }
        var buffer = [CChar](repeating: 0, count: 4096)
        let count = readlink(path, &buffer, buffer.count - 1)
        guard count > 0 else { return false }
        let target = String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return target.hasPrefix("/proc/self/fd/") || target.hasPrefix("/dev/fd/")
    }
}
