import AuthDeckCore
import Foundation

/// The morning queue on the board: which sessions `L` takes, how the queue's steps become
/// effects (a renewal marks its session busy; a login selects its session and starts it), and
/// how the queue follows the stored truth of the login it waits on.
extension BoardState {
  /// Whether a session can get a new token without a person: a refresh token (the provider's
  /// refusal drops it) or client credentials, at a provider still configured.
  func isRenewable(_ session: Session) -> Bool {
    session.refreshable(at: now) && provider(session.id.provider) != nil
  }

  /// Whether the queue has something to do for `session`: expired or never logged in, or, for
  /// one that can be renewed, close to its end.
  func needsMorning(_ session: Session) -> Bool {
    switch status(of: session) {
    case .expired, .none: return true
    case .expiring: return isRenewable(session)
    case .valid, .pending: return false
    }
  }

  mutating func startQueue() -> [BoardEffect] {
    let due = visibleSessions.filter { session in
      provider(session.id.provider) != nil && !busy.contains(session.id) && needsMorning(session)
    }
    let renew = due.filter(isRenewable).map(\.id)
    let logIn = due.filter { !isRenewable($0) }.map(\.id)
    guard
      var queue = MorningQueue(
        renew: renew, logIn: logIn, concurrency: Renewals.atOnce - keepAlive.inFlight.count)
    else {
      say("nothing to log in: every session is valid or waiting")
      return []
    }
    let steps = queue.start(isStillDue: isStillDue)
    self.queue = queue
    if !renew.isEmpty {
      let then = logIn.isEmpty ? "" : ", then \(logIn.count) to log in"
      say("morning queue: renewing \(renew.count) without a browser\(then)…")
    }
    return follow(steps)
  }

  private func isStillDue(_ id: SessionID) -> Bool {
    session(id).map(needsMorning) ?? false
  }

  /// The login under way ended (or could not start).
  mutating func queueStep(_ outcome: MorningQueue.Outcome) -> [BoardEffect] {
    guard var queue else { return [] }
    let step = queue.next(after: outcome, isStillDue: isStillDue)
    self.queue = queue
    return follow([step])
  }

  /// A renewal the queue started ended; nothing when `id` is not one of them.
  mutating func queueRenewalEnded(_ id: SessionID, _ outcome: MorningQueue.RenewalOutcome) -> [BoardEffect] {
    guard var queue, queue.renews(id) else { return [] }
    let steps = queue.renewal(of: id, endedWith: outcome, isStillDue: isStillDue)
    self.queue = queue
    return follow(steps)
  }

  /// The queue's login has started: from now on the store says when it ends.
  mutating func queueLoginStarted(_ awaited: MorningQueue.Awaited) {
    queue?.started(awaited)
  }

  /// After every event: when the login the queue waits on has ended, whatever ended it (done
  /// here or in another shell, denied, its code refused, its window run out, replaced by
  /// another login, logged out, forgotten), the queue moves on. A device login's end that the
  /// store does not show (its code expired) comes as `.loginEnded`.
  mutating func followQueue() -> [BoardEffect] {
    guard let queue, let id = queue.current, let awaited = queue.awaited, awaited.id == id,
      !busy.contains(id)
    else { return [] }
    let fate =
      awaited.state.map { LoginFate.of(login: $0, startedAt: awaited.startedAt, in: session(id), now: now) }
      ?? LoginFate.ofDeviceLogin(startedAt: awaited.startedAt, in: session(id), now: now)
    switch fate {
    case .waiting: return []
    case .loggedIn: return queueStep(.loggedIn)
    case .ended(let reason):
      let required = LoginRequired(id, reason, at: now)
      if case .timedOut = reason { say(required.description + "; moving on", isError: true) }
      return queueStep(.failed(.loginRequired(required)))
    }
  }

  private mutating func follow(_ steps: [MorningQueue.Step]) -> [BoardEffect] {
    var effects: [BoardEffect] = []
    for step in steps {
      switch step {
      case .renew(let id):
        busy.insert(id)
        effects.append(.renew(id))
      case .login(let id):
        selected = id
        keepSelectionVisible()
        let why = message?.kind == .error ? message : nil
        effects += login(id)
        if let why { message = why }  // the reason the last one failed stays readable
      case .done(let summary):
        queue = nil
        say(summary.text, isError: !summary.failed.isEmpty)
      }
    }
    return effects
  }
}
