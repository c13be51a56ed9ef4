import AuthDeckTestSupport
import Foundation
import Testing

@testable import AuthDeckBoard
@testable import AuthDeckCore

/// Every (binding, key) pair of the list's table, so that each key of each binding is its own case.
/// The agent asking about a caller, as the store's agent folder says it.
func approvalRequest(_ now: Date, number: String = "1-42-7") -> AgentApprovalRequest {
  AgentApprovalRequest(number: number, provider: "lime", caller: "pid 42 (curl)", askedAt: now)
}

let everyListKey: [(Int, Key)] = KeyBindings.list.enumerated().flatMap { index, binding in
  binding.keys.map { (index, $0) }
}

/// A board in each mode, as a person gets there.
func board(in mode: KeyMode) -> BoardState {
  var board = makeBoard()
  switch mode {
  case .list: break
  case .filter: board.press(.c("/"))
  case .paste: board.press(.c("p"))
  case .newSession: board.press(.c("n"))
  case .confirmDelete: board.press(.c("d"))
  case .approve: _ = board.handle(.approvalsAsked([approvalRequest(board.now)]))
  case .help: board.press(.c("?"))
  case .firstRun: board = makeBoard([], providers: [])
  }
  #expect(board.mode.keyMode == mode)
  return board
}

@Suite("Key bindings are data in every mode: dispatch, footer, help and hints read one table")
struct KeyBindingTests {
  @Test("in no mode is a key bound twice to bindings that are enabled at once", arguments: KeyMode.allCases)
  func keysAreUniqueWhenEnabled(mode: KeyMode) {
    for state in [board(in: mode), Self.busyMorning()] where state.mode.keyMode == mode {
      let enabled = (KeyBindings.table(for: mode) + KeyBindings.global).filter {
        $0.availability(in: state).isEnabled
      }
      let keys = enabled.flatMap(\.keys)
      #expect(Set(keys).count == keys.count, "\(mode)")
    }
  }

  @Test("Ctrl-C quits from every mode, through the one global binding", arguments: KeyMode.allCases)
  func controlCQuitsEverywhere(mode: KeyMode) {
    var board = board(in: mode)
    #expect(board.press(.control("c")) == [.quit])
    #expect(KeyBindings.binding(for: .control("c"), in: mode, state: board)?.command == .quit)
  }

  /// A board where every command has something to do: the selection is in the middle of
  /// a list longer than two pages, on a session that waits for its login.
  static func busyMorning() -> BoardState {
    let traders = (1...60).map { loggedIn(String(format: "lime/trader%02d", $0), expiresIn: 3_600) }
    var board = makeBoard(
      traders + [pending("lime/trader30b", startedAgo: 30), expired("acme/bob", refresh: true)])
    board.select("lime/trader30b")
    return board
  }

  @Test("pressing every key of a list binding does what its command says", arguments: everyListKey)
  func keyActs(index: Int, key: Key) {
    let binding = KeyBindings.list[index]
    var board = Self.busyMorning()
    if binding.command == .copyUserCode { board = DeviceLoginBoardTests.tvBoard() }
    if binding.command == .clearFilter { board.filter = "trader" }
    if binding.command == .stopQueue { board.queue = MorningQueue(renew: [], logIn: [sid("acme/bob")]) }
    if binding.command == .hideURL {
      _ = board.handle(.browserFailed(sid("lime/trader30b"), .other("no browser could be started")))
    }
    let here = board.visibleSessions.firstIndex { $0.id == board.selected }!
    let effects = board.press(key)
    let at = board.visibleSessions.firstIndex { $0.id == board.selected }
    switch binding.command {
    case .moveUp: #expect(at == here - 1)
    case .moveDown: #expect(at == here + 1)
    case .pageUp: #expect(at == here - board.pageSize)
    case .pageDown: #expect(at == here + board.pageSize)
    case .top: #expect(board.cursor == board.selectableRows.first)
    case .bottom:
      #expect(board.cursor == board.selectableRows.last && board.selected == nil, "tv has no session")
    case .filter: #expect(board.mode == .filter)
    case .login: #expect(effects == [.startLogin(sid("lime/trader30b"))])
    case .paste: #expect(board.mode == .paste(""))
    case .copyURL: #expect(effects == [.copyAuthorizeURL(sid("lime/trader30b"))])
    case .copyUserCode: #expect(effects == [.copyUserCode(sid("tv/den"), "WDJB-MJHT")])
    case .copyToken: #expect(effects == [] && board.messageText!.contains("no valid token"))
    case .refresh: #expect(effects == [] && board.messageText!.contains("cannot refresh"))
    case .newSession: #expect(board.mode == .newSession("", group: "lime"))
    case .delete: #expect(board.mode == .confirmDelete(sid("lime/trader30b")))
    case .morningQueue: #expect(effects == [.renew(sid("acme/bob"))], "its refresh token first")
    case .hideURL: #expect(board.browserlessLogin == nil && board.shownBrowserlessLogin == nil)
    case .cancelLogin: #expect(effects == [.cancelLogin(sid("lime/trader30b"))])
    case .stopQueue: #expect(board.queue == nil && board.messageText == "morning queue stopped")
    case .clearFilter: #expect(board.filter.isEmpty)
    case .help: #expect(board.mode == .help)
    case .quit: #expect(effects == [.quit])
    default: Issue.record("a list binding with a command the list does not know: \(binding.command)")
    }
    if ![.login, .copyURL, .copyUserCode, .morningQueue, .cancelLogin, .quit].contains(binding.command) {
      #expect(effects == [])
    }
  }

