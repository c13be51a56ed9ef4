/// Known providers, so a user writes `preset = "lime"` instead of copying endpoints.
enum Preset: String, CaseIterable {
  case lime, limio

  struct Defaults {
    var name: String?
    var authorizeURL: String?
    var tokenURL: String?
    var clientAuth: ClientAuth?
    var scope: String?
    var dailyExpiry: DailyCutoff?
  }

  /// Where a Limio tenant is hosted.
  enum LimioRegion: String, CaseIterable {
    case eu, us
  }

  func defaults(reader: ProviderTableReader) throws(AuthDeckError) -> Defaults {
    switch self {
    case .lime:
      return Defaults(
        name: "Lime Trading", authorizeURL: "https://auth.lime.co/connect/authorize",
        tokenURL: "https://auth.lime.co/connect/token", clientAuth: .post,
        dailyExpiry: DailyCutoff(parsing: "03:00 America/New_York"))
    case .limio:
      let limio = Defaults(name: "Limio", clientAuth: .basic, scope: "openid")
      guard let tenant = try reader.string("tenant") else {
        // A staging or self-hosted tenant is configured by its two URLs; then there is nothing to fill in.
        let authorizeURL = try reader.string("authorize_url")
        let tokenURL = try reader.string("token_url")
        guard authorizeURL != nil, tokenURL != nil else {
          throw reader.fail(
            "tenant", "the limio preset needs tenant = \"yourcompany\" (or both authorize_url and token_url)")
        }
        if reader.table["region"] != nil {
          throw reader.fail("region", "is only used with tenant (authorize_url and token_url are given)")
        }
        return limio
      }
      guard ProviderID.isValid(tenant) else { throw reader.fail("tenant", "letters, digits and - only") }
      let host: String
      switch try reader.choice("region", default: LimioRegion.eu) {
      case .eu: host = "\(tenant).prod.limio.com"
      case .us: host = "\(tenant).prod-us.limio.com"
      }
      var named = limio
      named.name = "Limio \(tenant)"
      named.authorizeURL = "https://\(host)/oauth2/authorize"
      named.tokenURL = "https://\(host)/oauth2/token"
      return named
    }
  }
}
