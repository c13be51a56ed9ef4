import AuthDeckCore
import Foundation

/// Everything the board shows, and nothing it does not: a plain value, changed only by `handle`.
public struct BoardState: Equatable, Sendable {
  public enum Mode: Equatable, Sendable {
    case list
    case filter
    case paste(String)
    /// Typed text, and the provider the prompt starts from (the group the user looks at): a bare
    /// account is taken as one of its.
    case newSession(String, group: String?)
    case confirmDelete(SessionID)
    /// The agent asks whether a caller may have a provider's tokens (`agent = "confirm"`).
    case approve(AgentApprovalRequest)
    case help
    case firstRun

    /// Which key table applies.
    public var keyMode: KeyMode {
      switch self {
      case .list: return .list
      case .filter: return .filter
      case .paste: return .paste
      case .newSession: return .newSession
      case .confirmDelete: return .confirmDelete
      case .approve: return .approve
      case .help: return .help
      case .firstRun: return .firstRun
      }
    }

    /// A prompt takes typed text on the status line.
    public var isPrompt: Bool { keyMode.isPrompt }
  }

  public struct Message: Equatable, Sendable {
    public enum Kind: Sendable { case info, error }
    /// What happened ("lime/main: expired 08:00 (2h ago)").
    public var text: String
    /// What to do about it ("press ⏎ to log in"): after the fact when the line has room, and
    /// before it when not, so a narrow terminal cuts the reason and never the key.
    public var action: String?
    public var kind: Kind
    /// When it was said; it goes away after `lifetime`, so an old message never passes for news.
    public var shownAt: Date

    public var lifetime: TimeInterval { kind == .error ? 30 : 10 }

    /// The whole message as a wide line shows it: the fact, then the action.
    public var whole: String { action.map { text + "; " + $0 } ?? text }

    /// The message in `width` columns: whole when it fits, else the action first, after the
    /// session id the fact starts with ("lime/main: press ⏎ to log in; expired 08:00 (2h…").
    public func arranged(width: Int) -> String {
      guard let action, DisplayWidth.of(whole) > width else { return whole }
      if let colon = text.range(of: ": "), !text[..<colon.lowerBound].contains(" ") {
        return text[..<colon.upperBound] + action + "; " + text[colon.upperBound...]
      }
      return action + "; " + text
    }
  }

  public var providers: [Provider] {
    didSet { timersChanged() }
  }
  /// Always in id order. Changed only through `upsert`, `remove` and `replaceSessions`, which
  /// say what changed: one row's update is one binary search, not a sort and a measure of every
  /// session.
  public private(set) var sessions: [Session]
  /// Per provider, how far the local clock was off its clock when its latest token came.
  public internal(set) var clockSkews: [String: MeasuredSkew] = [:]

  public struct MeasuredSkew: Equatable, Sendable {
    public var at: Date
    public var seconds: TimeInterval
  }
  /// Providers whose discovery failed when the board opened, and why.
  public var providerProblems: [String: AuthDeckError] = [:]
  /// Notices already said (provider and kind), so each is said once.
  public var toldNotices: Set<String> = []
  /// The display width of the longest account name, kept with the sessions so that a frame
  /// does not measure 10,000 names; the account column grows to it on a wide terminal.
  public private(set) var longestAccount = 0
  public var now: Date
  public var timeZone: TimeZone
  public var expiringWithin: TimeInterval
  public var mode: Mode
  public var filter = ""
  /// Where the cursor is in the open prompt's text, in characters; nil at its end (where a
  /// prompt opens, and where typing usually goes).
  public var promptCursor: Int?
  /// Where the selection mark is: a session (by id, so that reloads and filters keep it), or
  /// the "no sessions yet" row of a provider that has none (`n` there adds one to it).
  public var cursor: Cursor?

  public enum Cursor: Equatable, Sendable {
    case session(SessionID)
    case emptyGroup(String)
  }

  /// The selected session, when the mark is on one.
  public var selected: SessionID? {
    get {
      if case .session(let id) = cursor { return id }
      return nil
    }
    set { cursor = newValue.map { .session($0) } }
  }

