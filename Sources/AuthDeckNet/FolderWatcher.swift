import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Sleeps until something is written, renamed into, created in or removed from one of a few
/// folders: what `authdeck wait` needs to learn that another process stored a session, with no
/// polling. A folder that does not exist yet is watched through its nearest existing parent,
/// and watched itself once `arm()` runs after it appeared.
///
/// Our own code over Linux inotify, because none of the packages this project may use watches
/// files (swift-argument-parser and TOMLKit; Foundation has no file watching on Linux). Elsewhere
/// it falls back to waking once a second.
public final class FolderWatcher {
  private let folders: [String]
  private let fd: Int32
  /// Watched path → watch descriptor.
  private var watches: [String: Int32] = [:]
  /// False when a folder could not be watched (no inotify, too many watches): then `wait`
  /// wakes once a second to look, rather than sleep through a change.
  private var complete = false

  public init(folders: [String]) {
    self.folders = folders
    #if os(Linux)
      fd = inotify_init1(Int32(IN_CLOEXEC | IN_NONBLOCK))
    #else
      fd = -1
    #endif
  }

  deinit { if fd >= 0 { close(fd) } }

  /// Watches each folder, or its nearest existing parent while it is missing; a parent no longer
  /// needed is let go. Call it before looking at the folders, and again after each wake-up: a
  /// change that happens in between then still wakes the next `wait`.
  public func arm() {
    #if os(Linux)
      guard fd >= 0 else { return }
      let mask = UInt32(
        IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE | IN_DELETE_SELF | IN_MOVE_SELF
          | IN_ONLYDIR)
      let wanted = Set(folders.map(Self.nearestExisting))
      for (path, descriptor) in watches where !wanted.contains(path) {
        inotify_rm_watch(fd, descriptor)
        watches[path] = nil
      }
      complete = true
      for path in wanted {
        let descriptor = inotify_add_watch(fd, path, mask)
        watches[path] = descriptor >= 0 ? descriptor : nil
        complete = complete && descriptor >= 0
      }
    #endif
  }

  /// The descriptor that turns readable when a watched folder changes, for a caller that
  /// waits on other things too (poll it, then `drain()`); nil when a folder could not be
  /// watched: look again once a second then.
  public var descriptor: Int32? { complete && fd >= 0 ? fd : nil }

  /// Reads the pending events (which file changed does not matter: the caller looks again).
  public func drain() {
    guard fd >= 0 else { return }
    var buffer = [UInt8](repeating: 0, count: 4096)
    while read(fd, &buffer, buffer.count) > 0 {}
  }

  /// Sleeps until a watched folder changes (true) or `timeout` seconds pass (false); nil waits
  /// without a limit. A signal that interrupts the sleep counts as a change: look again.
  public func wait(timeout: TimeInterval?) -> Bool {
    #if os(Linux)
      guard complete else { return fallbackWait(timeout) }
      var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
      let milliseconds = timeout.map { Int32(min(max(0, ($0 * 1000).rounded(.up)), Double(Int32.max))) } ?? -1
      let ready = poll(&descriptor, 1, milliseconds)
      guard ready != 0 else { return false }
      drain()
      return true
    #else
      return fallbackWait(timeout)
    #endif
  }

  /// Sleeps a second at most, then says "look again" unless the timeout is what ended it.
  private func fallbackWait(_ timeout: TimeInterval?) -> Bool {
    usleep(UInt32(max(0, min(timeout ?? 1, 1)) * 1_000_000))
    return timeout.map { $0 > 1 } ?? true
  }

  /// When `path` was last modified, to the nanosecond (a write into a folder moves its own):
  /// the cheap look once a second that tells the board the store changed. Nil when it is missing.
  public static func stamp(of path: String) -> FileStamp? {
    var info = stat()
    guard stat(path, &info) == 0 else { return nil }
    return FileStamp(seconds: Int(info.st_mtim.tv_sec), nanoseconds: Int(info.st_mtim.tv_nsec))
  }

  /// `path` if it is there, else the closest folder above it that is ("/" at worst).
  static func nearestExisting(_ path: String) -> String {
    var current = path
    var info = stat()
    while stat(current, &info) != 0 && current != "/" && !current.isEmpty {
      current = (current as NSString).deletingLastPathComponent
    }
    return current.isEmpty ? "/" : current
  }
}

/// A modification time, as `FolderWatcher.stamp(of:)` reads it.
public struct FileStamp: Equatable, Sendable {
  public var seconds: Int
  public var nanoseconds: Int
}
