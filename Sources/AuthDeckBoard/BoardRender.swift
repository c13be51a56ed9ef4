import AuthDeckCore
import Foundation

extension BoardState {
  /// The screen for this state at this size. Pure: the same state and size give the same canvas.
  public func render(width: Int, height: Int) -> Canvas {
    var canvas = Canvas(width: width, height: height, glyphs: glyphs)
    guard width > 0 && height > 0 else { return canvas }
    canvas.put(0, titleLine(width))
    switch mode {
    case .help: renderHelp(&canvas)
    case .firstRun: renderFirstRun(&canvas)
    default: renderList(&canvas)
    }
    return canvas
  }

  /// The longest account name shown whole, in characters (a wide terminal has room for it).
  static let accountLimit = 200

  /// Rows the list area holds at this height: all but title, column header, status and footer.
  public static func listHeight(forTerminalHeight height: Int) -> Int { max(1, height - 4) }

  // MARK: Title and footer

  private func titleLine(_ width: Int) -> [Span] {
    var left = [
      Span(isDemo ? "AuthDeck demo" : "AuthDeck", .title),
      Span("  " + BoardClock.clock(now, in: timeZone), .dim),
    ]
    if !filter.isEmpty, mode == .list {
      // A kept filter must not pass for the whole list; narrow terminals get the short form.
      let text = Sanitizer.inline(filter, limit: 30)
      let (shown, all) = (visibleSessions.count, sessions.count)
      let used = left.reduce(0) { $0 + DisplayWidth.of($1.text) }
      let forms = ["  filter '\(text)' · \(shown) of \(all)", "  /\(text) \(shown)/\(all)"]
      left.append(Span(forms.first { used + DisplayWidth.of($0) <= width } ?? forms[1], .key))
    }
    if let (provider, at) = nextCutoff, let rule = provider.dailyExpiry {
      let name = provider.name.split(separator: " ").first.map(String.init) ?? provider.id
      let countdown = TimeFormat.countdown(at.timeIntervalSince(now))
      // The countdown matters most: narrower terminals drop the words around it first.
      let forms = [
        "\(name) cutoff \(rule.shortDescription) in \(countdown)", "cutoff in \(countdown)", countdown,
      ]
      let used = left.reduce(0) { $0 + DisplayWidth.of($1.text) }
      if let right = forms.first(where: { used + 2 + DisplayWidth.of($0) <= width }) {
        left.append(Span(String(repeating: " ", count: width - used - DisplayWidth.of(right)) + right, .dim))
      }
    }
    return left
  }

  /// The footer: the enabled bindings of the mode that have footer words, first key each. Whole
  /// entries only: when the line is too narrow, the entries that matter least (highest
  /// `footerRank`, the last of them first) give way, so what remains is never cut mid-word and
  /// the keys of the moment (Esc to cancel, ⏎, help, quit) stay. While a prompt or question is
  /// open, its keys stay: a message goes above it (`renderList`).
  func footer(width: Int) -> [Span] {
    typealias Entry = (key: String, words: String, enabled: Bool, rank: Int)
    var entries = bindings.compactMap { binding -> Entry? in
      let availability = binding.availability(in: self)
      guard let words = binding.footer, availability != .inapplicable else { return nil }
      return (glyphs.words(binding.footerKeyLabel), words, availability.isEnabled, binding.footerRank)
    }
    func length(_ entries: [Entry]) -> Int {
      entries.reduce(0) { $0 + DisplayWidth.of($1.key) + 1 + DisplayWidth.of($1.words) }
        + max(0, entries.count - 1) * 2
    }
    while length(entries) > width && entries.count > 1 {
      let least = entries.map(\.rank).max()!
      entries.remove(at: entries.lastIndex { $0.rank == least }!)
    }
    var spans: [Span] = []
    for (index, entry) in entries.enumerated() {
      // A key that cannot act now stays in its place, dimmed, so the footer does not jump about.
      spans.append(Span((index == 0 ? "" : "  ") + entry.key, entry.enabled ? .key : .dim))
      spans.append(Span(" " + entry.words, .dim))
    }
    return spans
  }

  // MARK: The list

