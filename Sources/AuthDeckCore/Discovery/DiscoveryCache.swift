import Foundation

/// Discovery documents kept next to the session store, one per provider:
/// `<state>/discovery/<provider>.json`, 0600 in a 0700 folder, replaced atomically.
public struct DiscoveryCache: Sendable {
  /// One cached document, with where and when it was fetched.
  public struct Entry: Sendable, Equatable {
    public var issuer: String
    public var url: String
    public var fetchedAt: Date
    /// The document as the provider sent it (a JSON object).
    public var document: [UInt8]

    public init(issuer: String, url: String, fetchedAt: Date, document: [UInt8]) {
      self.issuer = issuer
      self.url = url
      self.fetchedAt = fetchedAt
      self.document = document
    }
  }

  static let version = 1
  /// The state folder (the session store's root).
  public let root: String
  private let files: StoreFiles

  public init(root: String) {
    self.root = root
    self.files = StoreFiles(root: root)
  }

  public var directory: String { root + "/discovery" }

  /// Provider ids are letters, digits, `-` and `_`, so an id is a safe file name.
  public func path(for providerID: String) -> String { directory + "/" + providerID + ".json" }

  /// The cached entry; nil when there is none or it cannot be used (it is fetched again and
  /// replaced then, so a damaged file costs one request).
  public func load(_ providerID: String) -> Entry? {
    guard let bytes = try? files.readPrivateFile(path(for: providerID)),
      let file = try? JSONValue.parse(bytes), file["version"]?.number == Double(Self.version),
      let issuer = file["issuer"]?.string, let url = file["url"]?.string,
      let fetchedAt = file["fetched_at"]?.number, let document = file["document"], case .object = document
    else { return nil }
    return Entry(
      issuer: issuer, url: url, fetchedAt: Date(timeIntervalSince1970: fetchedAt),
      document: Array(document.serialized.utf8))
  }

  public func save(_ entry: Entry, for providerID: String) throws(AuthDeckError) {
    guard let document = try? JSONValue.parse(entry.document) else { return }
    try files.checkDirectory(root, create: true)
    try files.checkDirectory(directory, create: true)
    let file = JSONValue.object([
      "version": .number(Double(Self.version)), "issuer": .string(entry.issuer), "url": .string(entry.url),
      "fetched_at": .number(entry.fetchedAt.timeIntervalSince1970), "document": document,
    ])
    try files.writeAtomically(
      path: path(for: providerID), data: Data(file.serialized.utf8),
      label: "\(providerID)'s discovery document")
  }

  /// `<state>/discovery/<provider>.quirks.json`: what a provider's answers taught (Basic
  /// credentials it wants raw). Kept with its discovery document, for every provider.
  func quirksPath(for providerID: String) -> String { directory + "/" + providerID + ".quirks.json" }

  /// What was learned about the provider; the defaults when nothing was, or the file cannot be used.
  public func quirks(_ providerID: String) -> ProviderQuirks {
    guard let bytes = try? files.readPrivateFile(quirksPath(for: providerID)),
      let file = try? JSONValue.parse(bytes), file["version"]?.number == Double(Self.version),
      let basic = file["basic_credentials"]?.string.flatMap(BasicCredentials.init(rawValue:))
    else { return ProviderQuirks() }
    return ProviderQuirks(basicCredentials: basic)
  }

  public func saveQuirks(_ quirks: ProviderQuirks, for providerID: String) throws(AuthDeckError) {
    try files.checkDirectory(root, create: true)
    try files.checkDirectory(directory, create: true)
    let file = JSONValue.object([
      "version": .number(Double(Self.version)),
      "basic_credentials": .string(quirks.basicCredentials.rawValue),
    ])
    try files.writeAtomically(
      path: quirksPath(for: providerID), data: Data(file.serialized.utf8), label: "what \(providerID) needs")
  }
}
