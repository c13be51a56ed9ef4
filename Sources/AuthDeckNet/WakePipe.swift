import AuthDeckCore
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// A pipe whose write end wakes a poll(2) on its read end: both ends close-on-exec (no child
/// inherits them) and non-blocking (a full pipe never stalls the writer, a drain never blocks).
/// The loopback listener, the board's inbox and `authdeck login`'s wait each have one.
public struct WakePipe: Sendable {
  public let readEnd: Int32
  public let writeEnd: Int32

  /// Fails when no pipe can be made (the process is out of descriptors).
  public init() throws(AuthDeckError) {
    var ends: [Int32] = [-1, -1]
    guard pipe(&ends) == 0 else {
      throw .other("cannot create a pipe: \(String(cString: strerror(errno)))")
    }
    for end in ends {
      _ = fcntl(end, F_SETFD, FD_CLOEXEC)
      _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK)
    }
    readEnd = ends[0]
    writeEnd = ends[1]
  }

  /// Wakes the reader; safe in a signal handler.
  public func wake() {
    var byte: UInt8 = 1
    _ = write(writeEnd, &byte, 1)
  }

  /// Empties the pipe, so that the next poll sleeps again.
  public func drain() {
    var buffer = [UInt8](repeating: 0, count: 256)
    while read(readEnd, &buffer, buffer.count) > 0 {}
  }

  public func close() {
    _ = Glibc.close(readEnd)
    _ = Glibc.close(writeEnd)
  }
}
