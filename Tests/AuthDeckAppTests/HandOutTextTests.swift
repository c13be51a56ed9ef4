import AuthDeckCore
import AuthDeckTestSupport
import Foundation
import Testing

@testable import AuthDeckApp

@Suite("What `token`, `status` and `wait` print")
struct HandOutTextTests {
  let now = utc(2026, 11, 23, 14)

  func session(_ id: String, expiresIn: TimeInterval?, refresh: String? = nil, tokens: Bool = true) -> Session
  {
    Session(
      id: try! SessionID(parsing: id),
      tokens: tokens
        ? TokenSet(
          accessToken: "secret-access-\(id)", refreshToken: refresh, idToken: "secret-id",
          issuedAt: now.addingTimeInterval(-60), expiresAt: expiresIn.map { now.addingTimeInterval($0) })
        : nil)
  }

  // MARK: token

  @Test("--header is a bearer Authorization line, with a non-bearer type kept as the provider named it")
  func headerIsABearerAuthorizationLine() {
    let session = Session(id: SessionID(provider: "lime", account: "main"))
    var tokens = TokenSet(accessToken: "at-1", tokenType: "bearer", issuedAt: now, expiresAt: nil)
    #expect(TokenOutput.text(session, tokens, format: .header, now: now) == "Authorization: Bearer at-1")
    #expect(
      TokenOutput.text(session, tokens, idToken: "id-1", format: .header, now: now)
        == "Authorization: Bearer id-1")
    tokens.tokenType = "DPoP"
    #expect(TokenOutput.text(session, tokens, format: .header, now: now) == "Authorization: DPoP at-1")
    tokens.tokenType = "Bear\ner"
    #expect(TokenOutput.text(session, tokens, format: .header, now: now) == "Authorization: Bearer at-1")
  }

  @Test("--json is the session object with the token, its type and scope added, never the refresh token")
  func jsonIsTheSessionObjectWithTheToken() throws {
    let tokens = TokenSet(
      accessToken: "at-1", scope: "email profile", refreshToken: "rt-secret", idToken: "id-1", issuedAt: now,
      expiresAt: now.addingTimeInterval(3_599.5))
    let session = Session(id: SessionID(provider: "acme", account: "ops"), tokens: tokens)
    let text = TokenOutput.text(session, tokens, format: .json(expiringWithin: 900), now: now)
    #expect(
      text
        == #"{"account":"ops","expires_at":"2026-11-23T14:59:59Z","expires_in":3599,"id":"acme/ops","issued_at":"2026-11-23T14:00:00Z","login_reason":null,"needs_login":false,"pending_until":null,"provider":"acme","refresh_expires_at":null,"refreshable":true,"refusal":null,"scope":"email profile","state":"valid","token":"at-1","type":"Bearer","version":1}"#
    )
    #expect(!text.contains("rt-secret") && !text.contains("id-1"))
    let withID = TokenOutput.text(
      session, tokens, idToken: "id-1", format: .json(expiringWithin: 900), now: now)
    #expect(withID.contains(#""id_token":"id-1""#) && withID.contains(#""token":"at-1""#))
    let unknown = TokenSet(accessToken: "at-2", issuedAt: now, expiresAt: nil)
    let plain = TokenOutput.text(
      Session(id: SessionID(provider: "x", account: "y"), tokens: unknown), unknown,
      format: .json(expiringWithin: 900), now: now)
    #expect(plain.contains(#""expires_at":null,"expires_in":null"#) && plain.contains(#""scope":null"#))
  }

  // MARK: status

  @Test("the status line gives each provider its shortest time, ✗ where a login is needed, and a count")
  func theStatusLineGivesEachProviderItsShortestTime() {
    let sessions = [
      session("lime/main", expiresIn: 7 * 3600 + 49 * 60 + 10),
      session("lime/ops", expiresIn: 20 * 3600),
      session("acme/a", expiresIn: -60),
      session("acme/b", expiresIn: 3600, tokens: false),
      session("limio/x", expiresIn: -60, refresh: "rt"),  // renews itself
      session("forever/y", expiresIn: nil),
    ].sortedByID()
    #expect(StatusLine.line(sessions, now: now) == "acme ✗ · forever ✓ · lime 7:50 · limio ✓ · 2 to log in")
    #expect(StatusLine.line([session("lime/a", expiresIn: 3600)], now: now) == "lime 1:00")
    #expect(StatusLine.line([], now: now) == "")
  }

  @Test("a session that renews itself needs a person when its refresh token dies: that is its time")
  func refreshEndInTheStatusLine() {
    var ops = session("acme/ops", expiresIn: 3_600, refresh: "rt")
    ops.tokens?.refreshExpiresAt = now.addingTimeInterval(5 * 3_600)
    #expect(StatusLine.line([ops], now: now) == "acme 5:00")
    ops.tokens?.refreshExpiresAt = now.addingTimeInterval(-60)
    #expect(StatusLine.line([ops], now: now) == "acme 1:00", "past it, the token's own end")
  }

  @Test("time left is hours and minutes rounded up, and days past a day")
  func timeLeftIsHoursAndMinutesRoundedUp() {
    #expect(StatusLine.left(30) == "0:01")
    #expect(StatusLine.left(60) == "0:01")
    #expect(StatusLine.left(61) == "0:02")
    #expect(StatusLine.left(7 * 3600 + 50 * 60) == "7:50")
    #expect(StatusLine.left(28 * 3600) == "1d4h")
    #expect(StatusLine.left(48 * 3600) == "2d")
  }

  // MARK: wait

  @Test("wait says what it waits for, and at its timeout what is still missing and why")
  func waitSaysWhatItWaitsFor() {
    let main = SessionID(provider: "lime", account: "main")
    let ops = SessionID(provider: "acme", account: "ops")
    #expect(
      WaitText.waiting(for: [main])
        == "waiting for lime/main to be logged in (run: authdeck login lime/main, or log in on the board)")
    #expect(
      WaitText.waiting(for: [main, ops]).hasPrefix("waiting for lime/main and acme/ops to be logged in"))
    let expired = session("lime/main", expiresIn: -7200)
    let out = session("acme/out", expiresIn: nil, tokens: false)
    let missing: [SessionWait.Missing] = [
      (main, expired, expired.loginReason(at: now)!), (ops, nil, .neverLoggedIn),
      (out.id, out, out.loginReason(at: now)!),
    ]
    let text = WaitText.timedOut(after: 90, missing: missing, now: now)
    #expect(text.hasPrefix("timed out after 1m30s; still to log in: lime/main (expired "))
    #expect(text.hasSuffix("(2h 0m ago)), acme/ops (has never logged in), acme/out (has no token)"))
  }

  // MARK: exit statuses

  @Test("the exit status table states the codes the errors really exit with")
  func theExitStatusTableStatesTheCodesTheErrorsReallyExitWith() {
    let table = ExitStatusText.table
    let needed = LoginRequired(SessionID(provider: "a", account: "b"), .noToken, at: now)
    for error in [AuthDeckError.usage(""), .config(""), .loginRequired(needed), .network(""), .store("")] {
      #expect(table.contains("\n  \(error.exitCode) "), "\(error.kind) exits \(error.exitCode)")
    }
    for status in ["0 ", "126 ", "127 ", "128+N "] { #expect(table.contains("\n  \(status)")) }
    #expect(
      table.split(separator: "\n").allSatisfy { $0.count <= ExitStatusText.width },
      "fits the help screen and the man page unwrapped")
  }
}
