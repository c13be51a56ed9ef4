import ArgumentParser
import AuthDeckApp
import AuthDeckCore
import Foundation

struct Token: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Print a valid access token for ID, refreshing it if it can.",
    discussion: """
      Prints the token and a newline, nothing else (or, with --header, an HTTP header line for \
      curl -H @-; with --json, one JSON object). Exit status 3 means a login is needed; the \
      reason and the command to run are on stderr.
      """)

  @OptionGroup var global: GlobalOptions
  @Argument(help: "The session, as provider/account (e.g. lime/main).", completion: SessionCompletion.kind)
  var id: String
  @Flag(help: "Print an HTTP header line, for curl -H @-: Authorization: Bearer TOKEN.")
  var header = false
  @Flag(
    help: """
      Print the session's JSON object (as list --json prints it) with token, type and scope \
      added, on one line. Never the refresh token.
      """)
  var json = false
  @Flag(
    help:
      "Print the id token instead of the access token (with --json: as well, as id_token). Exit 3 without one."
  )
  var idToken = false
  @Option(
    help: ArgumentHelp(
      "Refresh when less than this is left, and exit 3 if still less (e.g. 90s, 15m, 2h, 1h30m).",
      valueName: "duration"),
    transform: DurationArgument.parse)
  var minValid: TimeInterval?

  func validate() throws {
    if header && json { throw ValidationError("--header and --json do not go together; choose one") }
  }

  func run() throws {
    try reportingErrors { () throws(AuthDeckError) in
      let id = try SessionID(parsing: id)
      let context = Context(options: global)
      if let agent = context.agent {
        return AgentTokenPrinter.print(
          id, from: agent, format: header ? .header : .plain, json: json, idToken: idToken,
          minValid: minValid ?? 0)
      }
      TokenPrinter.print(
        id, stored: try context.store.load(id), context: context, format: header ? .header : .plain,
        json: json, idToken: idToken, minValid: minValid ?? 0)
    }
  }
}

/// The token, renewed first when it must be: one read before, one under the lock. A stored token
/// that can be handed out as it is needs neither the configuration nor the network.
enum TokenPrinter {
  /// `json`: the session's object, which needs the configuration's "expiring" threshold and
  /// the session as stored after a renewal.
  static func print(
    _ id: SessionID, stored: Session?, context: Context, format: TokenOutput.Format = .plain,
    json: Bool = false,
    idToken: Bool = false, minValid: TimeInterval = 0
  ) {
    do throws(AuthDeckError) {
      let now = Date()
      let tokens = try valid(id, stored: stored, context: context, now: now, minValid: minValid)
      let chosen = idToken ? try TokenService.idToken(of: id, in: tokens, now: now) : nil
      var session = stored ?? Session(id: id)
      var format = format
      if json {
        session = try context.store.load(id) ?? session
        format = .json(expiringWithin: try context.configuration().expiringWithin)
      }
      Console.out(TokenOutput.text(session, tokens, idToken: chosen, format: format, now: now))
    } catch {
      Console.error(CommandLineText.message(error))
      exit(error.exitCode)
    }
  }
}

extension TokenPrinter {
  /// The stored tokens when they can be handed out as they are; else through the token service.
  static func valid(_ id: SessionID, stored: Session?, context: Context, now: Date, minValid: TimeInterval)
    throws(AuthDeckError) -> TokenSet
  {
    if let stored, let tokens = TokenService.usableToken(in: stored, now: now, minValid: minValid) {
      return tokens
    }
    return try context.service().validToken(id, stored: stored, now: now, minValid: minValid)
  }
}

/// `authdeck token` with `AUTHDECK_SOCK` set: the agent renews and hands out; this prints.
enum AgentTokenPrinter {
  static func print(
    _ id: SessionID, from agent: AgentClient, format: TokenOutput.Format = .plain, json: Bool = false,
    idToken: Bool = false, minValid: TimeInterval = 0
  ) {
    do throws(AuthDeckError) {
      let handed = try agent.token(id, minValid: minValid, idToken: idToken)
      if json {
        Console.out(handed.object.serialized)
      } else {
        let now = Date()
        Console.out(
          TokenOutput.text(
            Session(id: id), handed.tokens(issuedAt: now), idToken: handed.idToken, format: format, now: now))
      }
    } catch {
      Console.error(CommandLineText.message(error))
      exit(error.exitCode)
    }
  }
}

extension Context {
  /// A valid token of `id`, renewed first when it must be and can be, as `token` hands it out:
  /// the one call through which `kube-credential` and `git-credential` get theirs, so that where
  /// tokens come from can change without them.
  func validToken(_ id: SessionID, minValid: TimeInterval) throws(AuthDeckError) -> TokenSet {
    if let agent {
      // Renewed on the agent's side; what is printed needs no refresh token.
      return try agent.token(id, minValid: minValid).tokens(issuedAt: Date())
    }
    return try TokenPrinter.valid(
      id, stored: try store.load(id), context: self, now: Date(), minValid: minValid)
  }
}
