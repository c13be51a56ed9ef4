import AuthDeckApp
import AuthDeckCore
import AuthDeckTestSupport
import Foundation
import Testing

@Suite("What `authdeck list` prints")
struct ListingTextTests {
  let now = utc(2026, 11, 23, 14)

  func sessions() -> [Session] {
    [
      Session(
        id: SessionID(provider: "lime", account: "main"),
        tokens: TokenSet(
          accessToken: "secret-access", refreshToken: "secret-refresh", idToken: "secret-id",
          issuedAt: now.addingTimeInterval(-60), expiresAt: now.addingTimeInterval(3_600))),
      Session(id: SessionID(provider: "acme", account: "new")),
    ].sortedByID()
  }

  @Test("--json is an array of session objects, indented, keys sorted, never a secret")
  func json() throws {
    let text = SessionJSON.array(sessions(), now: now, expiringWithin: 900)
    for secret in ["secret-access", "secret-refresh", "secret-id"] { #expect(!text.contains(secret)) }
    let parsed = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]])
    #expect(parsed.map { $0["id"] as? String } == ["acme/new", "lime/main"])
    #expect(parsed[0]["expires_at"] is NSNull && parsed[0]["state"] as? String == "none")
    #expect(parsed[0]["needs_login"] as? Bool == true && parsed[0]["login_reason"] as? String == "no_token")
    #expect(parsed[1]["expires_at"] as? String == "2026-11-23T15:00:00Z")
    #expect(parsed[1]["refreshable"] as? Bool == true)
    #expect(text.hasPrefix("[\n  {\n    \"account\": \"new\",\n"))
  }

  @Test("the array written object by object is the same JSON as the session objects pretty-printed")
  func arrayIsTheObjectsPrettyPrinted() {
    var refused = sessions()[1]
    refused.refusal = Refusal(
      .refreshRefused, said: ProviderError(code: "invalid_grant", description: "no \"quotes\""), at: now)
    let all = sessions() + [refused]
    let expected = JSONValue.array(all.map { .object(SessionJSON.object($0, now: now, expiringWithin: 900)) })
    #expect(SessionJSON.array(all, now: now, expiringWithin: 900) == expected.prettyPrinted)
  }

  @Test("an empty store lists as an empty JSON array")
  func emptyJSON() {
    #expect(SessionJSON.array([], now: now, expiringWithin: 900) == "[]")
  }

  @Test("the table pads by column and shows what each session needs")
  func table() {
    let text = SessionListing.table(sessions(), now: now, expiringWithin: 900)
    let lines = text.split(separator: "\n")
    #expect(lines.first?.hasPrefix("ID         STATUS  EXPIRES") == true)
    #expect(lines.first?.hasSuffix("REMAINING  REFRESH") == true)
    #expect(lines[1].hasPrefix("acme/new   none    -"))
    #expect(lines[2].hasPrefix("lime/main  valid   ") && lines[2].hasSuffix("1:00:00    yes"))
  }

  @Test(
    "wide and combining account names keep the columns in line (bug: padded by characters)",
    arguments: ["東京", "😀x", "cafe\u{301}", "ascii"])
  func tablePadsByDisplayWidth(account: String) {
    let sessions = [
      Session(id: SessionID(provider: "svc", account: account)),
      Session(id: SessionID(provider: "svc", account: "b")),
    ]
    let lines = SessionListing.table(sessions, now: now, expiringWithin: 900).split(separator: "\n").map(
      String.init)
    // Every row's STATUS cell starts in the header's STATUS column.
    let header = DisplayWidth.of(String(lines[0][..<lines[0].range(of: "STATUS")!.lowerBound]))
    for line in lines.dropFirst() {
      let cell = line.range(of: "none")!.lowerBound
      #expect(DisplayWidth.of(String(line[..<cell])) == header, "\(lines)")
    }
  }
}
