import AuthDeckCore
import Foundation

/// Keep-alive's rules while the board is open: when a session that can be renewed is renewed,
/// and how a failure backs off. A session whose refresh token the provider refused has none
/// any more (the refusal is stored with it), so it is not renewed again. A plain value told
/// instants and outcomes; the board asks it what is due on each tick, and it
/// answers from one instant computed when something changed, so an idle tick costs nothing.
public struct KeepAlive: Equatable, Sendable {
  /// A token is renewed this share of its lifetime before its end…
  public static let marginShare = 0.1
  /// …but no later than 30 s before (a request and a retry fit)…
  public static let shortestMargin: TimeInterval = 30
  /// …and no earlier than 10 minutes before (an 8-hour token is not renewed an hour early).
  public static let longestMargin: TimeInterval = 10 * 60
  /// A failed renewal is tried again after 30 s, then twice as long each time, up to 15 minutes.
  public static let firstRetry: TimeInterval = 30
  public static let longestRetry: TimeInterval = 15 * 60
  /// How long before its end a token that lives `lifetime` is renewed: 10 % of it, within
  /// 30 s and 10 minutes.
  public static func margin(lifetime: TimeInterval) -> TimeInterval {
    min(max(lifetime * marginShare, shortestMargin), longestMargin)
  }

  /// When `tokens` are renewed: `margin` before their end, but never in the first half of their
  /// life nor sooner than 30 s after they were issued, so that a token that lives a few seconds
  /// (one issued just before a daily cutoff) is not renewed in a loop. Nil: no known end.
  public static func renewalTime(of tokens: TokenSet) -> Date? {
    guard let expiresAt = tokens.expiresAt else { return nil }
    let lifetime = max(0, expiresAt.timeIntervalSince(tokens.issuedAt))
    let early = expiresAt.addingTimeInterval(-margin(lifetime: lifetime))
    let notBefore = tokens.issuedAt.addingTimeInterval(max(lifetime / 2, shortestMargin))
    return max(early, notBefore)
  }

  /// The wait before the next try after `failures` failures in a row: 30 s, 1 m, 2 m, … 15 m.
  public static func retryDelay(afterFailures failures: Int) -> TimeInterval {
    let doublings = Double(min(max(failures - 1, 0), 16))
    return min(firstRetry * pow(2, doublings), longestRetry)
  }

  /// A session whose renewals fail: how often in a row, and when it is tried next. It applies
  /// to the tokens that failed; new ones (a login, another process) start afresh.
  public struct Retry: Equatable, Sendable {
    public var failures: Int
    public var at: Date
    public var tokens: String?
  }

  /// Which tokens a session holds, as keep-alive remembers them: by their access token (the
  /// instants may differ by a rounding between the copy in memory and the one read back).
  public static func identity(_ session: Session?) -> String? { session?.tokens?.accessToken }

  public private(set) var retries: [SessionID: Retry] = [:]
  /// Renewals it started that have not come back yet.
  public private(set) var inFlight: Set<SessionID> = []
  /// The earliest instant something may be due; meaningful while `isStale` is false.
  public private(set) var nextDue: Date?
  /// Something changed (sessions, busy, a failure): `nextDue` is computed again on the next tick.
  public private(set) var isStale = true

  public init() {}

  public mutating func invalidate() { isStale = true }

  /// When `session` is due for a renewal, or nil when keep-alive leaves it alone: it has no
  /// known end, or it has expired (reviving expired sessions is `L`'s job; one that failed while
  /// alive is still tried). `waitsUntil` is the end of a login under way (browser or device
  /// code): nothing is renewed under it.
  public func dueTime(of session: Session, now: Date, waitsUntil: Date? = nil) -> Date? {
    guard let tokens = session.tokens, let renewal = Self.renewalTime(of: tokens) else { return nil }
    var due = renewal
    if let retry = retries[session.id], retry.tokens == Self.identity(session) {
      due = max(due, retry.at)
    } else if let expiresAt = tokens.expiresAt, expiresAt <= now {
      return nil
    }
    if let waitsUntil { due = max(due, waitsUntil) }
    return due
  }

  /// How much must be left for a renewal to be skipped, as the runner is told: another process
  /// may have renewed the session while it waited for the lock.
  public static func runnerMargin(for tokens: TokenSet) -> TimeInterval {
    guard let expiresAt = tokens.expiresAt, let renewal = renewalTime(of: tokens) else {
      return shortestMargin
    }
    return max(expiresAt.timeIntervalSince(renewal), 1)
  }

  /// Whether there may be work at `now`: cheap, so that an idle tick costs a comparison.
  public func mayBeDue(at now: Date) -> Bool {
    isStale || (inFlight.count < Renewals.atOnce && nextDue.map { $0 <= now } ?? false)
  }

  /// The next instant anything is due (nil: nothing ever is, until something changes).
  public mutating func schedule(_ next: Date?) {
    nextDue = next
    isStale = false
  }

  /// Free slots for renewals now, besides `others` in flight (the morning queue's): the two
  /// share one limit.
  public func freeSlots(besides others: Int) -> Int { max(0, Renewals.atOnce - inFlight.count - others) }

  public mutating func started(_ id: SessionID) {
    inFlight.insert(id)
    isStale = true
  }

  /// A renewal (keep-alive's or anyone's) succeeded: the session is healthy again.
  public mutating func renewed(_ id: SessionID) {
    inFlight.remove(id)
    retries[id] = nil
    isStale = true
  }

  /// Keep-alive's renewal of `session` failed at `now`; returns the retry, whose `failures` is 1
  /// for the first failure of a streak (the one to say).
  @discardableResult
  public mutating func failed(_ session: Session?, _ id: SessionID, at now: Date) -> Retry {
    inFlight.remove(id)
    let tokens = Self.identity(session)
    let failures = (retries[id].flatMap { $0.tokens == tokens ? $0.failures : nil } ?? 0) + 1
    let retry = Retry(
      failures: failures, at: now.addingTimeInterval(Self.retryDelay(afterFailures: failures)), tokens: tokens
    )
    retries[id] = retry
    isStale = true
    return retry
  }

  /// Only a login mends the session (the provider refused the refresh, which is stored with
  /// it): nothing more to try.
  public mutating func refused(_ id: SessionID) {
    inFlight.remove(id)
    retries[id] = nil
    isStale = true
  }

  /// Forgets retries of sessions that are gone or whose tokens were replaced.
  public mutating func prune(sessions session: (SessionID) -> Session?) {
    for (id, retry) in retries where Self.identity(session(id)) != retry.tokens { retries[id] = nil }
  }
}
