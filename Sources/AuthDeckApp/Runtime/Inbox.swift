import AuthDeckBoard
import AuthDeckCore
import AuthDeckNet
import Foundation
import Synchronization

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
public final class Inbox: EventSink, Sendable {
  private let events = Mutex<[BoardEvent]>([])
  private let pipe: WakePipe
  public var readEnd: Int32 { pipe.readEnd }
  /// Also written by signal handlers (a byte wakes the loop).
  public var writeEnd: Int32 { pipe.writeEnd }

  /// Fails when no pipe can be made (the process is out of descriptors): the board cannot run.
  public init() throws(AuthDeckError) { pipe = try WakePipe() }

  deinit { pipe.close() }

  public func post(_ newEvents: [BoardEvent]) {
    events.withLock { $0 += newEvents }
    pipe.wake()
  }

  /// Every event posted since the last drain, in order.
  public func drain() -> [BoardEvent] {
    pipe.drain()
    return events.withLock { taken in
      defer { taken = [] }
      return taken
    }
  }
}
