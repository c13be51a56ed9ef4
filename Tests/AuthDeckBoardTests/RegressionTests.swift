import Foundation
import Testing

@testable import AuthDeckBoard
@testable import AuthDeckCore

// Bugs found while writing the board's tests, each kept as the behaviour we want.

@Suite("Board regressions")
struct RegressionTests {
  @Test("the list footer fits 80 columns whole: the last binding (q quit) is not cut")
  func footerFitsEightyColumns() {
    var board = makeBoard()
    let footer = board.screen(80, 24).components(separatedBy: "\n")[23]
    #expect(footer.hasSuffix("q quit"))
    board = makeBoard(mondayMorning)
    board.press(.c("L"))
    let queueFooter = board.screen(80, 24).components(separatedBy: "\n")[23]
    #expect(queueFooter.hasSuffix("q quit"))
  }

  @Test("the delete question shows the account made inert, as the list row does")
  func confirmDeleteSanitizesTheAccount() {
    // SessionID(parsing:) refuses control characters but not bidi controls (category Cf).
    var board = makeBoard(
      [loggedIn("lime/main\u{202E}gnp.exe", expiresIn: 3_600)], providers: [Providers.lime])
    #expect(board.selectedLine()?.contains("\u{202E}") == false)  // the row is sanitized
    board.press(.c("d"))
    let status = board.screen().components(separatedBy: "\n")[22]
    #expect(!status.unicodeScalars.contains { Sanitizer.isUnsafe($0) })
  }

  @Test("text typed into a prompt is shown inert (a paste without bracketed paste arrives as keys)")
  func promptsSanitizeTypedText() {
    var board = makeBoard()
    board.press(.c("/"))
    board.type("x\u{202E}\u{9B}2J")
    let filterScreen = board.screen()
    board.press(.enter)
    let noMatchScreen = board.screen()
    board.press(.escape, .c("n"), .control("u"))
    board.type("lime/\u{202E}evil")
    let newScreen = board.screen()
    for screen in [filterScreen, noMatchScreen, newScreen] {
      #expect(!screen.unicodeScalars.contains { Sanitizer.isUnsafe($0) && $0 != "\n" })
    }
  }

  @Test("emoji that terminals draw two columns wide count as two")
  func emojiWidth() {
    // glibc's wcwidth (and so curses) gives 2 for each of these.
    for emoji in ["🚀", "✅", "⭐", "⌛", "🟢", "🫠"] {
      #expect(DisplayWidth.of(emoji) == 2, "\(emoji)")
    }
  }

  @Test("a prompt holding wide text still shows its end, where the cursor is")
  func widePromptShowsItsEnd() {
    var board = makeBoard(height: 10)
    board.press(.c("/"))
    board.type(String(repeating: "東", count: 30) + "END")
    let canvas = board.render(width: 40, height: 10)
    let status = canvas.text.components(separatedBy: "\n")[8]
    #expect(DisplayWidth.of(status) <= 40)
    #expect(status.hasSuffix("END"))
  }

  @Test("Ctrl-C quits from every screen, not only from the list")
  func controlCQuitsEverywhere() {
    let openers: [(String, [Key])] = [
      ("filter", [.c("/")]), ("paste", [.c("p")]), ("new session", [.c("n")]), ("delete", [.c("d")]),
      ("help", [.c("?")]),
    ]
    for (name, keys) in openers {
      var board = makeBoard()
      board.press(keys)
      let effects = board.press(.control("c"))
      #expect(effects == [.quit], "\(name)")
    }
  }
}
