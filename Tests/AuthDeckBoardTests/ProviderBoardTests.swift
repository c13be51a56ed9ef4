import Foundation
import Testing

@testable import AuthDeckBoard
@testable import AuthDeckCore

/// The board with providers as real servers behave: a refused code ends its login at once, a
/// failed revocation is a warning, a token without a known lifetime is valid and says so, and
/// a provider known by its issuer alone shows where it lives.
@Suite("The board with refused codes, revocation and unknown lifetimes")
struct ProviderBoardTests {
  static let ended = AuthDeckError.loginRequired(
    LoginRequired(
      sid("lime/main"),
      .codeRefused(
        Refusal(
          .codeRefused, said: ProviderError(code: "invalid_grant", description: "code expired"), at: morning)),
      at: morning))

  @Test("a refused code ends the login: the pending login goes, the paste prompt closes, the reason shows")
  func aRefusedCodeEndsTheLogin() {
    var board = makeBoard([pending("lime/main")])
    board.select("lime/main")
    board.press(.c("p"))
    #expect(board.mode == .paste(""))
    #expect(board.handle(.loginEnded(sid("lime/main"), Self.ended)) == [])
    #expect(board.mode == .list)
    #expect(board.session(sid("lime/main"))?.pending == nil)
    #expect(board.status(of: board.session(sid("lime/main"))!) == .none)
    #expect(board.message?.kind == .error)
    #expect(
      board.messageText
        == "lime/main: the provider refused the login's code (invalid_grant: code expired); this login has ended; "
        + "press ⏎ to log in")
    #expect(board.busy.isEmpty)
  }

  @Test("a refused code in the morning queue moves the queue on, and the summary names it")
  func aRefusedCodeMovesTheQueueOn() {
    var board = makeBoard([expired("lime/main"), expired("lime/paper")])
    #expect(board.press(.c("L")) == [.startLogin(sid("lime/main"))])
    #expect(board.handle(.loginEnded(sid("lime/main"), Self.ended)) == [.startLogin(sid("lime/paper"))])
    _ = board.loginStartedHere("lime/paper")
    #expect(board.loggedInHere("lime/paper") == [])
    #expect(board.messageText?.contains("1 failed (lime/main: ") == true, "\(board.messageText ?? "")")
  }

  @Test("a log-out whose revocation failed is done here, and says the provider may still honour the tokens")
  func aFailedRevocationIsAWarning() {
    var board = makeBoard()
    board.select("lime/main")
    board.press(.c("d"))
    _ = board.press(.c("y"))
    #expect(
      board.handle(
        .loggedOut(sid("lime/main"), forgotten: false, error: nil, revocation: .failed("HTTP 503")))
        == [])
    #expect(
      board.messageText
        == "lime/main logged out here, but the provider did not revoke the tokens (HTTP 503); "
        + "they stay valid there until they expire")
    #expect(board.message?.kind == .error)
    #expect(board.busy.isEmpty)
  }

  @Test("a token whose lifetime nothing told is valid, with unknown time left")
  func anUnknownLifetimeIsValidAndSaysSo() {
    var board = makeBoard([loggedIn("lime/main", expiresIn: nil)])
    board.select("lime/main")
    let line = board.selectedLine() ?? ""
    #expect(line.contains("valid"), "\(line)")
    #expect(line.contains("unknown"), "\(line)")
    _ = board.wait(30 * 86_400)
    #expect(board.selectedLine()?.contains("valid") == true)
  }

  @Test("a provider known by its issuer alone shows the issuer's host")
  func anIssuerProviderShowsItsHost() {
    let idp = Provider(
      id: "idp", authorizeURL: nil, tokenURL: nil, clientID: "app", redirectURI: nil,
      issuer: "https://login.example.com/realms/acme")
    let board = makeBoard([], providers: [idp])
    #expect(board.screen().contains("idp  login.example.com · expires_in"), "\(board.screen())")
  }
}
