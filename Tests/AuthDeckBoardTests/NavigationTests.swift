import Foundation
import Testing

@testable import AuthDeckBoard
@testable import AuthDeckCore

/// 1,000 sessions at one provider: lime/trader0001 … lime/trader1000 (rows: one header, then them).
let thousandSessions = (1...1_000).map {
  loggedIn(String(format: "lime/trader%04d", $0), expiresIn: Double($0) * 60)
}

@Suite("Moving through the list")
struct NavigationTests {
  @Test("j and k move between sessions and step over the provider headers")
  func jAndKSkipHeaders() {
    var board = makeBoard()
    #expect(board.selected == sid("acme/alice"))  // the first session, not the "Limio acme" header

    #expect(board.press(.c("j")) == [])
    #expect(board.selected == sid("acme/bob"))
    board.press(.c("j"))
    #expect(board.selected == sid("lime/main"))  // past the "Lime Trading" header
    board.press(.c("k"))
    #expect(board.selected == sid("acme/bob"))
  }

  @Test("the arrow keys do what j and k do")
  func arrows() {
    var board = makeBoard()
    board.press(.down, .down, .down)
    #expect(board.selected == sid("lime/paper"))
    board.press(.up)
    #expect(board.selected == sid("lime/main"))
  }

  @Test("the selection stops at the first and the last session")
  func selectionStaysInBounds() {
    var board = makeBoard()
    board.press(.c("k"), .up)
    #expect(board.selected == sid("acme/alice"))
    board.press(.c("G"), .c("j"), .down)
    #expect(board.selected == sid("ops/robot"))
  }

  @Test("g and Home go to the first session, G and End to the last")
  func topAndBottom() {
    var board = makeBoard()
    board.press(.c("G"))
    #expect(board.selected == sid("ops/robot"))
    board.press(.c("g"))
    #expect(board.selected == sid("acme/alice"))
    board.press(.end)
    #expect(board.selected == sid("ops/robot"))
    board.press(.home)
    #expect(board.selected == sid("acme/alice"))
  }

  @Test("PgDn and PgUp move by the page size the last resize reported")
  func pageKeysUseThePageSize() {
    var board = makeBoard(thousandSessions, providers: [Providers.lime], height: 24)
    #expect(board.pageSize == 20)
    board.press(.pageDown)
    #expect(board.selected == sid("lime/trader0021"))
    board.press(.pageDown, .pageDown)
    #expect(board.selected == sid("lime/trader0061"))
    board.press(.pageUp)
    #expect(board.selected == sid("lime/trader0041"))

    #expect(board.handle(.resized(pageSize: 5)) == [])
    board.press(.pageDown)
    #expect(board.selected == sid("lime/trader0046"))

    board.press(.pageUp, .pageUp, .pageUp, .pageUp, .pageUp, .pageUp, .pageUp, .pageUp, .pageUp, .pageUp)
    #expect(board.selected == sid("lime/trader0001"))  // stops at the top, does not wrap
  }

  @Test("a page size of zero is taken as one row")
  func zeroPageSize() {
    var board = makeBoard(thousandSessions, providers: [Providers.lime])
    #expect(board.handle(.resized(pageSize: 0)) == [])
    #expect(board.pageSize == 1)
    board.press(.pageDown)
    #expect(board.selected == sid("lime/trader0002"))
  }

  @Test("in a list of 1,000 sessions the selected row is always inside the visible window")
  func scrollKeepsTheSelectionVisible() throws {
    var board = makeBoard(thousandSessions, providers: [Providers.lime], height: 24)
    let keys: [Key] = [
      .down, .pageDown, .c("j"), .end, .up, .pageUp, .c("k"), .home, .pageDown, .c("G"), .c("g"),
    ]
    var seed: UInt32 = 7
    for step in 0..<400 {
      seed = seed &* 1_103_515_245 &+ 12_345
      let key = keys[Int(seed >> 16) % keys.count]
      board.press(key)
      let rows = board.rows
      let selected = try #require(board.selected)
      let index = try #require(rows.firstIndex(of: .session(selected)))
      #expect(
        board.scroll <= index && index < board.scroll + board.pageSize,
        "step \(step) after \(key): row \(index) outside \(board.scroll)..<\(board.scroll + board.pageSize)")
      #expect(board.scroll >= 0 && board.scroll <= max(0, rows.count - board.pageSize))
    }
  }

  @Test("going back to the top shows the provider header above the first session")
  func topShowsTheHeader() {
    var board = makeBoard(thousandSessions, providers: [Providers.lime])
    board.press(.c("G"))
    #expect(board.scroll == 1_001 - 20)
    board.press(.c("g"))
    #expect(board.scroll == 0)
    #expect(board.rows[board.scroll] == .header("lime"))
  }

  @Test("a bigger terminal scrolls back so that no empty rows hang below the list")
  func resizeClampsTheScroll() {
    var board = makeBoard(thousandSessions, providers: [Providers.lime], height: 10)
    board.press(.c("G"))
    #expect(board.scroll == 1_001 - 6)
    #expect(board.handle(.resized(pageSize: 56)) == [])
    #expect(board.scroll == 1_001 - 56)
    #expect(board.selected == sid("lime/trader1000"))
  }
}