  @Test("a disabled key says why, with the key that helps, and does nothing else")
  func disabledKeysSayWhy() {
    var board = makeBoard([expired("lime/main")], providers: [Providers.lime])
    #expect(board.press(.c("c")) == [])
    #expect(board.messageText == "lime/main has no valid token to copy; press ⏎ to log in")
    #expect(board.isError)
    #expect(board.press(.c("u")) == [])
    #expect(board.messageText == "lime/main has no login waiting; press ⏎ to start one")
    #expect(board.press(.escape) == [])  // nothing to stop or clear: it does not apply, no complaint
    #expect(board.messageText == "lime/main has no login waiting; press ⏎ to start one")
    let footer = board.render(width: 100, height: 24).lines[23]
    #expect(footer.contains(Span("  c", .dim)), "a key that cannot act now is dimmed, not dropped")
    #expect(footer.contains(Span("⏎", .key)))
  }

  @Test("hints on the status line name the key the table binds")
  func hintsComeFromTheTable() {
    #expect(KeyBindings.label(.login) == "⏎")
    #expect(KeyBindings.label(.paste) == "p")
    #expect(KeyBindings.label(.copyURL) == "u")
    #expect(KeyBindings.hint(.newSession, "to add one") == "press n to add one")
  }

  @Test(
    "the footer lists exactly the bindings that apply and have footer words, in table order",
    arguments: KeyMode.allCases)
  func footerIsTheTable(mode: KeyMode) {
    let board = board(in: mode)
    let footer = board.screen(200, 24).split(separator: "\n").last.map(String.init)
    let expected = KeyBindings.table(for: mode).compactMap { binding in
      binding.availability(in: board) == .inapplicable
        ? nil : binding.footer.map { "\(binding.footerKeyLabel) \($0)" }
    }
    // The help adds where the screen is in it, as less does ("(22/25)").
    var keys = footer ?? ""
    if mode == .help, let place = keys.range(of: #"  \(\d+/\d+\)$"#, options: .regularExpression) {
      keys = String(keys[..<place.lowerBound])
    }
    #expect(keys == expected.joined(separator: "  "))
  }

