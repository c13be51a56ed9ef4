import AuthDeckApp
import AuthDeckCore
import AuthDeckNet
import Foundation

/// `authdeck token ID` without the argument parser: scripts call it before every API request.
/// A token that can be handed out as it is costs one small file, no configuration and no
/// network. One that must be renewed goes on from the session already read (the file is read
/// again only under its lock). Other arguments go the ordinary way.
enum FastToken {
  static func run(_ arguments: [String]) -> Bool {
    guard arguments.count == 3, arguments[1] == "token", !arguments[2].hasPrefix("-"),
      let id = try? SessionID(parsing: arguments[2])
    else { return false }
    if let socket = getenv(AgentProtocol.socketVariable), socket.pointee != 0 {
      AgentTokenPrinter.print(id, from: AgentClient(path: String(cString: socket)))
      return true
    }
    let store = SessionStore.located()
    // What the store says is said here: the read may have moved a corrupt file aside, and a
    // second read by the ordinary path would find nothing and say "never logged in".
    let stored: Session?
    do throws(AuthDeckError) { stored = try store.load(id) } catch {
      Console.error(CommandLineText.message(error))
      exit(error.exitCode)
    }
    if let session = stored, let tokens = TokenService.usableToken(in: session, now: Date()) {
      Console.out(tokens.accessToken)
      return true
    }
    SecretCommandSignals.install()  // a renewal may run client_secret_command
    TokenPrinter.print(id, stored: stored, context: Context())
    return true
  }
}

extension SessionStore {
  /// The store where the environment says, read with getenv: building a dictionary of the
  /// environment (even of three variables: its first use costs a scan of the binary's protocol
  /// conformances) is a measurable part of a fast path's budget.
  static func located() -> SessionStore {
    SessionStore(root: SessionStore.defaultRoot { getenv($0).map { String(cString: $0) } })
  }
}
