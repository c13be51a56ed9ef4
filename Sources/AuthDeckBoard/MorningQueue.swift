import AuthDeckCore

/// The morning queue (`L`): first every session that can be renewed without a browser is
/// renewed, a few at a time; then the sessions that need a person are logged in, one after
/// another. A small state machine of its own: started with the sessions due, told how each
/// renewal and each login ended, it says what comes next. It is told outcomes as data and never
/// reads them off the status line.
public struct MorningQueue: Equatable, Sendable {
  /// Renewals in flight at once: enough to make a morning quick, few enough to spare the
  /// provider and the machine.
  public static let renewalsAtOnce = 3

  public struct Failure: Equatable, Sendable {
    public var id: SessionID
    public var reason: String

    public init(id: SessionID, reason: String) {
      self.id = id
      self.reason = reason
    }

    /// "acme/bob: connection refused"; a reason that already starts with the id is not
    /// given it twice ("tv/kids: the code was not entered in time", not "tv/kids: tv/kids: …").
    public var text: String {
      let name = id.description
      guard reason.hasPrefix(name) else { return "\(name): \(reason)" }
      let rest = reason.dropFirst(name.count)
      return rest.isEmpty || [":", " ", "'"].contains(rest.first!) ? reason : "\(name): \(reason)"
    }
  }

  /// How a renewal (refresh token or client credentials) ended.
  public enum RenewalOutcome: Equatable, Sendable {
    case renewed
    /// The provider refused it (`invalid_grant`) or there was nothing to renew with: only a
    /// login helps, so the session joins the logins.
    case needsLogin(String)
    /// Anything else (the network, the provider's error, a secret that could not be read).
    case failed(String)
  }

  /// How the login under way ended.
  public enum Outcome: Equatable, Sendable {
    case loggedIn
    case failed(String)
    /// Its login's 5 minutes ran out with no redirect.
    case timedOut
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

  /// A queue over what is due, or nil when nothing is.
  public init?(renew: [SessionID], logIn: [SessionID], concurrency: Int = renewalsAtOnce) {
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
    case .failed(let reason): summary.failed.append(Failure(id: id, reason: reason))
    }
    return proceed(isStillDue)
  }

  /// The login under way ended with `outcome`.
  public mutating func next(after outcome: Outcome, isStillDue: (SessionID) -> Bool) -> Step {
    guard !isRenewing, !waiting.isEmpty else { return .done(summary) }
    let finished = waiting.removeFirst()
    switch outcome {
    case .loggedIn: summary.loggedIn.append(finished)
    case .failed(let reason): summary.failed.append(Failure(id: finished, reason: reason))
    case .timedOut: summary.failed.append(Failure(id: finished, reason: "the login's 5 minutes ran out"))
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
