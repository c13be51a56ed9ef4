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
    // getenv, not ProcessInfo.environment: building that dictionary is a measurable part of the budget.
    var environment: [String: String] = [:]
    for name in ["AUTHDECK_STORE", "XDG_STATE_HOME", "HOME"] {
      if let value = getenv(name) { environment[name] = String(cString: value) }
    }
    let store = SessionStore(root: SessionStore.defaultRoot(environment: environment))
    guard let session = try? store.load(id), let tokens = TokenService.usableToken(in: session, now: Date())
    else {
      return false
    }
    print(tokens.accessToken)
    return true
  }
}
