import Foundation
import Testing

@testable import AuthDeckBoard
@testable import AuthDeckCore

/// What the device code the provider handed out looks like on the board: 10 minutes to enter it.
func devicePrompt(now: Date = morning, lifetime: TimeInterval = 600) -> DeviceLoginPrompt {
  DeviceLoginPrompt(
    userCode: "WDJB-MJHT", verificationURI: "https://id.example/device",
    verificationURIComplete: "https://id.example/device?user_code=WDJB-MJHT",
    expiresAt: now.addingTimeInterval(lifetime))
}

/// The device authorization grant on the board: a login shows its code and the code's countdown
/// on the row and the status line, `u` copies the code, and the morning queue waits for it.
@Suite("The board with device logins")
struct DeviceLoginBoardTests {
  static let den = sid("tv/den")

  /// A board with a television's session selected and, when `started`, its device login under way.
  static func tvBoard(started: Bool = true) -> BoardState {
    var board = makeBoard(
      [expired("tv/den"), loggedIn("lime/main", expiresIn: 3_600)], providers: Providers.all + [Providers.tv])
    board.select("tv/den")
    if started {
      #expect(board.press(.enter) == [.startDeviceLogin(den)])
      #expect(board.handle(.deviceLoginStarted(expired("tv/den"), devicePrompt(now: board.now))) == [])
    }
    return board
  }

  @Test("⏎ on a device session asks for a device code, not a browser")
  func enterAsksForACode() {
    var board = Self.tvBoard(started: false)
    #expect(board.press(.enter) == [.startDeviceLogin(Self.den)])
    #expect(board.busy == [Self.den])
    #expect(board.messageText == "tv/den: asking for a device code…")
  }