  private struct Columns {
    let account: Int
    let showExpires: Bool
    let showRefresh: Bool
    static let status = 8
    static let remaining = 10
    static let expires = 11
    static let refresh = 7

    /// `longestAccount`: the widest account name shown. Short names keep 32 columns, so the
    /// rest stays near the name; longer ones get the whole width there is.
    init(width: Int, longestAccount: Int) {
      showRefresh = width >= 70
      showExpires = width >= 52
      var fixed = 2 + Self.status + 1 + Self.remaining + 1
      if showExpires { fixed += Self.expires + 1 }
      if showRefresh { fixed += Self.refresh + 1 }
      account = max(6, min(max(32, longestAccount), width - fixed - 1))
    }
  }

  private func renderList(_ canvas: inout Canvas) {
    let width = canvas.width
    let columns = Columns(width: width, longestAccount: longestAccount)
    var header =
      "  " + DisplayWidth.pad("ACCOUNT", columns.account) + " " + DisplayWidth.pad("STATUS", Columns.status)
    header += " " + DisplayWidth.pad("REMAINING", Columns.remaining)
    if columns.showExpires { header += " " + DisplayWidth.pad("EXPIRES", Columns.expires) }
    if columns.showRefresh { header += " REFRESH" }
    canvas.put(1, [Span(header, .dim)])
    // The URL of a login without a browser takes the lines above the status line.
    let panel = browserlessPanel(width: width, room: max(0, canvas.height - 5))
    // A message too long for the status line takes rows above it (up to three more), so that
    // the end of it (the file, the reason, the key) can be read.
    let said =
      mode == .list
      ? statusMessage.map { messageLines($0, width: width, room: canvas.height - 6 - panel.count) } ?? [] : []
    let extra = max(0, said.count - 1)
    let listHeight = Self.listHeight(forTerminalHeight: canvas.height) - panel.count - extra
    let rows = self.rows
    if rows.isEmpty {
      canvas.put(2, [Span("  no session matches '\(Sanitizer.inline(filter, limit: 60))'", .dim)])
    }
    // The selected row stays in view when the panel shortens the list.
    var firstRow = scroll
    if let cursor, let index = rows.firstIndex(of: Self.row(of: cursor)), index >= firstRow + listHeight {
      firstRow = index - listHeight + 1
    }
    for (offset, row) in rows.dropFirst(firstRow).prefix(listHeight).enumerated() {
      canvas.put(2 + offset, line(for: row, columns: columns, width: width))
    }
    for (offset, line) in panel.enumerated() { canvas.put(2 + listHeight + offset, line) }
    for (offset, line) in said.dropLast().enumerated() {
      canvas.put(canvas.height - 2 - extra + offset, line)
    }
    if mode != .list, let message, canvas.height >= 5 {
      // A prompt or question holds the status line and its keys the footer: what is said
      // meanwhile (a mistake in the prompt, news from a login) goes on the row above.
      canvas.put(canvas.height - 3, messageLine(message, width: width))
    }
    var status = said.last ?? statusLine(&canvas)
    if rows.count > listHeight, canvas.cursor == nil {
      // Where the window is in a long list, at the right of the status line when there is room.
      let position = "\(min(rows.count, firstRow + listHeight))/\(rows.count)"
      let used = status.reduce(0) { $0 + DisplayWidth.of($1.text) }
      if used + 2 + position.count <= width {
        status.append(Span(String(repeating: " ", count: width - used - position.count) + position, .dim))
      }
    }
    canvas.put(canvas.height - 2, status)
    canvas.put(canvas.height - 1, footer(width: canvas.width))
  }