@Suite("Filtering by id")
struct FilterTests {
  @Test("/ opens the filter; typing narrows the list by id, ignoring case")
  func typingNarrows() {
    var board = makeBoard()
    #expect(board.press(.c("/")) == [])
    #expect(board.mode == .filter)
    board.type("LIME")
    #expect(board.visibleSessions.map(\.id) == [sid("lime/main"), sid("lime/paper"), sid("lime/scalper")])
    board.type("/PA")
    #expect(board.visibleSessions.map(\.id) == [sid("lime/paper")])
    #expect(board.selected == sid("lime/paper"))  // the old selection went away: the first match takes it
  }

  @Test("the filter matches anywhere in provider/account")
  func substringAnywhere() {
    var board = makeBoard()
    board.press(.c("/"))
    board.type("o")  // acme/bOb and Ops/rObot; no other id has an o
    #expect(board.visibleSessions.map(\.id) == [sid("acme/bob"), sid("ops/robot")])
  }

  @Test("keys that are commands on the list are text in the filter")
  func commandKeysAreText() {
    var board = makeBoard()
    board.press(.c("/"))
    #expect(board.type("qdLn?") == [])
    #expect(board.filter == "qdLn?")
    #expect(board.mode == .filter)
  }

  @Test("Enter keeps the filter and goes back to the list")
  func enterKeeps() {
    var board = makeBoard()
    board.press(.c("/"))
    board.type("ali")
    #expect(board.press(.enter) == [])
    #expect(board.mode == .list)
    #expect(board.filter == "ali")
    #expect(board.visibleSessions.map(\.id) == [sid("acme/alice")])
    #expect(board.press(.enter) == [.startLogin(sid("acme/alice"))])  // the list works on the filtered rows
  }

  @Test("Esc in the filter clears it and keeps the selection")
  func escapeClears() {
    var board = makeBoard()
    board.press(.c("/"))
    board.type("scal")
    #expect(board.selected == sid("lime/scalper"))
    board.press(.escape)
    #expect(board.mode == .list)
    #expect(board.filter == "")
    #expect(board.visibleSessions.count == everydaySessions.count)
    #expect(board.selected == sid("lime/scalper"))
  }

  @Test("Esc on the list clears a kept filter")
  func escapeOnTheListClears() {
    var board = makeBoard()
    board.press(.c("/"))
    board.type("acme")
    board.press(.enter, .escape)
    #expect(board.filter == "")
    #expect(board.mode == .list)
  }

  @Test("Ctrl-U clears the text and stays in the filter; backspace removes one character")
  func controlUAndBackspace() {
    var board = makeBoard()
    board.press(.c("/"))
    board.type("bob")
    board.press(.control("u"))
    #expect(board.filter == "")
    #expect(board.mode == .filter)
    board.type("robx")
    #expect(board.visibleSessions.isEmpty)
    board.press(.backspace)
    #expect(board.filter == "rob")
    #expect(board.visibleSessions.map(\.id) == [sid("ops/robot")])
  }

  @Test("when nothing matches there is no selection, and acting on it only says so")
  func nothingMatches() {
    var board = makeBoard()
    board.press(.c("/"))
    board.type("zzz")
    #expect(board.selected == nil)
    board.press(.enter)
    #expect(board.press(.c("j"), .c("G"), .pageDown) == [])
    #expect(board.press(.enter) == [])
    #expect(board.messageText == "no session selected; press n to add one")
    #expect(board.isError)
    #expect(board.press(.c("c"), .c("r"), .c("d"), .c("u")) == [])
    #expect(board.mode == .list)

    board.press(.c("/"), .backspace, .backspace, .backspace)
    #expect(board.selected == sid("acme/alice"))  // clearing the filter brings a selection back
  }

