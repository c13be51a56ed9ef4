import Foundation
import Testing

@testable import AuthDeckBoard
@testable import AuthDeckCore

/// When no browser can be started (SSH, a server, a $BROWSER that fails at once), the board
/// shows the login's authorize URL whole, wrapped, as a hyperlink, until the login ends or Esc.
@Suite("A login without a browser shows its URL")
struct BrowserlessLoginTests {
  static let url =
    "https://auth.lime.co/connect/authorize?response_type=code&client_id=lime-client"
    + "&redirect_uri=https%3A%2F%2Flocalhost%2Fcallback&state=state-main&code_challenge="
    + "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256"

  /// lime/main's login started, and its browser could not be.
  static func board(width: Int = 80) -> BoardState {
    var board = makeBoard([loggedIn("acme/alice", expiresIn: 3_600), expired("lime/main")])
    board.select("lime/main")
    #expect(board.press(.enter) == [.startLogin(sid("lime/main"))])
    var waiting = pending("lime/main")
    waiting.pending?.authorizeURL = url
    _ = board.handle(.loginStarted(waiting, loopback: .notUsed))
    #expect(board.handle(.browserFailed(sid("lime/main"), .other("no browser could be started"))) == [])
    return board
  }

  @Test("the URL is shown whole, wrapped over as many lines as it needs, above the status line")
  func shownWhole() {
    let board = Self.board()
    expectScreen(
      board.screen(80, 16),
      """
      AuthDeck  14:00:00                              Lime cutoff 03:00 ET in 18:00:00
        ACCOUNT                          STATUS   REMAINING  EXPIRES     REFRESH
      acme  Limio acme · acme.prod.limio.com · expires_in
        alice                            valid    1:00:00    Mon 15:00   no
      lime  Lime Trading · auth.lime.co · expires daily 03:00 ET
      ▸ main                             pending  0:05:00    by 14:05    no
      ops  Ops API · ops.example.com · client credentials
          no sessions yet: press n to add one


      To log in lime/main, open this URL in a browser (u copies it, Esc hides it):
      https://auth.lime.co/connect/authorize?response_type=code&client_id=lime-client&
      redirect_uri=https%3A%2F%2Flocalhost%2Fcallback&state=state-main&code_challenge=
      E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256
      lime/main: no browser could be started; press u to copy the login URL
      ⏎ login  p paste  c copy  r refresh  L login all  / filter  ? help  q quit
      """)
    let pieces = board.render(width: 80, height: 16).lines[11...13].flatMap { $0 }
    #expect(pieces.map(\.text).joined() == Self.url, "every character is there, in order")
    #expect(
      pieces.allSatisfy { $0.link == Self.url && $0.style == .link }, "each piece links to the whole URL")
  }

  @Test("on a narrow terminal the URL takes more lines, and the selected row stays in view")
  func narrow() {
    let board = Self.board()
    let canvas = board.render(width: 40, height: 14)
    let linked = canvas.lines.flatMap { $0 }.filter { $0.link != nil }
    #expect(linked.map(\.text).joined() == Self.url)
    #expect(linked.count == 6)
    #expect(canvas.text.contains("▸ main"))
    #expect(canvas.lines.allSatisfy { DisplayWidth.of($0.map(\.text).joined()) <= 40 })
  }

  @Test("a terminal too short for the whole URL shows what fits and says it goes on; u copies it whole")
  func tooShort() throws {
    var board = Self.board()
    let canvas = board.render(width: 40, height: 8)
    let linked = canvas.lines.flatMap { $0 }.filter { $0.link != nil }
    let last = try #require(linked.last)
    #expect(last.text.hasSuffix("…"))
    #expect(board.press(.c("u")) == [.copyAuthorizeURL(sid("lime/main"))])
  }

  @Test("Esc hides it; a second Esc is the queue's or the filter's again")
  func escapeHides() {
    var board = Self.board()
    board.filter = "main"
    #expect(board.press(.escape) == [])
    #expect(board.shownBrowserlessLogin == nil)
    #expect(board.filter == "main")
    #expect(board.press(.escape) == [])
    #expect(board.filter.isEmpty)
    #expect(!board.screen(80, 16).contains("open this URL"))
    #expect(board.render(width: 80, height: 16).lines.allSatisfy { $0.allSatisfy { $0.link == nil } })
  }

  @Test("it goes with the login: done, ended by the provider, or run out")
  func goesWithTheLogin() {
    var done = Self.board()
    done.storeChanged(afterLogin(expired("lime/main")))
    #expect(done.handle(.redirectHandled(sid("lime/main"), error: nil)) == [])
    #expect(done.shownBrowserlessLogin == nil && done.browserlessLogin == nil)

    var refused = Self.board()
    _ = refused.handle(.redirectHandled(nil, error: .redirect("the state does not match")))
    #expect(refused.shownBrowserlessLogin != nil, "a bad paste leaves the login waiting, and its URL")
    _ = refused.handle(.loginEnded(sid("lime/main"), .provider("lime: invalid_grant")))
    #expect(refused.shownBrowserlessLogin == nil)

    var failed = Self.board()
    _ = failed.handle(.finished(sid("lime/main"), error: .provider("cannot write the store")))
    #expect(failed.shownBrowserlessLogin != nil, "a failed request leaves the login waiting, and its URL")

    var late = Self.board()
    late.wait(5 * 60)
    #expect(late.shownBrowserlessLogin == nil)
    #expect(!late.screen(80, 16).contains("open this URL"))
  }

  @Test("a new login of the session whose browser then starts shows no URL")
  func aNewLoginStartsClean() {
    var board = Self.board()
    board.wait(5 * 60)
    #expect(board.press(.enter) == [.startLogin(sid("lime/main"))])
    _ = board.handle(.loginStarted(pending("lime/main", now: board.now), loopback: .notUsed))
    #expect(board.shownBrowserlessLogin == nil)
    #expect(!board.screen(80, 16).contains("open this URL"))
  }

  @Test("only a URL of visible ASCII becomes a link; anything else is shown inert")
  func onlySafeLinks() {
    #expect(Span("x", .link, link: "https://a.example/?q=1").link == "https://a.example/?q=1")
    #expect(Span("x", .link, link: "https://a.example/\u{1B}]8;;\u{07}").link == nil)
    #expect(Span("x", .link, link: "https://a.example/ space").link == nil)
    #expect(Span("x", .link, link: "").link == nil)
  }
}