  @Test("the footers people see, mode by mode")
  func footersReadWell() {
    func footer(_ mode: KeyMode) -> String? {
      board(in: mode).screen(200, 24).split(separator: "\n").last.map(String.init)
    }
    #expect(
      footer(.list) == "⏎ login  p paste  c copy  r refresh  L login all  n new  / filter  ? help  q quit")
    #expect(footer(.filter) == "⏎ keep  Esc clear  ^U clear text")
    #expect(footer(.paste) == "⏎ submit  Esc cancel  ^U clear")
    #expect(footer(.newSession) == "⏎ submit  Esc cancel  ^U clear")
    #expect(footer(.confirmDelete) == "y log out  f forget  n/Esc cancel")
    #expect(footer(.approve) == "y allow  n/Esc refuse")
    #expect(footer(.help) == "Esc/?/q close  j/k scroll  (22/27)")
    #expect(footer(.firstRun) == "D open the demo  q quit")
  }

  @Test("each key the footer shows does what the footer says", arguments: KeyMode.allCases)
  func footerKeysDispatch(mode: KeyMode) {
    let board = board(in: mode)
    for binding in KeyBindings.table(for: mode) where binding.footer != nil {
      guard binding.availability(in: board).isEnabled else { continue }
      #expect(
        KeyBindings.binding(for: binding.keys[0], in: mode, state: board)?.command == binding.command,
        "\(mode): \(binding.keyLabel) \(binding.footer!)")
    }
  }

  @Test(
    "every key of every prompt and question binding acts",
    arguments: [KeyMode.filter, .paste, .newSession, .confirmDelete, .approve, .help, .firstRun])
  func modeKeysAct(mode: KeyMode) {
    for binding in KeyBindings.table(for: mode) {
      for key in binding.keys {
        var board = board(in: mode)
        if mode.isPrompt { board.type("ab") }
        if mode == .help { board.scrollHelp(to: 1) }
        let lastScroll = board.helpLines.count - board.helpPage
        let effects = board.press(key)
        switch (mode, binding.command) {
        case (.filter, .submit): #expect(board.mode == .list && board.filter == "ab")
        case (.filter, .cancel): #expect(board.mode == .list && board.filter.isEmpty)
        case (.filter, .clearText), (.filter, .deleteWord):
          #expect(board.mode == .filter && board.filter.isEmpty)
        case (.paste, .submit): #expect(effects == [.completeLogin(pasted: "ab")])
        case (.paste, .cancel): #expect(board.mode == .list && effects == [])
        case (.paste, .clearText), (.paste, .deleteWord): #expect(board.mode == .paste(""))
        case (.newSession, .submit): #expect(effects == [.startLogin(sid("acme/ab"))] && board.mode == .list)
        case (.newSession, .cancel): #expect(board.mode == .list)
        case (.newSession, .clearText), (.newSession, .deleteWord):
          #expect(board.mode == .newSession("", group: "acme"))
        case (.confirmDelete, .logOut): #expect(effects == [.logout(sid("acme/alice"), forget: false)])
        case (.confirmDelete, .forget): #expect(effects == [.logout(sid("acme/alice"), forget: true)])
        case (.confirmDelete, .cancel): #expect(board.mode == .list && effects == [])
        case (.approve, .allowAgent):
          #expect(effects == [.answerApproval("1-42-7", allow: true)] && board.mode == .list)
        case (.approve, .refuseAgent):
          #expect(effects == [.answerApproval("1-42-7", allow: false)] && board.mode == .list)
        case (.help, .cancel): #expect(board.mode == .list && board.helpScroll == 0)
        case (.help, .moveDown): #expect(board.helpScroll == 2)
        case (.help, .moveUp), (.help, .pageUp), (.help, .top): #expect(board.helpScroll == 0)
        case (.help, .pageDown), (.help, .bottom): #expect(board.helpScroll == lastScroll && lastScroll > 2)
        case (.firstRun, .openDemo): #expect(effects == [.openDemo])
        case (.firstRun, .quit): #expect(effects == [.quit])
        default: Issue.record("\(mode): \(binding.command) has no expectation")
        }
      }
    }
  }

  @Test("the help shows every list binding's keys and help text, and Ctrl-C")
  func helpIsTheTable() {
    var board = makeBoard()
    board.press(.c("?"))
    let help = board.screen(100, 40)
    let lines = help.split(separator: "\n").map(String.init)
    // Each line's keys: its own, or (a key's further meanings) the line above's.
    var keyed: [(keys: [String], line: String)] = []
    for line in lines where line.hasPrefix("  ") {
      let column = line.split(separator: " ").first.map(String.init) ?? ""
      let own = column == "/" ? ["/"] : column.split(separator: "/").map(String.init)
      keyed.append((line.hasPrefix("    ") ? keyed.last?.keys ?? [] : own, line))
    }
    for binding in KeyBindings.list + KeyBindings.global {
      // One line a command: its keys, then what it does (q and the global ^C share "quit").
      let line = keyed.first { keys, line in
        let words = binding.command == .quit ? "quit" : binding.help
        return binding.keys.allSatisfy { keys.contains($0.label) } && line.hasSuffix("  " + words)
      }
      #expect(line != nil, "\(binding.keyLabel): \(binding.help)")
    }
    // A key's meanings are together, the key written once.
    let escapes = lines.indices.filter { lines[$0].hasPrefix("  Esc ") }
    #expect(escapes.count == 1, "\(lines)")
    #expect(escapes.first.map { lines[$0 + 1].hasPrefix("        ") } == true)
    #expect(lines.contains("  q/^C    quit"))
  }

  @Test("key labels are what people read on their keyboard")
  func labels() {
    #expect(Key.enter.label == "⏎")
    #expect(Key.control("c").label == "^C")
    #expect(Key.character(" ").label == "space")
    #expect(KeyBindings.list.first { $0.command == .quit }?.keyLabel == "q")
    #expect(KeyBindings.global.first { $0.command == .quit }?.keyLabel == "^C")
    #expect(KeyBindings.list.first { $0.command == .top }?.keyLabel == "g/Home")
  }
}
