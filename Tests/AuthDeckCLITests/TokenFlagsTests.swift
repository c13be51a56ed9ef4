import AuthDeckTestSupport
import Foundation
import Testing

/// `authdeck token ID` with --header, --json, --id-token and --min-valid (the plain form has
/// its tests in CLITests).
@Suite("authdeck token's flags")
struct TokenFlagsTests {
  @Test("--header prints an Authorization line that curl -H @- can read")
  func headerPrintsAnAuthorizationLine() throws {
    try withServer(.limio) { server in
      try withSandbox(config: TestConfig.limio(server)) { box in
        #expect(try box.run(["login", "svc/bot"]).status == 0)
        let issued = try #require(try server.issuedAccessTokens().last)
        let result = try box.run(["token", "svc/bot", "--header"])
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout == "Authorization: Bearer \(issued)\n")
        #expect(result.stderr.isEmpty)
      }
    }
  }

  @Test("--json is the session object with token, type and scope, and no refresh or id token")
  func jsonHasTokenTypeScopeAndExpiry() throws {
    try withServer(.limio) { server in
      try withSandbox(config: TestConfig.limio(server)) { box in
        try CLITests.pasteLogin(box, server, "limio/ops")
        let stored = try #require(StoreFormat.tokens(box.sessionPath("limio/ops")))
        let result = try box.run(["token", "--json", "limio/ops"])
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.hasSuffix("}\n") && result.stdout.split(separator: "\n").count == 1)
        let object = try #require(
          try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(Set(object.keys) == SessionObject.keys.union(["token", "type", "scope"]))
        #expect(object["version"] as? Int == 1 && object["id"] as? String == "limio/ops")
        #expect(object["token"] as? String == stored["access_token"] as? String)
        #expect(object["type"] as? String == "Bearer")
        #expect((object["expires_at"] as? String)?.hasSuffix("Z") == true)
        #expect((3000...3600).contains(object["expires_in"] as? Int ?? -1), "\(object)")
        for secret in ["refresh_token", "id_token"] {
          let value = try #require(stored[secret] as? String)
          #expect(!result.stdout.contains(value), "\(secret) in token --json")
        }
        #expect(!result.stdout.contains("refresh_token"))

        let both = try box.run(["token", "--json", "--header", "limio/ops"])
        #expect(both.status == 64, "\(both)")
        #expect(both.stderr.contains("--header and --json"))
      }
    }
  }

  @Test("--id-token prints the id token, or says there is none with exit 3")
  func idTokenPrintsTheIDToken() throws {
    try withServer(.limio) { server in
      try withSandbox(config: TestConfig.limio(server) + TestConfig.lime(server)) { box in
        try CLITests.pasteLogin(box, server, "limio/ops")
        let idToken = try #require(StoreFormat.tokens(box.sessionPath("limio/ops"))?["id_token"] as? String)
        let result = try box.run(["token", "limio/ops", "--id-token"])
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout == idToken + "\n")

        #expect(try box.run(["login", "svc/bot"]).status == 0)
        let none = try box.run(["token", "svc/bot", "--id-token"])
        #expect(none.status == 3, "\(none)")
        #expect(none.stdout.isEmpty)
        #expect(
          none.stderrLines == [
            "authdeck: svc/bot: has no id token: the provider sent none (a login with scope \"openid\" gets one; client credentials never do)"
          ])
      }
    }
  }

  @Test("--min-valid refreshes a token with too little left, and exits 3 when even a new one is too short")
  func minValidRefreshesATokenWithTooLittleLeft() throws {
    try withServer(.limio) { server in
      try withSandbox(config: TestConfig.limio(server)) { box in
        let path = try CLITests.logIn(box, server, "limio/ops", thenExpiringIn: 600)
        let old = try #require(StoreFormat.tokens(path)?["access_token"] as? String)
        func refreshes() throws -> Int {
          try server.tokenRequests().filter { $0.grantType == "refresh_token" }.count
        }

        // Ten minutes are plenty for the plain token, not for 30m.
        #expect(try box.run(["token", "limio/ops"]).stdout == old + "\n")
        let longer = try box.run(["token", "limio/ops", "--min-valid", "30m"])
        #expect(longer.status == 0, "\(longer)")
        #expect(longer.stdout != old + "\n")
        #expect(longer.stdout == (try server.issuedAccessTokens().last ?? "?") + "\n")
        #expect(try refreshes() == 1)

        // The server's tokens last an hour: two hours cannot be had.
        let tooLong = try box.run(["token", "limio/ops", "--min-valid", "1h30m"])
        #expect(tooLong.status == 3, "\(tooLong)")
        #expect(tooLong.stdout.isEmpty)
        #expect(tooLong.stderrLines.count == 1)
        #expect(tooLong.stderr.contains("less than the 1h30m asked for"), "\(tooLong)")
        #expect(try refreshes() == 2, "it tried a refresh first")
      }
    }
  }

  @Test("a bad duration is refused the argument parser's way, with exit 64 and nothing sent")
  func aBadDurationIsRefused() throws {
    try withServer(.limio) { server in
      try withSandbox(config: TestConfig.limio(server)) { box in
        let result = try box.run(["token", "svc/bot", "--min-valid", "2x"])
        #expect(result.status == 64, "\(result)")
        #expect(result.stdout.isEmpty)
        #expect(
          result.stderr.hasPrefix(
            "Error: The value '2x' is invalid for '--min-valid <duration>': write a duration like 90s, 15m, 2h or 1h30m"
          ), "\(result)")
        #expect(try server.tokenRequests().isEmpty)
      }
    }
  }
}
