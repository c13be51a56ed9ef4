import Foundation

/// Finds a provider's client secret when a request needs it, never earlier.
public protocol SecretResolving: Sendable {
  func secret(for provider: Provider) throws(AuthDeckError) -> String?
}
