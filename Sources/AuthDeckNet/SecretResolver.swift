import AuthDeckCore
import Foundation

/// Reads secrets from the environment, a command's stdout (`SecretCommand`), or the (private)
/// config file.
public struct SecretResolver: SecretResolving {
  let environment: [String: String]
  /// Variables that hold secrets (every provider's client_secret_env): a secret command starts
  /// without them, like every other child.
  let withheld: Set<String>
  let commandTimeout: TimeInterval

  public init(
    environment: [String: String] = ProcessInfo.processInfo.environment,
    withholding withheld: Set<String> = [],
    commandTimeout: TimeInterval = SecretCommand.defaultTimeout
  ) {
    self.environment = environment
    self.withheld = withheld
    self.commandTimeout = commandTimeout
  }

  public func secret(for provider: Provider) throws(AuthDeckError) -> String? {
    switch provider.secret {
    case .none:
      return nil
    case .inline(let secret):
      return secret
    case .environment(let name):
      guard let value = environment[name], !value.isEmpty else {
        throw .config("\(provider.id): the environment variable \(name) (client_secret_env) is not set")
      }
      return value
    case .command(let command):
      return try SecretCommand.run(
        command, provider: provider.id, timeout: provider.secretTimeout ?? commandTimeout,
        environment: environment.filter { !withheld.contains($0.key) })
    }
  }
}
