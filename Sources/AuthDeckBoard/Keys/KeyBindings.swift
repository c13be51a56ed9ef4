/// What a key asks the board to do, in any mode.
public enum Command: Sendable, Hashable {
  // The list
  case moveUp, moveDown, pageUp, pageDown, top, bottom
  case filter, login, paste, copyURL, copyUserCode, copyToken, refresh, newSession, delete, morningQueue
  case hideURL, cancelLogin, stopQueue, clearFilter, help, quit, suspend, repaint
  // Prompts (filter, paste, new session)
  case submit, cancel, clearText, deleteWord
  // The log-out question
  case logOut, forget
  // The agent's question
  case allowAgent, refuseAgent
  // The first-run screen
  case openDemo
}

/// Whether a binding can act now. A disabled one is shown dim and says why when pressed (with a
/// hint); one that does not apply (no queue to stop) is left out of the footer and stays quiet.
public enum Availability: Sendable, Equatable {
  case enabled
  case disabled(String)
  case inapplicable

  public var isEnabled: Bool { self == .enabled }
}

/// One binding: its keys, its command, its footer word, its help text, and when it is enabled.
/// Dispatch, footer, help and every "press X to …" hint read these tables, so they cannot
/// disagree (the shape of bubbles' key.Binding).
public struct KeyBinding: Sendable {
  public let keys: [Key]
  public let command: Command
  /// Short words for the footer; nil keeps the binding out of the footer (still in help).
  public let footer: String?
  /// The keys the footer names (default: the first).
  public let footerKeys: [Key]
  public let help: String
  /// How long the footer keeps it when narrow: rank 0 goes last, the highest rank first.
  public let footerRank: Int
  let availability: @Sendable (BoardState) -> Availability

  init(
    _ keys: [Key], _ command: Command, footer: String? = nil, footerKeys: [Key]? = nil,
    footerRank: Int = 1, help: String,
    when availability: @escaping @Sendable (BoardState) -> Availability = { _ in .enabled }
  ) {
    self.keys = keys
    self.command = command
    self.footer = footer
    self.footerKeys = footerKeys ?? [keys[0]]
    self.help = help
    self.footerRank = footerRank
    self.availability = availability
  }

  public var keyLabel: String { keys.map(\.label).joined(separator: "/") }
  public var footerKeyLabel: String { footerKeys.map(\.label).joined(separator: "/") }

  public func availability(in state: BoardState) -> Availability { availability(state) }
}

/// The modes whose keys differ; a board mode maps onto one of these.
public enum KeyMode: String, Sendable, CaseIterable {
  case list, filter, paste, newSession, confirmDelete, approve, help, firstRun

  /// A prompt takes typed text: keys no binding claims edit it.
  public var isPrompt: Bool { [.filter, .paste, .newSession].contains(self) }
}

public enum KeyBindings {
  /// Ctrl-C quits from every screen, as in any terminal program; handled here and nowhere else.
  public static let global: [KeyBinding] = [
    KeyBinding([.control("c")], .quit, help: "quit, from any screen"),
    KeyBinding([.control("z")], .suspend, help: "suspend to the shell (fg comes back), from any screen"),
    KeyBinding([.control("l")], .repaint, help: "redraw the screen, from any screen"),
  ]

  public static let list: [KeyBinding] = [
    // Before the queue's Esc: the URL is hidden first, and a second Esc stops the queue.
    KeyBinding(
      [.escape], .hideURL, help: "hide the login URL shown when no browser starts",
      when: { $0.shownBrowserlessLogin == nil ? .inapplicable : .enabled }),
    KeyBinding(
      [.escape], .stopQueue, footer: "stop queue", footerRank: 0, help: "stop the morning queue",
      when: { $0.queue == nil ? .inapplicable : .enabled }),
    KeyBinding([.up, .character("k")], .moveUp, help: "move up"),
    KeyBinding([.down, .character("j")], .moveDown, help: "move down"),
    KeyBinding([.pageUp], .pageUp, help: "page up"),
    KeyBinding([.pageDown], .pageDown, help: "page down"),
    KeyBinding([.character("g"), .home], .top, help: "first session"),
    KeyBinding([.character("G"), .end], .bottom, help: "last session"),
    KeyBinding(
      [.enter, .character("l")], .login, footer: "login", footerRank: 0,
      help: "log in the selected session (opens the browser)",
      when: { $0.selectedAvailability(for: .login) }),
    KeyBinding([.character("p")], .paste, footer: "paste", help: "paste a redirect URL to finish a login"),
    KeyBinding(
      [.character("c")], .copyToken, footer: "copy", help: "copy the selected access token to the clipboard",
      when: { $0.selectedAvailability(for: .copyToken) }),
    // `u` copies what a waiting login needs from elsewhere: the authorize URL, or for a provider
    // with the device grant the code to enter. One of the two applies to any selected session.
    KeyBinding(
      [.character("u")], .copyURL,
      help: "copy the pending login's authorize URL (log in from another machine)",
      when: { $0.selectedUsesDeviceCode ? .inapplicable : $0.selectedAvailability(for: .copyURL) }),
    KeyBinding(
      [.character("u")], .copyUserCode,
      help: "copy the device login's code, to enter at its page on any device",
      when: { $0.selectedUsesDeviceCode ? $0.selectedAvailability(for: .copyUserCode) : .inapplicable }),
    KeyBinding(
      [.character("r")], .refresh, footer: "refresh", footerRank: 2,
      help: "refresh the token (refresh token or client credentials)",
      when: { $0.selectedAvailability(for: .refresh) }),
    KeyBinding(
      [.character("L")], .morningQueue, footer: "login all", footerRank: 2,
      help: "renew every expired session that can be, then log in the rest in turn",
      when: {
        $0.isLoading
          ? .disabled("still reading the store; " + hint(.morningQueue, "again in a moment")) : .enabled
      }),
    KeyBinding(
      [.character("n")], .newSession, footer: "new", footerRank: 2, help: "new session (provider/account)"),
    KeyBinding(
      [.character("d")], .delete, help: "log out or forget the selected session",
      when: { $0.selectedAvailability(for: .delete) }),
    KeyBinding([.character("/")], .filter, footer: "filter", help: "filter sessions by id as you type"),
    KeyBinding(
      [.escape], .clearFilter, footer: "clear filter", footerRank: 0, help: "clear the filter",
      when: { $0.filter.isEmpty ? .inapplicable : .enabled }),
    // Esc undoes the nearest thing first: the shown URL, the queue, the filter, then the login.
    KeyBinding(
      [.escape], .cancelLogin, footer: "cancel login", footerRank: 0,
      help: "cancel the selected session's waiting login",
      when: {
        $0.selectedLoginWaits && $0.shownBrowserlessLogin == nil && $0.queue == nil && $0.filter.isEmpty
          ? .enabled : .inapplicable
      }),
    KeyBinding([.character("?")], .help, footer: "help", footerRank: 0, help: "show this help"),
    KeyBinding([.character("q")], .quit, footer: "quit", footerRank: 0, help: "quit"),
  ]

