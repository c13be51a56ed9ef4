import Foundation

/// git's credential helper protocol (git-credential(1)): the `key=value` lines git writes to a
/// helper, ending with an empty line or the end of input, and the lines a helper answers with.
public struct GitCredentialRequest: Equatable, Sendable {
  /// `protocol`: `https`, `http`, `ssh` … as git names it.
  public var scheme: String?
  /// `host`, lower-cased, with `:port` when the URL has one.
  public var host: String?

  public init(scheme: String?, host: String?) {
    self.scheme = scheme
    self.host = host
  }

  /// Reads git's lines up to the first empty one. A CR before the LF is dropped, as git drops
  /// it; a later line wins, as in git; keys not needed here (`path`, `username`, `wwwauth[]` …)
  /// are skipped. A line without `=` makes the request malformed, as it does in git, and is not
  /// repeated in the message: it could be a secret typed on the wrong line.
  public init(parsing bytes: [UInt8]) throws(AuthDeckError) {
    var scheme: String?
    var host: String?
    for line in Self.lines(bytes) {
      if line.isEmpty { break }
      guard let equals = line.firstIndex(of: UInt8(ascii: "=")) else {
        throw .usage("git's request has a line that is not key=value")
      }
      let value = String(decoding: line[(equals + 1)...], as: UTF8.self)
      switch String(decoding: line[..<equals], as: UTF8.self) {
      case "protocol": scheme = value.lowercased()
      case "host": host = value.lowercased()
      default: break
      }
    }
    self.init(scheme: scheme, host: host)
  }

  /// Whether `bytes` hold a whole request: an empty line has come (the end of input is the
  /// reader's to see). What follows it is not read.
  public static func isComplete(_ bytes: [UInt8]) -> Bool {
    lines(bytes).dropLast().contains { $0.isEmpty }
  }

  /// The lines of `bytes` without their LF or CR LF; the last is what follows the last LF.
  static func lines(_ bytes: [UInt8]) -> [ArraySlice<UInt8>] {
    bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map {
      $0.last == UInt8(ascii: "\r") ? $0.dropLast() : $0
    }
  }

  /// The largest request read: git's are a few hundred bytes.
  public static let sizeLimit = 64 * 1024

  /// The host without its port: `[::1]:8443` is `::1`'s, `git.example.com:8443` is
  /// `git.example.com`'s.
  public var hostName: String? {
    guard let host else { return nil }
    if host.hasPrefix("["), let close = host.firstIndex(of: "]") {
      return String(host[host.index(after: host.startIndex)..<close])
    }
    if host.count(where: { $0 == ":" }) == 1, let colon = host.firstIndex(of: ":") {
      return String(host[..<colon])
    }
    return host
  }

  /// A token may be sent over https, or over plain http to this machine only (security.md).
  public var isSafeForTokens: Bool {
    switch scheme {
    case "https": return true
    case "http": return Loopback.isLoopbackHost(hostName)
    default: return false
    }
  }
}

/// What `get` answers git: the user name, the access token as the password, and when it
/// expires. Never a refresh token: git would store it in its other helpers.
public struct GitCredentialAnswer: Equatable, Sendable {
  public var username: String
  public var password: String
  public var expiresAt: Date?

  public init(username: String, tokens: TokenSet) {
    self.init(username: username, password: tokens.accessToken, expiresAt: tokens.expiresAt)
  }

  public init(username: String, password: String, expiresAt: Date?) {
    self.username = username
    self.password = password
    self.expiresAt = expiresAt
  }

  /// The lines, each ending in LF. `password_expiry_utc` (git 2.41) is in Unix seconds, rounded
  /// down so that git never counts on a second the token does not have.
  public var text: String {
    var lines = ["username=" + username, "password=" + password]
    if let expiresAt {
      lines.append("password_expiry_utc=\(Int64(expiresAt.timeIntervalSince1970.rounded(.down)))")
    }
    return lines.map { $0 + "\n" }.joined()
  }
}
