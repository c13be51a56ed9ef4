import Foundation

/// Loopback addresses: which http URLs may carry a token request, and which redirects a
/// listener of ours can catch (RFC 8252 §7.3, §8.3).
public enum Loopback {
  /// The redirect used when a provider names none: the port is chosen at each login (§7.3).
  public static func ephemeralRedirect(port: UInt16) -> URL {
    URL(string: "http://127.0.0.1:\(port)/callback")!
  }

  /// `http://127.0.0.1:8765` or `http://[::1]:8765` for a redirect URI: where a request that
  /// reached the listener came from, to rebuild the full redirect URL from its target.
  public static func origin(of redirectURI: URL) -> String {
    let host = redirectURI.host ?? "127.0.0.1"
    let bracketed = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
    return "http://\(bracketed):\(redirectURI.port ?? 80)"
  }

  /// True for 127.0.0.0/8, ::1 and "localhost"-free literal addresses only:
  /// `127.0.0.1.evil.example` is a name, not an address.
  public static func isLoopbackHost(_ host: String?) -> Bool {
    guard var host else { return false }
    if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
    if host == "::1" || host == "0:0:0:0:0:0:0:1" { return true }
    let parts = host.split(separator: ".", omittingEmptySubsequences: false)
    guard parts.count == 4 else { return false }
    let octets = parts.compactMap { part -> Int? in
      guard !part.isEmpty, part.count <= 3, part.allSatisfy(\.isASCII), part.allSatisfy(\.isNumber) else {
        return nil
      }
      return Int(part).flatMap { $0 <= 255 ? $0 : nil }
    }
    return octets.count == 4 && octets[0] == 127
  }

  /// An http redirect to a loopback address or to `localhost`, which a listener of ours can catch.
  public static func isListenable(_ redirectURI: URL) -> Bool {
    guard redirectURI.scheme?.lowercased() == "http" else { return false }
    return isLoopbackHost(redirectURI.host) || redirectURI.host?.lowercased() == "localhost"
  }

  /// The addresses to listen on for a redirect: `localhost` is both 127.0.0.1 and ::1 (a
  /// browser may resolve it to either), an address is itself.
  public static func listenAddresses(for redirectURI: URL) -> [String] {
    let host = redirectURI.host ?? "127.0.0.1"
    if host.lowercased() == "localhost" { return ["127.0.0.1", "::1"] }
    return [host.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))]
  }
}

/// How a browser login's redirect will arrive.
public enum LoopbackStatus: Equatable, Sendable {
  /// The redirect is not a loopback URL: the user pastes it.
  case notUsed
  /// A listener of ours catches it.
  case listening
  /// The redirect's port is held by another program (or another board): the user pastes, and
  /// no browser is sent there (its redirect would reach whoever holds the port).
  case portTaken(AuthDeckError)
}
