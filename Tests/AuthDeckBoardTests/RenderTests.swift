import Foundation
import Testing

@testable import AuthDeckBoard
@testable import AuthDeckCore

// Whole screens, written out as a person sees them (Canvas.text: trailing spaces trimmed).
// The clock is 14:00:00 UTC on Monday 2026-11-23; Lime's cutoff is 03:00 New York = 08:00 UTC.

@Suite("What the board looks like")
struct RenderTests {
  @Test("the list at 80x24: clock and cutoff, provider headers with host and rule, one row per session")
  func mainList() {
    var board = makeBoard()
    board.select("lime/paper")
    #expect(board.press(.c("c")) == [.copyToken(sid("lime/paper"))])
    #expect(
      board.handle(.notice("copied lime/paper's access token, valid 0:10:00 more (OSC 52)", isError: false))
        == [])
    // Nine footer entries need 81 columns: "/ filter" gives way, help and quit stay whole.
    expectScreen(
      board.screen(80, 24),
      """
      AuthDeck  14:00:00                              Lime cutoff 03:00 ET in 18:00:00
        ACCOUNT                          STATUS   REMAINING  EXPIRES     REFRESH
      acme  Limio acme · acme.prod.limio.com · expires_in
        alice                            valid    0:45:00    Mon 14:45   yes
        bob                              expired  -          Mon 13:00   yes
      lime  Lime Trading · auth.lime.co · expires daily 03:00 ET
        main                             valid    18:00:00   Tue 08:00   no
      ▸ paper                            expiring 0:10:00    Mon 14:10   no
        scalper                          none     -          -           no
      ops  Ops API · ops.example.com · client credentials
        robot                            valid    0:50:00    Mon 14:50   yes











      copied lime/paper's access token, valid 0:10:00 more (OSC 52)
      ⏎ login  p paste  c copy  r refresh  L login all  / filter  ? help  q quit
      """)
  }

  @Test("at 40x10 the expiry and refresh columns go, long text ends with …, the window scrolls")
  func narrow() {
    var board = makeBoard(height: 10)
    expectScreen(
      board.screen(40, 10),
      """
      AuthDeck  14:00:00    cutoff in 18:00:00
        ACCOUNT           STATUS   REMAINING
      acme  Limio acme · acme.prod.limio.com …
      ▸ alice             valid    0:45:00
        bob               expired  -
      lime  Lime Trading · auth.lime.co · exp…
        main              valid    18:00:00
        paper             expiring 0:10:00
                                           6/9
      ⏎ login  p paste  c copy  ? help  q quit
      """)
    board.press(.c("G"))
    expectScreen(
      board.screen(40, 10),
      """
      AuthDeck  14:00:00    cutoff in 18:00:00
        ACCOUNT           STATUS   REMAINING
      lime  Lime Trading · auth.lime.co · exp…
        main              valid    18:00:00
        paper             expiring 0:10:00
        scalper           none     -
      ops  Ops API · ops.example.com · client…
      ▸ robot             valid    0:50:00
                                           9/9
      ⏎ login  p paste  c copy  ? help  q quit
      """)
  }

  @Test("the first run explains where the configuration goes and offers the demo")
  func firstRun() {
    let board = BoardState(providers: [], sessions: [], now: morning, timeZone: utcZone)
    expectScreen(
      board.screen(80, 24),
      """
      AuthDeck  14:00:00

      Welcome. No provider is configured yet.

      Put your providers in ~/.config/authdeck/config.toml
      for example:
        [providers.lime]
        preset = "lime"
        client_id = "my-client-id"
        client_secret_env = "LIME_CLIENT_SECRET"
        redirect_uri = "https://localhost/callback"

        [providers.acme]
        preset = "limio"
        tenant = "acme"
        client_id = "..."
        client_secret_command = "pass show limio/acme"
        redirect_uri = "http://127.0.0.1:8765/callback"

      Or try it with a built-in provider: press D for the demo.



      D open the demo  q quit
      """)
  }

  @Test("the help lists every key with what it does, and scrolls when the screen is short")
  func help() {
    var board = makeBoard(height: 30)
    board.press(.c("?"))
    expectScreen(
      board.screen(80, 30),
      """
      AuthDeck  14:00:00                              Lime cutoff 03:00 ET in 18:00:00
      Keys
        ↑/k     move up
        ↓/j     move down
        PgUp    page up
        PgDn    page down
        g/Home  first session
        G/End   last session
        ⏎/l     log in the selected session (opens the browser)
        p       paste a redirect URL to finish a login
        c       copy the selected access token to the clipboard
        u       copy the pending login's authorize URL (log in from another machine)
                copy the device login's code, to enter at its page on any device
        r       refresh the token (refresh token or client credentials)
        L       renew every expired session that can be, then log in the rest in turn
        n       new session (provider/account)
        d       log out or forget the selected session
        /       filter sessions by id as you type
        Esc     hide the login URL shown when no browser starts
                stop the morning queue
                clear the filter
                cancel the selected session's waiting login
        ?       show this help
        q/^C    quit
        ^Z      suspend to the shell (fg comes back), from any screen
        ^L      redraw the screen, from any screen

      A paste on the list opens the paste prompt with it; ⏎ submits.

      Esc/?/q close
      """)
    // At 24 rows the last lines are a scroll away, and the footer says how to get there.
    board = makeBoard(height: 24)
    board.press(.c("?"))
    var screen = board.screen(80, 24)
    #expect(!screen.contains("A paste on the list"))
    #expect(screen.hasSuffix("\nEsc/?/q close  j/k scroll  (22/27)"))
    board.press(.c("G"))
    screen = board.screen(80, 24)
    #expect(screen.contains("\nA paste on the list opens the paste prompt with it; ⏎ submits.\n"))
    #expect(screen.hasSuffix("\nEsc/?/q close  j/k scroll  (end)"))
    board.press(.c("k"), .c("k"), .c("k"), .c("k"), .c("k"))
    #expect(board.screen(80, 24).split(separator: "\n")[1] == "Keys")
    board.press(.c("k"))
    #expect(board.helpScroll == 0, "no further than the top")
  }

  @Test("the paste prompt sits on the status line with the cursor after the text")
  func pastePrompt() {
    var board = makeBoard()
    board.select("lime/main")
    board.press(.c("p"))
    board.type("https://localhost/callback?code=abc")
    let canvas = board.render(width: 80, height: 24)
    expectScreen(
      canvas.text,
      """
      AuthDeck  14:00:00                              Lime cutoff 03:00 ET in 18:00:00
        ACCOUNT                          STATUS   REMAINING  EXPIRES     REFRESH
      acme  Limio acme · acme.prod.limio.com · expires_in
        alice                            valid    0:45:00    Mon 14:45   yes
        bob                              expired  -          Mon 13:00   yes
      lime  Lime Trading · auth.lime.co · expires daily 03:00 ET
      ▸ main                             valid    18:00:00   Tue 08:00   no
        paper                            expiring 0:10:00    Mon 14:10   no
        scalper                          none     -          -           no
      ops  Ops API · ops.example.com · client credentials
        robot                            valid    0:50:00    Mon 14:50   yes











      Paste redirect URL: https://localhost/callback?code=abc
      ⏎ submit  Esc cancel  ^U clear
      """)
    #expect(canvas.cursor?.row == 22)
    #expect(
      canvas.cursor?.column == DisplayWidth.of("Paste redirect URL: https://localhost/callback?code=abc"))
  }

  @Test("a paste longer than the line shows its end, where the cursor is")
  func longPastePrompt() {
    var board = makeBoard()
    board.press(.c("p"))
    let url = "https://localhost/callback?code=" + String(repeating: "x", count: 100) + "&state=END"
    board.type(url)
    let canvas = board.render(width: 80, height: 24)
    let status = canvas.text.components(separatedBy: "\n")[22]
    #expect(status.hasPrefix("Paste redirect URL: …"))
    #expect(status.hasSuffix("&state=END"))
    #expect(DisplayWidth.of(status) <= 80)
    #expect(canvas.cursor?.row == 22)
    #expect(canvas.cursor?.column == 79)
  }

  @Test("the new-session prompt names the selected provider and takes a bare account")
  func newSessionPrompt() {
    var board = makeBoard()
    board.select("lime/main")
    board.press(.c("n"))
    #expect(
      board.render(width: 80, height: 24).cursor?.column
        == DisplayWidth.of("New session in lime (account, or provider/account): "))
    board.type("night")
    let canvas = board.render(width: 80, height: 24)
    expectScreen(
      canvas.text,
      """
      AuthDeck  14:00:00                              Lime cutoff 03:00 ET in 18:00:00
        ACCOUNT                          STATUS   REMAINING  EXPIRES     REFRESH
      acme  Limio acme · acme.prod.limio.com · expires_in
        alice                            valid    0:45:00    Mon 14:45   yes
        bob                              expired  -          Mon 13:00   yes
      lime  Lime Trading · auth.lime.co · expires daily 03:00 ET
      ▸ main                             valid    18:00:00   Tue 08:00   no
        paper                            expiring 0:10:00    Mon 14:10   no
        scalper                          none     -          -           no
      ops  Ops API · ops.example.com · client credentials
        robot                            valid    0:50:00    Mon 14:50   yes











      New session in lime (account, or provider/account): night
      ⏎ submit  Esc cancel  ^U clear
      """)
    #expect(canvas.cursor?.row == 22)
    #expect(
      canvas.cursor?.column == DisplayWidth.of("New session in lime (account, or provider/account): night"))
  }

  @Test("the delete question names the session and the three answers")
  func deleteConfirmation() {
    var board = makeBoard()
    board.select("lime/main")
    board.press(.c("d"))
    let canvas = board.render(width: 80, height: 24)
    expectScreen(
      canvas.text,
      """
      AuthDeck  14:00:00                              Lime cutoff 03:00 ET in 18:00:00
        ACCOUNT                          STATUS   REMAINING  EXPIRES     REFRESH
      acme  Limio acme · acme.prod.limio.com · expires_in
        alice                            valid    0:45:00    Mon 14:45   yes
        bob                              expired  -          Mon 13:00   yes
      lime  Lime Trading · auth.lime.co · expires daily 03:00 ET
      ▸ main                             valid    18:00:00   Tue 08:00   no
        paper                            expiring 0:10:00    Mon 14:10   no
        scalper                          none     -          -           no
      ops  Ops API · ops.example.com · client credentials
        robot                            valid    0:50:00    Mon 14:50   yes











      Log out lime/main? y log out · f forget · n/Esc cancel
      y log out  f forget  n/Esc cancel
      """)
    #expect(canvas.cursor == nil)
  }

  @Test("a login under way shows the 5 minutes counting down and the time it must be done by")
  func pendingRow() {
    var board = makeBoard(
      [pending("lime/main"), loggedIn("lime/paper", expiresIn: 3_600)], providers: [Providers.lime])
    expectScreen(
      board.screen(80, 24),
      """
      AuthDeck  14:00:00                              Lime cutoff 03:00 ET in 18:00:00
        ACCOUNT                          STATUS   REMAINING  EXPIRES     REFRESH
      lime  Lime Trading · auth.lime.co · expires daily 03:00 ET
      ▸ main                             pending  0:05:00    by 14:05    no
        paper                            valid    1:00:00    Mon 15:00   no


















      ⏎ login  p paste  c copy  r refresh  / filter  Esc cancel login  ? help  q quit
      """)
    board.wait(61)
    expectScreen(
      board.screen(80, 24),
      """
      AuthDeck  14:01:01                              Lime cutoff 03:00 ET in 17:58:59
        ACCOUNT                          STATUS   REMAINING  EXPIRES     REFRESH
      lime  Lime Trading · auth.lime.co · expires daily 03:00 ET
      ▸ main                             pending  0:03:59    by 14:05    no
        paper                            valid    0:58:59    Mon 15:00   no


















      ⏎ login  p paste  c copy  r refresh  / filter  Esc cancel login  ? help  q quit
      """)
  }

  @Test("a long list scrolled near its end shows where the window is, as n/m rows")
  func longList() {
    var board = makeBoard(thousandSessions, providers: [Providers.lime])
    board.press(.c("G"), .pageUp, .c("k"), .c("k"))
    #expect(board.selected == sid("lime/trader0978"))
    expectScreen(
      board.screen(80, 24),
      """
      AuthDeck  14:00:00                              Lime cutoff 03:00 ET in 18:00:00
        ACCOUNT                          STATUS   REMAINING  EXPIRES     REFRESH
      ▸ trader0978                       valid    16:18:00   Tue 06:18   no
        trader0979                       valid    16:19:00   Tue 06:19   no
        trader0980                       valid    16:20:00   Tue 06:20   no
        trader0981                       valid    16:21:00   Tue 06:21   no
        trader0982                       valid    16:22:00   Tue 06:22   no
        trader0983                       valid    16:23:00   Tue 06:23   no
        trader0984                       valid    16:24:00   Tue 06:24   no
        trader0985                       valid    16:25:00   Tue 06:25   no
        trader0986                       valid    16:26:00   Tue 06:26   no
        trader0987                       valid    16:27:00   Tue 06:27   no
        trader0988                       valid    16:28:00   Tue 06:28   no
        trader0989                       valid    16:29:00   Tue 06:29   no
        trader0990                       valid    16:30:00   Tue 06:30   no
        trader0991                       valid    16:31:00   Tue 06:31   no
        trader0992                       valid    16:32:00   Tue 06:32   no
        trader0993                       valid    16:33:00   Tue 06:33   no
        trader0994                       valid    16:34:00   Tue 06:34   no
        trader0995                       valid    16:35:00   Tue 06:35   no
        trader0996                       valid    16:36:00   Tue 06:36   no
        trader0997                       valid    16:37:00   Tue 06:37   no
                                                                              998/1001
      ⏎ login  p paste  c copy  r refresh  L login all  / filter  ? help  q quit
      """)
  }

  @Test("accented, combining and wide (CJK, Hangul) account names keep the columns aligned")
  func wideNames() {
    let names = ["José", "山田太郎", "Zoe\u{308}", "김민준", "東京都千代田区丸の内一丁目東京都千代田区"]
    let board = makeBoard(
      names.enumerated().map { loggedIn("lime/" + $1, expiresIn: $0 == 1 ? 7_200 : 3_600) },
      providers: [Providers.lime])
    expectScreen(
      board.screen(80, 24),
      """
      AuthDeck  14:00:00                              Lime cutoff 03:00 ET in 18:00:00
        ACCOUNT                               STATUS   REMAINING  EXPIRES     REFRESH
      lime  Lime Trading · auth.lime.co · expires daily 03:00 ET
      ▸ José                                  valid    1:00:00    Mon 15:00   no
        Zoë                                   valid    1:00:00    Mon 15:00   no
        山田太郎                              valid    2:00:00    Mon 16:00   no
        東京都千代田区丸の内一丁目東京都千代… valid    1:00:00    Mon 15:00   no
        김민준                                valid    1:00:00    Mon 15:00   no















      ⏎ login  p paste  c copy  r refresh  L login all  / filter  ? help  q quit
      """)
    for (width, height) in [(80, 24), (40, 10), (30, 10)] {
      let rows = board.render(width: width, height: height).lines.filter {
        $0.contains { $0.text.hasPrefix("valid") }
      }
      #expect(rows.count == names.count)
      let statusColumns = Set(
        rows.map { line in
          line.prefix { !$0.text.hasPrefix("valid") }.reduce(0) { $0 + DisplayWidth.of($1.text) }
        })
      #expect(statusColumns.count == 1, "the STATUS column starts at \(statusColumns) at \(width)x\(height)")
    }
  }

  @Test("an error text from a server is shown inert: no ESC, no CR, no bidi override")
  func serverErrorIsSanitized() {
    var board = makeBoard()
    board.select("acme/bob")
    #expect(board.press(.c("r")) == [.renew(sid("acme/bob"))])
    let hostile = "invalid_grant: \u{1B}[2J\u{1B}]52;c;ZXZpbA==\u{07}token\rrevoked \u{202E}txt.exe"
    #expect(board.handle(.finished(sid("acme/bob"), error: .provider(hostile))) == [])
    let canvas = board.render(width: 80, height: 24)
    expectScreen(
      canvas.text,
      """
      AuthDeck  14:00:00                              Lime cutoff 03:00 ET in 18:00:00
        ACCOUNT                          STATUS   REMAINING  EXPIRES     REFRESH
      acme  Limio acme · acme.prod.limio.com · expires_in
        alice                            valid    0:45:00    Mon 14:45   yes
      ▸ bob                              expired  -          Mon 13:00   yes
      lime  Lime Trading · auth.lime.co · expires daily 03:00 ET
        main                             valid    18:00:00   Tue 08:00   no
        paper                            expiring 0:10:00    Mon 14:10   no
        scalper                          none     -          -           no
      ops  Ops API · ops.example.com · client credentials
        robot                            valid    0:50:00    Mon 14:50   yes











      acme/bob: invalid_grant: �[2J�]52;c;ZXZpbA==�token revoked �txt.exe
      ⏎ login  p paste  c copy  r refresh  L login all  / filter  ? help  q quit
      """)
    #expect(canvas.lines[22].allSatisfy { $0.style == .error })
    #expect(!canvas.text.unicodeScalars.contains { Sanitizer.isUnsafe($0) && $0 != "\n" })
  }

  @Test("store problems and notices are made inert the same way")
  func noticesAreSanitized() {
    var board = makeBoard()
    #expect(
      board.handle(.reloaded(everydaySessions, problems: ["lime~x.json:\u{1B}[31m bad\u{9B}2J \u{2066}file"]))
        == [])
    #expect(
      board.screen().components(separatedBy: "\n")[22]
        == "lime~x.json:\u{FFFD}[31m bad\u{FFFD}2J \u{FFFD}file")
    #expect(board.handle(.notice(String(repeating: "long ", count: 100), isError: false)) == [])
    let rows = board.screen().components(separatedBy: "\n")
    #expect(rows[19...22].allSatisfy { $0.hasPrefix("long long") && DisplayWidth.of($0) <= 80 }, "\(rows)")
    #expect(rows[22].hasSuffix("…"), "four lines at most, the cut said")
  }

  @Test("the filter prompt shows what was typed; the list shows only the matches")
  func filterPrompt() {
    var board = makeBoard()
    board.press(.c("/"))
    board.type("LIME/")
    let canvas = board.render(width: 80, height: 24)
    expectScreen(
      canvas.text,
      """
      AuthDeck  14:00:00                              Lime cutoff 03:00 ET in 18:00:00
        ACCOUNT                          STATUS   REMAINING  EXPIRES     REFRESH
      lime  Lime Trading · auth.lime.co · expires daily 03:00 ET
      ▸ main                             valid    18:00:00   Tue 08:00   no
        paper                            expiring 0:10:00    Mon 14:10   no
        scalper                          none     -          -           no
















      /LIME/
      ⏎ keep  Esc clear  ^U clear text
      """)
    #expect(canvas.cursor?.row == 22)
    #expect(canvas.cursor?.column == 6)
  }

  @Test("a kept filter that matches nothing says so, and stays visible in the title")
  func nothingMatches() {
    var board = makeBoard()
    board.press(.c("/"))
    board.type("zzz")
    board.press(.enter)
    expectScreen(
      board.screen(80, 24),
      """
      AuthDeck  14:00:00  filter 'zzz' · 0 of 6       Lime cutoff 03:00 ET in 18:00:00
        ACCOUNT                          STATUS   REMAINING  EXPIRES     REFRESH
        no session matches 'zzz'




















      ⏎ login  p paste  c copy  r refresh  / filter  Esc clear filter  ? help  q quit
      """)
  }

  @Test("during the morning queue the sessions being renewed or logged in show as working and Esc is offered")
  func morningQueue() {
    var board = makeBoard(mondayMorning)
    board.press(.c("L"))
    // The footer is cut (see `footerFitsEightyColumns`).
    expectScreen(
      board.screen(80, 24),
      """
      AuthDeck  14:00:00                              Lime cutoff 03:00 ET in 18:00:00
        ACCOUNT                          STATUS   REMAINING  EXPIRES     REFRESH
      acme  Limio acme · acme.prod.limio.com · expires_in
      ▸ alice                            valid    1:00:00    Mon 15:00   yes
        bob                              expired  -          Mon 13:00   no
      lime  Lime Trading · auth.lime.co · expires daily 03:00 ET
        main                             expired  -          Mon 13:00   no
        waiting                          pending  0:04:00    by 14:04    no
        zed                              none     -          -           no
      ops  Ops API · ops.example.com · client credentials
        robot                            working  -          Mon 13:00   yes











      morning queue: renewing 1 without a browser, then 3 to log in…
      Esc stop queue  ⏎ login  p paste  c copy  r refresh  / filter  ? help  q quit
      """)
    _ = board.handle(.finished(sid("ops/robot"), error: .provider("cannot reach ops.example.com")))
    expectScreen(
      board.screen(80, 24),
      """
      AuthDeck  14:00:00                              Lime cutoff 03:00 ET in 18:00:00
        ACCOUNT                          STATUS   REMAINING  EXPIRES     REFRESH
      acme  Limio acme · acme.prod.limio.com · expires_in
        alice                            valid    1:00:00    Mon 15:00   yes
      ▸ bob                              working  -          Mon 13:00   no
      lime  Lime Trading · auth.lime.co · expires daily 03:00 ET
        main                             expired  -          Mon 13:00   no
        waiting                          pending  0:04:00    by 14:04    no
        zed                              none     -          -           no
      ops  Ops API · ops.example.com · client credentials
        robot                            expired  -          Mon 13:00   yes











      ops/robot: cannot reach ops.example.com
      Esc stop queue  ⏎ login  p paste  c copy  r refresh  / filter  ? help  q quit
      """)
  }

  @Test("render is pure: the same state and size give the same canvas")
  func renderIsPure() {
    var board = makeBoard()
    board.select("lime/paper")
    #expect(board.render(width: 80, height: 24) == board.render(width: 80, height: 24))
    #expect(board.render(width: 80, height: 24) != board.render(width: 81, height: 24))
  }
}