  /// A login whose browser could not be started: what to do, then its authorize URL whole,
  /// wrapped, each piece a hyperlink to it. At most `room` lines (a tiny terminal cuts the URL,
  /// and says so; `u` still copies it whole).
  private func browserlessPanel(width: Int, room: Int) -> [[Span]] {
    guard let (id, url) = shownBrowserlessLogin, room >= 2, width > 0 else { return [] }
    let head = [
      Span("To log in \(Sanitizer.inline(id.description, limit: 60)), open this URL in a browser (", .info),
      Span(KeyBindings.label(.copyURL), .key), Span(" copies it, ", .info),
      Span(KeyBindings.label(.hideURL), .key), Span(" hides it):", .info),
    ]
    let linkable = Span.linkable(url)
    let text = linkable ? url : Sanitizer.inline(url, limit: 4096)
    var pieces = DisplayWidth.wrap(text, width)
    if pieces.count > room - 1 {
      pieces = Array(pieces.prefix(room - 1))
      pieces[pieces.count - 1] = DisplayWidth.truncate(pieces[pieces.count - 1] + "…", width)
    }
    return [head] + pieces.map { [Span($0, .link, link: linkable ? url : nil)] }
  }

  private func line(for row: Row, columns: Columns, width: Int) -> [Span] {
    switch row {
    case .header(let id):
      guard let provider = provider(id) else {
        return [Span(id, .header), Span("  not in the configuration", .dim)]
      }
      let host = provider.host
      // The id first: it is what `n` and the command line take. What is wrong comes before the
      // details: a narrow terminal cuts the end.
      var warnings: [Span] = []
      if let problem = providerProblems[id] {
        warnings.append(Span("  ✗ cannot be used: " + problem.description, .error))
      } else if let skew = clockSkews[id], abs(skew.seconds) >= Expiry.noticeableSkew {
        warnings.append(Span("  " + ClockSkewText.sentence(skew.seconds, provider: id), .expiring))
      }
      let details = (provider.name == id ? [] : [provider.name]) + [host, provider.expiryRule]
      return [Span(id, .header)] + warnings + [Span("  " + details.joined(separator: " · "), .dim)]
    case .empty(let provider):
      let isSelected = cursor == .emptyGroup(provider)
      return [
        Span(isSelected ? "▸ " : "  ", isSelected ? .selected : .plain),
        Span("  no sessions yet: " + KeyBindings.hint(.newSession, "to add one"), .dim),
      ]
    case .session(let id):
      guard let session = session(id) else { return [] }
      return sessionLine(session, columns: columns, width: width)
    }
  }

  private func sessionLine(_ session: Session, columns: Columns, width: Int) -> [Span] {
    let isSelected = session.id == selected
    let status = status(of: session)
    var remaining = "-"
    var expires = "-"
    var expiresStyle = Style.dim
    // A login under way with a token still usable: the token's time left, and the login beside it.
    let tokenLeft = session.tokens?.expiresAt.flatMap {
      $0 > now ? TimeFormat.countdown($0.timeIntervalSince(now)) : nil
    }
    if let device = deviceLogin(session.id) {
      // The code to enter stands where a browser login shows its deadline.
      remaining =
        status == .pending ? TimeFormat.countdown(device.expiresAt.timeIntervalSince(now)) : tokenLeft ?? "-"
      expires = Sanitizer.inline(device.userCode, limit: Columns.expires)
      expiresStyle = .key
    } else if let pending = session.activePending(at: now) {
      if status == .pending {
        remaining = TimeFormat.countdown(pending.deadline.timeIntervalSince(now))
        expires = "by " + BoardClock.clock(pending.deadline, in: timeZone).prefix(5)
      } else {
        remaining = tokenLeft ?? TimeFormat.unknownLifetime
        expires = "login " + TimeFormat.minutesAndSeconds(pending.deadline.timeIntervalSince(now))
        expiresStyle = .pending
      }
    } else if let expiresAt = session.tokens?.expiresAt {
      remaining = expiresAt > now ? TimeFormat.countdown(expiresAt.timeIntervalSince(now)) : "-"
      expires = BoardClock.short(expiresAt, now: now, in: timeZone)
    } else if session.tokens != nil {
      remaining = TimeFormat.unknownLifetime  // no expires_in, no exp, no cutoff: valid until refused
    }
    let isBusy = busy.contains(session.id)
    let notReadYet = isLoading && session.tokens == nil && session.pending == nil
    let statusWord = isBusy ? "working" : notReadYet ? "…" : status.rawValue
    let statusStyle: Style = isBusy ? .busy : notReadYet ? .dim : Self.style(for: status)
    let account = Sanitizer.inline(session.id.account, limit: Self.accountLimit)
    var spans = [
      Span(isSelected ? "▸ " : "  ", isSelected ? .selected : .plain),
      Span(DisplayWidth.pad(account, columns.account) + " ", isSelected ? .selected : .plain),
      Span(DisplayWidth.pad(statusWord, Columns.status), statusStyle),
      Span(" " + DisplayWidth.pad(remaining, Columns.remaining), statusStyle == .expired ? .dim : .plain),
    ]
    if columns.showExpires {
      spans.append(Span(" " + DisplayWidth.pad(expires, Columns.expires), expiresStyle))
    }
    if columns.showRefresh { spans.append(Span(" " + RefreshColumn.text(session, now: now), .dim)) }
    if let served = agentServed[session.id], now.timeIntervalSince(served.at) < Self.agentServedShownFor {
      // Who got this token through the agent lately: on this machine, or over ssh.
      let minutes = max(1, Int(now.timeIntervalSince(served.at) / 60))
      spans.append(
        Span((served.forwarded ? "  served over ssh " : "  served here ") + "\(minutes)m ago", .info))
    }
    return spans
  }

