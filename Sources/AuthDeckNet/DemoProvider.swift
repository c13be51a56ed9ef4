import AuthDeckCore
import Foundation
import Synchronization

/// A real OAuth authorization server on 127.0.0.1, in the same process, for `authdeck demo`:
/// an authorize page with Approve and Deny, a token endpoint (authorization code with PKCE,
/// refresh with rotation, client credentials), short lifetimes, and a daily cutoff a few
/// minutes ahead, so a newcomer sees countdowns run out with no account anywhere.
public final class DemoProvider: Sendable {
  public static let clientID = "authdeck-demo"
  public static let clientSecret = "demo-secret: not a real one"
  public let server: LoopbackHTTPServer
  private let codes = Mutex<[String: (redirectURI: String, challenge: String?, issued: Date)]>([:])
  private let refreshTokens = Mutex<Set<String>>([])
  private let tokenLifetime: Int
  private let random = SystemRandom()

  public init(tokenLifetime: Int = 180) throws(AuthDeckError) {
    server = try LoopbackHTTPServer(port: 0)
    self.tokenLifetime = tokenLifetime
  }

  public var baseURL: String { "http://127.0.0.1:\(server.port)" }

  /// Serves on a background thread for the life of the process.
  public func start() {
    Thread.detachNewThread { [self] in
      server.serve { request in (self.respond(to: request), false) }
    }
  }

