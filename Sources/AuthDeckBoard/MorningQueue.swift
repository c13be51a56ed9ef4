import AuthDeckCore
import Foundation

/// The morning queue (`L`): first every session that can be renewed without a browser is
/// renewed, a few at a time; then the sessions that need a person are logged in, one after
/// another. A small state machine of its own: started with the sessions due, told how each
/// renewal and each login ended, it says what comes next. It is told outcomes as typed data and
/// never reads them off the status line.
public struct MorningQueue: Equatable, Sendable {
  public struct Failure: Equatable, Sendable {
    public var id: SessionID
    public var error: AuthDeckError

    public init(id: SessionID, error: AuthDeckError) {
      self.id = id
      self.error = error
    }

    /// "acme/bob: connection refused", "lime/desk: the login was denied (access_denied)".
    public var text: String {
      if case .loginRequired(let required) = error { return required.description }
      return "\(id): \(error.description)"
    }
  }

  /// How a renewal (refresh token or client credentials) ended.
  public enum RenewalOutcome: Equatable, Sendable {
    case renewed
    /// The provider refused it (`invalid_grant`) or there was nothing to renew with: only a
    /// login helps, so the session joins the logins.
    case needsLogin(LoginRequired)
    /// Anything else (the network, the provider's error, a secret that could not be read).
    case failed(AuthDeckError)
  }

  /// How the login under way ended: done (here or elsewhere), or not, and why.
  public enum Outcome: Equatable, Sendable {
    case loggedIn
    case failed(AuthDeckError)
  }

  /// The login the queue waits on, once it has started: the browser login's pending state (nil
  /// for a device login), and when it started. What the store says of it decides when the
  /// queue moves on (`LoginFate`), whoever ended it.
  public struct Awaited: Equatable, Sendable {
    public var id: SessionID
    public var state: String?
    public var startedAt: Date

    public init(id: SessionID, state: String?, startedAt: Date) {
      self.id = id
      self.state = state
      self.startedAt = startedAt
    }
  }

  public enum Step: Equatable, Sendable {
    case renew(SessionID)
    case login(SessionID)
    case done(Summary)
  }

  public struct Summary: Equatable, Sendable {
    public var renewed: [SessionID] = []
    public var loggedIn: [SessionID] = []
    /// Valid meanwhile by other means (another terminal), so not done again.
    public var skipped: [SessionID] = []
    public var failed: [Failure] = []

    public init(
      renewed: [SessionID] = [], loggedIn: [SessionID] = [], skipped: [SessionID] = [], failed: [Failure] = []
    ) {
      self.renewed = renewed
      self.loggedIn = loggedIn
      self.skipped = skipped
      self.failed = failed
    }

    /// "morning queue done: 3 renewed, 2 logged in, 1 failed (acme/bob: connection refused)":
    /// the counts that are not zero, then which failed and why.
    public var text: String {
      var parts: [String] = []
      if !renewed.isEmpty { parts.append("\(renewed.count) renewed") }
      if !loggedIn.isEmpty { parts.append("\(loggedIn.count) logged in") }
      if !skipped.isEmpty { parts.append("\(skipped.count) skipped") }
      if !failed.isEmpty {
        parts.append("\(failed.count) failed (\(failed.map(\.text).joined(separator: "; ")))")
      }
      return "morning queue done: " + (parts.isEmpty ? "nothing was needed" : parts.joined(separator: ", "))
    }
  }

  /// Renewals not started yet, in order.
  public private(set) var toRenew: [SessionID]
  /// Renewals in flight.
  public private(set) var renewing: [SessionID] = []
  /// Still to log in, in id order; once the renewals are over, the first is the one under way.
  public private(set) var waiting: [SessionID]
  public let concurrency: Int
  public private(set) var summary = Summary()
  /// The login under way, once started.
  public private(set) var awaited: Awaited?

  /// A queue over what is due, or nil when nothing is.
  public init?(renew: [SessionID], logIn: [SessionID], concurrency: Int = Renewals.atOnce) {
    guard !renew.isEmpty || !logIn.isEmpty else { return nil }
    toRenew = renew
    waiting = logIn.sorted()
    self.concurrency = max(1, concurrency)
  }

  public var isRenewing: Bool { !toRenew.isEmpty || !renewing.isEmpty }

  /// Whether `id`'s renewal is in flight.
  public func renews(_ id: SessionID) -> Bool { renewing.contains(id) }

  /// The session whose login is under way (none while renewals run).
  public var current: SessionID? { isRenewing ? nil : waiting.first }

  /// The current login has started (its pending state stored, or its device code shown).
  public mutating func started(_ awaited: Awaited) {
    guard awaited.id == current else { return }
    self.awaited = awaited
  }

  /// What to start: up to `concurrency` renewals, or else the first login. Sessions that
  /// `isStillDue` no longer holds for (done elsewhere meanwhile) are skipped.
  public mutating func start(isStillDue: (SessionID) -> Bool) -> [Step] {
    proceed(isStillDue)
  }

  /// `id`'s renewal ended with `outcome`: the next renewal starts in its place, or, when it
  /// was the last, the logins begin (or the queue is done).
  public mutating func renewal(
    of id: SessionID, endedWith outcome: RenewalOutcome, isStillDue: (SessionID) -> Bool
  ) -> [Step] {
    guard let index = renewing.firstIndex(of: id) else { return [] }
    renewing.remove(at: index)
    switch outcome {
    case .renewed: summary.renewed.append(id)
    case .needsLogin:
      // Logins start only when every renewal is over, so it can take its place in id order.
      waiting.insert(id, at: waiting.firstIndex { $0 > id } ?? waiting.endIndex)
    case .failed(let error): summary.failed.append(Failure(id: id, error: error))
    }
    return proceed(isStillDue)
  }

  /// The login under way ended with `outcome`.
  public mutating func next(after outcome: Outcome, isStillDue: (SessionID) -> Bool) -> Step {
    guard !isRenewing, !waiting.isEmpty else { return .done(summary) }
    let finished = waiting.removeFirst()
    awaited = nil
    switch outcome {
    case .loggedIn: summary.loggedIn.append(finished)
    case .failed(let error): summary.failed.append(Failure(id: finished, error: error))
    }
    return proceed(isStillDue).first ?? .done(summary)
  }

  private mutating func proceed(_ isStillDue: (SessionID) -> Bool) -> [Step] {
    var steps: [Step] = []
    while renewing.count < concurrency, !toRenew.isEmpty {
      let id = toRenew.removeFirst()
      if isStillDue(id) {
        renewing.append(id)
        steps.append(.renew(id))
      } else {
        summary.skipped.append(id)
      }
    }
    if isRenewing { return steps }
    while let head = waiting.first, !isStillDue(head) {
      summary.skipped.append(waiting.removeFirst())
    }
    return [waiting.first.map { .login($0) } ?? .done(summary)]
  }
}