@Suite("Readable without colour (NO_COLOR)")
struct NoColorTests {
  @Test("the selected row is the only one with the ▸ marker, so it is found in plain text")
  func markerFindsTheSelection() {
    var board = makeBoard()
    for id in ["acme/alice", "lime/main", "lime/scalper", "ops/robot"] {
      board.select(id)
      for (width, height) in [(80, 24), (40, 10), (120, 40)] {
        #expect(board.handle(.resized(pageSize: BoardState.listHeight(forTerminalHeight: height))) == [])
        let marked = board.screen(width, height).components(separatedBy: "\n").filter { $0.hasPrefix("▸ ") }
        #expect(marked.count == 1)
        #expect(marked.first?.hasPrefix("▸ " + sid(id).account) == true, "\(id) at \(width)x\(height)")
      }
      // Every other session row starts with two spaces: the marker is the only difference.
      #expect(board.handle(.resized(pageSize: BoardState.listHeight(forTerminalHeight: 24))) == [])
      let others = board.screen().components(separatedBy: "\n").filter {
        $0.hasPrefix("  ") && !$0.hasPrefix("  ACCOUNT")
      }
      #expect(others.count == everydaySessions.count - 1)
    }
  }

  @Test("status is a word, not only a colour")
  func statusWords() {
    var board = makeBoard(mondayMorning)
    board.select("acme/alice")
    board.press(.c("r"))
    let screen = board.screen()
    for (account, word) in [
      ("alice", "working"), ("bob", "expired"), ("waiting", "pending"), ("zed", "none"),
    ] {
      let line = screen.components(separatedBy: "\n").first { $0.dropFirst(2).hasPrefix(account + " ") }
      #expect(line?.contains(" \(word) ") == true, "\(account) should read \(word)")
    }
  }

