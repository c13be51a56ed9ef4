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
    var tokens = TokenSet(accessToken: "at-1", tokenType: "bearer", issuedAt: now, expiresAt: nil)
    #expect(TokenOutput.text(tokens, format: .header, now: now) == "Authorization: Bearer at-1")
    #expect(
      TokenOutput.text(tokens, idToken: "id-1", format: .header, now: now) == "Authorization: Bearer id-1")
    tokens.tokenType = "DPoP"
    #expect(TokenOutput.text(tokens, format: .header, now: now) == "Authorization: DPoP at-1")
    tokens.tokenType = "Bear\ner"
    #expect(TokenOutput.text(tokens, format: .header, now: now) == "Authorization: Bearer at-1")
  }

  @Test("--json has the token, its type, scope and expiry, and never the refresh token")
  func jsonHasTheTokenTypeScopeAndExpiry() throws {
    let tokens = TokenSet(
      accessToken: "at-1", scope: "email profile", refreshToken: "rt-secret", idToken: "id-1", issuedAt: now,
      expiresAt: now.addingTimeInterval(3_599.5))
    let text = TokenOutput.text(tokens, format: .json, now: now)
    #expect(
      text
        == #"{"expires_at":"2026-11-23T14:59:59Z","expires_in":3599,"scope":"email profile","token":"at-1","type":"Bearer"}"#
    )
    #expect(!text.contains("rt-secret") && !text.contains("id-1"))
    let withID = TokenOutput.text(tokens, idToken: "id-1", format: .json, now: now)
    #expect(withID.contains(#""id_token":"id-1""#) && withID.contains(#""token":"at-1""#))
    let unknown = TokenOutput.text(
      TokenSet(accessToken: "at-2", issuedAt: now, expiresAt: nil), format: .json, now: now)
    #expect(unknown == #"{"expires_at":null,"expires_in":null,"scope":null,"token":"at-2","type":"Bearer"}"#)
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

  @Test("time left is hours and minutes rounded up, and days past a day")
  func timeLeftIsHoursAndMinutesRoundedUp() {
    #expect(StatusLine.left(30) == "0:01")
    #expect(StatusLine.left(60) == "0:01")
    #expect(StatusLine.left(61) == "0:02")
    #expect(StatusLine.left(7 * 3600 + 50 * 60) == "7:50")
    #expect(StatusLine.left(28 * 3600) == "1d4h")
    #expect(StatusLine.left(48 * 3600) == "2d")
  }

  @Test("status --json has each session's state and remaining seconds, null when unknown, no secret")
  func statusJSONHasEachSessionsStateAndRemainingSeconds() throws {
    let sessions = [
      session("lime/main", expiresIn: 90.5), session("lime/old", expiresIn: -5),
      session("x/y", expiresIn: nil),
    ]
    let text = StatusLine.json(sessions, now: now)
    #expect(!text.contains("secret"))
    let parsed = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]])
    #expect(parsed.map { $0["state"] as? String } == ["valid", "expired", "valid"])
    #expect(parsed.map { $0["remaining"] as? Int } == [90, 0, nil])
    #expect(parsed[2]["remaining"] is NSNull && parsed[2]["expires_at"] is NSNull)
    #expect(parsed.map { $0["needs_login"] as? Bool } == [false, true, false])
    #expect(StatusLine.json([], now: now) == "[]")
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
    let missing: [SessionWait.Missing] = [
      (main, session("lime/main", expiresIn: -7200)), (ops, nil),
      (SessionID(provider: "acme", account: "out"), session("acme/out", expiresIn: nil, tokens: false)),
    ]
    #expect(
      WaitText.timedOut(after: 90, missing: missing, now: now)
        == "timed out after 1m30s; still to log in: lime/main (expired 2h 0m ago), acme/ops (never logged in), acme/out (logged out)"
    )
  }

  // MARK: exit statuses

  @Test("the exit status table states the codes the errors really exit with")
  func theExitStatusTableStatesTheCodesTheErrorsReallyExitWith() {
    let table = ExitStatusText.table
    for error in [AuthDeckError.usage(""), .config(""), .loginRequired(""), .network(""), .store("")] {
      #expect(table.contains("\n  \(error.exitCode) "), "\(error.kind) exits \(error.exitCode)")
    }
    for status in ["0 ", "126 ", "127 ", "128+N "] { #expect(table.contains("\n  \(status)")) }
    #expect(table.split(separator: "\n").allSatisfy { $0.count <= 80 }, "fits the help screen unwrapped")
  }
}
