import ArgumentParser
import AuthDeckApp
import AuthDeckCore
import Foundation

struct Providers: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract:
      "Show each configured provider: endpoints and where they came from, grant, client authentication, expiry rule.",
    discussion: """
      A provider with an issuer shows what its discovery document says (fetched when the cached \
      copy is over a day old). Exit status 1 when a provider cannot be used (its discovery failed); \
      every provider is shown all the same.
      """
  )

  @OptionGroup var global: GlobalOptions

  func run() throws {
    try reportingErrors { () throws(AuthDeckError) in
      let context = Context(options: global)
      let service = try context.service()
      let configuration = service.configuration
      guard !configuration.providers.isEmpty else {
        Console.note(ProviderDescription.noneConfigured(in: context.configPath))
        return
      }
      let skews = Self.clockSkews(in: context.store)
      var unusable: AuthDeckError?
      for provider in configuration.providers {
        var known = provider
        known.basicCredentials = service.discovery.cache.quirks(provider.id).basicCredentials
        guard known.configuredIssuer != nil else {
          Console.out(ProviderDescription.text(known, clockSkew: skews[provider.id]))
          continue
        }
        do throws(AuthDeckError) {
          let metadata = try service.discovery.metadata(for: known, now: Date())
          Console.out(
            ProviderDescription.text(
              EndpointResolver.apply(metadata, to: known), metadata: metadata, clockSkew: skews[provider.id]))
        } catch {
          unusable = unusable ?? error
          Console.out(
            ProviderDescription.text(
              known, discoveryProblem: error.description, clockSkew: skews[provider.id]))
        }
      }
      if let unusable { Foundation.exit(unusable.exitCode) }
    }
  }

  /// Per provider, how far off the local clock was when its most recent token came.
  static func clockSkews(in store: SessionStore) -> [String: TimeInterval] {
    let sessions: [Session]
    do throws(AuthDeckError) { sessions = try store.loadAll().sessions } catch { return [:] }
    var latest: [String: TokenSet] = [:]
    for session in sessions {
      guard let tokens = session.tokens, tokens.clockSkew != nil else { continue }
      if latest[session.id.provider].map({ $0.issuedAt < tokens.issuedAt }) ?? true {
        latest[session.id.provider] = tokens
      }
    }
    return latest.compactMapValues(\.clockSkew)
  }
}
