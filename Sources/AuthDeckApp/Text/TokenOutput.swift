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
    /// The session's JSON object (`SessionJSON`) with `token`, `type`, `scope` (and `id_token`)
    /// added, on one line; `expiringWithin` says when it is `expiring`.
    case json(expiringWithin: TimeInterval)
  }

  /// `session` holds the tokens to print. `idToken`, when given, is printed instead of the access
  /// token (plain, header), or as well, as `id_token` (json).
  public static func text(
    _ session: Session, _ tokens: TokenSet, idToken: String? = nil, format: Format, now: Date
  )
    -> String
  {
    switch format {
    case .plain:
      return idToken ?? tokens.accessToken
    case .header:
      return
        "Authorization: \(scheme(idToken == nil ? tokens.tokenType : "Bearer")) \(idToken ?? tokens.accessToken)"
    case .json(let expiringWithin):
      return JSONValue.object(
        object(session, tokens, idToken: idToken, expiringWithin: expiringWithin, now: now)
      ).serialized
    }
  }

  /// `--json`'s object: the session object with `token`, `type`, `scope` (and `id_token`) added.
  public static func object(
    _ session: Session, _ tokens: TokenSet, idToken: String?, expiringWithin: TimeInterval, now: Date
  ) -> [String: JSONValue] {
    var shown = session
    shown.tokens = tokens
    var object = SessionJSON.object(shown, now: now, expiringWithin: expiringWithin)
    object["token"] = .string(tokens.accessToken)
    object["type"] = .string(tokens.tokenType)
    object["scope"] = tokens.scope.map(JSONValue.string) ?? .null
    if let idToken { object["id_token"] = .string(idToken) }
    return object
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
