import AuthDeckCore
import Foundation
import Synchronization

/// The board's device logins being polled, one per session, each with a sleep that a log-out
/// (or a new login of the same session) cuts short: the polling then ends quietly.
final class DevicePolls: Sendable {
  /// One polling, and the sleep it waits in between.
  /// `@unchecked`: its state is only touched with `condition` locked (a condition variable,
  /// which Mutex does not offer, so that a cancel wakes the sleep at once).
  final class Poll: @unchecked Sendable {
    private let condition = NSCondition()
    private var cancelled = false

    /// Waits `seconds`; false, at once, when the polling is cancelled.
    func sleep(_ seconds: TimeInterval) -> Bool {
      let deadline = Date().addingTimeInterval(seconds)
      condition.lock()
      defer { condition.unlock() }
      while !cancelled && condition.wait(until: deadline) {}
      return !cancelled
    }

    func cancel() {
      condition.lock()
      cancelled = true
      condition.broadcast()
      condition.unlock()
    }
  }

  private let polls = Mutex<[SessionID: Poll]>([:])

  /// A new polling for `id`; one that ran for it before is cancelled.
  func begin(_ id: SessionID) -> Poll {
    let poll = Poll()
    polls.withLock { $0.updateValue(poll, forKey: id) }?.cancel()
    return poll
  }

  /// `poll` is over (its login ended); a newer one for the same session stays.
  func end(_ id: SessionID, _ poll: Poll) {
    polls.withLock { if $0[id] === poll { $0[id] = nil } }
  }

  /// Stops the polling of `id`, if one runs.
  func cancel(_ id: SessionID) {
    polls.withLock { $0.removeValue(forKey: id) }?.cancel()
  }
}
