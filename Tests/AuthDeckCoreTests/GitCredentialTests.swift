import AuthDeckTestSupport
import Foundation
import Testing

@testable import AuthDeckCore

@Suite("git-credential: git's request, the answer, and which session serves a host")
struct GitCredentialTests {
  static func request(_ text: String) throws(AuthDeckError) -> GitCredentialRequest {
    try GitCredentialRequest(parsing: Array(text.utf8))
  }

  // MARK: The request

  @Test("git's lines give the protocol and the host, lower-cased, with the port when there is one")
  func gitsLinesGiveProtocolAndHost() throws {
    let request = try Self.request(
      "protocol=HTTPS\nhost=Git.Example.com:8443\npath=org/repo.git\nusername=a\n\n")
    #expect(request == GitCredentialRequest(scheme: "https", host: "git.example.com:8443"))
    #expect(request.hostName == "git.example.com")
  }

  @Test("CR LF line ends are read as LF, the end of input ends the request, and a value may hold '='")
  func crlfAndEndOfInput() throws {
    #expect(
      try Self.request("protocol=https\r\nhost=git.example.com\r\n\r\n")
        == GitCredentialRequest(scheme: "https", host: "git.example.com"))
    #expect(try Self.request("protocol=https\nhost=a.example").host == "a.example")
    #expect(try Self.request("host=a.example\nwwwauth[]=Bearer realm=\"x\"\n").host == "a.example")
  }

  @Test("nothing after the empty line is read, and a later line wins")
  func nothingAfterTheEmptyLine() throws {
    #expect(try Self.request("host=a.example\n\nhost=b.example\nnot key value\n").host == "a.example")
    #expect(try Self.request("host=a.example\nhost=b.example\n").host == "b.example")
  }

  @Test("a missing host or protocol is no host of ours")
  func missingHostOrProtocol() throws {
    for text in ["protocol=https\n\n", "host=git.example.com\n\n", "", "\n"] {
      let request = try Self.request(text)
      #expect(
        try GitCredentialRoute.route(request, providers: Self.providers) { _ in [] } == .notOurs,
        "\(text.debugDescription)")
    }
  }

  @Test("a line without '=' makes the request malformed, and is not repeated in the message")
  func aLineWithoutEqualsIsMalformed() {
    for text in ["protocol=https\nhunter2\n\n", "protocol https\n", "host=a\r\nhunter2\r\n"] {
      let error = thrownError { () throws(AuthDeckError) in try Self.request(text) }
      #expect(error?.exitCode == 64, "\(text.debugDescription)")
      #expect(error?.description == "git's request has a line that is not key=value")
    }
  }

  @Test("a request is whole once an empty line (LF or CR LF) has come")
  func aRequestIsWholeOnceAnEmptyLineHasCome() {
    func complete(_ text: String) -> Bool { GitCredentialRequest.isComplete(Array(text.utf8)) }
    #expect(!complete(""))
    #expect(!complete("protocol=https\nhost=a"))
    #expect(!complete("protocol=https\nhost=a\n"))
    #expect(!complete("protocol=https\n\r"))
    #expect(complete("protocol=https\nhost=a\n\n"))
    #expect(complete("protocol=https\r\nhost=a\r\n\r\n"))
    #expect(complete("\n"))
  }

  @Test("a token travels over https, or over http to 127.0.0.0/8 or ::1 only")
  func aTokenTravelsOverHTTPSOrLoopbackHTTP() throws {
    let safe = ["https|git.example.com", "http|127.0.0.1:8080", "http|127.0.0.1", "http|[::1]:3000"]
    let unsafe = [
      "http|git.example.com", "http|127.0.0.1.evil.example", "http|localhost:8080", "ssh|git.example.com",
      "ftp|127.0.0.1",
    ]
    for pair in safe + unsafe {
      let parts = pair.split(separator: "|").map(String.init)
      let request = GitCredentialRequest(scheme: parts[0], host: parts[1])
      #expect(request.isSafeForTokens == safe.contains(pair), "\(pair)")
    }
  }

  // MARK: The answer

  @Test("the answer is the user name, the access token and its expiry in Unix seconds, nothing else")
  func theAnswer() {
    let tokens = TokenSet(
      accessToken: "at-1", refreshToken: "refresh-secret", idToken: "id-secret",
      issuedAt: utc(2026, 11, 23, 13),
      expiresAt: Date(timeIntervalSince1970: 1_795_000_000.75))
    let answer = GitCredentialAnswer(username: "oauth2", tokens: tokens)
    #expect(answer.text == "username=oauth2\npassword=at-1\npassword_expiry_utc=1795000000\n")
    var unknownEnd = tokens
    unknownEnd.expiresAt = nil
    #expect(GitCredentialAnswer(username: "x", tokens: unknownEnd).text == "username=x\npassword=at-1\n")
  }

  // MARK: Which session

  static func provider(_ id: String, git: GitCredentialSettings?) -> Provider {
    var provider = Provider(
      id: id, authorizeURL: URL(string: "https://id.example/authorize"),
      tokenURL: URL(string: "https://id.example/token"), clientID: "c", redirectURI: nil)
    provider.git = git
    return provider
  }

  static let providers = [
    provider("forge", git: GitCredentialSettings(hosts: ["git.example.com"])),
    provider(
      "ci", git: GitCredentialSettings(hosts: ["ci.example.com:8443"], username: "x-token", account: "bot")),
    provider("plain", git: nil),
  ]

  static func route(
    _ host: String, scheme: String = "https", providers: [Provider] = providers, stored: [String] = []
  ) throws(AuthDeckError) -> GitCredentialRoute {
    let ids = stored.map { try! SessionID(parsing: $0) }
    return try GitCredentialRoute.route(
      GitCredentialRequest(scheme: scheme, host: host), providers: providers
    ) {
      provider in ids.filter { $0.provider == provider }
    }
  }

  @Test("a listed host is answered by the provider's only session, under oauth2")
  func aListedHostIsAnsweredByTheOnlySession() throws {
    #expect(
      try Self.route("git.example.com", stored: ["forge/me", "plain/x"])
        == .session(SessionID(provider: "forge", account: "me"), username: "oauth2"))
  }

  @Test("git_account chooses the session, whether or not it is stored, and git_username names the user")
  func gitAccountChoosesTheSession() throws {
    let route = try GitCredentialRoute.route(
      GitCredentialRequest(scheme: "https", host: "ci.example.com:8443"), providers: Self.providers
    ) { (_) throws(AuthDeckError) -> [SessionID] in throw .store("the store is not read") }
    #expect(route == .session(SessionID(provider: "ci", account: "bot"), username: "x-token"))
  }

  @Test("no session, or several without git_account, answers nothing and says which")
  func noSessionOrSeveral() throws {
    #expect(try Self.route("git.example.com") == .noSession(provider: "forge", host: "git.example.com"))
    let several = try Self.route("git.example.com", stored: ["forge/b", "forge/a"])
    #expect(
      several
        == .severalSessions(
          provider: "forge", host: "git.example.com",
          [SessionID(provider: "forge", account: "a"), SessionID(provider: "forge", account: "b")]))
  }

  @Test(
    "an unknown host, another port, plain http or another protocol is not ours, and the store is not read")
  func unknownHostsAreNotOurs() throws {
    for (host, scheme) in [
      ("other.example.com", "https"), ("git.example.com:8443", "https"), ("ci.example.com", "https"),
      ("git.example.com", "http"), ("git.example.com", "ssh"),
    ] {
      let route = try GitCredentialRoute.route(
        GitCredentialRequest(scheme: scheme, host: host), providers: Self.providers
      ) { (_) throws(AuthDeckError) -> [SessionID] in throw .store("the store is not read") }
      #expect(route == .notOurs, "\(scheme)://\(host)")
    }
    #expect(
      try GitCredentialRoute.route(
        GitCredentialRequest(scheme: "https", host: nil), providers: Self.providers
      ) {
        _ in []
      } == .notOurs)
  }

  @Test("a host two providers list is answered by neither")
  func aSharedHostIsAnsweredByNeither() throws {
    let providers =
      Self.providers + [Self.provider("mirror", git: GitCredentialSettings(hosts: ["git.example.com"]))]
    #expect(
      try Self.route("git.example.com", providers: providers, stored: ["forge/me"])
        == .sharedHost(host: "git.example.com", providers: ["forge", "mirror"]))
  }
}
