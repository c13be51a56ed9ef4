import Foundation

/// Finds a provider's client secret when a request needs it, never earlier.
public protocol SecretResolving: Sendable {
  func secret(for provider: Provider) throws(AuthDeckError) -> String?
}

/// Reads secrets from the environment, a command's stdout, or the (private) config file.
public struct SecretResolver: SecretResolving {
  let environment: [String: String]

  public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
    self.environment = environment
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
      return try run(command, provider: provider.id)
    }
  }

  /// Runs the command with /bin/sh, as the user wrote it; its stderr is discarded so that it
  /// cannot reach the board, and only its exit status is reported.
  private func run(_ command: String, provider: String) throws(AuthDeckError) -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = ["-c", command]
    let output = Pipe()
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    process.standardInput = FileHandle.nullDevice
    do {
      try process.run()
    } catch {
      throw .config("\(provider): client_secret_command could not be started")
    }
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
      throw .config("\(provider): client_secret_command failed (exit status \(process.terminationStatus))")
    }
    var secret = String(decoding: data, as: UTF8.self)
    while secret.hasSuffix("\n") || secret.hasSuffix("\r") { secret.removeLast() }
    guard !secret.isEmpty else { throw .config("\(provider): client_secret_command printed nothing") }
    return secret
  }
}
