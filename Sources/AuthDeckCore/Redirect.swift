import Foundation

/// A redirect URL as pasted or as received by the loopback listener, taken apart.
public struct Redirect: Equatable, Sendable {
  public var scheme: String
  public var host: String
  public var port: Int?
  public var path: String
  public var parameters: [String: String]

  public var state: String? { parameters["state"] }

  /// Cleans and parses a paste. Whitespace, line breaks, bracketed-paste markers and quotes or
  /// brackets around it are dropped; duplicated parameters and codes hidden in a fragment are
  /// refused.
  public init(pasted text: String) throws(AuthDeckError) {
    var cleaned = text
    for marker in ["\u{1B}[200~", "\u{1B}[201~", "[200~", "[201~"] {
      cleaned = cleaned.replacingOccurrences(of: marker, with: "")
    }
    cleaned = String(cleaned.unicodeScalars.filter { !$0.properties.isWhitespace && !Sanitizer.isUnsafe($0) })
    // A URL copied from a chat, a log or a Markdown link comes in quotes or brackets.
    let enclosing: [(Character, Character)] = [("\"", "\""), ("'", "'"), ("<", ">"), ("(", ")"), ("`", "`")]
    while cleaned.count >= 2, let first = cleaned.first, let last = cleaned.last,
      enclosing.contains(where: { $0 == (first, last) })
    {
      cleaned = String(cleaned.dropFirst().dropLast())
    }
    guard !cleaned.isEmpty else { throw .redirect("nothing was pasted") }
    guard cleaned.contains("://") else {
      throw .redirect(
        "that is not a URL: paste the whole address the browser was sent to (…?code=…&state=…), not just the code"
      )
    }
    var rest = Substring(cleaned)
    var fragment: Substring?
    if let hash = rest.firstIndex(of: "#") {
      fragment = rest[rest.index(after: hash)...]
      rest = rest[..<hash]
    }
    var query: Substring = ""
    if let question = rest.firstIndex(of: "?") {
      query = rest[rest.index(after: question)...]
      rest = rest[..<question]
    }
    guard let components = URLComponents(string: String(rest)), let scheme = components.scheme,
      let host = components.host, !host.isEmpty
    else {
      // Not quoted back: a paste can carry the authorization code.
      throw .redirect(
        "the pasted text is not a URL AuthDeck can read; paste the whole address from the browser")
    }
    guard let fields = FormEncoding.decode(query) else {
      throw .redirect("the redirect's query is malformed (a broken %-escape or text that is not UTF-8)")
    }
    var parameters: [String: String] = [:]
    for (name, value) in fields {
      guard parameters[name] == nil else {
        throw .redirect("the redirect carries '\(Sanitizer.inline(name, limit: 20))' twice; refusing it")
      }
      parameters[name] = value
    }
    if parameters["code"] == nil && parameters["error"] == nil, let fragment,
      let inFragment = FormEncoding.decode(fragment),
      inFragment.contains(where: { $0.0 == "code" || $0.0 == "error" })
    {
      throw .redirect("the redirect carries its answer in a #fragment; AuthDeck needs response_mode=query")
    }
    self.scheme = scheme.lowercased()
    self.host = host.lowercased()
    self.port = components.port
    self.path = components.percentEncodedPath.isEmpty ? "/" : components.percentEncodedPath
    self.parameters = parameters
  }

  /// Scheme, host, port and path equal the configured redirect_uri (RFC 6749 §3.1.2, RFC 9700 §4.1).
  public func isSent(to redirectURI: String) -> Bool {
    guard let expected = URLComponents(string: redirectURI), let scheme = expected.scheme?.lowercased(),
      let host = expected.host?.lowercased()
    else { return false }
    let expectedPath = expected.percentEncodedPath.isEmpty ? "/" : expected.percentEncodedPath
    return scheme == self.scheme && host == self.host
      && Self.effectivePort(expected.port, scheme) == Self.effectivePort(port, self.scheme)
      && expectedPath == path
  }

  /// An expected issuer with a path must match exactly (trailing slash aside); one without
  /// (derived from the authorize URL) matches any issuer at the same origin.
  static func sameIssuer(_ received: String, _ expected: String) -> Bool {
    func trimmed(_ s: String) -> String { s.hasSuffix("/") ? String(s.dropLast()) : s }
    guard let want = URLComponents(string: expected), let got = URLComponents(string: received) else {
      return false
    }
    if !want.percentEncodedPath.isEmpty && want.percentEncodedPath != "/" {
      return trimmed(received) == trimmed(expected)
    }
    let scheme = want.scheme?.lowercased() ?? ""
    return scheme == got.scheme?.lowercased() && want.host?.lowercased() == got.host?.lowercased()
      && effectivePort(want.port, scheme) == effectivePort(got.port, got.scheme?.lowercased() ?? "")
  }

  private static func effectivePort(_ port: Int?, _ scheme: String) -> Int? {
    port ?? ["http": 80, "https": 443][scheme]
  }

  /// What the provider answered, once the redirect has been checked against the pending login
  /// whose state it carries (right address, right issuer): the authorization code, or its
  /// refusal of the login (`error=access_denied`, …). Anything else is a `.redirect` error, and
  /// the login still waits.
  public func answer(for pending: PendingLogin, sessionID: SessionID) throws(AuthDeckError) -> Answer {
    guard let state, constantTimeEquals(state, pending.state) else {
      throw .redirect("the redirect's state does not belong to \(sessionID)'s login; nothing was sent")
    }
    guard isSent(to: pending.redirectURI) else {
      throw .redirect(
        "that is not the redirect: it should start with \(Sanitizer.inline(pending.redirectURI, limit: 120))")
    }
    if pending.issuerRequired && parameters["iss"] == nil {
      throw .redirect(
        "the redirect has no iss, though the provider says it always sends one; refusing it (mix-up defence)")
    }
    if let issuer = parameters["iss"], let expected = pending.issuer, !Self.sameIssuer(issuer, expected) {
      throw .redirect(
        "the redirect comes from another issuer (\(Sanitizer.inline(issuer, limit: 80))); refusing it")
    }
    if let error = parameters["error"] {
      return .refused(ProviderError(code: error, description: parameters["error_description"]))
    }
    guard let code = parameters["code"], !code.isEmpty else {
      throw .redirect("the redirect has no code; paste the address the provider sent the browser to")
    }
    return .code(code)
  }

  /// What a checked redirect brings.
  public enum Answer: Equatable, Sendable {
    case code(String)
    /// The provider refused the login (RFC 6749 §4.1.2.1), as it said it.
    case refused(ProviderError)
  }
}
