import AuthDeckCore
import Foundation

extension BoardState {
  /// The one place board state changes. Returns what the world should do next.
  public mutating func handle(_ event: BoardEvent) -> [BoardEffect] { handle([event]) }

  /// Events that arrived together (what one effect reported, a tick): each applied in order,
  /// then the morning queue looks once at the login it waits on, so whatever ended it (here,
  /// in another process, by the clock) moves it on, and a queue that ends says so last.
  public mutating func handle(_ events: [BoardEvent]) -> [BoardEffect] {
    events.flatMap { apply($0) } + followQueue() + askApproval()
  }

  private mutating func apply(_ event: BoardEvent) -> [BoardEffect] {
    switch event {
    case .tick(let now):
      self.now = now
      if let message, now.timeIntervalSince(message.shownAt) >= message.lifetime { self.message = nil }
      return keepAliveEffects() + reminderEffects()
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
    case .storeProblem(let error):
      say(error.description, isError: true)
      return []
    case .sessionChanged(let session):
      upsert(session)
      return []
    case .sessionRemoved(let id):
      removeKeepingSelection(id)
      return []
    case .loginStarted(let session, let loopback):
      busy.remove(session.id)
      // A new try: its browser may well start (a failure is reported right after).
      endBrowserlessLogin(session.id)
      upsert(session)
      if let pending = session.pending {
        queueLoginStarted(
          MorningQueue.Awaited(id: session.id, state: pending.state, startedAt: pending.startedAt))
      }
      let window = "log in within \(TimeFormat.minutes(PendingLogin.lifetime)) in the browser"
      switch loopback {
      case .listening:
        say("\(session.id): \(window); waiting for the browser")
      case .notUsed:
        say("\(session.id): \(window)", action: KeyBindings.hint(.paste, "to paste the redirect"))
      case .portTaken(let why):
        // No browser: its redirect would reach whoever holds the port.
        say(
          "\(session.id): browser not opened (\(why))",
          action: KeyBindings.hint(.paste, "to paste the redirect"),
          isError: true)
      }
      return []
    case .deviceLoginStarted(let session, let prompt):
      busy.remove(session.id)
      upsert(session)
      deviceLogins[session.id] = prompt
      deviceLoginShownSince = now
      queueLoginStarted(MorningQueue.Awaited(id: session.id, state: nil, startedAt: now))
      // The status line shows the code and its countdown from now on; an error stays readable.
      if message?.kind == .info { message = nil }
      return []
    case .browserFailed(let id, let error):
      browserlessLogin = id
      say(
        BoardText.failure(id, error).with(action: KeyBindings.hint(.copyURL, "to copy the login URL")),
        isError: true)
      return []
    case .finished(let id, let error):
      return finished(id, error: error)
    case .renewalRefused(let required):
      reminders.invalidate()  // a session that cannot be renewed now may need a reminder
      return renewalRefused(required)
    case .keptAlive(let id, let error):
      keptAlive(id, error: error)
      return []
    case .redirectHandled(let id, let error):
      if let id {
        busy.remove(id)
        if error == nil { endBrowserlessLogin(id) }
      }
      if let error {
        say(id.map { BoardText.failure($0, error) } ?? BoardText.Said(error.description), isError: true)
        return []  // a bad paste loses nothing: the login still waits
      }
      if let id { say("\(id): \(validitySummary(id))") }
      return []
    case .loginEnded(let id, let error):
      busy.remove(id)
      deviceLogins[id] = nil
      endBrowserlessLogin(id)
      updateSession(id) { $0.pending = nil }
      if case .paste = mode { mode = .list }  // a paste cannot help this login any more
      say(BoardText.failure(id, error), isError: true)
      return queue?.current == id ? queueStep(.failed(error)) : []
    case .loginCancelled(let id, let error):
      deviceLogins[id] = nil
      endBrowserlessLogin(id)
      if let error {
        say(BoardText.failure(id, error), isError: true)
      } else {
        let kept = session(id)?.tokens != nil ? "; its tokens are as they were" : ""
        say("\(id): login cancelled\(kept)")
      }
      return []
    case .loggedOut(let id, let forgotten, let error, let revocation):
      busy.remove(id)
      deviceLogins[id] = nil  // the runner stopped its polling
      endBrowserlessLogin(id)
      if let error {
        say(BoardText.failure(id, error), isError: true)
      } else {
        let (text, isError) = BoardText.loggedOut(id, forgotten: forgotten, revocation: revocation)
        say(text, isError: isError)
      }
      return []
    case .copied(let id, let item, let result):
      let (text, isError) = BoardText.copied(id, item, result, now: now)
      say(text, isError: isError)
      return []
    case .providerNotice(let notice):
      if case .clockSkew(let provider, let seconds) = notice {
        clockSkews[provider] = MeasuredSkew(at: now, seconds: seconds)
      }
      if toldNotices.insert(notice.provider + " " + notice.kind).inserted { say(notice.text) }
      return []
    case .providerChecked(let id, let problem):
      providerProblems[id] = problem
      if let problem { say(BoardText.providerUnusable(problem, id: id), isError: true) }
      return []
    case .demoOpened(let configuration, let sessions):
      let (pageSize, glyphs) = (self.pageSize, self.glyphs)
      self = BoardState(
        providers: configuration.providers, sessions: sessions, now: now, timeZone: timeZone,
        expiringWithin: configuration.expiringWithin, isDemo: true)
      self.pageSize = pageSize
      self.glyphs = glyphs
      keepSelectionVisible()
      say(
        "demo: \(KeyBindings.hint(.login, "on a session to log in")), \(KeyBindings.label(.morningQueue)) to log in all"
      )
      return []
    case .agentServed(let served):
      agentServed = served
      return []
    case .approvalsAsked(let requests):
      approvals = requests
      return []
    case .configurationChanged(let configuration):
      providers = configuration.providers
      expiringWithin = configuration.expiringWithin
      providerProblems = providerProblems.filter { id, _ in configuration.provider(id) != nil }
      if mode == .firstRun, !providers.isEmpty { mode = .list }
      keepSelectionValid()
      let count = providers.count
      say("read \(Sanitizer.inline(configPath, limit: 120)) again: \(count) provider\(count == 1 ? "" : "s")")
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

  /// A request for `id` finished: a renewal (`r`, the queue's, a client-credentials login), a
  /// device login whose code was entered, or a login that could not start.
  private mutating func finished(_ id: SessionID, error: AuthDeckError?) -> [BoardEffect] {
    busy.remove(id)
    deviceLogins[id] = nil
    // A failed request may leave the login waiting: then its URL stays.
    if session(id)?.activePending(at: now) == nil { endBrowserlessLogin(id) }
    if let error {
      say(BoardText.failure(id, error), isError: true)
    } else {
      keepAlive.renewed(id)
      say("\(id): \(validitySummary(id))")
    }
    if queue?.renews(id) == true { return queueRenewalEnded(id, error.map { .failed($0) } ?? .renewed) }
    guard queue?.current == id else { return [] }
    // A failed request under a login that waits changes nothing: that login is followed in the
    // store. A login that could not start, a client-credentials fetch or a device login that
    // finished is told here.
    guard let error else { return queueStep(.loggedIn) }
    return queue?.awaited?.id == id ? [] : queueStep(.failed(error))
  }

  /// New contents for the list; a removed selection moves to its neighbour, not to the top.
  private mutating func replaceSessions(_ newSessions: [Session]) {
    let oldIndex = selected.flatMap { id in visibleSessions.firstIndex { $0.id == id } }
    let hadNone = sessions.isEmpty
    setSessions(newSessions)
    // The mark waited on an empty provider's row only for want of a session (the store is
    // read after the first frame): the first session takes it.
    if hadNone, case .emptyGroup? = cursor, let first = visibleSessions.first { selected = first.id }
    reselect(from: oldIndex)
  }

  private mutating func removeKeepingSelection(_ id: SessionID) {
    let oldIndex = selected.flatMap { id in visibleSessions.firstIndex { $0.id == id } }
    removeSession(id)
    reselect(from: oldIndex)
  }

  private mutating func reselect(from oldIndex: Int?) {
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

  mutating func say(_ text: String, action: String? = nil, isError: Bool = false) {
    message = Message(
      text: glyphs.words(Sanitizer.inline(text, limit: 300)),
      action: action.map { glyphs.words(Sanitizer.inline($0, limit: 100)) }, kind: isError ? .error : .info,
      shownAt: now)
  }

  mutating func say(_ said: BoardText.Said, isError: Bool = false) {
    say(said.text, action: said.action, isError: isError)
  }

  func validitySummary(_ id: SessionID) -> String {
    guard let expiresAt = session(id)?.tokens?.expiresAt else { return "logged in (lifetime unknown)" }
    return
      "valid until \(TimeFormat.wallClock(expiresAt, in: timeZone)) (\(TimeFormat.countdown(expiresAt.timeIntervalSince(now))))"
  }
}