  /// The provider the user is looking at: the selected session's, or the empty group's.
  public var selectedGroup: String? {
    switch cursor {
    case .session(let id)?: return id.provider
    case .emptyGroup(let provider)?: return provider
    case nil: return nil
    }
  }
  /// The first visible row of the list.
  public var scroll = 0
  /// The first visible line of the help.
  public var helpScroll = 0
  /// What the terminal can show (ASCII only without a UTF-8 locale); the terminal says.
  public var glyphs = Glyphs.unicode
  /// Rows the list area held at the last render; PgUp/PgDn move by this much.
  public var pageSize = 10
  public var message: Message?
  /// Sessions with a request in flight (exchange, refresh, client credentials).
  public var busy: Set<SessionID> = [] {
    didSet { keepAlive.invalidate() }
  }
  /// Device logins under way (RFC 8628), by session: the code to enter, where, until when.
  /// Kept here and not in the store, since only the runner that polls can finish one.
  /// When the latest device login began: a message older than that gives the status line to
  /// the code and its page.
  public var deviceLoginShownSince: Date?
  /// What the agent handed out lately: shown on the rows for `agentServedShownFor`.
  public var agentServed: [SessionID: AgentServed.Entry] = [:]
  /// The agent's questions still without an answer, oldest first; the first is asked when the
  /// list is in view (a prompt being typed is not interrupted).
  public var approvals: [AgentApprovalRequest] = []
  public static let agentServedShownFor: TimeInterval = 15 * 60
  public var deviceLogins: [SessionID: DeviceLoginPrompt] = [:] {
    didSet { keepAlive.invalidate() }
  }
  /// Renewals before sessions end while the board is open.
  public internal(set) var keepAlive = KeepAlive()
  /// Notifications before cutoffs and the ends of sessions that cannot be renewed.
  public internal(set) var reminders = Reminders()
  /// The login whose browser could not be started: its authorize URL is shown whole until the
  /// login ends or Esc hides it.
  public var browserlessLogin: SessionID?
  /// The morning queue, while it runs.
  public var queue: MorningQueue?
  public var isDemo = false
  /// Sessions are known by id but not all read yet (a large store's first frame).
  public var isLoading = false
  /// Where the configuration goes, for the first-run screen.
  public var configPath = "~/.config/authdeck/config.toml"

  public init(
    providers: [Provider], sessions: [Session], now: Date, timeZone: TimeZone = .current,
    expiringWithin: TimeInterval = SessionStatus.defaultExpiringWithin, isDemo: Bool = false
  ) {
    self.providers = providers.sorted { $0.id < $1.id }
    self.sessions = sessions.sortedByID()
    self.longestAccount = Self.longestAccount(in: sessions)
    self.now = now
    self.timeZone = timeZone
    self.expiringWithin = expiringWithin
    self.isDemo = isDemo
    self.mode = providers.isEmpty && sessions.isEmpty ? .firstRun : .list
    // The first session; with none, the first empty provider's row (where `n` adds one).
    self.cursor = visibleSessions.first.map { .session($0.id) } ?? selectableRows.first
    self.sessions.forEach { noteClockSkew(of: $0) }
  }

  /// Where `id` is in `sessions`, or where it would go.
  private func position(of id: SessionID) -> (index: Int, found: Bool) {
    var low = 0
    var high = sessions.count
    while low < high {
      let middle = (low + high) / 2
      if sessions[middle].id < id { low = middle + 1 } else { high = middle }
    }
    return (low, low < sessions.count && sessions[low].id == id)
  }

  /// One session's new value, in its place.
  mutating func upsert(_ session: Session) {
    let (index, found) = position(of: session.id)
    if found {
      sessions[index] = session
    } else {
      sessions.insert(session, at: index)
      longestAccount = max(longestAccount, Self.longestAccount(in: [session]))
    }
    noteClockSkew(of: session)
    timersChanged()
  }

  /// Keeps the skew the provider's latest token was measured with.
  private mutating func noteClockSkew(of session: Session) {
    guard let tokens = session.tokens, let skew = tokens.clockSkew else { return }
    if clockSkews[session.id.provider].map({ $0.at <= tokens.issuedAt }) ?? true {
      clockSkews[session.id.provider] = MeasuredSkew(at: tokens.issuedAt, seconds: skew)
    }
  }

  /// Changes the session `id` in place, when there is one.
  mutating func updateSession(_ id: SessionID, _ change: (inout Session) -> Void) {
    let (index, found) = position(of: id)
    guard found else { return }
    change(&sessions[index])
    timersChanged()
  }

  /// Removes the session `id`; the account column is measured again only if it was the widest.
  mutating func removeSession(_ id: SessionID) {
    let (index, found) = position(of: id)
    guard found else { return }
    let width = Self.longestAccount(in: [sessions.remove(at: index)])
    if width >= longestAccount { longestAccount = Self.longestAccount(in: sessions) }
    timersChanged()
  }