  @Test("styles follow the same meaning as the words")
  func styles() {
    var board = makeBoard()
    board.select("acme/bob")
    let canvas = board.render(width: 80, height: 24)
    let bob = canvas.lines[4]
    #expect(bob[0] == Span("▸ ", .selected))
    #expect(bob.contains { $0.style == .expired && $0.text.hasPrefix("expired") })
    #expect(canvas.lines[3][0] == Span("  ", .plain))
    #expect(canvas.lines[2][0].style == .header)
    #expect(canvas.lines[23].first == Span("⏎", .key))
  }
}

@Suite("Nothing is drawn outside the terminal")
struct RenderBoundsTests {
  /// Every screen the board can show, with text that is long or wide on purpose.
  static let states: [(String, BoardState)] = {
    var states: [(String, BoardState)] = []
    let awkward =
      everydaySessions + [
        loggedIn("lime/" + String(repeating: "very-long-account-name-", count: 4), expiresIn: 3 * 86_400),
        loggedIn("lime/東京都千代田区丸の内一丁目東京都千代田区丸の内", expiresIn: 9 * 86_400),
        pending("lime/Zoe\u{308}"),
      ]
    var board = makeBoard(awkward)
    states.append(("list", board))
    _ = board.handle(.notice("invalid_grant: " + String(repeating: "词", count: 120), isError: true))
    states.append(("long message", board))
    board.press(.c("/"))
    board.type("東京")
    states.append(("filter", board))
    board.press(.escape, .c("p"))
    board.type("https://localhost/callback?code=" + String(repeating: "x", count: 300))
    states.append(("paste", board))
    board.press(.escape, .c("n"))
    board.type("a-very-long-account-name-for-a-narrow-terminal")
    states.append(("new session", board))
    board.press(.escape)
    board.select("lime/東京都千代田区丸の内一丁目東京都千代田区丸の内")
    board.press(.c("d"))
    states.append(("delete", board))
    board.press(.escape, .c("?"))
    states.append(("help", board))
    states.append(("first run", BoardState(providers: [], sessions: [], now: morning, timeZone: utcZone)))
    var long = makeBoard(thousandSessions, providers: Providers.all)
    long.press(.c("G"), .c("k"))
    states.append(("1,000 sessions", long))
    var queue = makeBoard(mondayMorning)
    queue.press(.c("L"))
    states.append(("queue", queue))
    return states
  }()

