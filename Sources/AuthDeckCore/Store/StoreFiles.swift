import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// The POSIX side of the store: modes, links, locks and crash-safe replacement.
struct StoreFiles: Sendable {
  let root: String

  /// Creates a missing directory 0700; refuses a link or a directory others can read.
  func checkDirectory(_ path: String, create: Bool) throws(AuthDeckError) {
    var info = stat()
    if lstat(path, &info) != 0 {
      guard errno == ENOENT else { throw .store("\(path): \(String(cString: strerror(errno)))") }
      guard create else { return }
      try makeDirectories(path)
      return
    }
    if info.st_mode & S_IFMT == S_IFLNK {
      throw .store("\(path) is a symbolic link; AuthDeck keeps its store only in a real directory")
    }
    guard info.st_mode & S_IFMT == S_IFDIR else { throw .store("\(path) is not a directory") }
    try Self.checkOwnership(info, path: path, privateMode: "700")
  }

  /// OpenSSH's rule: ours, and nobody else may read or write it. `privateMode` is the chmod
  /// that fixes a mode.
  static func checkOwnership(_ info: stat, path: String, privateMode: String) throws(AuthDeckError) {
    guard info.st_uid == geteuid() else {
      throw .store("\(path) belongs to another user (uid \(info.st_uid)); run: chown \(geteuid()) \(path)")
    }
    if info.st_mode & 0o077 != 0 {
      throw .store(
        "\(path) is accessible by others (mode \(String(info.st_mode & 0o777, radix: 8))); run: chmod \(privateMode) \(path)"
      )
    }
  }

  /// No session comes near this size; a bigger file is refused before it is read.
  static let maximumFileSize = 1 << 20

  private func makeDirectories(_ path: String) throws(AuthDeckError) {
    let parent = (path as NSString).deletingLastPathComponent
    var info = stat()
    if !parent.isEmpty && parent != "/" && stat(parent, &info) != 0 { try makeDirectories(parent) }
    if mkdir(path, 0o700) != 0 && errno != EEXIST {
      throw .store("could not create \(path): \(String(cString: strerror(errno)))")
    }
    chmod(path, 0o700)  // whatever the umask said
  }

  /// The file's bytes; nil when it does not exist. Refuses links and files others can read
  /// (OpenSSH's rule), naming the chmod to run.
  /// `name` is opened relative to the `directory` descriptor; `path` names it in messages.
  func readPrivateFile(_ path: String, name: String? = nil, directory: Int32 = AT_FDCWD) throws(AuthDeckError)
    -> [UInt8]?
  {
    // O_NONBLOCK: opening a FIFO someone left here must not wait for a writer. It changes
    // nothing for a regular file, and anything else is refused below before a read.
    let fd = openat(directory, name ?? path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)
    if fd < 0 {
      if errno == ENOENT { return nil }
      if errno == ELOOP { throw .store("\(path) is a symbolic link; refusing to read it") }
      throw .store("\(path): \(String(cString: strerror(errno)))")
    }
    defer { close(fd) }
    var info = stat()
    guard fstat(fd, &info) == 0 else { throw .store("\(path): \(String(cString: strerror(errno)))") }
    guard info.st_mode & S_IFMT == S_IFREG else {
      throw .store("\(path) is not a regular file; move it away")
    }
    try Self.checkOwnership(info, path: path, privateMode: "600")
    guard info.st_size <= Self.maximumFileSize else {
      throw .store("\(path) is \(info.st_size) bytes, larger than any session; move it away")
    }
    let size = Int(info.st_size)
    var buffer = [UInt8](repeating: 0, count: max(size, 1))
    var total = 0
    while total < size {
      let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress! + total, size - total) }
      if n < 0 && errno == EINTR { continue }
      guard n > 0 else { break }
      total += n
    }
    if total < buffer.count { buffer.removeLast(buffer.count - total) }
    return total == 0 ? [] : buffer
  }

  /// Temp file (O_EXCL, O_NOFOLLOW, 0600) + write + fsync + rename + fsync of the folder:
  /// after a crash at any point the file is entirely old or entirely new.
  func writeAtomically(path: String, data: Data, label: String) throws(AuthDeckError) {
    let directory = (path as NSString).deletingLastPathComponent
    let temp =
      directory
      + "/.\((path as NSString).lastPathComponent).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp"
    let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
    guard fd >= 0 else { throw .store("could not save \(label): \(String(cString: strerror(errno)))") }
    fchmod(fd, 0o600)
    var failure: Int32 = 0
    data.withUnsafeBytes { raw in
      var offset = 0
      while offset < raw.count {
        let n = write(fd, raw.baseAddress! + offset, raw.count - offset)
        if n < 0 {
          if errno == EINTR { continue }
          failure = errno
          return
        }
        offset += n
      }
    }
    if failure == 0 && fsync(fd) != 0 { failure = errno }
    if close(fd) != 0 && failure == 0 { failure = errno }
    if failure == 0 && rename(temp, path) != 0 { failure = errno }
    if failure != 0 {
      unlink(temp)
      throw .store(
        "could not save \(label): \(String(cString: strerror(failure))); the previous version is kept")
    }
    let directoryFD = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    if directoryFD >= 0 {
      fsync(directoryFD)
      close(directoryFD)
    }
  }

  /// Renames a bad file to `<name>.bad-<time>` (it keeps its 0600 mode) and says where it went,
  /// or, when it could not be moved, why and what to do.
  func moveAside(_ path: String) -> String {
    // link() never replaces an existing name, so an earlier copy is never lost.
    let stamp = Int(Date().timeIntervalSince1970)
    var failure: Int32 = 0
    for attempt in 0..<100 {
      let aside = attempt == 0 ? "\(path).bad-\(stamp)" : "\(path).bad-\(stamp)-\(attempt)"
      if link(path, aside) == 0 {
        unlink(path)
        return "moved aside to \(aside)"
      }
      failure = errno
      if failure != EEXIST { break }
    }
    return "it could not be moved aside (\(String(cString: strerror(failure)))); move \(path) away yourself"
  }

  /// An exclusive flock on a lock file. The kernel releases it if the holder dies.
  func lock(_ path: String) throws(AuthDeckError) -> FileLock {
    let fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY, 0o600)
    guard fd >= 0 else { throw .store("could not open lock \(path): \(String(cString: strerror(errno)))") }
    var info = stat()
    guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
      close(fd)
      throw .store("\(path) is not a regular file; move it away")
    }
    while flock(fd, LOCK_EX) != 0 {
      if errno == EINTR { continue }
      close(fd)
      throw .store("could not lock \(path): \(String(cString: strerror(errno)))")
    }
    return FileLock(fd: fd)
  }
}

struct FileLock {
  let fd: Int32
  func release() {
    flock(fd, LOCK_UN)
    close(fd)
  }
}
