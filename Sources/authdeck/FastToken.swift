import AuthDeckCore
import Foundation

/// `authdeck token ID` when the stored token can be handed out as it is: no argument parser,
/// no configuration, no network, one small file. Scripts call this before every API request.
/// Anything else (other arguments, an expired token, an error) goes the ordinary way.
enum FastToken {
  static func run(_ arguments: [String]) -> Bool {
    guard arguments.count == 3, arguments[1] == "token", !arguments[2].hasPrefix("-"),
      let id = try? SessionID(parsing: arguments[2])
    else { return false }
    let store = SessionStore(root: SessionStore.defaultRoot(environment: ProcessInfo.processInfo.environment))
    guard let session = try? store.load(id), let tokens = TokenService.usableToken(in: session, now: Date()) else {
      return false
    }
    print(tokens.accessToken)
    return true
  }
}
