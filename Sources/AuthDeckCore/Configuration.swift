import Foundation
import TOMLKit

/// The user's configuration: every provider, checked, with presets applied.
public struct Configuration: Sendable, Equatable {
  public var providers: [Provider]
  /// A session with less than this left is shown as `expiring`.
  public var expiringWithin: TimeInterval
  /// Where it was read from, for messages; nil when no file exists.
  public var path: String?

  public init(providers: [Provider], expiringWithin: TimeInterval = 15 * 60, path: String? = nil) {
    self.providers = providers.sorted { $0.id < $1.id }
    self.expiringWithin = expiringWithin
    self.path = path
  }

  public func provider(_ id: String) -> Provider? { providers.first { $0.id == id } }

  /// The environment variables that hold client secrets: child processes start without them.
  public var secretVariables: Set<String> {
    Set(
      providers.compactMap { provider in
        if case .environment(let name) = provider.secret { return name }
        return nil
      })
  }

  /// The provider of a session, or a message that says how to add it.
  public func provider(for session: SessionID) throws(AuthDeckError) -> Provider {
    if let provider = provider(session.provider) { return provider }
    let known = providers.map(\.id).joined(separator: ", ")
    let file = path ?? "the configuration file"
    throw .usage(
      "unknown provider '\(session.provider)': add [providers.\(session.provider)] to \(file)"
        + (known.isEmpty ? "" : " (configured: \(known))"))
  }
}

/// Where the configuration lives: --config, then AUTHDECK_CONFIG, then the XDG default.
public enum ConfigurationLocation {
  public static func path(explicit: String?, environment: [String: String]) -> String {
    if let explicit, !explicit.isEmpty { return explicit }
    if let fromEnvironment = environment["AUTHDECK_CONFIG"], !fromEnvironment.isEmpty {
      return fromEnvironment
    }
    return XDG.directory("XDG_CONFIG_HOME", fallback: ".config", environment: environment)
      + "/authdeck/config.toml"
  }
}

public enum XDG {
  static func directory(_ variable: String, fallback: String, environment: [String: String]) -> String {
    if let value = environment[variable], value.hasPrefix("/") { return value }
    let home = environment["HOME"] ?? NSHomeDirectory()
    return home + "/" + fallback
  }
}

/// Reads config.toml. Every error names the file, the provider and the key.
public enum ConfigurationLoader {
  public static func load(path: String) throws(AuthDeckError) -> Configuration {
    var info = stat()
    guard stat(path, &info) == 0 else {
      if errno == ENOENT { return Configuration(providers: [], path: path) }
      throw .config("\(path): \(String(cString: strerror(errno)))")
    }
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
      throw .config("\(path): not readable as UTF-8 text")
    }
    let readableByOthers = info.st_mode & 0o077 != 0
    return try parse(text, path: path, readableByOthers: readableByOthers)
  }

  public static func parse(_ text: String, path: String, readableByOthers: Bool = false) throws(AuthDeckError)
    -> Configuration
  {
    let root: TOMLTable
    do {
      root = try TOMLTable(string: text)
    } catch let error as TOMLParseError {
      throw .config(
        "\(path):\(error.source.begin.line):\(error.source.begin.column): \(Sanitizer.inline(error.description))"
      )
    } catch {
      throw .config("\(path): not valid TOML")
    }
    for key in root.keys where !["providers", "expiring_minutes"].contains(key) {
      throw .config(
        "\(path): unknown top-level key '\(Sanitizer.inline(key))' (expected [providers.NAME] tables)")
    }
    var expiringWithin: TimeInterval = 15 * 60
    if let value = root["expiring_minutes"] {
      guard let minutes = value.int, (0...10_080).contains(minutes) else {
        throw .config("\(path): expiring_minutes: must be a whole number of minutes, 0 to 10080")
      }
      expiringWithin = TimeInterval(minutes * 60)
    }
    var providers: [Provider] = []
    if let tables = root["providers"] {
      guard let tables = tables.table else {
        throw .config("\(path): providers: must be a table of [providers.NAME]")
      }
      for id in tables.keys.sorted() {
        guard ProviderID.isValid(id) else {
          throw .config(
            "\(path): providers.\(Sanitizer.inline(id)): a provider id is letters, digits, - and _")
        }
        guard let table = tables[id]?.table else {
          throw .config("\(path): providers.\(id): must be a table")
        }
        var reader = ProviderTableReader(path: path, id: id, table: table, readableByOthers: readableByOthers)
        providers.append(try reader.provider())
      }
    }
    return Configuration(providers: providers, expiringWithin: expiringWithin, path: path)
  }
}

/// Turns one `[providers.ID]` table into a Provider, or names the key that is wrong.
struct ProviderTableReader {
  let path: String
  let id: String
  let table: TOMLTable
  let readableByOthers: Bool

  static let knownKeys: Set<String> = [
    "preset", "name", "authorize_url", "token_url", "tenant", "region", "client_id", "client_secret_env",
    "client_secret_command", "client_secret", "client_auth", "redirect_uri", "scope", "pkce", "grant",
    "daily_expiry", "ca_file", "issuer",
  ]