  static let sizes: [(Int, Int)] = [
    20, 21, 30, 39, 40, 41, 51, 52, 53, 60, 69, 70, 71, 79, 80, 81, 100, 132, 200,
  ].flatMap { width in
    [5, 6, 7, 10, 24, 25, 40, 60].map { (width, $0) }
  }

  @Test(
    "every line fits the width, for every screen and every size from 20x5 to 200x60",
    arguments: states.map(\.0))
  func linesFit(name: String) {
    var board = Self.states.first { $0.0 == name }!.1
    for (width, height) in Self.sizes {
      #expect(board.handle(.resized(pageSize: BoardState.listHeight(forTerminalHeight: height))) == [])
      let canvas = board.render(width: width, height: height)
      #expect(canvas.lines.count == height)
      for (row, line) in canvas.lines.enumerated() {
        let used = DisplayWidth.of(line.map(\.text).joined())
        #expect(
          used <= width,
          "\(name) at \(width)x\(height), row \(row) is \(used) columns: \(line.map(\.text).joined())")
      }
      if let cursor = canvas.cursor {
        #expect(
          (0..<height).contains(cursor.row) && (0..<width).contains(cursor.column),
          "\(name) at \(width)x\(height)")
      }
      if case .list = board.mode, let selected = board.selected {
        // The selected row is on screen at every size, thanks to the scroll.
        #expect(canvas.text.contains("▸ "), "\(name) at \(width)x\(height): \(selected) not shown")
      }
    }
  }

  @Test("a zero or negative size draws nothing and does not crash")
  func degenerateSizes() {
    let board = makeBoard()
    #expect(board.render(width: 0, height: 24).text == String(repeating: "\n", count: 23))
    #expect(board.render(width: 80, height: 0).lines.isEmpty)
    for (width, height) in [(1, 1), (1, 2), (2, 3), (5, 4), (3, 5)] {
      let canvas = board.render(width: width, height: height)
      #expect(canvas.lines.count == height)
      #expect(canvas.lines.allSatisfy { DisplayWidth.of($0.map(\.text).joined()) <= width })
    }
  }
}

