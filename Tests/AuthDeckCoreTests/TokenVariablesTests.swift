import AuthDeckTestSupport
import Foundation
import Testing

@testable import AuthDeckCore

@Suite("exec: the variables a session is handed over in")
struct TokenVariablesTests {
  static func ids(_ texts: String...) -> [SessionID] { texts.map { try! SessionID(parsing: $0) } }

  static func names(_ ids: [SessionID], tokenEnv: [String: String] = [:]) throws(AuthDeckError) -> [String] {
    try TokenVariables.names(for: ids) { tokenEnv[$0] }.map(\.token)
  }

  @Test("one session without token_env is AUTHDECK_TOKEN, with its expiry and id token beside it")
  func oneSessionWithoutTokenEnvIsAUTHDECKTOKEN() throws {
    let variables = try TokenVariables.names(for: Self.ids("lime/main")) { _ in nil }
    #expect(variables.map(\.token) == ["AUTHDECK_TOKEN"])
    #expect(variables[0].expiresAt == "AUTHDECK_TOKEN_EXPIRES_AT")
    #expect(variables[0].idToken == "AUTHDECK_TOKEN_ID_TOKEN")
  }

  @Test("token_env names the variable, for one session or several")
  func tokenEnvNamesTheVariable() throws {
    #expect(try Self.names(Self.ids("lime/main"), tokenEnv: ["lime": "LIME_API_TOKEN"]) == ["LIME_API_TOKEN"])
    #expect(
      try Self.names(Self.ids("lime/main", "acme/ops"), tokenEnv: ["lime": "LIME_API_TOKEN"])
        == ["LIME_API_TOKEN", "ACME_TOKEN"])
  }

  @Test("several sessions are PROVIDER_TOKEN, and two of one provider add the account")
  func severalSessionsArePROVIDERTOKENAndTwoOfOneProviderAddTheAccount() throws {
    #expect(try Self.names(Self.ids("lime/main", "acme-eu/ops")) == ["LIME_TOKEN", "ACME_EU_TOKEN"])
    #expect(
      try Self.names(Self.ids("lime/main", "lime/bot.1", "acme/x"), tokenEnv: ["lime": "LIME"])
        == ["LIME_MAIN", "LIME_BOT_1", "ACME_TOKEN"])
    #expect(try Self.names(Self.ids("1pass/a", "x/b")) == ["_1PASS_TOKEN", "X_TOKEN"])
    #expect(try Self.names(Self.ids("lime/zoë", "lime/a")) == ["LIME_TOKEN_ZO_", "LIME_TOKEN_A"])
  }

  @Test("two sessions that would share a variable are refused, naming both")
  func twoSessionsThatWouldShareAVariableAreRefused() {
    let sameAccount = thrownError { () throws(AuthDeckError) in
      try Self.names(Self.ids("lime/a.b", "lime/a-b"))
    }
    #expect(sameAccount?.kind == "usage")
    #expect(
      sameAccount?.description.contains("lime/a.b and lime/a-b") == true, "\(String(describing: sameAccount))"
    )
    #expect(sameAccount?.description.contains("LIME_TOKEN_A_B") == true)

    let sameTokenEnv = thrownError { () throws(AuthDeckError) in
      try Self.names(Self.ids("lime/x", "acme/y"), tokenEnv: ["lime": "API", "acme": "API"])
    }
    #expect(sameTokenEnv?.kind == "usage")

    // One provider's token_env is another's expiry variable.
    let crossed = thrownError { () throws(AuthDeckError) in
      try Self.names(Self.ids("lime/x", "acme/y"), tokenEnv: ["lime": "API", "acme": "API_EXPIRES_AT"])
    }
    #expect(crossed?.description.contains("API_EXPIRES_AT") == true, "\(String(describing: crossed))")
  }

  @Test("a variable name is what a POSIX shell accepts")
  func aVariableNameIsWhatAPOSIXShellAccepts() {
    for valid in ["A", "_", "LIME_TOKEN", "token2", "_9"] {
      #expect(EnvironmentName.isValid(valid), "\(valid)")
    }
    for invalid in ["", "9LIVES", "LIME-TOKEN", "A B", "A=B", "ÄPI", "$X"] {
      #expect(!EnvironmentName.isValid(invalid), "\(invalid)")
    }
  }
}

@Suite("exec: the environment COMMAND starts with")
struct ChildEnvironmentTests {
  static let id = SessionID(provider: "lime", account: "main")
  static let expiry = Date(timeIntervalSince1970: 1_790_000_000.75)