  @Test("the selection always stays on a visible session while the filter changes")
  func selectionStaysValid() {
    var board = makeBoard()
    board.select("ops/robot")
    board.press(.c("/"))
    for character in "lime/paperx" {
      board.type(String(character))
      if let selected = board.selected {
        #expect(board.visibleSessions.contains { $0.id == selected })
      } else {
        #expect(board.visibleSessions.isEmpty)
      }
    }
  }

  @Test("a bracketed paste into the filter is added to it, made safe")
  func pasteIntoFilter() {
    var board = makeBoard()
    board.press(.c("/"))
    #expect(board.handle(.pasted("pa\u{1B}[2J\nper")) == [])
    #expect(board.filter == "pa\u{FFFD}[2J per")
    #expect(board.mode == .filter)
  }
}

@Suite("Reloads, resizes and the passing of time")
struct ReloadAndTickTests {
  @Test("a reload keeps the selection on the same session even when rows move")
  func reloadKeepsTheSelectionByID() {
    var board = makeBoard()
    board.select("lime/paper")
    let more = everydaySessions + [empty("acme/aaron"), empty("acme/adam"), empty("lime/aardvark")]
    #expect(board.handle(.reloaded(more.reversed(), problems: [])) == [])
    #expect(board.selected == sid("lime/paper"))
    #expect(board.sessions.map(\.id) == more.map(\.id).sorted())  // kept in id order
  }

  @Test("a reload that removes the selected session selects a session that is still there")
  func reloadWithoutTheSelection() throws {
    var board = makeBoard()
    board.select("lime/paper")
    let rest = everydaySessions.filter { $0.id != sid("lime/paper") }
    #expect(board.handle(.reloaded(rest, problems: [])) == [])
    let selected = try #require(board.selected)
    #expect(rest.contains { $0.id == selected })
  }

  @Test("a reload shows the first problem the store reported")
  func reloadProblems() {
    var board = makeBoard()
    #expect(
      board.handle(.reloaded(everydaySessions, problems: ["lime~main.json: not valid JSON", "second"])) == [])
    #expect(board.messageText == "lime~main.json: not valid JSON")
    #expect(board.isError)
  }

  @Test("a tick moves the clock, and countdowns follow it")
  func tickUpdatesCountdowns() {
    var board = makeBoard()
    board.select("lime/paper")
    #expect(board.selectedLine()!.contains("expiring 0:10:00"))
    // lime/paper cannot be renewed and ends within 15 minutes: the first tick tells, once.
    #expect(board.wait(61).map(\.isNotification) == [true])
    #expect(board.now == morning.addingTimeInterval(61))
    #expect(board.selectedLine()!.contains("expiring 0:08:59"))
    #expect(board.screen().hasPrefix("AuthDeck  14:01:01"))
    #expect(board.screen().split(separator: "\n")[0].hasSuffix("Lime cutoff 03:00 ET in 17:58:59"))
    #expect(board.wait(9 * 60) == [])
    #expect(board.selectedLine()!.contains("expired  -"))
  }

  @Test("a session turns from valid to expiring when less than the threshold is left")
  func validTurnsExpiring() {
    var board = makeBoard()  // acme/alice has 45 minutes
    #expect(board.status(of: board.session(sid("acme/alice"))!) == .valid)
    board.wait(30 * 60)
    #expect(board.status(of: board.session(sid("acme/alice"))!) == .valid)
    board.wait(1)
    #expect(board.status(of: board.session(sid("acme/alice"))!) == .expiring)
  }
}

@Suite("A large store's first frame")
struct PartialLoadTests {
  @Test("sessions known only by id show … until the store is read, and L waits for it")
  func partialThenFull() {
    let full = [loggedIn("lime/main", expiresIn: 3_600), loggedIn("lime/paper", expiresIn: -60)]
    var board = makeBoard([])
    #expect(board.handle(.partiallyLoaded([full[0], Session(id: sid("lime/paper"))])) == [])
    #expect(board.isLoading)
    #expect(board.screen().contains("paper                            …"))
    #expect(board.press(.c("L")) == [])
    #expect(board.messageText == "still reading the store; press L again in a moment")
    #expect(board.handle(.reloaded(full, problems: [])) == [])
    #expect(!board.isLoading)
    #expect(board.screen().contains("paper                            expired"))
    #expect(board.press(.c("L")) == [.startLogin(sid("lime/paper"))])
  }
}