@Suite("Display width")
struct DisplayWidthTests {
  @Test("emoji that terminals draw two columns wide count as two")
  func emojiWidth() {
    // glibc's wcwidth (and so curses) gives 2 for each of these.
    for emoji in ["🚀", "✅", "⭐", "⌛", "🟢", "🫠"] {
      #expect(DisplayWidth.of(emoji) == 2, "\(emoji)")
    }
  }

  @Test("wide characters take two columns, combining marks none")
  func widths() {
    #expect(DisplayWidth.of("abc") == 3)
    #expect(DisplayWidth.of("山田") == 4)
    #expect(DisplayWidth.of("김민준") == 6)
    #expect(DisplayWidth.of("Zoe\u{308}") == 3)
    #expect(DisplayWidth.of("ｶﾀｶﾅ") == 4)  // half-width katakana are narrow
    #expect(DisplayWidth.of("▸…") == 2)
  }

  @Test("truncation never splits a wide character past the width and ends with …")
  func truncate() {
    #expect(DisplayWidth.truncate("abcdef", 4) == "abc…")
    #expect(DisplayWidth.truncate("abcd", 4) == "abcd")
    #expect(DisplayWidth.truncate("山田太郎", 6) == "山田…")
    #expect(DisplayWidth.truncate("山田太郎", 5) == "山田…")
    #expect(DisplayWidth.truncate("山田太郎", 1) == "…")
    #expect(DisplayWidth.truncate("anything", 0) == "")
    #expect(DisplayWidth.pad("山田", 6) == "山田  ")
    #expect(DisplayWidth.pad("山田太郎", 5) == "山田…")
  }
}

