import ArgumentParser
import AuthDeckApp
import AuthDeckCore
import Foundation

struct Providers: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract:
      "Show each configured provider: endpoints and where they came from, grant, client authentication, expiry rule.",
    discussion:
      "A provider with an issuer shows what its discovery document says (fetched when the cached copy is over a day old)."
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
      for provider in configuration.providers {
        guard provider.configuredIssuer != nil else {
          Console.out(ProviderDescription.text(provider))
          continue
        }
        do throws(AuthDeckError) {
          let metadata = try service.discovery.metadata(for: provider, now: Date())
          Console.out(
            ProviderDescription.text(EndpointResolver.apply(metadata, to: provider), metadata: metadata))
        } catch {
          Console.out(ProviderDescription.text(provider, discoveryProblem: error.description))
        }
      }
    }
  }
}