  public static let filter: [KeyBinding] = [
    KeyBinding([.enter], .submit, footer: "keep", help: "keep the filter and go back to the list"),
    KeyBinding([.escape], .cancel, footer: "clear", help: "clear the filter"),
    KeyBinding([.control("u")], .clearText, footer: "clear text", help: "clear the typed text"),
    KeyBinding([.control("w")], .deleteWord, help: "delete the word before the cursor"),
  ]

  public static let prompt: [KeyBinding] = [
    KeyBinding([.enter], .submit, footer: "submit", help: "submit"),
    KeyBinding([.escape], .cancel, footer: "cancel", help: "cancel"),
    KeyBinding([.control("u")], .clearText, footer: "clear", help: "clear the typed text"),
    KeyBinding([.control("w")], .deleteWord, help: "delete the word before the cursor"),
  ]

  public static let confirmDelete: [KeyBinding] = [
    KeyBinding([.character("y"), .character("Y")], .logOut, footer: "log out", help: "drop the tokens"),
    KeyBinding([.character("f"), .character("F")], .forget, footer: "forget", help: "remove the session"),
    KeyBinding(
      [.character("n"), .character("N"), .escape], .cancel, footer: "cancel",
      footerKeys: [.character("n"), .escape],
      help: "keep it"),
  ]

  /// The help scrolls as less does; the scroll keys show in the footer only when it is longer
  /// than the screen.
  public static let approve: [KeyBinding] = [
    KeyBinding(
      [.character("y"), .character("Y")], .allowAgent, footer: "allow", help: "let it have the tokens"),
    KeyBinding(
      [.character("n"), .character("N"), .escape], .refuseAgent, footer: "refuse",
      footerKeys: [.character("n"), .escape], help: "refuse it"),
  ]

  public static let help: [KeyBinding] = [
    KeyBinding(
      [.escape, .character("?"), .character("q"), .enter], .cancel, footer: "close",
      footerKeys: [.escape, .character("?"), .character("q")], help: "close"),
    KeyBinding(
      [.character("j"), .down], .moveDown, footer: "scroll", footerKeys: [.character("j"), .character("k")],
      help: "scroll down", when: { $0.helpScrolls ? .enabled : .inapplicable }),
    KeyBinding([.character("k"), .up], .moveUp, help: "scroll up"),
    KeyBinding([.pageDown, .character(" ")], .pageDown, help: "page down"),
    KeyBinding([.pageUp], .pageUp, help: "page up"),
    KeyBinding([.character("g"), .home], .top, help: "top"),
    KeyBinding([.character("G"), .end], .bottom, help: "bottom"),
  ]

  public static let firstRun: [KeyBinding] = [
    KeyBinding(
      [.character("D"), .character("d")], .openDemo, footer: "open the demo", help: "open the demo"),
    KeyBinding([.character("q"), .escape], .quit, footer: "quit", help: "quit"),
  ]

  public static func table(for mode: KeyMode) -> [KeyBinding] {
    switch mode {
    case .list: return list
    case .filter: return filter
    case .paste, .newSession: return prompt
    case .confirmDelete: return confirmDelete
    case .approve: return approve
    case .help: return help
    case .firstRun: return firstRun
    }
  }

  /// The first binding of `mode` for `key` that is enabled in `state`, else the first disabled
  /// one (so it can say why), with the global ones last; nil when none applies.
  public static func binding(for key: Key, in mode: KeyMode, state: BoardState) -> KeyBinding? {
    let candidates = (table(for: mode) + global).filter {
      $0.keys.contains(key) && $0.availability(in: state) != .inapplicable
    }
    return candidates.first { $0.availability(in: state).isEnabled } ?? candidates.first
  }

  /// The key a person presses for `command` on the list, as shown: "⏎" for `.login`.
  public static func label(_ command: Command, in mode: KeyMode = .list) -> String {
    (table(for: mode) + global).first { $0.command == command }?.keys.first?.label ?? "?"
  }

  /// "press ⏎ to log in": hints on the status line name the key the table binds.
  public static func hint(_ command: Command, _ words: String) -> String {
    "press \(label(command)) \(words)"
  }
}