  /// Every session anew (the store was read again).
  mutating func setSessions(_ newSessions: [Session]) {
    sessions = newSessions.sortedByID()
    longestAccount = Self.longestAccount(in: sessions)
    clockSkews = [:]
    sessions.forEach { noteClockSkew(of: $0) }
    timersChanged()
  }

  /// What keep-alive and the reminders look at changed: they look again on the next tick
  /// (not now: a reload of 10,000 sessions is not followed by two scans per event).
  private mutating func timersChanged() {
    keepAlive.invalidate()
    reminders.invalidate()
  }

  static func longestAccount(in sessions: [Session]) -> Int {
    sessions.reduce(0) { longest, session in
      let account = session.id.account.utf8
      // Printable ASCII is as wide as it is long: no need to sanitize and measure it.
      if account.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) {
        return max(longest, min(account.count, accountLimit))
      }
      return max(longest, DisplayWidth.of(Sanitizer.inline(session.id.account, limit: accountLimit)))
    }
  }

  /// A session whose device login waits for its code is pending, like one waiting for its
  /// redirect, unless it holds a token still usable: then that is what it is.
  public func status(of session: Session) -> SessionStatus {
    let status = session.status(at: now, expiringWithin: expiringWithin)
    guard deviceLogin(session.id) != nil, status == .none || status == .expired else { return status }
    return .pending
  }

  /// The device login of `id` while its code can still be entered.
  public func deviceLogin(_ id: SessionID) -> DeviceLoginPrompt? {
    guard !deviceLogins.isEmpty, let prompt = deviceLogins[id], prompt.isActive(at: now) else { return nil }
    return prompt
  }

  /// The device login the status line tells about: the selected session's, else the queue's
  /// current one, else the one whose code expires first.
  public var shownDeviceLogin: (id: SessionID, prompt: DeviceLoginPrompt)? {
    for id in [selected, queue?.current].compactMap({ $0 }) {
      if let prompt = deviceLogin(id) { return (id, prompt) }
    }
    return deviceLogins.filter { $0.value.isActive(at: now) }.min { $0.value.expiresAt < $1.value.expiresAt }
      .map { ($0.key, $0.value) }
  }

  /// The login without a browser whose URL is shown, with that URL, while it waits.
  public var shownBrowserlessLogin: (id: SessionID, url: String)? {
    guard let id = browserlessLogin, let pending = session(id)?.activePending(at: now) else { return nil }
    return (id, pending.authorizeURL)
  }

  /// Whether a login waits for the selected session (browser or device code): Esc cancels it.
  public var selectedLoginWaits: Bool {
    guard let id = selected else { return false }
    return deviceLogin(id) != nil || session(id)?.activePending(at: now) != nil
  }

  /// Whether the selected session logs in with a device code: `u` copies its code then.
  public var selectedUsesDeviceCode: Bool {
    selected.flatMap { provider($0.provider) }?.grant == .deviceCode
  }

  public func provider(_ id: String) -> Provider? { providers.first { $0.id == id } }

  public func session(_ id: SessionID) -> Session? {
    let (index, found) = position(of: id)
    return found ? sessions[index] : nil
  }

  /// Sessions that pass the filter (a case-insensitive substring of the id), in display order.
  public var visibleSessions: [Session] {
    guard !filter.isEmpty else { return sessions }
    return sessions.filter { $0.id.description.localizedCaseInsensitiveContains(filter) }
  }

  /// The list as rows: a header per provider, then its sessions.
  public var rows: [Row] {
    let visible = visibleSessions
    var rows: [Row] = []
    var providerIDs = providers.map(\.id)
    for session in visible where !providerIDs.contains(session.id.provider) {
      providerIDs.append(session.id.provider)  // sessions whose provider left the config still show
    }
    for id in providerIDs.sorted() {
      let members = visible.filter { $0.id.provider == id }
      if members.isEmpty && !filter.isEmpty { continue }
      rows.append(.header(id))
      if members.isEmpty { rows.append(.empty(id)) }
      rows += members.map { .session($0.id) }
    }
    return rows
  }

  public enum Row: Equatable, Sendable {
    case header(String)
    case session(SessionID)
    case empty(String)
  }

  /// The next daily cutoff among the providers, for the title line.
  public var nextCutoff: (provider: Provider, at: Date)? {
    providers.compactMap { provider in provider.dailyExpiry.map { (provider, $0.next(after: now)) } }
      .min { $0.1 < $1.1 }
  }
}