@Suite("Prompts, questions and the footer")
struct PromptRenderTests {
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
}

@Suite("Messages fade, filters show, wide terminals are used")
struct StatusAndWidthTests {
  @Test("an error goes away after 30 seconds and a note after 10 (bug: 'cannot refresh' sat for minutes)")
  func messagesFade() {
    // No session ends within the notification lead time: nothing else is said meanwhile.
    var board = makeBoard(everydaySessions.filter { $0.id != sid("lime/paper") })
    board.select("lime/main")
    board.press(.c("r"))
    #expect(board.messageText?.contains("cannot refresh") == true)
    board.wait(29)
    #expect(board.screen().contains("cannot refresh"))
    board.wait(1)
    #expect(board.message == nil)
    #expect(!board.screen().contains("cannot refresh"))

    board.press(.c("L"))
    board.press(.escape)
    #expect(board.messageText == "morning queue stopped")
    board.wait(9)
    #expect(board.messageText == "morning queue stopped")
    board.wait(1)
    #expect(board.message == nil)
  }

  @Test("a kept filter shows on the list, with how many sessions it hides (bug: no sign at all)")
  func keptFilterShows() {
    var board = makeBoard()
    board.press(.c("/"))
    board.type("li")
    board.press(.enter)
    #expect(board.mode == .list)
    let title = board.screen(80, 24).components(separatedBy: "\n")[0]
    #expect(title.hasPrefix("AuthDeck  14:00:00  filter 'li' · 4 of 6"))
    #expect(title.hasSuffix("Lime cutoff 03:00 ET in 18:00:00"))
    board.wait(60)  // it is no message: it stays as long as the filter does
    #expect(board.screen(80, 24).components(separatedBy: "\n")[0].contains("filter 'li' · 4 of 6"))
    board.press(.escape)
    #expect(!board.screen().contains("filter '"))
  }