  func fail(_ key: String, _ message: String) -> AuthDeckError {
    .config("\(path): providers.\(id).\(key): \(message)")
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

  func url(_ key: String, _ text: String?) throws(AuthDeckError) -> URL? {
    guard let text else { return nil }
    guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), url.host != nil else {
      throw fail(key, "'\(Sanitizer.inline(text))' is not an absolute URL")
    }
    if scheme == "https" || (scheme == "http" && Loopback.isLoopbackHost(url.host)) { return url }
    throw fail(key, "must be https (plain http only on 127.0.0.1 or [::1])")
  }

  mutating func provider() throws(AuthDeckError) -> Provider {
    for key in table.keys where !Self.knownKeys.contains(key) {
      throw fail(key, "unknown key (known: \(Self.knownKeys.sorted().joined(separator: ", ")))")
    }
    var preset = Preset.none
    if let name = try string("preset") {
      guard let known = Preset(rawValue: name) else { throw fail("preset", "must be \"lime\" or \"limio\"") }
      preset = known
    }
    if preset != .limio {
      // Quietly ignoring them would leave the user wondering why their tenant is not used.
      for key in ["tenant", "region"] where table[key] != nil {
        throw fail(key, "is only used with preset = \"limio\"")
      }
    }
    let defaults = try preset.defaults(reader: self)

    guard let clientID = try string("client_id"), !clientID.isEmpty else {
      throw fail("client_id", "is required")
    }
    let grant: Grant
    if let text = try string("grant") {
      guard let value = Grant(rawValue: text) else {
        throw fail("grant", "must be \"authorization_code\" or \"client_credentials\"")
      }
      grant = value
    } else {
      grant = .authorizationCode
    }
    let clientAuth: ClientAuth
    if let text = try string("client_auth") {
      guard let value = ClientAuth(rawValue: text) else {
        throw fail("client_auth", "must be \"post\" or \"basic\"")
      }
      clientAuth = value
    } else {
      clientAuth = defaults.clientAuth
    }
    guard let tokenURL = try url("token_url", try string("token_url") ?? defaults.tokenURL) else {
      throw fail("token_url", "is required without a preset")
    }
    let authorizeURL = try url("authorize_url", try string("authorize_url") ?? defaults.authorizeURL)
    let redirectURI = try redirect()
    if grant == .authorizationCode {
      guard authorizeURL != nil else { throw fail("authorize_url", "is required without a preset") }
      guard redirectURI != nil else {
        throw fail("redirect_uri", "is required for the authorization_code grant")
      }
    }
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
    var caFile = try string("ca_file")
    if let file = caFile, file.hasPrefix("~/") {
      caFile = NSHomeDirectory() + file.dropFirst()
    }
    if let file = caFile, access(file, R_OK) != 0 { throw fail("ca_file", "cannot read \(file)") }
    return Provider(
      id: id, name: try string("name") ?? defaults.name, authorizeURL: authorizeURL, tokenURL: tokenURL,
      clientID: clientID, secret: secret, clientAuth: clientAuth, redirectURI: redirectURI,
      scope: try string("scope") ?? defaults.scope, pkce: try bool("pkce") ?? true, grant: grant,
      dailyExpiry: dailyExpiry, caFile: caFile,
      issuer: try url("issuer", try string("issuer"))?.absoluteString)
  }

  func redirect() throws(AuthDeckError) -> URL? {
    guard let text = try string("redirect_uri") else { return nil }
    guard let url = URL(string: text), let scheme = url.scheme?.lowercased() else {
      throw fail("redirect_uri", "'\(Sanitizer.inline(text))' is not an absolute URL")
    }
    if scheme == "http" && !Loopback.isLoopbackHost(url.host) && url.host != "localhost" {
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

/// Known providers, so a user writes `preset = "lime"` instead of copying endpoints.
enum Preset: String {
  case lime, limio, none

  struct Defaults {
    var name: String?
    var authorizeURL: String?
    var tokenURL: String?
    var clientAuth: ClientAuth = .post
    var scope: String?
    var dailyExpiry: DailyCutoff?
  }

  func defaults(reader: ProviderTableReader) throws(AuthDeckError) -> Defaults {
    switch self {
    case .none:
      return Defaults()
    case .lime:
      return Defaults(
        name: "Lime Trading", authorizeURL: "https://auth.lime.co/connect/authorize",
        tokenURL: "https://auth.lime.co/connect/token", clientAuth: .post,
        dailyExpiry: DailyCutoff(parsing: "03:00 America/New_York"))
    case .limio:
      guard let tenant = try reader.string("tenant") else {
        throw reader.fail("tenant", "the limio preset needs tenant = \"yourcompany\"")
      }
      guard ProviderID.isValid(tenant) else { throw reader.fail("tenant", "letters, digits and - only") }
      let region = try reader.string("region") ?? "eu"
      let host: String
      switch region {
      case "eu": host = "\(tenant).prod.limio.com"
      case "us": host = "\(tenant).prod-us.limio.com"
      default: throw reader.fail("region", "must be \"eu\" or \"us\"")
      }
      return Defaults(
        name: "Limio \(tenant)", authorizeURL: "https://\(host)/oauth2/authorize",
        tokenURL: "https://\(host)/oauth2/token", clientAuth: .basic, scope: "openid")
    }
  }
}
