import AuthDeckCore
import Foundation
import Synchronization

#if canImport(Glibc)
  import Glibc
#endif

/// The one way a command's text reaches stdout or stderr. Whatever it holds (a provider's name
/// from the configuration, a path, a key, a file name, text a server sent), escape sequences,
/// controls and bidi overrides are made inert here, so no call site has to remember to.
public enum Console {
  /// Where the bytes go; tests put a recorder in its place.
  static let sink = Mutex<@Sendable (Int32, [UInt8]) -> Void>(writeAll)

  /// For programs: what the command produces.
  public static func out(_ text: String, terminator: String = "\n") { emit(1, text + terminator) }

  /// For people: `authdeck: MESSAGE`, one line on stderr.
  public static func error(_ message: String) { emit(2, "authdeck: " + message + "\n") }

  /// For people, without the prefix: progress and prompts on stderr.
  public static func note(_ message: String) { emit(2, message + "\n") }

  static func emit(_ fd: Int32, _ text: String) {
    let write = sink.withLock { $0 }
    write(fd, Array(Sanitizer.printable(text).utf8))
  }

  private static func writeAll(_ fd: Int32, _ bytes: [UInt8]) {
    var offset = 0
    while offset < bytes.count {
      let n = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
      if n < 0 && errno == EINTR { continue }
      guard n > 0 else { return }  // a closed pipe: the reader has gone
      offset += n
    }
  }
}