  @Test("on a narrow terminal the filter sign takes its short form")
  func filterSignWhenNarrow() {
    var board = makeBoard()
    board.press(.c("/"))
    board.type("alice")
    board.press(.enter)
    let title = board.screen(40, 10).components(separatedBy: "\n")[0]
    #expect(title.hasPrefix("AuthDeck  14:00:00  /alice 1/6"))
    #expect(DisplayWidth.of(title) <= 40)
  }

  @Test("long account names use a wide terminal's width (bug: cut at 32 columns on 220)")
  func wideTerminalShowsLongNames() {
    let long = "desk-" + String(repeating: "settlement-", count: 9) + "end"  // 107 columns
    var board = makeBoard([
      loggedIn("lime/" + long, expiresIn: 3_600), loggedIn("lime/main", expiresIn: 3_600),
    ])
    board.select("lime/" + long)
    #expect(board.selectedLine(220, 24)?.contains(long + " valid") == true)
    let line = board.selectedLine(100, 24)!
    #expect(DisplayWidth.of(line) <= 100 && line.contains("…") && line.contains("valid"))
  }

  @Test("short account names keep the columns near them on a wide terminal")
  func shortNamesKeepTheirColumns() {
    let board = makeBoard()
    let line = board.selectedLine(220, 24)!
    #expect(line.hasPrefix("▸ alice" + String(repeating: " ", count: 28) + "valid"))
  }
}