  /// The demo's providers: one caught on loopback, one pasted, one service; the cutoff
  /// is a few minutes ahead so that it can be seen to strike.
  public func configuration(loopbackPort: UInt16, now: Date) -> Configuration {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: "UTC")!
    let cutoffTime = calendar.dateComponents([.hour, .minute], from: now.addingTimeInterval(6 * 60))
    let cutoff = DailyCutoff(
      hour: cutoffTime.hour ?? 0, minute: cutoffTime.minute ?? 0, timeZone: calendar.timeZone)
    let authorize = URL(string: baseURL + "/authorize")!
    let token = URL(string: baseURL + "/token")!
    return Configuration(
      providers: [
        Provider(
          id: "demo", name: "Demo (loopback)", authorizeURL: authorize, tokenURL: token,
          clientID: Self.clientID,
          secret: .inline(Self.clientSecret), clientAuth: .basic,
          redirectURI: URL(string: "http://127.0.0.1:\(loopbackPort)/callback"), scope: "openid",
          dailyExpiry: cutoff),
        Provider(
          id: "demo-paste", name: "Demo (paste)", authorizeURL: authorize, tokenURL: token,
          clientID: Self.clientID,
          secret: .inline(Self.clientSecret), clientAuth: .post,
          redirectURI: URL(string: "https://localhost/demo-callback"),
          dailyExpiry: cutoff),
        Provider(
          id: "demo-service", name: "Demo service", authorizeURL: nil, tokenURL: token,
          clientID: Self.clientID,
          secret: .inline(Self.clientSecret), clientAuth: .basic, redirectURI: nil, grant: .clientCredentials),
      ], expiringWithin: 60)
  }

  // MARK: Endpoints

  private func respond(to request: ServerRequest) -> ServerResponse {
    switch (request.method, request.path) {
    case ("GET", "/authorize"): return authorizePage(request)
    case ("GET", "/decide"): return decide(request)
    case ("POST", "/token"): return token(request)
    default: return .text(404, "Not found\n")
    }
  }

  private func fields(_ query: Substring) -> [String: String] {
    Dictionary(
      (FormEncoding.decode(query) ?? []).map { ($0.0, $0.1) }, uniquingKeysWith: { first, _ in first })
  }

  private func authorizePage(_ request: ServerRequest) -> ServerResponse {
    let query = fields(request.query)
    guard query["client_id"] == Self.clientID, query["response_type"] == "code",
      let redirect = query["redirect_uri"],
      redirect.hasPrefix("http://127.0.0.1:") || redirect == "https://localhost/demo-callback"
    else {
      return .html(400, "<p>Unknown client or redirect_uri.</p>")
    }
    let carried = FormEncoding.escape(String(request.query))
    return .html(
      200,
      """
      <!doctype html><html><head><meta charset="utf-8"><title>AuthDeck demo login</title>
      <style>body{font:16px system-ui,sans-serif;margin:4em auto;max-width:30em}a{display:inline-block;
      padding:.5em 1.5em;margin-right:1em;border:1px solid #444;border-radius:4px;text-decoration:none}</style></head>
      <body><h1>Demo provider</h1><p>AuthDeck's demo asks to sign you in. No account is needed.</p>
      <a id="approve" href="/decide?approve=1&amp;q=\(carried)">Approve</a>
      <a id="deny" href="/decide?approve=0&amp;q=\(carried)">Deny</a></body></html>
      """)
  }

  private func decide(_ request: ServerRequest) -> ServerResponse {
    let outer = fields(request.query)
    let query = fields(Substring(outer["q"] ?? ""))
    guard let redirect = query["redirect_uri"] else { return .text(400, "Bad request\n") }
    var answer: [(String, String)]
    if outer["approve"] == "1" {
      let code = Base64URL.encode(random.bytes(16))
      codes.withLock { $0[code] = (redirect, query["code_challenge"], Date()) }
      answer = [("code", code)]
    } else {
      answer = [("error", "access_denied"), ("error_description", "The demo user said no")]
    }
    if let state = query["state"] { answer.append(("state", state)) }
    return ServerResponse(
      status: 302,
      headers: [
        ("Location", redirect + "?" + FormEncoding.encode(answer)), ("Referrer-Policy", "no-referrer"),
      ])
  }

  private func token(_ request: ServerRequest) -> ServerResponse {
    let form = fields(Substring(String(decoding: request.body, as: UTF8.self)))
    let basic =
      request.headers["authorization"]
      == ClientSecretBasic.header(clientID: Self.clientID, clientSecret: Self.clientSecret)
    let posted = form["client_id"] == Self.clientID && form["client_secret"] == Self.clientSecret
    guard basic || posted else { return .json(401, ["error": "invalid_client"]) }
    switch form["grant_type"] {
    case "authorization_code":
      let entry = codes.withLock { $0.removeValue(forKey: form["code"] ?? "") }
      guard let entry, Date().timeIntervalSince(entry.issued) < 300, entry.redirectURI == form["redirect_uri"]
      else {
        return .json(400, ["error": "invalid_grant", "error_description": "unknown, used or expired code"])
      }
      if let challenge = entry.challenge, PKCE(verifier: form["code_verifier"] ?? "").challenge != challenge {
        return .json(400, ["error": "invalid_grant", "error_description": "PKCE verification failed"])
      }
      return issue(withRefresh: true)
    case "refresh_token":
      let known = refreshTokens.withLock { $0.remove(form["refresh_token"] ?? "") != nil }
      guard known else {
        return .json(400, ["error": "invalid_grant", "error_description": "refresh token not valid"])
      }
      return issue(withRefresh: true)
    case "client_credentials":
      return issue(withRefresh: false)
    default:
      return .json(400, ["error": "unsupported_grant_type"])
    }
  }

  private func issue(withRefresh: Bool) -> ServerResponse {
    var body: [String: JSONValue] = [
      "access_token": .string("demo-" + Base64URL.encode(random.bytes(24))), "token_type": "Bearer",
      "expires_in": .number(Double(tokenLifetime)),
    ]
    if withRefresh { body["refresh_token"] = .string(newRefreshToken()) }
    return .json(200, body)
  }

  /// A refresh token this server will honour once (rotation); the demo seeds a session with one.
  public func newRefreshToken() -> String {
    let refresh = Base64URL.encode(random.bytes(24))
    refreshTokens.withLock { _ = $0.insert(refresh) }
    return refresh
  }
}
