import Foundation
import Testing

@testable import AuthDeckBoard
@testable import AuthDeckCore

@Suite("The board as a well-behaved terminal program")
struct WellBehavedTests {
  @Test("Ctrl-Z suspends and Ctrl-L repaints from every screen", arguments: KeyMode.allCases)
  func suspendAndRepaint(mode: KeyMode) {
    var board = board(in: mode)
    #expect(board.press(.control("z")) == [.suspend])
    #expect(board.press(.control("l")) == [.repaint])
    #expect(board.mode.keyMode == mode, "neither changes the screen")
  }

  @Test("a configuration read again brings new providers, and takes the first-run screen to the list")
  func configurationChanged() {
    var board = makeBoard([], providers: [])
    board.configPath = "/home/u/.config/authdeck/config.toml"
    #expect(board.mode == .firstRun)
    #expect(board.handle(.configurationChanged(Configuration(providers: [Providers.lime]))) == [])
    #expect(board.mode == .list)
    #expect(board.messageText == "read /home/u/.config/authdeck/config.toml again: 1 provider")
    #expect(board.screen().contains("lime  Lime Trading"))
    board.press(.c("n"))
    board.type("night")
    #expect(board.press(.enter) == [.startLogin(sid("lime/night"))], "the new provider takes new sessions")
  }

  @Test("at 20 columns the new-session prompt shows what is typed; the label gives way first")
  func narrowPrompt() {
    var board = makeBoard()
    board.select("lime/main")
    board.press(.c("n"))
    board.type("night")
    let line = board.screen(20, 5).components(separatedBy: "\n")[3]
    #expect(line == "lime/night", "\(line)")
    board.press(.control("u"))
    board.type("acme/x")
    #expect(board.screen(20, 5).components(separatedBy: "\n")[3] == "New: acme/x")
    #expect(board.screen(100, 24).contains("New session in lime (account, or provider/account): acme/x"))
  }

  @Test("grown back from a few rows, the view shows the selected row's group header again")
  func headerAfterResize() {
    var board = makeBoard()
    board.select("lime/paper")
    _ = board.handle(.resized(pageSize: 1))
    #expect(board.screen(80, 5).contains("▸ paper"))
    _ = board.handle(.resized(pageSize: BoardState.listHeight(forTerminalHeight: 24)))
    let lines = board.screen(80, 24).components(separatedBy: "\n")
    #expect(lines[2].hasPrefix("acme "), "the list from its top, headers included: \(lines[2])")
  }
}
