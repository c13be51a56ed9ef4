import AuthDeckCore
import Foundation

extension BoardState {
  /// The one place board state changes. Returns what the world should do next.
  public mutating func handle(_ event: BoardEvent) -> [BoardEffect] {
    switch event {
    case .tick(let now):
      self.now = now
      if let message, now.timeIntervalSince(message.shownAt) >= message.lifetime { self.message = nil }
      return advanceQueueIfTimedOut() + keepAliveEffects() + reminderEffects()
    case .resized(let pageSize):
      self.pageSize = max(1, pageSize)
      keepSelectionVisible()
      return []
    case .partiallyLoaded(let sessions):
      replaceSessions(sessions)
      isLoading = true
      return []
    case .reloaded(let sessions, let problems):
      isLoading = false
      replaceSessions(sessions)
      if let problem = problems.first { say(problem, isError: true) }
      return []
    case .storeProblem(let text):
      say(text, isError: true)
      return []
    case .sessionChanged(let session):
      if let index = sessions.firstIndex(where: { $0.id == session.id }) {
        sessions[index] = session
      } else {
        sessions.append(session)
      }
      return []
    case .sessionRemoved(let id):
      replaceSessions(sessions.filter { $0.id != id })
      return []
    case .loginStarted(let session, let loopback):
      busy.remove(session.id)
      // A new try: its browser may well start (a failure is reported right after).
      endBrowserlessLogin(session.id)
      _ = handle(.sessionChanged(session))
      switch loopback {
      case .listening:
        say("\(session.id): log in within 5 minutes in the browser; waiting for the browser")
      case .notUsed:
        say(
          "\(session.id): log in within 5 minutes in the browser; \(KeyBindings.hint(.paste, "to paste the redirect"))"
        )
      case .portTaken(let why):
        say(
          // The hint first: on a narrow terminal the reason is what gets cut.
          // No browser: its redirect would reach whoever holds the port.
          "\(session.id): \(KeyBindings.hint(.paste, "to paste the redirect")); browser not opened (\(why))",
          isError: true)
      }
      return []
    case .deviceLoginStarted(let session, let prompt):
      busy.remove(session.id)
      _ = handle(.sessionChanged(session))
      deviceLogins[session.id] = prompt
      // The status line shows the code and its countdown from now on; an error stays readable.
      if message?.kind == .info { message = nil }
      return []
    case .browserFailed(let id, let reason):
      browserlessLogin = id
      say(
        MorningQueue.Failure(id: id, reason: reason).text + "; "
          + KeyBindings.hint(.copyURL, "to copy the login URL"), isError: true)
      return []
    case .finished(let id, let error):
      busy.remove(id)
      deviceLogins[id] = nil
      // A failed request may leave the login waiting: then its URL stays.
      if session(id)?.activePending(at: now) == nil { endBrowserlessLogin(id) }
      if let error {
        say(error, isError: true)
      } else {
        keepAlive.renewed(id)
        say("\(id): \(validitySummary(id))")
      }
      if queue?.renews(id) == true { return queueRenewalEnded(id, error.map { .failed($0) } ?? .renewed) }
      guard queue?.current == id else { return [] }
      // A failed request leaves a login that still waits for its redirect; the queue stays on it.
      if error != nil, session(id)?.activePending(at: now) != nil { return [] }
      return queueStep(error.map { .failed($0) } ?? .loggedIn)
    case .renewalRefused(let id, let reason):
      reminders.invalidate()  // a session that cannot be renewed now may need a reminder
      return renewalRefused(id, reason: reason)
    case .keptAlive(let id, let error):
      keptAlive(id, error: error)
      return []
    case .redirectHandled(let id, let error):
      if let id {
        busy.remove(id)
        if error == nil { endBrowserlessLogin(id) }
      }
      if let error {
        say(error, isError: true)
        return []  // a bad paste loses nothing: the login still waits
      }
      guard let id else { return [] }
      say("\(id): \(validitySummary(id))")
      return queue?.current == id ? queueStep(.loggedIn) : []
    case .loginEnded(let id, let reason):
      busy.remove(id)
      deviceLogins[id] = nil
      endBrowserlessLogin(id)
      if let index = sessions.firstIndex(where: { $0.id == id }) { sessions[index].pending = nil }
      if case .paste = mode { mode = .list }  // a paste cannot help this login any more
      say(reason, isError: true)
      return queue?.current == id ? queueStep(.failed(reason)) : []
    case .loggedOut(let id, let forgotten, let error, let warning):
      busy.remove(id)
      deviceLogins[id] = nil  // the runner stopped its polling
      endBrowserlessLogin(id)
      let done = forgotten ? "\(id) forgotten" : "\(id) logged out"
      if let error {
        say(error, isError: true)
      } else if let warning {
        say("\(done) here, but \(warning)", isError: true)
      } else {
        say(done)
      }
      return []
    case .demoOpened(let configuration, let sessions):
      let pageSize = self.pageSize
      self = BoardState(
        providers: configuration.providers, sessions: sessions, now: now, timeZone: timeZone,
        expiringWithin: configuration.expiringWithin, isDemo: true)
      self.pageSize = pageSize
      keepSelectionVisible()
      say("demo: \(KeyBindings.hint(.login, "on a session to log in")), L to log in all")
      return []
    case .notice(let text, let isError):
      say(text, isError: isError)
      return []
    case .pasted(let text):
      return handlePaste(text)
    case .key(let key):
      return handleKey(key)
    }
  }

  /// New contents for the list; a removed selection moves to its neighbour, not to the top.
  private mutating func replaceSessions(_ newSessions: [Session]) {
    let oldIndex = selected.flatMap { id in visibleSessions.firstIndex { $0.id == id } }
    sessions = newSessions
    if let oldIndex, let selected, session(selected) == nil {
      let visible = visibleSessions
      self.selected = visible.isEmpty ? nil : visible[min(oldIndex, visible.count - 1)].id
    }
    if mode == .firstRun && !sessions.isEmpty { mode = .list }
    keepSelectionValid()
  }

  // MARK: Helpers

  /// The URL shown for a login without a browser goes with its login.
  private mutating func endBrowserlessLogin(_ id: SessionID) {
    if browserlessLogin == id { browserlessLogin = nil }
  }

  mutating func say(_ text: String, isError: Bool = false) {
    message = Message(text: Sanitizer.inline(text, limit: 300), kind: isError ? .error : .info, shownAt: now)
  }

  func validitySummary(_ id: SessionID) -> String {
    guard let expiresAt = session(id)?.tokens?.expiresAt else { return "logged in (lifetime unknown)" }
    return
      "valid until \(TimeFormat.wallClock(expiresAt, in: timeZone)) (\(TimeFormat.countdown(expiresAt.timeIntervalSince(now))))"
  }
}
