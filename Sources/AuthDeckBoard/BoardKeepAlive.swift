import AuthDeckCore
import Foundation

/// Keep-alive on the board: on each tick, the renewals `KeepAlive` says are due become effects
/// (one per session at a time: the session is busy meanwhile), and their outcomes come back here.
extension BoardState {
  /// When keep-alive renews `session`, or nil when it leaves it alone: its provider is gone or
  /// has `keep_alive = false`, it cannot be renewed, or `KeepAlive.dueTime` says so.
  func keepAliveDue(_ session: Session) -> Date? {
    guard session.refreshable(at: now), let provider = provider(session.id.provider), provider.keepAlive
    else {
      return nil
    }
    let waits = deviceLogin(session.id)?.expiresAt ?? session.activePending(at: now)?.deadline
    return keepAlive.dueTime(of: session, now: now, waitsUntil: waits)
  }

  /// The renewals due at `now`, a few at a time. An idle tick compares two instants; the
  /// sessions are looked through only after a change or when something is due.
  mutating func keepAliveEffects() -> [BoardEffect] {
    guard keepAlive.mayBeDue(at: now) else { return [] }
    if keepAlive.isStale {
      keepAlive.prune(sessions: session)
      keepAlive.schedule(nextKeepAliveDue())
      guard keepAlive.mayBeDue(at: now) else { return [] }
    }
    var effects: [BoardEffect] = []
    var slots = keepAlive.freeSlots(besides: queue?.renewing.count ?? 0)
    for session in sessions where slots > 0 && !busy.contains(session.id) {
      guard let due = keepAliveDue(session), due <= now, let tokens = session.tokens else { continue }
      busy.insert(session.id)
      keepAlive.started(session.id)
      effects.append(.keepAlive(session.id, margin: KeepAlive.runnerMargin(for: tokens)))
      slots -= 1
    }
    // Nothing could start (what seemed due has expired meanwhile): look again from the sessions.
    if effects.isEmpty { keepAlive.schedule(nextKeepAliveDue()) }
    return effects
  }

  /// The earliest renewal among the sessions that are not busy.
  private func nextKeepAliveDue() -> Date? {
    var next: Date?
    for session in sessions where !busy.contains(session.id) {
      if let due = keepAliveDue(session), next.map({ due < $0 }) ?? true { next = due }
    }
    return next
  }

  /// Keep-alive's renewal of `id` came back: renewed, or failed (`error`) and tried again later.
  /// A failure is said once, at the first of a streak, not at every try.
  mutating func keptAlive(_ id: SessionID, error: AuthDeckError?) {
    busy.remove(id)
    guard let error else {
      let failures = keepAlive.retries[id]?.failures ?? 0
      keepAlive.renewed(id)
      let again = failures > 0 ? " again after \(failures) failed tr\(failures == 1 ? "y" : "ies")" : ""
      // An error still on the status line is worth more than news that all is well.
      if message?.kind != .error { say("\(id): kept alive\(again), \(validitySummary(id))") }
      return
    }
    let retry = keepAlive.failed(session(id), id, at: now)
    guard retry.failures == 1 else { return }
    let wait = DurationText.format(retry.at.timeIntervalSince(now))
    say(BoardText.failure(id, error).and("keep-alive tries again in \(wait), then less often"), isError: true)
  }

  /// A renewal (keep-alive's, the queue's or `r`) was refused in a way only a login mends. The
  /// session as stored (without the refused refresh token) came first, so keep-alive leaves it
  /// alone until it has new tokens.
  mutating func renewalRefused(_ required: LoginRequired) -> [BoardEffect] {
    let id = required.id
    busy.remove(id)
    keepAlive.refused(id)
    if queue?.renews(id) == true {
      say(required.description + "; it will be logged in after the renewals", isError: true)
      return queueRenewalEnded(id, .needsLogin(required))
    }
    say(BoardText.loginNeeded(required), isError: true)
    return []
  }
}
