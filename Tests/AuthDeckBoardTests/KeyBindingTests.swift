import Foundation
import Testing

@testable import AuthDeckBoard
@testable import AuthDeckCore

/// Every (binding, key) pair of the table, so that each key of each binding is its own test case.
let everyBoundKey: [(Int, Key)] = KeyBindings.list.enumerated().flatMap { index, binding in
  binding.keys.map { (index, $0) }
}

@Suite("Key bindings are one table: dispatch, footer and help cannot disagree")
struct KeyBindingTests {
  @Test("no key is bound twice, so no binding hides another")
  func keysAreUnique() {
    let keys = KeyBindings.list.flatMap(\.keys)
    #expect(Set(keys).count == keys.count)
  }

  @Test("every key of a binding dispatches to that binding's command", arguments: everyBoundKey)
  func keyDispatches(index: Int, key: Key) {
    let binding = KeyBindings.list[index]
    #expect(KeyBindings.command(for: key) == binding.command)
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

  @Test("pressing every key of a binding on the board does what its command says", arguments: everyBoundKey)
  func keyActs(index: Int, key: Key) {
    let binding = KeyBindings.list[index]
    var board = Self.busyMorning()
    let here = board.visibleSessions.firstIndex { $0.id == board.selected }!
    let all = board.visibleSessions
    let effects = board.press(key)
    let at = board.visibleSessions.firstIndex { $0.id == board.selected }
    switch binding.command {
    case .moveUp: #expect(at == here - 1)
    case .moveDown: #expect(at == here + 1)
    case .pageUp: #expect(at == here - board.pageSize)
    case .pageDown: #expect(at == here + board.pageSize)
    case .top: #expect(board.selected == all.first?.id)
    case .bottom: #expect(board.selected == all.last?.id)
    case .filter: #expect(board.mode == .filter)
    case .login: #expect(effects == [.startLogin(sid("lime/trader30b"))])
    case .paste: #expect(board.mode == .paste(""))
    case .copyURL: #expect(effects == [.copyAuthorizeURL(sid("lime/trader30b"))])
    case .copyToken: #expect(effects == [] && board.messageText!.contains("no valid token"))
    case .refresh: #expect(effects == [] && board.messageText!.contains("cannot refresh"))
    case .newSession: #expect(board.mode == .newSession("lime/"))
    case .delete: #expect(board.mode == .confirmDelete(sid("lime/trader30b")))
    case .morningQueue: #expect(effects == [.startLogin(sid("acme/bob"))])
    case .help: #expect(board.mode == .help)
    case .quit: #expect(effects == [.quit])
    }
    if ![.login, .copyURL, .morningQueue, .quit].contains(binding.command) { #expect(effects == []) }
  }

  @Test("the footer lists exactly the bindings that have footer words, with their first key, in table order")
  func footerIsTheTable() {
    let board = makeBoard()
    let footer = board.screen(200, 24).split(separator: "\n").last.map(String.init)
    let expected = KeyBindings.list.compactMap { binding in
      binding.footer.map { "\(binding.keys[0].label) \($0)" }
    }
    #expect(footer == expected.joined(separator: "  "))
    #expect(footer == "⏎ login  p paste  c copy  r refresh  L login all  n new  / filter  ? help  q quit")
  }

  @Test("each key the footer shows does what the footer says")
  func footerKeysDispatch() {
    for binding in KeyBindings.list where binding.footer != nil {
      #expect(
        KeyBindings.command(for: binding.keys[0]) == binding.command, "\(binding.keyLabel) \(binding.footer!)"
      )
    }
  }

  @Test("the help shows every binding's keys and help text")
  func helpIsTheTable() {
    var board = makeBoard()
    board.press(.c("?"))
    let help = board.screen(100, 40)
    for binding in KeyBindings.list {
      let line = help.split(separator: "\n").first { $0.hasPrefix("  " + binding.keyLabel + " ") }
      #expect(line?.hasSuffix("  " + binding.help) == true, "\(binding.keyLabel): \(binding.help)")
    }
  }

  @Test("key labels are what people read on their keyboard")
  func labels() {
    #expect(Key.enter.label == "⏎")
    #expect(Key.control("c").label == "^C")
    #expect(Key.character(" ").label == "space")
    #expect(KeyBindings.list.first { $0.command == .quit }?.keyLabel == "q/^C")
    #expect(KeyBindings.list.first { $0.command == .top }?.keyLabel == "g/Home")
  }
}
