import ArgumentParser
import AuthDeckApp
import AuthDeckCore
import Foundation

struct Providers: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Show each configured provider: endpoints, grant, client authentication, expiry rule.")

  @OptionGroup var global: GlobalOptions

  func run() throws {
    try reportingErrors { () throws(AuthDeckError) in
      let context = Context(options: global)
      let configuration = try context.configuration()
      guard !configuration.providers.isEmpty else {
        Terminal.note(ProviderDescription.noneConfigured(in: context.configPath))
        return
      }
      for provider in configuration.providers {
        print(ProviderDescription.text(provider))
      }
    }
  }
}
