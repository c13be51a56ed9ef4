import AuthDeckCore
import Foundation

/// Reads secrets from the environment, a command's stdout (`SecretCommand`), or the (private)
/// config file.
public struct SecretResolver: SecretResolving {
  /// Where `client_secret_env` variables are read.
  let environment: [String: String]
  /// What a `client_secret_command` starts with: without the secret variables, like every child.
  let children: ChildEnvironment
  let commandTimeout: TimeInterval

  /// `secretVariables`: every provider's `client_secret_env` (`Configuration.secretVariables`).
  public init(
    environment: [String: String], withholding secretVariables: Set<String>,
    commandTimeout: TimeInterval = SecretCommand.defaultTimeout
  ) {
    self.environment = environment
    self.children = ChildEnvironment(inherited: environment, withholding: secretVariables)
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
        throw provider.keyError("client_secret_env", "the environment variable \(name) is not set")
      }
      return value
    case .command(let command):
      return try SecretCommand.run(
        command, of: provider, timeout: provider.secretTimeout ?? commandTimeout, environment: children)
    }
  }
}