  public static func style(for status: SessionStatus) -> Style {
    switch status {
    case .valid: return .valid
    case .expiring: return .expiring
    case .expired: return .expired
    case .pending: return .pending
    case .none: return .none
    }
  }

  private func statusLine(_ canvas: inout Canvas) -> [Span] {
    let row = canvas.height - 2
    /// `labels`, longest first: the first that leaves the typed text room (at least 8 columns, or
    /// all of it) is shown, so that what is typed stays in view on a narrow terminal.
    func prompt(_ labels: [String], _ raw: String) -> [Span] {
      let at = min(promptCursor ?? raw.count, raw.count)
      let before = Sanitizer.inline(String(raw.prefix(at)), limit: 4096)
      let after = Sanitizer.inline(String(raw.dropFirst(at)), limit: 4096)
      let (widthBefore, widthAfter) = (DisplayWidth.of(before), DisplayWidth.of(after))
      let wanted = min(8, widthBefore + widthAfter + 1)
      let label = labels.first { DisplayWidth.of($0) + wanted <= canvas.width } ?? ""
      // The cursor stays in view, counted in columns: the text around it, cut at either end
      // with "…"; some of what follows it stays in view too.
      let room = max(1, canvas.width - DisplayWidth.of(label) - 1)
      var left = before
      var right = after
      if widthBefore + widthAfter > room {
        right = DisplayWidth.truncate(after, min(widthAfter, max(room - widthBefore, room / 3)))
        left = DisplayWidth.truncateLeading(before, room - DisplayWidth.of(right))
      }
      canvas.cursor = (row, min(canvas.width - 1, DisplayWidth.of(label) + DisplayWidth.of(left)))
      return [Span(label, .key), Span(left + right)]
    }
    switch mode {
    case .filter: return prompt(["/"], filter)
    case .paste(let text): return prompt(["Paste redirect URL: ", "URL: "], text)
    case .newSession(let text, let group):
      let name = group.map { Sanitizer.inline($0, limit: 40) }
      // Narrowest, the group as the text's prefix: what a bare account becomes (not when a
      // provider is typed).
      let labels =
        name.map {
          ["New session in \($0) (account, or provider/account): ", "New session in \($0): "]
            + (text.contains("/") ? [] : ["\($0)/"])
        } ?? ["New session (provider/account): ", "New session: "]
      return prompt(labels + ["New: "], text)
    case .approve(let request):
      return [
        Span("\(request.caller) asks for \(request.provider)'s tokens through the agent. ", .key),
        Span(
          KeyBindings.approve.map { "\($0.footerKeyLabel) \($0.footer ?? $0.help)" }.joined(separator: " · ")),
      ]
    case .confirmDelete(let id):
      let shown = Sanitizer.inline(id.description, limit: 100)
      // Nothing to log out of (no tokens, no login waiting): the question is whether to keep the row.
      let nothing = session(id).map { $0.tokens == nil && $0.pending == nil } ?? true
      let question = nothing ? "\(shown) has no tokens. Forget it? " : "Log out \(shown)? "
      return [
        Span(question, .key),
        Span(
          KeyBindings.confirmDelete.map { "\($0.footerKeyLabel) \($0.footer ?? $0.help)" }.joined(
            separator: " · ")),
      ]
    default:
      if let message = statusMessage { return messageLine(message, width: canvas.width) }
      guard let (id, prompt) = shownDeviceLogin else { return [] }
      return deviceLine(id, prompt)
    }
  }

