import AuthDeckCore

public enum ProviderDescription {
  /// What `providers` says when the configuration has none.
  public static func noneConfigured(in path: String) -> String {
    "No providers configured in \(path). See the README for an example."
  }

  /// A few lines per provider; where the secret comes from is named, the secret never.
  public static func text(_ provider: Provider) -> String {
    var lines = ["\(provider.id)  (\(provider.name))"]
    if let authorize = provider.authorizeURL { lines.append("  authorize    \(authorize.absoluteString)") }
    lines.append("  token        \(provider.tokenURL.absoluteString)")
    lines.append("  grant        \(provider.grant.rawValue)")
    let secret: String
    switch provider.secret {
    case .environment(let name): secret = "from $\(name)"
    case .command: secret = "from client_secret_command"
    case .inline: secret = "inline in the config file"
    case .none: secret = "none (public client)"
    }
    lines.append("  client auth  client_secret_\(provider.clientAuth.rawValue), secret \(secret)")
    if let redirect = provider.redirectURI {
      let how = provider.usesLoopbackRedirect ? "caught on loopback" : "pasted"
      lines.append("  redirect     \(redirect.absoluteString) (\(how))")
    }
    if provider.grant == .authorizationCode {
      lines.append("  pkce         \(provider.pkce ? "S256" : "off")")
    }
    let rule =
      provider.dailyExpiry.map { "earliest of expires_in and daily \($0.configValue)" } ?? "expires_in"
    lines.append("  expiry       \(rule)")
    if let variable = provider.tokenVariable { lines.append("  token_env    \(variable) (authdeck exec)") }
    return lines.joined(separator: "\n")
  }
}
