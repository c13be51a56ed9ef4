import Foundation

/// Fills in what a provider's configuration leaves out from its discovery document (RFC 8414,
/// OpenID Connect Discovery), fetched through the transport and cached for a day. Explicit
/// keys always win; a provider without an `issuer` is returned as it is, with no I/O.
public struct EndpointResolver: Sendable {
  public let cache: DiscoveryCache
  let transport: any HTTPTransport
  /// A cached document older than this is fetched again.
  public var maxAge: TimeInterval = 86_400
  public var deadline: TimeInterval = 30

  public init(cache: DiscoveryCache, transport: any HTTPTransport) {
    self.cache = cache
    self.transport = transport
  }

  /// Whether the configuration alone has what `needs` require: the endpoints, and for a
  /// confidential client the way it authenticates.
  public static func isSettled(_ provider: Provider, for needs: Set<Provider.Endpoint>) -> Bool {
    guard provider.configuredIssuer != nil else { return true }
    if needs.contains(where: { provider.url(for: $0) == nil }) { return false }
    let authenticates = !needs.subtracting([.authorize]).isEmpty
    return !authenticates || provider.clientAuthSource != nil || provider.isPublicClient
  }

  /// The provider with what `needs` require filled in from discovery (only when the
  /// configuration lacks it). `fresh` fetches the document again whatever its age.
  /// An authorize or token endpoint that neither names is an error; the others may be absent.
  public func resolve(
    _ provider: Provider, for needs: Set<Provider.Endpoint>, now: Date, fresh: Bool = false
  ) throws(AuthDeckError) -> Provider {
    if !fresh && Self.isSettled(provider, for: needs) { return provider }
    let resolved = Self.apply(try metadata(for: provider, now: now, fresh: fresh), to: provider)
    for need in needs.intersection([.authorize, .token]) where resolved.url(for: need) == nil {
      let member = ProviderMetadata.members.first { $0.endpoint == need }?.name ?? need.rawValue
      throw .provider("\(provider.id): the discovery document has no \(member); set it in the configuration")
    }
    return resolved
  }

  /// Discovered values where the configuration has none; configured ones are kept.
  public static func apply(_ metadata: ProviderMetadata, to provider: Provider) -> Provider {
    var resolved = provider
    for endpoint in Provider.Endpoint.allCases where resolved.url(for: endpoint) == nil {
      resolved.setURL(metadata.url(for: endpoint), for: endpoint, source: .discovery)
    }
    resolved.sendsIssuer = metadata.sendsIssuer
    if resolved.clientAuthSource == nil, let preferred = metadata.preferredClientAuth {
      (resolved.clientAuth, resolved.clientAuthSource) = (preferred, .discovery)
    }
    return resolved
  }

  /// The provider's discovery document: the cached one while it is younger than `maxAge`,
  /// else fetched (and cached). When a fetch cannot reach the provider, an older cached copy
  /// is used rather than nothing.
  public func metadata(for provider: Provider, now: Date, fresh: Bool = false) throws(AuthDeckError)
    -> ProviderMetadata
  {
    guard let issuer = provider.configuredIssuer else {
      throw .config("\(provider.id): discovery needs an issuer")
    }
    let cached = cache.load(provider.id).flatMap { $0.issuer == issuer ? $0 : nil }
    let cachedMetadata = cached.flatMap {
      try? ProviderMetadata.parse($0.document, expectedIssuer: issuer)
    }
    if !fresh, let cached, let cachedMetadata, abs(now.timeIntervalSince(cached.fetchedAt)) < maxAge {
      return cachedMetadata
    }
    do throws(AuthDeckError) {
      let (entry, metadata) = try fetch(provider, issuer: issuer, now: now)
      try cache.save(entry, for: provider.id)
      return metadata
    } catch {
      if case .network = error, let cachedMetadata { return cachedMetadata }
      throw Self.discoveryFailed(error, provider: provider, issuer: issuer)
    }
  }

  /// A discovery that failed, said as such: which provider, the issuer tried, why, and the keys
  /// that fix it (the issuer, or the endpoints that make discovery unnecessary). The kind stays
  /// (a network failure exits 1, a wrong document too); a store error is passed on as it is.
  static func discoveryFailed(_ error: AuthDeckError, provider: Provider, issuer: String) -> AuthDeckError {
    let why = error.description
    let fix =
      "check issuer in [providers.\(provider.id)], or set authorize_url and token_url there to do without discovery"
    let text =
      "\(provider.id): discovery failed for issuer \(Sanitizer.inline(issuer, limit: 120)) (\(why)); \(fix)"
    switch error {
    case .network: return .network(text)
    case .provider: return .provider(text)
    default: return error
    }
  }

  /// Tries the well-known locations in turn; a document that names another issuer is refused at once.
  func fetch(_ provider: Provider, issuer: String, now: Date) throws(AuthDeckError)
    -> (DiscoveryCache.Entry, ProviderMetadata)
  {
    var problems: [String] = []
    for url in ProviderMetadata.wellKnownURLs(issuer: issuer) {
      let response = try transport.send(
        HTTPRequest(
          method: "GET", url: url, headers: [("Accept", "application/json"), ("User-Agent", "AuthDeck/1")],
          caFile: provider.caFile, deadline: deadline))
      let body = Array(response.body)
      guard response.status == 200, case .object? = try? JSONValue.parse(body) else {
        let what = response.status == 200 ? "not JSON" : "HTTP \(response.status)"
        problems.append("\(url.path): \(what)")
        continue
      }
      let metadata = try ProviderMetadata.parse(body, expectedIssuer: issuer)
      return (
        DiscoveryCache.Entry(issuer: issuer, url: url.absoluteString, fetchedAt: now, document: body),
        metadata
      )
    }
    throw .provider("no discovery document (\(problems.joined(separator: "; ")))")
  }
}
