import Foundation
import TOMLKit

/// Turns one `[providers.ID]` table into a Provider, or names the key that is wrong.
/// Reads no file: whether `ca_file` can be read is checked by `ConfigurationLoader.load`.
struct ProviderTableReader {
  let path: String
  let id: String
  let table: TOMLTable
  let readableByOthers: Bool
  /// `$HOME`, for `~/` in `ca_file`; nil when it is not set.
  let home: String?

  static let knownKeys: Set<String> = [
    "preset", "name", "authorize_url", "token_url", "tenant", "region", "client_id", "client_secret_env",
    "client_secret_command", "client_secret", "client_auth", "redirect_uri", "scope", "pkce", "grant",
    "daily_expiry", "ca_file", "issuer", "revocation_url", "device_authorization_url", "token_env",
    "client_secret_timeout", "keep_alive", "notify", "notify_before", "refresh_lifetime",
    "refresh_notify_before", "agent", "git_hosts", "git_username", "git_account",
  ]

  /// The endpoint keys, each with the endpoint it sets.
  static let endpointKeys: [(key: String, endpoint: Provider.Endpoint)] = [
    ("authorize_url", .authorize), ("token_url", .token), ("revocation_url", .revocation),
    ("device_authorization_url", .deviceAuthorization),
  ]

  /// `PATH: providers.ID.KEY: message`, the shape of every error about a provider's key.
  static func failure(path: String, id: String, key: String, _ message: String) -> AuthDeckError {
    Provider.keyError(path: path, id: id, key: key, message)
  }

  func fail(_ key: String, _ message: String) -> AuthDeckError {
    Self.failure(path: path, id: id, key: key, message)
  }

  func string(_ key: String) throws(AuthDeckError) -> String? {
    guard let value = table[key] else { return nil }
    guard let text = value.string else { throw fail(key, "must be a string") }
    return text
  }

  func bool(_ key: String) throws(AuthDeckError) -> Bool? {
    guard let value = table[key] else { return nil }
    guard let flag = value.bool else { throw fail(key, "must be true or false") }
    return flag
  }

  /// One of an enum's values, by its raw value; `default` when the key is absent. The error lists
  /// every allowed value: `must be "a" or "b"`, `must be "a", "b" or "c"`.
  func choice<T: RawRepresentable & CaseIterable>(_ key: String, default: T) throws(AuthDeckError) -> T
  where T.RawValue == String {
    try choice(key) ?? `default`
  }

  /// The same, nil when the key is absent.
  func choice<T: RawRepresentable & CaseIterable>(_ key: String) throws(AuthDeckError) -> T?
  where T.RawValue == String {
    guard let text = try string(key) else { return nil }
    if let value = T.allCases.first(where: { $0.rawValue == text }) { return value }
    let allowed = T.allCases.map { "\"\($0.rawValue)\"" }
    let list =
      allowed.count > 1
      ? allowed.dropLast().joined(separator: ", ") + " or " + allowed.last! : allowed.joined()
    throw fail(key, "must be \(list)")
  }