@Suite("What the status line and footer keep when room is short")
struct StatusLineRoomTests {
  @Test(
    "a message with a key to press puts the key first when the line is too narrow (bug: cut before 'press u')"
  )
  func actionFirstWhenNarrow() {
    var board = makeBoard()
    board.select("acme/bob")
    _ = board.handle(.browserFailed(sid("acme/bob"), .other("no browser could be started (set $BROWSER)")))
    #expect(
      board.screen(100, 24).contains(
        "\nacme/bob: no browser could be started (set $BROWSER); press u to copy the login URL\n"))
    let narrow = board.screen(60, 24).components(separatedBy: "\n")
    #expect(narrow[21].hasPrefix("acme/bob: press u to copy the login URL; no browser could"), "\(narrow)")
    #expect(
      narrow[21] + " " + narrow[22]
        == "acme/bob: press u to copy the login URL; no browser could be started (set $BROWSER)",
      "the rest on the next line, nothing lost")
  }

  @Test(
    "a message too long for the line goes on above it, whole, and the list makes room (bug: cut mid-path)")
  func longMessagesWrap() {
    var board = makeBoard()
    let said =
      "configuration not applied, the last good one stays: /home/someone/.config/authdeck/config.toml: "
      + "providers.extra.client_secert_env: unknown key; did you mean client_secret_env?"
    _ = board.handle(.notice(said, isError: true))
    let rows = board.screen(80, 24).components(separatedBy: "\n")
    #expect(rows[20...22].joined(separator: " ") == said, "\(rows)")
    #expect(rows[23].contains("quit"), "the footer stays")
    #expect(rows[2].hasPrefix("acme"), "the list starts where it did")
  }

  @Test("on a provider that cannot be used, the status line says why, whole")
  func providerProblemOnTheStatusLine() {
    var board = makeBoard(everydaySessions.filter { $0.id.provider != "lime" })
    let problem = AuthDeckError.config(
      "acme: discovery failed for issuer https://login.example.invalid/realms/acme (could not reach login.example.invalid); check issuer in [providers.acme]"
    )
    _ = board.handle(.providerChecked("acme", problem: problem))
    _ = board.handle(.tick(morning.addingTimeInterval(60)))  // what was said then has gone
    board.select("acme/bob")
    let screen = board.screen(80, 24)
    #expect(screen.contains("check issuer in [providers.acme]"), "\(screen)")
    board.select("ops/robot")
    #expect(!board.screen(80, 24).contains("check issuer"), "only under that provider")
  }

  @Test("at 80 columns the footer keeps / filter, help and quit; new gives way first")
  func footerPriorities() {
    let board = makeBoard()
    let footer = board.screen(80, 24).components(separatedBy: "\n").last!
    #expect(footer == "⏎ login  p paste  c copy  r refresh  L login all  / filter  ? help  q quit")
    let narrow = board.screen(40, 24).components(separatedBy: "\n").last!
    #expect(narrow == "⏎ login  p paste  c copy  ? help  q quit", "\(narrow)")
  }

  @Test(
    "the log-out question shows its own keys, not the message before it (bug: 'forgotten' under the question)"
  )
  func questionKeepsItsKeys() {
    var board = makeBoard()
    board.select("lime/paper")
    board.press(.c("d"), .c("f"))
    _ = board.handle(.loggedOut(sid("lime/paper"), forgotten: true, error: nil, revocation: .revoked))
    #expect(board.messageText == "lime/paper forgotten")
    board.select("lime/main")
    board.press(.c("d"))
    let lines = board.screen().components(separatedBy: "\n")
    #expect(lines[22] == "Log out lime/main? y log out · f forget · n/Esc cancel")
    #expect(lines[23] == "y log out  f forget  n/Esc cancel")
    #expect(!board.screen().contains("forgotten"))
    // A session that never had tokens has nothing to log out of.
    board.press(.c("n"))
    board.select("lime/scalper")
    board.press(.c("d"))
    #expect(
      board.screen().components(separatedBy: "\n")[22].hasPrefix("lime/scalper has no tokens. Forget it? "))
  }

  @Test("a device code beats a message said before its login began, not one said after")
  func deviceCodeBeatsOldNews() {
    var board = DeviceLoginBoardTests.tvBoard(started: false)
    board.say("morning queue done: 1 renewed, 1 failed", isError: true)
    board.wait(1)
    _ = board.handle(.deviceLoginStarted(expired("tv/den"), devicePrompt(now: board.now)))
    #expect(board.screen().contains("tv/den: enter WDJB-MJHT at "))
    board.wait(1)
    board.say("copied something")
    #expect(board.screen().contains("\ncopied something\n"))
  }
}

@Suite("What the board draws is inert and showable on any terminal")
struct ShowableTests {
  @Test("without a UTF-8 locale the keys are words and marks are ASCII (bug: ⏎ vanished)")
  func asciiTerminal() {
    var board = makeBoard(
      [loggedIn("lime/main", expiresIn: 3_600), empty("lime/café")], providers: [Providers.lime])
    board.glyphs = .ascii
    board.select("lime/main")
    let screen = board.screen(100, 24)
    #expect(
      screen.hasSuffix(
        "\nEnter login  p paste  c copy  r refresh  L login all  n new  / filter  ? help  q quit"))
    #expect(screen.contains("\n> main "))
    #expect(screen.contains("\n  caf? "))
    #expect(screen.contains("Lime Trading - auth.lime.co - expires daily 03:00 ET"))
    #expect(screen.unicodeScalars.allSatisfy { $0.isASCII }, "\(screen)")
    board.press(.c("c"))
    board.select("lime/café")
    board.press(.c("c"))
    #expect(board.messageText == "lime/café has no valid token to copy; press Enter to log in")
  }

  @Test("a provider name with a bidi override or an escape is drawn inert (bug: raw on the board)")
  func providerNameIsInert() {
    var lime = Providers.lime
    lime.name = "Lime \u{202E}gnidarT\u{1B}[2J"
    let board = makeBoard([loggedIn("lime/main", expiresIn: 3_600)], providers: [lime])
    let screen = board.screen(100, 24)
    #expect(!screen.unicodeScalars.contains { $0 != "\n" && Sanitizer.isUnsafe($0) }, "\(screen)")
    #expect(screen.contains("Lime \u{FFFD}gnidarT\u{FFFD}[2J"))
  }
}
