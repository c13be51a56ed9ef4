import Foundation
import TOMLKit

/// Reads config.toml. Every error names the file, the provider and the key.
///
/// `load` is the only part that touches the file system; `parse` works on text alone.
public enum ConfigurationLoader {
  /// Reads the file at `path` (no file is an empty configuration), then checks that every
  /// `ca_file` can be read. `environment` supplies HOME for `~/` in `ca_file`.
  public static func load(path: String, environment: [String: String]) throws(AuthDeckError)
    -> Configuration
  {
    var info = stat()
    guard stat(path, &info) == 0 else {
      if errno == ENOENT { return Configuration(providers: [], path: path) }
      throw .config("\(path): \(String(cString: strerror(errno)))")
    }
    // A FIFO or a device would block the read (or worse); only a regular file is a configuration.
    guard info.st_mode & S_IFMT == S_IFREG else { throw .config("\(path) is not a regular file") }
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
      throw .config("\(path): not readable as UTF-8 text")
    }
    let readableByOthers = info.st_mode & 0o077 != 0
    let configuration = try parse(
      text, path: path, readableByOthers: readableByOthers, environment: environment)
    for provider in configuration.providers {
      guard let file = provider.caFile else { continue }
      var info = stat()
      guard stat(file, &info) == 0, access(file, R_OK) == 0 else {
        throw ProviderTableReader.failure(path: path, id: provider.id, key: "ca_file", "cannot read \(file)")
      }
      // libcurl would open a FIFO and wait for a writer past any request deadline.
      guard info.st_mode & S_IFMT == S_IFREG else {
        throw ProviderTableReader.failure(
          path: path, id: provider.id, key: "ca_file", "\(file) is not a regular file")
      }
    }
    return configuration
  }

  /// The provider ids the file at `path` names (its `[providers.ID]` tables), for shell
  /// completion: nothing else is checked and no secret is read; a file that is missing, not
  /// regular (a FIFO would block) or not TOML names none.
  public static func providerIDs(path: String) -> [String] {
    var info = stat()
    guard stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG,
      let text = try? String(contentsOfFile: path, encoding: .utf8),
      let root = try? TOMLTable(string: text), let providers = root["providers"]?.table
    else { return [] }
    return providers.keys.filter(ProviderID.isValid).sorted()
  }

  /// Checks `text` as the contents of `path`, without reading any file: `readableByOthers` is
  /// the file's mode as `load` found it, and `environment["HOME"]` expands `~/` in `ca_file`.
  public static func parse(
    _ text: String, path: String, readableByOthers: Bool = false, environment: [String: String] = [:]
  ) throws(AuthDeckError) -> Configuration {
    let root: TOMLTable
    do {
      root = try TOMLTable(string: text)
    } catch let error as TOMLParseError {
      let (line, column) = (error.source.begin.line, error.source.begin.column)
      let words = TOMLSyntaxError.words(error.description, in: text, line: line, column: column)
      throw .config("\(path):\(line):\(column): \(Sanitizer.inline(words))")
    } catch {
      throw .config("\(path): not valid TOML")
    }
    let topLevelKeys = ["providers", "expiring_minutes"]
    for key in root.keys where !topLevelKeys.contains(key) {
      let unknown = "\(path): unknown top-level key '\(Sanitizer.inline(key))'"
      if let meant = KeySuggestion.closest(to: key, in: topLevelKeys) {
        throw .config("\(unknown); did you mean \(meant)?")
      }
      throw .config("\(unknown) (expected expiring_minutes and [providers.NAME] tables)")
    }
    var expiringWithin = SessionStatus.defaultExpiringWithin
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
        let reader = ProviderTableReader(
          path: path, id: id, table: table, readableByOthers: readableByOthers, home: environment["HOME"])
        var provider = try reader.provider()
        provider.configurationFile = path  // what a secret that cannot be read names, later
        providers.append(provider)
      }
    }
    try refuseSharedRedirects(providers, path: path)
    return Configuration(providers: providers, expiringWithin: expiringWithin, path: path)
  }

  /// Two providers with one redirect_uri would let one of them receive the other's code (the
  /// mix-up attack, RFC 9700 §4.4). Loopback redirects are compared by port and path: 127.0.0.1,
  /// [::1] and localhost on one port are one listener.
  static func refuseSharedRedirects(_ providers: [Provider], path: String) throws(AuthDeckError) {
    var seen: [String: String] = [:]
    for provider in providers where provider.grant == .authorizationCode {
      guard let redirect = provider.redirectURI else { continue }
      let key: String
      if Loopback.isListenable(redirect) {
        key = "loopback:\(redirect.port ?? 80)\(redirect.path)"
      } else {
        key =
          "\(redirect.scheme?.lowercased() ?? "")://\(redirect.host?.lowercased() ?? ""):\(redirect.port ?? 443)\(redirect.path)"
      }
      if let other = seen[key] {
        throw .config(
          "\(path): providers \(other) and \(provider.id) have the same redirect_uri; one provider could "
            + "receive the other's login (the mix-up attack). Register a distinct redirect_uri for each "
            + "(another port or path), or leave it out where the provider accepts any loopback port")
      }
      seen[key] = provider.id
    }
  }
}