  /// The message the status line says now: a device code beats whatever was said before its
  /// login began (a finished queue's summary). With nothing said, why the provider under the
  /// cursor cannot be used, whole (its header has room for the start only).
  private var statusMessage: Message? {
    if let message, shownDeviceLogin == nil || message.shownAt >= deviceLoginShownSince ?? .distantPast {
      return message
    }
    guard shownDeviceLogin == nil, let group = selectedGroup, let problem = providerProblems[group] else {
      return nil
    }
    return Message(text: problem.description, action: nil, kind: .error, shownAt: now)
  }

  private func messageLine(_ message: Message, width: Int) -> [Span] {
    [Span(message.arranged(width: width), message.kind == .error ? .error : .info)]
  }

  /// The message in as many lines as it needs, up to four and `room` more than one.
  private func messageLines(_ message: Message, width: Int, room: Int) -> [[Span]] {
    let lines = DisplayWidth.wrapWords(message.arranged(width: width), width, lines: max(1, min(4, room + 1)))
    return lines.map { [Span($0, message.kind == .error ? .error : .info)] }
  }

  /// "tv/den: enter WDJB-MJHT at https://id.example/device within 9:58; press u to copy it", the
  /// code first: a narrow terminal cuts the end.
  private func deviceLine(_ id: SessionID, _ prompt: DeviceLoginPrompt) -> [Span] {
    let left = TimeFormat.countdown(prompt.expiresAt.timeIntervalSince(now))
    let copy = id == selected ? "; " + KeyBindings.hint(.copyUserCode, "to copy it") : ""
    return [
      Span("\(Sanitizer.inline(id.description, limit: 60)): enter ", .info),
      Span(Sanitizer.inline(prompt.userCode, limit: 64), .key),
      Span(" at \(Sanitizer.inline(prompt.verificationURI, limit: 200)) within \(left)\(copy)", .info),
    ]
  }

  // MARK: First run

  private func renderFirstRun(_ canvas: inout Canvas) {
    let text: [[Span]] = [
      [Span("Welcome. No provider is configured yet.", .header)],
      [],
      [Span("Put your providers in "), Span(configPath, .key)],
      [Span("for example:", .dim)],
      [Span("  [providers.lime]", .info)],
      [Span("  preset = \"lime\"", .info)],
      [Span("  client_id = \"my-client-id\"", .info)],
      [Span("  client_secret_env = \"LIME_CLIENT_SECRET\"", .info)],
      [Span("  redirect_uri = \"https://localhost/callback\"", .info)],
      [],
      [Span("  [providers.acme]", .info)],
      [Span("  preset = \"limio\"", .info)],
      [Span("  tenant = \"acme\"", .info)],
      [Span("  client_id = \"...\"", .info)],
      [Span("  client_secret_command = \"pass show limio/acme\"", .info)],
      [Span("  redirect_uri = \"http://127.0.0.1:8765/callback\"", .info)],
      [],
      [
        Span("Or try it with a built-in provider: press "),
        Span(KeyBindings.label(.openDemo, in: .firstRun), .key),
        Span(" for the demo."),
      ],
    ]
    // What went wrong with a file written meanwhile, above the footer: the welcome gives way.
    let said = statusMessage.map { messageLines($0, width: canvas.width, room: canvas.height - 6) } ?? []
    for (index, line) in text.prefix(max(0, canvas.height - 3 - said.count)).enumerated() {
      canvas.put(2 + index, line)
    }
    for (offset, line) in said.enumerated() { canvas.put(canvas.height - 1 - said.count + offset, line) }
    canvas.put(canvas.height - 1, footer(width: canvas.width))
  }
}