  func url(_ key: String, _ text: String?) throws(AuthDeckError) -> URL? {
    guard let text else { return nil }
    guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), url.host != nil else {
      throw fail(key, "'\(Sanitizer.inline(text))' is not an absolute URL")
    }
    if scheme == "https" || (scheme == "http" && Loopback.isLoopbackHost(url.host)) { return url }
    throw fail(key, "must be https (plain http only on 127.0.0.1 or [::1])")
  }

  func provider() throws(AuthDeckError) -> Provider {
    for key in table.keys where !Self.knownKeys.contains(key) {
      // One likely key says more than a list of all of them; the list is for when none is close.
      if let meant = KeySuggestion.closest(to: key, in: Self.knownKeys) {
        throw fail(key, "unknown key; did you mean \(meant)?")
      }
      throw fail(key, "unknown key (known: \(Self.knownKeys.sorted().joined(separator: ", ")))")
    }
    let preset: Preset? = try choice("preset")
    if preset != .limio {
      // Quietly ignoring them would leave the user wondering why their tenant is not used.
      for key in ["tenant", "region"] where table[key] != nil {
        throw fail(key, "is only used with preset = \"limio\"")
      }
    }
    let defaults = try preset?.defaults(reader: self) ?? Preset.Defaults()

    guard let clientID = try string("client_id"), !clientID.isEmpty else {
      throw fail("client_id", "is required")
    }
    let grant = try choice("grant", default: Grant.authorizationCode)
    let issuer = try issuerIdentifier()
    let secret = try secretSource()
    if grant == .clientCredentials, secret == .none {
      throw fail(
        "client_secret_env",
        "client_credentials needs a secret: set client_secret_env or client_secret_command")
    }
    var dailyExpiry = defaults.dailyExpiry
    if let value = table["daily_expiry"] {
      if value.bool == false {
        dailyExpiry = nil
      } else if let text = value.string, let cutoff = DailyCutoff(parsing: text) {
        dailyExpiry = cutoff
      } else {
        throw fail("daily_expiry", "must be like \"03:00 America/New_York\" (a tz database zone), or false")
      }
    }
    var provider = Provider(
      id: id, name: try string("name") ?? defaults.name, authorizeURL: nil, tokenURL: nil, clientID: clientID,
      secret: secret, redirectURI: try redirect(), scope: try string("scope") ?? defaults.scope,
      pkce: try bool("pkce") ?? true, grant: grant, dailyExpiry: dailyExpiry, caFile: try caFile(),
      issuer: issuer, tokenVariable: try tokenVariable())
    provider.secretTimeout = try secretTimeout()
    provider.keepAlive = try bool("keep_alive") ?? true
    provider.notifyBefore = try notifyBefore()
    provider.refreshLifetime = try refreshLifetime()
    provider.refreshNotifyBefore = try refreshNotifyBefore()
    provider.agent = try agentAccess()
    provider.git = try gitCredentialSettings()
    let presetURLs: [Provider.Endpoint: String?] = [
      .authorize: defaults.authorizeURL, .token: defaults.tokenURL,
    ]
    for (key, endpoint) in Self.endpointKeys {
      if let configured = try url(key, try string(key)) {
        provider.setURL(configured, for: endpoint, source: .config)
      } else if let preset = presetURLs[endpoint] ?? nil {
        provider.setURL(URL(string: preset), for: endpoint, source: .preset)
      }
    }
    if let configured: ClientAuth = try choice("client_auth") {
      (provider.clientAuth, provider.clientAuthSource) = (configured, .config)
    } else if let preset = defaults.clientAuth {
      (provider.clientAuth, provider.clientAuthSource) = (preset, .preset)
    }
    // With an issuer, what is left out is discovered when it is first needed.
    if issuer == nil {
      guard provider.tokenURL != nil else {
        throw fail("token_url", "is required without a preset or an issuer")
      }
      if grant == .authorizationCode, provider.authorizeURL == nil {
        throw fail("authorize_url", "is required without a preset or an issuer")
      }
      if grant == .deviceCode, provider.deviceAuthorizationURL == nil {
        throw fail("device_authorization_url", "is required for grant = \"device_code\" without an issuer")
      }
    }
    return provider
  }

  /// `agent = true`, `false` or `"confirm"`.
  func agentAccess() throws(AuthDeckError) -> AgentAccess {
    guard let value = table["agent"] else { return .off }
    if let flag = value.bool { return flag ? .on : .off }
    if value.string == "confirm" { return .confirm }
    throw fail("agent", "must be true, false or \"confirm\"")
  }

  /// `git_hosts = ["git.example.com"]` with `git_username` and `git_account`, which mean nothing
  /// without it.
  func gitCredentialSettings() throws(AuthDeckError) -> GitCredentialSettings? {
    guard let value = table["git_hosts"] else {
      for key in ["git_username", "git_account"] where table[key] != nil {
        throw fail(key, "applies to git_hosts, which is not set")
      }
      return nil
    }
    guard let array = value.array, !array.isEmpty else {
      throw fail("git_hosts", "must be a list of host names, like [\"git.example.com\"]")
    }
    var hosts: [String] = []
    for item in array {
      // A host as git sends it in `host=`: a name, and a port after a colon; nothing else.
      guard let host = item.string?.lowercased(), !host.isEmpty,
        host.allSatisfy({ $0.isLetter || $0.isNumber || "-.:[]".contains($0) }), host.first != "."
      else {
        let given = item.string ?? "\(item)"
        let bare = given.range(of: "://").map {
          String(given[$0.upperBound...]).split(separator: "/").first.map(String.init) ?? ""
        }
        throw fail(
          "git_hosts",
          "'\(Sanitizer.inline(given))' is not a host name"
            + (bare.map { "; write the host alone: \"\(Sanitizer.inline($0))\"" } ?? ""))
      }
      hosts.append(host)
    }
    let username = try string("git_username") ?? GitCredentialSettings.defaultUsername
    guard !username.isEmpty, !username.contains(where: { $0 == "\n" || $0 == "\r" || $0 == "\0" }) else {
      throw fail("git_username", "must be a name on one line")
    }
    var account: String?
    if let text = try string("git_account") {
      do throws(AuthDeckError) {
        account = try SessionID(parsing: id + "/" + text).account
      } catch {
        throw fail("git_account", "must be an account name: \(SessionID.accountRule)")
      }
    }
    return GitCredentialSettings(hosts: hosts, username: username, account: account)
  }

  /// `issuer`, as written: an https URL (or http on a loopback address) without query or
  /// fragment (RFC 8414 §2), compared exactly with the one the discovery document names.
  func issuerIdentifier() throws(AuthDeckError) -> String? {
    guard let text = try string("issuer") else { return nil }
    guard let url = try url("issuer", text) else { return nil }
    if url.query != nil || url.fragment != nil {
      throw fail("issuer", "must have no ?query and no #fragment (RFC 8414 §2)")
    }
    return text
  }

  /// `client_secret_timeout`, a duration like "30s" or "2m", for the command alone.
  func secretTimeout() throws(AuthDeckError) -> TimeInterval? {
    guard let text = try string("client_secret_timeout") else { return nil }
    guard try string("client_secret_command") != nil else {
      throw fail("client_secret_timeout", "applies to client_secret_command, which is not set")
    }
    guard let seconds = DurationText.parse(text), seconds >= 1, seconds <= 600 else {
      throw fail("client_secret_timeout", "must be a duration from 1s to 10m, like \"30s\" or \"2m\"")
    }
    return seconds
  }

  /// `notify_before`, a duration like "15m" (1 minute to a day), and `notify = false`, which
  /// turns the notifications off (and leaves nothing for `notify_before` to set).
  func notifyBefore() throws(AuthDeckError) -> TimeInterval? {
    let text = try string("notify_before")
    guard try bool("notify") ?? true else {
      if text != nil { throw fail("notify_before", "has no effect with notify = false; remove one of them") }
      return nil
    }
    guard let text else { return Provider.defaultNotifyBefore }
    guard let seconds = DurationText.parse(text), seconds >= 60, seconds <= 86_400 else {
      throw fail("notify_before", "must be a duration from 1m to 1d, like \"15m\" or \"1h\"")
    }
    return seconds
  }

  /// `refresh_lifetime`, a duration like "30d" (an hour to ten years, Cognito's range), for
  /// providers whose token answers do not say when the refresh token dies.
  func refreshLifetime() throws(AuthDeckError) -> TimeInterval? {
    guard let text = try string("refresh_lifetime") else { return nil }
    guard let seconds = DurationText.parse(text), seconds >= 3_600, seconds <= 3_650 * 86_400 else {
      throw fail("refresh_lifetime", "must be a duration from 1h to 3650d, like \"30d\" or \"12h\"")
    }
    return seconds
  }

  /// `refresh_notify_before`, like `notify_before` (1 minute to 30 days, default a day); off
  /// with `notify = false`.
  func refreshNotifyBefore() throws(AuthDeckError) -> TimeInterval? {
    let text = try string("refresh_notify_before")
    guard try bool("notify") ?? true else {
      if text != nil {
        throw fail("refresh_notify_before", "has no effect with notify = false; remove one of them")
      }
      return nil
    }
    guard let text else { return Provider.defaultRefreshNotifyBefore }
    guard let seconds = DurationText.parse(text), seconds >= 60, seconds <= 30 * 86_400 else {
      throw fail("refresh_notify_before", "must be a duration from 1m to 30d, like \"1d\" or \"6h\"")
    }
    return seconds
  }

  /// `token_env`, a name a shell accepts: `exec` puts it in a child's environment.
  func tokenVariable() throws(AuthDeckError) -> String? {
    guard let name = try string("token_env") else { return nil }
    guard EnvironmentName.isValid(name) else {
      throw fail(
        "token_env",
        "'\(Sanitizer.inline(name, limit: 60))' is not an environment variable name "
          + "(letters, digits and _, not starting with a digit)")
    }
    return name
  }

  /// `ca_file` with a leading `~/` replaced by `home`. Whether it can be read is `load`'s check.
  func caFile() throws(AuthDeckError) -> String? {
    guard let file = try string("ca_file") else { return nil }
    guard file.hasPrefix("~/") else { return file }
    guard let home, !home.isEmpty else {
      throw fail("ca_file", "~ cannot be expanded: HOME is not set")
    }
    return home + file.dropFirst()
  }

  func redirect() throws(AuthDeckError) -> URL? {
    guard let text = try string("redirect_uri") else { return nil }
    guard let url = URL(string: text), let scheme = url.scheme?.lowercased() else {
      throw fail("redirect_uri", "'\(Sanitizer.inline(text))' is not an absolute URL")
    }
    if scheme == "http" && !Loopback.isListenable(url) {
      throw fail("redirect_uri", "plain http is only for 127.0.0.1, [::1] or localhost")
    }
    if url.fragment != nil { throw fail("redirect_uri", "must not have a #fragment (RFC 6749 §3.1.2)") }
    return url
  }

  func secretSource() throws(AuthDeckError) -> SecretSource {
    let env = try string("client_secret_env")
    let command = try string("client_secret_command")
    let inline = try string("client_secret")
    let given = [env, command, inline].compactMap { $0 }
    guard given.count <= 1 else {
      throw fail(
        "client_secret_env", "set only one of client_secret_env, client_secret_command, client_secret")
    }
    if let env { return .environment(env) }
    if let command { return .command(command) }
    if let inline {
      if readableByOthers {
        throw fail(
          "client_secret",
          "an inline secret in a file others can read: run chmod 600 \(path), or use client_secret_env")
      }
      return .inline(inline)
    }
    return .none
  }
}
