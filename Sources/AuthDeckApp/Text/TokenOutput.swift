import AuthDeckCore
import Foundation

/// What `authdeck token` prints: the token, an HTTP header line, or a JSON object. Never the
/// refresh token.
public enum TokenOutput {
  public enum Format: Sendable, Equatable {
    /// The token and a newline.
    case plain
    /// `Authorization: Bearer TOKEN`, for `curl -H @-`.
    case header
    /// `{"expires_at":…,"expires_in":…,"scope":…,"token":…,"type":…}` on one line.
    case json
  }

  /// `idToken`, when given, is printed instead of the access token (plain, header), or as well,
  /// as `id_token` (json).
  public static func text(_ tokens: TokenSet, idToken: String? = nil, format: Format, now: Date) -> String {
    switch format {
    case .plain:
      return idToken ?? tokens.accessToken
    case .header:
      return
        "Authorization: \(scheme(idToken == nil ? tokens.tokenType : "Bearer")) \(idToken ?? tokens.accessToken)"
    case .json:
      var object: [String: JSONValue] = [
        "token": .string(tokens.accessToken), "type": .string(tokens.tokenType),
        "scope": tokens.scope.map(JSONValue.string) ?? .null,
        "expires_at": tokens.expiresAt.map { .string(TimeFormat.rfc3339($0)) } ?? .null,
        "expires_in": tokens.expiresAt.map { .number(max(0, $0.timeIntervalSince(now).rounded(.down))) }
          ?? .null,
      ]
      if let idToken { object["id_token"] = .string(idToken) }
      return JSONValue.object(object).serialized
    }
  }

  /// The header's scheme: `Bearer` for a bearer token whatever its case (RFC 6750 §4 writes it
  /// so; token_type is case-insensitive, RFC 6749 §5.1), another type as the provider named
  /// it (e.g. `DPoP`), and `Bearer` for a type that is not an HTTP token (RFC 9110 §5.6.2).
  static func scheme(_ tokenType: String) -> String {
    let tokenCharacters = Set("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
    guard !tokenType.isEmpty, tokenType.allSatisfy(tokenCharacters.contains),
      tokenType.lowercased() != "bearer"
    else { return "Bearer" }
    return tokenType
  }
}
