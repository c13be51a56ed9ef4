import AuthDeckCore
import Foundation

extension BoardState {
  /// The one place board state changes. Returns what the world should do next.
  public mutating func handle(_ event: BoardEvent) -> [BoardEffect] {
    switch event {
    case .tick(let now):
      self.now = now
      return advanceQueueIfStale()
    case .resized(let pageSize):
      self.pageSize = max(1, pageSize)
      keepSelectionVisible()
      return []
    case .partiallyLoaded(let sessions):
      self.sessions = sessions.sorted { $0.id < $1.id }
      isLoading = true
      if mode == .firstRun && !sessions.isEmpty { mode = .list }
      keepSelectionValid()
      return []
    case .reloaded(let sessions, let problems):
      isLoading = false
      // A removed selection moves to its neighbour, not to the top.
      let oldIndex = selected.flatMap { id in visibleSessions.firstIndex { $0.id == id } }
      self.sessions = sessions.sorted { $0.id < $1.id }
      if let oldIndex, let selected, session(selected) == nil {
        let visible = visibleSessions
        self.selected = visible.isEmpty ? nil : visible[min(oldIndex, visible.count - 1)].id
      }
      if mode == .firstRun && !sessions.isEmpty { mode = .list }
      if let problem = problems.first { say(problem, isError: true) }
      keepSelectionValid()
      return []
    case .loginStarted(let id):
      busy.remove(id)
      let provider = self.provider(id.provider)
      let how =
        provider?.usesLoopbackRedirect == true ? "waiting for the browser" : "press p to paste the redirect"
      say("\(id): log in within 5 minutes in the browser; \(how)")
      return []
    case .finished(let id, let error):
      busy.remove(id)
      if let error {
        say(error, isError: true)
      } else {
        say("\(id): \(validitySummary(id))")
      }
      return queueStep(after: id, succeeded: error == nil)
    case .pasteHandled(let id, let error):
      if let id { busy.remove(id) }
      if let error {
        say(error, isError: true)
        return []
      }
      if let id {
        say("\(id): \(validitySummary(id))")
        return queueStep(after: id, succeeded: true)
      }
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

  // MARK: Keys per mode

  private mutating func handleKey(_ key: Key) -> [BoardEffect] {
    if key == .control("c") { return [.quit] }  // from every screen, as in any terminal program
    switch mode {
    case .list: return handleListKey(key)
    case .filter:
      switch key {
      case .enter: mode = .list
      case .escape:
        filter = ""
        mode = .list
      default: filter = edited(filter, with: key)
      }
      keepSelectionValid()
      return []
    case .paste(let text):
      switch key {
      case .enter:
        mode = .list
        return submitPaste(text)
      case .escape:
        mode = .list
        say("paste cancelled; the login still waits")
      default: mode = .paste(edited(text, with: key))
      }
      return []
    case .newSession(let text):
      switch key {
      case .enter:
        return submitNewSession(text)
      case .escape: mode = .list
      default: mode = .newSession(edited(text, with: key))
      }
      return []
    case .confirmDelete(let id):
      switch key {
      case .character("y"), .character("Y"):
        mode = .list
        return [.logout(id, forget: false)]
      case .character("f"), .character("F"):
        mode = .list
        return [.logout(id, forget: true)]
      case .character("n"), .character("N"), .escape:
        mode = .list
      default: break
      }
      return []
    case .help:
      if [.escape, .character("?"), .character("q"), .enter].contains(key) { mode = .list }
      return []
    case .firstRun:
      switch key {
      case .character("D"), .character("d"): return [.openDemo]
      case .character("q"), .control("c"), .escape: return [.quit]
      default: return []
      }
    }
  }

  private mutating func handleListKey(_ key: Key) -> [BoardEffect] {
    if key == .escape {
      if !queue.isEmpty {
        queue = []
        say("morning queue stopped")
      } else if !filter.isEmpty {
        filter = ""
        keepSelectionValid()
      }
      return []
    }
    guard let command = KeyBindings.command(for: key) else { return [] }
    switch command {
    case .moveUp: move(by: -1)
    case .moveDown: move(by: 1)
    case .pageUp: move(by: -pageSize)
    case .pageDown: move(by: pageSize)
    case .top: move(by: -visibleSessions.count)
    case .bottom: move(by: visibleSessions.count)
    case .filter: mode = .filter
    case .help: mode = .help
    case .quit: return [.quit]
    case .paste: mode = .paste("")
    case .newSession:
      let prefix = selected?.provider ?? providers.first?.id ?? ""
      mode = .newSession(prefix.isEmpty ? "" : prefix + "/")
    case .morningQueue: return startQueue()
    case .login, .copyToken, .copyURL, .refresh, .delete:
      guard let id = selected, let session = session(id) else {
        say("no session selected; press n to add one", isError: true)
        return []
      }
      return act(command, on: session)
    }
    return []
  }

  private mutating func act(_ command: Command, on session: Session) -> [BoardEffect] {
    let id = session.id
    switch command {
    case .login:
      return login(id)
    case .copyToken:
      guard session.tokens != nil, status(of: session) != .expired else {
        say("\(id) has no valid token to copy; press ⏎ to log in", isError: true)
        return []
      }
      return [.copyToken(id)]
    case .copyURL:
      guard session.activePending(at: now) != nil else {
        say("\(id) has no login waiting; press ⏎ to start one", isError: true)
        return []
      }
      return [.copyAuthorizeURL(id)]
    case .refresh:
      guard session.refreshable else {
        say("\(id) cannot refresh (no refresh token); press ⏎ to log in", isError: true)
        return []
      }
      guard !busy.contains(id) else { return [] }
      busy.insert(id)
      say("\(id): refreshing…")
      return [.renew(id)]
    case .delete:
      mode = .confirmDelete(id)
      return []
    default:
      return []
    }
  }

  private mutating func login(_ id: SessionID) -> [BoardEffect] {
    guard let provider = provider(id.provider) else {
      say("\(id.provider) is not in the configuration any more", isError: true)
      return []
    }
    guard !busy.contains(id) else { return [] }
    busy.insert(id)
    if provider.grant == .clientCredentials {
      say("\(id): fetching a token…")
      return [.renew(id)]
    }
    say("\(id): opening the browser…")
    return [.startLogin(id)]
  }

  // MARK: Paste and new session

  private mutating func handlePaste(_ text: String) -> [BoardEffect] {
    switch mode {
    case .paste(let typed):
      mode = .list
      return submitPaste(typed + text)
    case .filter:
      filter += Sanitizer.inline(text, limit: 100)
      keepSelectionValid()
      return []
    case .newSession(let typed):
      mode = .newSession(typed + Sanitizer.inline(text, limit: 100))
      return []
    case .list:
      // A paste on the list is taken as a redirect URL: the common case after the browser.
      return submitPaste(text)
    default:
      return []
    }
  }

  private mutating func submitPaste(_ text: String) -> [BoardEffect] {
    guard !text.allSatisfy(\.isWhitespace) else {
      say("nothing was pasted; the login still waits", isError: true)
      return []
    }
    say("checking the redirect…")
    return [.completeLogin(pasted: text)]
  }

  private mutating func submitNewSession(_ text: String) -> [BoardEffect] {
    let id: SessionID
    do throws(AuthDeckError) {
      id = try SessionID(parsing: text.trimmingCharacters(in: .whitespaces))
    } catch {
      say(error.description, isError: true)
      return []  // the prompt stays open with the text, to be corrected
    }
    guard provider(id.provider) != nil else {
      say(
        "unknown provider '\(id.provider)'; known: \(providers.map(\.id).joined(separator: ", "))",
        isError: true)
      return []
    }
    mode = .list
    selected = id
    if session(id) == nil {
      sessions.append(Session(id: id, grant: provider(id.provider)!.grant))  // shown until the store has it
      sessions.sort { $0.id < $1.id }
    }
    keepSelectionVisible()
    return login(id)
  }

  // MARK: The morning queue

  private mutating func startQueue() -> [BoardEffect] {
    guard !isLoading else {
      say("still reading the store; press L again in a moment")
      return []
    }
    queue = visibleSessions.filter { session in
      let status = status(of: session)
      return (status == .expired || status == .none) && provider(session.id.provider) != nil
    }.map(\.id)
    guard let first = queue.first else {
      say("nothing to log in: every session is valid or waiting")
      return []
    }
    selected = first
    keepSelectionVisible()
    return login(first)
  }

  private mutating func queueStep(after id: SessionID, succeeded: Bool) -> [BoardEffect] {
    guard queue.first == id else { return [] }
    // A failed request leaves its pending login (if any) waiting; the queue moves on only
    // once the session is no longer pending.
    if !succeeded, let session = session(id), session.activePending(at: now) != nil { return [] }
    queue.removeFirst()
    // Sessions logged in meanwhile (another terminal) are not logged in again.
    let stillDue = queue.filter { id in
      session(id).map { [.expired, .none].contains(status(of: $0)) } ?? false
    }
    queue = stillDue
    let why = message?.kind == .error ? message?.text : nil
    guard let next = queue.first else {
      say(why.map { "\($0); morning queue done" } ?? "morning queue done", isError: why != nil)
      return []
    }
    selected = next
    keepSelectionVisible()
    let effects = login(next)
    if let why { say("\(why); next: \(next)", isError: true) }  // the reason stays readable
    return effects
  }

  /// A queued login whose 5 minutes ran out is skipped.
  private mutating func advanceQueueIfStale() -> [BoardEffect] {
    guard let head = queue.first, !busy.contains(head), let session = session(head),
      session.pending != nil, session.activePending(at: now) == nil
    else { return [] }
    say("\(head): the login's 5 minutes are up; moving on", isError: true)
    return queueStep(after: head, succeeded: true)
  }

  // MARK: Selection

  private mutating func move(by delta: Int) {
    let visible = visibleSessions
    guard !visible.isEmpty else { return }
    let index = selected.flatMap { id in visible.firstIndex { $0.id == id } } ?? 0
    selected = visible[min(max(index + delta, 0), visible.count - 1)].id
    keepSelectionVisible()
  }

  mutating func keepSelectionValid() {
    let visible = visibleSessions
    if let selected, visible.contains(where: { $0.id == selected }) {
      keepSelectionVisible()
      return
    }
    selected = visible.first?.id
    scroll = 0
    keepSelectionVisible()
  }

  /// Scrolls so that the selected row (and its provider header, when it fits) is on screen.
  mutating func keepSelectionVisible() {
    let rows = self.rows
    guard let selected, let index = rows.firstIndex(of: .session(selected)) else {
      scroll = min(scroll, max(0, rows.count - pageSize))
      return
    }
    if index < scroll {
      scroll = index > 0 && rows[index - 1] == .header(selected.provider) ? index - 1 : index
    }
    if index >= scroll + pageSize { scroll = index - pageSize + 1 }
    scroll = max(0, min(scroll, max(0, rows.count - pageSize)))
  }

  // MARK: Helpers

  private func edited(_ text: String, with key: Key) -> String {
    switch key {
    case .backspace: return String(text.dropLast())
    case .control("u"): return ""
    case .character(let c) where !c.unicodeScalars.contains(where: Sanitizer.isUnsafe):
      return text + String(c)
    default: return text
    }
  }

  mutating func say(_ text: String, isError: Bool = false) {
    message = Message(text: Sanitizer.inline(text, limit: 300), kind: isError ? .error : .info)
  }

  private func validitySummary(_ id: SessionID) -> String {
    guard let expiresAt = session(id)?.tokens?.expiresAt else { return "logged in" }
    return
      "valid until \(TimeFormat.wallClock(expiresAt, in: timeZone)) (\(TimeFormat.countdown(expiresAt.timeIntervalSince(now))))"
  }
}
