import AuthDeckCore

/// How the command line words the typed outcomes of the flows: the fact, then the command to
/// run. The board words the same reasons with the key to press (`BoardText`).
public enum CommandLineText {
  /// The one line an error is reported as (after `authdeck: `).
  public static func message(_ error: AuthDeckError) -> String {
    switch error {
    case .loginRequired(let required): return loginNeeded(required)
    case .unknownSession: return error.description + "; see: authdeck list"
    default: return error.description
    }
  }

  /// "lime/main: expired 08:00 (2h ago); run: authdeck login lime/main".
  public static func loginNeeded(_ required: LoginRequired) -> String {
    guard required.reason.suggestsLogin else { return required.description }
    return required.description + "; run: authdeck login \(required.id)"
  }
}
