import AuthDeckCore

/// How the command line words the typed outcomes of the flows: the fact, then the command to
/// run. The board words the same reasons with the key to press (`BoardText`).
public enum CommandLineText {
  /// The one line an error is reported as (after `authdeck: `).
  public static func message(_ error: AuthDeckError) -> String {
    switch error {
    case .loginRequired(let required): return loginNeeded(required)
    case .unknownSession: return error.description + "; see: authdeck list"
    case .agent(let failure): return agentSaid(failure)
    default: return error.description
    }
  }

  /// What the agent said, with what to do where: a login happens on the agent's machine.
  public static func agentSaid(_ failure: AgentFailure) -> String {
    switch failure.kind {
    case .loginRequired:
      // No id: a login would not help (the message says why).
      guard let id = failure.id else { return failure.message }
      return failure.message + "; run authdeck login \(ShellWord.quoted(id)) where the agent runs"
    case .notServed, .unknownProvider, .refused:
      return failure.message
    case .unreachable:
      return failure.message + "; is authdeck agent running (and, over ssh, the connection up)?"
    default:
      return "the agent: " + failure.message
    }
  }

  /// "lime/main: expired 08:00 (2h ago); run: authdeck login lime/main".
  public static func loginNeeded(_ required: LoginRequired) -> String {
    guard required.reason.suggestsLogin else { return required.description }
    return required.description + "; run: authdeck login \(ShellWord.quoted(required.id))"
  }
}
