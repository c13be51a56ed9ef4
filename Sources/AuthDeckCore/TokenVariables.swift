/// The environment variables `authdeck exec` hands a session over in.
///
/// The rule (docs/scripting.md):
/// - the access token is in the provider's `token_env`; without one, in `AUTHDECK_TOKEN` when exec
///   hands over one session, or `<PROVIDER>_TOKEN` when it hands over several;
/// - when several sessions of one provider are handed over at once, each name gets its account:
///   `<NAME>_<ACCOUNT>` (lime/main and lime/ops: `LIME_TOKEN_MAIN`, `LIME_TOKEN_OPS`);
/// - provider and account are upper-cased, anything but A-Z and 0-9 becomes `_`, and a name that
///   would start with a digit starts with `_`;
/// - the expiry is `<NAME>_EXPIRES_AT`, the id token `<NAME>_ID_TOKEN`.
/// Two sessions that would share a name are refused, never silently overwritten.
public struct TokenVariables: Equatable, Sendable {
  public var id: SessionID
  /// The access token's variable.
  public var token: String
  /// The real expiry, as a Unix time.
  public var expiresAt: String { token + "_EXPIRES_AT" }
  /// The id token (with `--id-token`).
  public var idToken: String { token + "_ID_TOKEN" }

  public init(id: SessionID, token: String) {
    self.id = id
    self.token = token
  }

  /// The default name when exec hands over a single session of a provider without `token_env`.
  public static let single = "AUTHDECK_TOKEN"

  /// The names for `ids` (distinct, in the order given); `tokenEnv` gives a provider's `token_env`.
  public static func names(for ids: [SessionID], tokenEnv: (String) -> String?) throws(AuthDeckError)
    -> [TokenVariables]
  {
    let named = ids.map { id in
      var name: String
      if let configured = tokenEnv(id.provider) {
        name = configured
      } else {
        name = ids.count == 1 ? single : EnvironmentName.from(id.provider) + "_TOKEN"
      }
      if ids.count(where: { $0.provider == id.provider }) > 1 {
        name += "_" + EnvironmentName.from(id.account)
      }
      return TokenVariables(id: id, token: name)
    }
    var owners: [String: SessionID] = [:]
    for variables in named {
      for name in [variables.token, variables.expiresAt, variables.idToken] {
        if let other = owners[name] {
          throw .usage(
            "\(other) and \(variables.id) would both be handed over in \(name); "
              + "give their providers different token_env names, or use two exec commands")
        }
        owners[name] = variables.id
      }
    }
    return named
  }
}

/// Names of environment variables, as POSIX shells accept them.
public enum EnvironmentName {
  /// `[A-Za-z_][A-Za-z0-9_]*`.
  public static func isValid(_ name: String) -> Bool {
    guard let first = name.unicodeScalars.first, !isDigit(first) else { return false }
    return name.unicodeScalars.allSatisfy { isDigit($0) || isLetter($0) || $0 == "_" }
  }

  /// `text` upper-cased, with anything but A-Z and 0-9 as `_` and never a leading digit:
  /// `acme-eu` → `ACME_EU`, `bot.1` → `BOT_1`, `1pass` → `_1PASS`.
  static func from(_ text: String) -> String {
    var out = ""
    for scalar in text.unicodeScalars {
      if isLetter(scalar) || isDigit(scalar) {
        out += String(scalar).uppercased()
      } else {
        out += "_"
      }
    }
    if let first = out.unicodeScalars.first, isDigit(first) { out = "_" + out }
    return out
  }

  static func isDigit(_ scalar: Unicode.Scalar) -> Bool { ("0"..."9").contains(scalar) }
  static func isLetter(_ scalar: Unicode.Scalar) -> Bool {
    ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar)
  }
}
