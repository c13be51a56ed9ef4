import AuthDeckBoard
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Where effects report back: the board's run loop reads an `Inbox`; tests collect events.
public protocol EventSink: Sendable {
  func post(_ events: [BoardEvent])
}

extension EventSink {
  public func post(_ events: BoardEvent...) { post(events) }
}

/// Events from background work, and a pipe that wakes the run loop's poll when one arrives.
public final class Inbox: EventSink, @unchecked Sendable {
  private let lock = NSLock()
  private var events: [BoardEvent] = []
  public let readEnd: Int32
  /// Also written by signal handlers (a byte wakes the loop).
  public let writeEnd: Int32

  public init() {
    var ends: [Int32] = [0, 0]
    pipe(&ends)
    for end in ends {
      _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK)
      _ = fcntl(end, F_SETFD, FD_CLOEXEC)
    }
    readEnd = ends[0]
    writeEnd = ends[1]
  }

  deinit {
    close(readEnd)
    close(writeEnd)
  }

  public func post(_ newEvents: [BoardEvent]) {
    lock.withLock { events += newEvents }
    var byte: UInt8 = 1
    _ = write(writeEnd, &byte, 1)
  }

  /// Every event posted since the last drain, in order.
  public func drain() -> [BoardEvent] {
    var buffer = [UInt8](repeating: 0, count: 256)
    while read(readEnd, &buffer, buffer.count) > 0 {}
    return lock.withLock {
      defer { events = [] }
      return events
    }
  }
}