  static func handed(expiresAt: Date?, idToken: String? = nil) -> HandedSession {
    HandedSession(
      variables: TokenVariables(id: id, token: "LIME_TOKEN"),
      tokens: TokenSet(
        accessToken: "at-1", refreshToken: "rt-secret", idToken: "id-1", issuedAt: expiry - 3600,
        expiresAt: expiresAt),
      idToken: idToken)
  }

  @Test("client secrets and AuthDeck's own variables are withheld; where config and store are is kept")
  func clientSecretsAndAuthDecksOwnVariablesAreWithheld() {
    let inherited = [
      "PATH": "/bin", "HOME": "/home/u", "LIME_CLIENT_SECRET": "s3cret", "AUTHDECK_TEST_SECRET": "s3cret",
      "AUTHDECK_CONFIG": "/c.toml", "AUTHDECK_STORE": "/store", "AUTHDECK_TOKEN": "outer-token",
    ]
    let environment = ChildEnvironment(inherited: inherited, withholding: ["LIME_CLIENT_SECRET"])
      .handing([Self.handed(expiresAt: Self.expiry)])
    #expect(
      environment == [
        "PATH": "/bin", "HOME": "/home/u", "AUTHDECK_CONFIG": "/c.toml", "AUTHDECK_STORE": "/store",
        "LIME_TOKEN": "at-1", "LIME_TOKEN_EXPIRES_AT": "1790000000",
        "AUTHDECK_HANDED": "LIME_TOKEN,LIME_TOKEN_EXPIRES_AT",
      ])
    #expect(!environment.values.contains("rt-secret"))
  }

  @Test("an unknown expiry is absent, not left over from an outer exec; the id token only when asked")
  func anUnknownExpiryIsAbsent() {
    let inherited = ["LIME_TOKEN_EXPIRES_AT": "1", "LIME_TOKEN_ID_TOKEN": "old", "LIME_TOKEN": "old"]
    let plain = ChildEnvironment(inherited: inherited, withholding: []).handing([Self.handed(expiresAt: nil)])
    #expect(plain == ["LIME_TOKEN": "at-1", "AUTHDECK_HANDED": "LIME_TOKEN"])
    let withID = ChildEnvironment.empty.handing([Self.handed(expiresAt: nil, idToken: "id-1")])
    #expect(
      withID == [
        "LIME_TOKEN": "at-1", "LIME_TOKEN_ID_TOKEN": "id-1",
        "AUTHDECK_HANDED": "LIME_TOKEN,LIME_TOKEN_ID_TOKEN",
      ])
  }

  @Test("a nested exec drops every name the outer exec handed over, and lists only its own")
  func aNestedExecDropsWhatTheOuterHandedOver() {
    // What `authdeck exec lime/main acme/ops -- …` gave its COMMAND, which runs exec again.
    let outer = [
      "PATH": "/bin", "AUTHDECK_STORE": "/store", "LIME_TOKEN": "outer-lime", "LIME_TOKEN_EXPIRES_AT": "1",
      "ACME_TOKEN": "outer-acme", "ACME_TOKEN_EXPIRES_AT": "2", "ACME_TOKEN_ID_TOKEN": "outer-id",
      "AUTHDECK_HANDED":
        "LIME_TOKEN,LIME_TOKEN_EXPIRES_AT,ACME_TOKEN,ACME_TOKEN_EXPIRES_AT,ACME_TOKEN_ID_TOKEN",
    ]
    let inner = HandedSession(
      variables: TokenVariables(id: Self.id, token: "AUTHDECK_TOKEN"),
      tokens: TokenSet(accessToken: "at-1", issuedAt: Self.expiry - 3600, expiresAt: Self.expiry))
    #expect(
      ChildEnvironment(inherited: outer, withholding: []).handing([inner]) == [
        "PATH": "/bin", "AUTHDECK_STORE": "/store", "AUTHDECK_TOKEN": "at-1",
        "AUTHDECK_TOKEN_EXPIRES_AT": "1790000000",
        "AUTHDECK_HANDED": "AUTHDECK_TOKEN,AUTHDECK_TOKEN_EXPIRES_AT",
      ])

    // The list names variables, never where AuthDeck's configuration and store are.
    let odd = ["AUTHDECK_STORE": "/store", "AUTHDECK_HANDED": "AUTHDECK_STORE,,LIME_TOKEN"]
    #expect(
      ChildEnvironment(inherited: odd, withholding: []).handing([inner])["AUTHDECK_STORE"] == "/store")
  }
}