  @Test("the row shows the code and the time left to enter it; the status line says where, counting down")
  func theRowAndTheStatusLine() {
    var board = Self.tvBoard()
    #expect(board.busy.isEmpty)
    #expect(board.selectedLine() == "▸ den                              pending  0:10:00    WDJB-MJHT   no")
    let status = { board.screen(100, 24).split(separator: "\n", omittingEmptySubsequences: false)[22] }
    #expect(
      status() == "tv/den: enter WDJB-MJHT at https://id.example/device within 0:10:00; press u to copy it")
    let line = board.render(width: 80, height: 24).lines[22]
    #expect(line.contains(Span("WDJB-MJHT", .key)), "the code stands out")
    #expect(board.screen(80, 24).contains("within 0:10:00; press u to…"), "a narrow line cuts the hint first")
    board.wait(61)
    #expect(board.selectedLine()?.contains("pending  0:08:59    WDJB-MJHT") == true)
    #expect(status().hasSuffix("within 0:08:59; press u to copy it"))
  }

  @Test("the status line keeps showing the code when another session is selected, without the copy hint")
  func theStatusLineForAnotherSelection() {
    var board = Self.tvBoard()
    board.select("lime/main")
    let status = board.screen().split(separator: "\n", omittingEmptySubsequences: false)[22]
    #expect(status == "tv/den: enter WDJB-MJHT at https://id.example/device within 0:10:00")
  }

  @Test("u copies the code; ⏎ again says the login waits for it, and which key copies it")
  func uCopiesTheCode() {
    var board = Self.tvBoard()
    #expect(board.press(.c("u")) == [.copyUserCode(Self.den, "WDJB-MJHT")])
    #expect(board.press(.enter) == [])
    #expect(board.messageText == "tv/den waits for its code to be entered; press u to copy it")
    #expect(board.isError)
  }

  @Test("u on a device session with no login says how to start one; on a browser session it copies the URL")
  func uIsTheBindingThatApplies() {
    var board = Self.tvBoard(started: false)
    #expect(board.press(.c("u")) == [])
    #expect(board.messageText == "tv/den has no device login waiting; press ⏎ to start one")
    var browser = makeBoard([pending("lime/main")])
    browser.select("lime/main")
    #expect(browser.press(.c("u")) == [.copyAuthorizeURL(sid("lime/main"))])
    #expect(KeyBindings.binding(for: .c("u"), in: .list, state: board)?.command == .copyUserCode)
    #expect(KeyBindings.binding(for: .c("u"), in: .list, state: browser)?.command == .copyURL)
  }

  @Test("the help says what u does for each kind of login")
  func theHelpNamesBoth() {
    var board = Self.tvBoard()
    board.press(.c("?"))
    let help = board.screen(100, 40)
    #expect(
      help.contains(
        "  u       copy the pending login's authorize URL (log in from another machine)\n"
          + "          copy the device login's code, to enter at its page on any device\n"))
  }

  @Test("once the code has expired the row is no longer pending, and its code is gone")
  func theCodeExpires() {
    var board = Self.tvBoard()
    board.wait(600)
    #expect(board.status(of: board.session(Self.den)!) == .expired)
    #expect(board.selectedLine()?.contains("WDJB-MJHT") == false)
    #expect(board.press(.enter) == [.startDeviceLogin(Self.den)], "a new login can start")
  }

  @Test("a code entered: the session is valid, the code goes, the status line says until when")
  func theCodeIsEntered() {
    var board = Self.tvBoard()
    _ = board.handle(.sessionChanged(loggedIn("tv/den", expiresIn: 3_600, refresh: true)))
    #expect(board.handle(.finished(Self.den, error: nil)) == [])
    #expect(board.deviceLogins.isEmpty)
    #expect(board.status(of: board.session(Self.den)!) == .valid)
    #expect(board.messageText == "tv/den: valid until 2026-11-23 15:00 (1:00:00)")
  }

  @Test("a denied login ends: the code goes from the row and the reason shows")
  func aDeniedLoginEnds() {
    var board = Self.tvBoard()
    let denied = Refusal(.loginDenied, said: ProviderError(code: "access_denied"), at: board.now)
    let reason = LoginRequired(Self.den, .denied(denied), at: board.now)
    #expect(board.handle(.loginEnded(Self.den, .loginRequired(reason))) == [])
    #expect(board.deviceLogins.isEmpty)
    #expect(board.messageText == "tv/den: the login was denied (access_denied); press ⏎ to log in")
    #expect(board.selectedLine()?.contains("expired") == true)
  }

  @Test("logging out stops the device login's display with it")
  func logOutClearsIt() {
    var board = Self.tvBoard()
    board.press(.c("d"))
    #expect(board.press(.c("y")) == [.logout(Self.den, forget: false)])
    _ = board.handle(.loggedOut(Self.den, forgotten: false, error: nil))
    #expect(board.deviceLogins.isEmpty)
  }

  @Test(
    "the morning queue waits on a device login until its code is entered, denied or expired, then moves on")
  func theQueueWaitsForDeviceLogins() {
    var board = makeBoard(
      [expired("tv/den"), expired("lime/main"), empty("tv/kids")], providers: Providers.all + [Providers.tv])
    #expect(board.press(.c("L")) == [.startLogin(sid("lime/main"))])
    _ = board.loginStartedHere("lime/main")
    #expect(board.loggedInHere("lime/main") == [.startDeviceLogin(Self.den)])

    #expect(board.handle(.deviceLoginStarted(expired("tv/den"), devicePrompt(now: board.now))) == [])
    #expect(board.wait(5 * 60) == [], "five minutes are nothing to a device login")
    #expect(board.queue?.current == Self.den)
    #expect(
      board.handle(.sessionChanged(afterLogin(expired("tv/den"), expiresIn: 3_600, now: board.now)))
        == [.startDeviceLogin(sid("tv/kids"))])
    #expect(board.handle(.finished(Self.den, error: nil)) == [])

    #expect(board.handle(.deviceLoginStarted(empty("tv/kids"), devicePrompt(now: board.now))) == [])
    #expect(board.queue?.current == sid("tv/kids"))
    let expiredCode = LoginRequired(sid("tv/kids"), .timedOut(device: true), at: board.now)
    #expect(board.handle(.loginEnded(sid("tv/kids"), .loginRequired(expiredCode))) == [])
    #expect(board.queue == nil)
    #expect(
      board.messageText
        == "morning queue done: 2 logged in, 1 failed (tv/kids: the code was not entered in time)")
  }

  @Test("a device session waiting for its code is not queued again")
  func aWaitingDeviceLoginIsNotDue() {
    var board = Self.tvBoard()
    #expect(board.press(.c("L")) == [])
    #expect(board.messageText == "nothing to log in: every session is valid or waiting")
  }

  @Test(
    "c while the code waits says so and points at u; Esc on a session that never had tokens says only that")
  func copyAndCancelWhileTheCodeWaits() {
    var board = Self.tvBoard()
    #expect(board.press(.c("c")) == [])
    #expect(
      board.messageText == "tv/den has no valid token yet: its code waits to be entered; press u to copy it")

    var kids = makeBoard([empty("tv/kids")], providers: Providers.all + [Providers.tv])
    kids.select("tv/kids")
    #expect(kids.press(.enter) == [.startDeviceLogin(sid("tv/kids"))])
    #expect(kids.handle(.deviceLoginStarted(empty("tv/kids"), devicePrompt(now: kids.now))) == [])
    #expect(kids.press(.escape) == [.cancelLogin(sid("tv/kids"))])
    #expect(kids.handle(.loginCancelled(sid("tv/kids"), error: nil)) == [])
    #expect(kids.messageText == "tv/kids: login cancelled", "no tokens to speak of")
  }

  @Test("the provider's header says it logs in with a device code")
  func theHeader() {
    let board = Self.tvBoard(started: false)
    #expect(board.screen().contains("tv  Den TV · id.example · device login, expires_in"))
  }
}
