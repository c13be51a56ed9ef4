import AuthDeckCore
import Foundation

public enum ProviderDescription {
  /// What `providers` says when the configuration has none.
  public static func noneConfigured(in path: String) -> String {
    "No providers configured in \(path). See the README for an example."
  }

  static let endpointLabels: [(label: String, endpoint: Provider.Endpoint)] = [
    ("authorize", .authorize), ("token", .token), ("revocation", .revocation),
    ("device", .deviceAuthorization),
  ]

  /// A few lines per provider: each endpoint and where it came from (preset, config,
  /// discovery), how the client authenticates and where the secret comes from (never the
  /// secret), keep-alive and notifications on the board. `provider` is as resolved (discovery applied) when its issuer's document could
  /// be had; `metadata` is that document, `discoveryProblem` why it could not.
  public static func text(
    _ provider: Provider, metadata: ProviderMetadata? = nil, discoveryProblem: String? = nil,
    clockSkew: TimeInterval? = nil
  ) -> String {
    var lines = ["\(provider.id)  (\(Sanitizer.inline(provider.name, limit: 80)))"]
    func add(_ label: String, _ value: String) {
      lines.append("  " + label + String(repeating: " ", count: max(1, 13 - label.count)) + value)
    }
    if let issuer = provider.configuredIssuer { add("issuer", Sanitizer.inline(issuer, limit: 200)) }
    if let discoveryProblem { add("discovery", "failed: " + discoveryProblem) }
    for (label, endpoint) in endpointLabels {
      guard let url = provider.url(for: endpoint) else {
        if endpoint == .revocation {
          // Without the provider's document, whether it revokes is not known.
          add(
            label,
            discoveryProblem == nil ? "none: logout only drops the local copy" : "unknown (discovery failed)")
        }
        continue
      }
      let source = provider.sources[endpoint].map { " (\($0.rawValue))" } ?? ""
      add(label, Sanitizer.inline(url.absoluteString, limit: 200) + source)
    }
    add("grant", provider.grant.rawValue)
    let secret: String
    switch provider.secret {
    case .environment(let name): secret = "secret from $\(Sanitizer.inline(name, limit: 60))"
    case .command: secret = "secret from client_secret_command"
    case .inline: secret = "secret inline in the config file"
    case .none: secret = ""
    }
    if provider.isPublicClient {
      add("client auth", "none (public client: client_id in the body, PKCE)")
    } else {
      let source = provider.clientAuthSource.map { " (\($0.rawValue))" } ?? ""
      let raw =
        provider.clientAuth == .basic && provider.basicCredentials == .raw
        ? " sent raw (the provider does not decode it)" : ""
      add("client auth", "client_secret_\(provider.clientAuth.rawValue)\(source)\(raw), \(secret)")
    }
    if provider.grant == .authorizationCode {
      if let redirect = provider.redirectURI {
        let how =
          provider.usesLoopbackRedirect
          ? (redirect.host?.lowercased() == "localhost"
            ? "caught on loopback, 127.0.0.1 and ::1" : "caught on loopback")
          : "pasted"
        add("redirect", "\(Sanitizer.inline(redirect.absoluteString, limit: 200)) (\(how))")
      } else {
        add(
          "redirect", "http://127.0.0.1:<free port>/callback (caught on loopback, port chosen at each login)")
      }
      add("pkce", pkce(provider, metadata: metadata))
    }
    let rule =
      provider.dailyExpiry.map { "earliest of expires_in and daily \($0.configValue)" } ?? "expires_in"
    add("expiry", rule)
    // While the board is open: renewals before the end, notifications before it.
    let notify = provider.notifyBefore.map { "notify \(DurationText.format($0)) before" } ?? "notify off"
    add("board", "keep-alive \(provider.keepAlive ? "on" : "off"), \(notify)")
    if let variable = provider.tokenVariable { add("token_env", "\(variable) (authdeck exec)") }
    // Who else may have its tokens: the most security-relevant settings, so always said.
    switch provider.agent {
    case .off: add("agent", "not served (no agent = true)")
    case .on: add("agent", "served to this user's processes, here and over a forwarded socket")
    case .confirm: add("agent", "served once each caller is allowed on the open board")
    }
    if let git = provider.git {
      let hosts = git.hosts.map { Sanitizer.inline($0, limit: 80) }.joined(separator: ", ")
      let account = git.account.map { ", session \(provider.id)/\(Sanitizer.inline($0, limit: 60))" } ?? ""
      add("git", "\(hosts) (as \(Sanitizer.inline(git.username, limit: 60))\(account))")
    }
    if let lifetime = provider.refreshLifetime {
      add("refresh", "refresh tokens live \(DurationText.format(lifetime)) unless the answer says otherwise")
    }
    if let clockSkew, abs(clockSkew) >= Expiry.noticeableSkew {
      add("clock", ClockSkewText.sentence(clockSkew, provider: provider.id) + " (when its last token came)")
    }
    return lines.joined(separator: "\n")
  }

  /// S256 or off, and what the provider lists when its document says.
  static func pkce(_ provider: Provider, metadata: ProviderMetadata?) -> String {
    guard provider.pkce else { return "off" }
    guard let methods = metadata?.codeChallengeMethods else { return "S256" }
    let listed = methods.map { Sanitizer.inline($0, limit: 20) }.joined(separator: ", ")
    if methods.contains("S256") { return "S256 (the provider lists \(listed))" }
    return "S256, which the provider does not list (it lists \(listed.isEmpty ? "none" : listed))"
  }
}
