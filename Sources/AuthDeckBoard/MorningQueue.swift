import AuthDeckCore

/// The morning queue (`L`): the sessions that need a login, one after another. A small state
/// machine of its own: started with the sessions due, told how the current one ended, it says
/// what comes next. It is told outcomes as data and never reads them off the status line.
public struct MorningQueue: Equatable, Sendable {
  public struct Failure: Equatable, Sendable {
    public var id: SessionID
    public var reason: String
  }

  /// How the session under way ended.
  public enum Outcome: Equatable, Sendable {
    case loggedIn
    case failed(String)
    /// Its login's 5 minutes ran out with no redirect.
    case timedOut
  }

  public enum Step: Equatable, Sendable {
    case login(SessionID)
    case done(Summary)
  }

  public struct Summary: Equatable, Sendable {
    public var loggedIn: [SessionID]
    /// Logged in meanwhile elsewhere (another terminal), so not logged in again.
    public var skipped: [SessionID]
    public var failed: [Failure]

    /// "morning queue done: 2 logged in, 1 failed (acme/bob: connection refused)"
    public var text: String {
      var parts = ["\(loggedIn.count) logged in"]
      if !skipped.isEmpty { parts.append("\(skipped.count) skipped") }
      if !failed.isEmpty {
        let which = failed.map { "\($0.id): \($0.reason)" }.joined(separator: "; ")
        parts.append("\(failed.count) failed (\(which))")
      }
      return "morning queue done: " + parts.joined(separator: ", ")
    }
  }

  /// Still to log in, in order; the first is the one under way.
  public private(set) var waiting: [SessionID]
  private var summary = Summary(loggedIn: [], skipped: [], failed: [])

  /// A queue over `due`, or nil when nothing is due.
  public init?(due: [SessionID]) {
    guard !due.isEmpty else { return nil }
    waiting = due
  }

  /// The session whose login is under way.
  public var current: SessionID { waiting[0] }

  public var first: Step { .login(current) }

  /// The current session ended with `outcome`. Sessions that `isStillDue` no longer holds for
  /// (logged in elsewhere meanwhile) are skipped.
  public mutating func next(after outcome: Outcome, isStillDue: (SessionID) -> Bool) -> Step {
    let finished = waiting.removeFirst()
    switch outcome {
    case .loggedIn: summary.loggedIn.append(finished)
    case .failed(let reason): summary.failed.append(Failure(id: finished, reason: reason))
    case .timedOut: summary.failed.append(Failure(id: finished, reason: "the login's 5 minutes ran out"))
    }
    while let head = waiting.first, !isStillDue(head) {
      summary.skipped.append(waiting.removeFirst())
    }
    return waiting.isEmpty ? .done(summary) : .login(current)
  }
}
