import ArgumentParser
import AuthDeckApp
import AuthDeckCore
import AuthDeckNet
import Foundation

struct ExecCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "exec",
    abstract: "Run COMMAND with valid tokens of the sessions in its environment.",
    usage:
      "authdeck exec [--config <config>] [--id-token] [--min-valid <duration>] ID... -- COMMAND [ARG...]",
    discussion: """
      Each session is made valid first (refreshed when it must be and can be); when one cannot \
      be, exit 3 with the login to run, and COMMAND is not started. Then authdeck becomes \
      COMMAND (looked up on PATH): COMMAND's exit status and signals are authdeck's own.

      Variables: the access token in the provider's token_env, else in AUTHDECK_TOKEN for one \
      session or PROVIDER_TOKEN for several (two of one provider add _ACCOUNT: LIME_TOKEN_MAIN); \
      NAME_EXPIRES_AT, the Unix time it expires (absent when unknown); NAME_ID_TOKEN with \
      --id-token; AUTHDECK_HANDED, the names handed over (an exec inside COMMAND drops them). \
      Client secrets and AuthDeck's own variables (but AUTHDECK_CONFIG and AUTHDECK_STORE) are \
      not passed on.

      Example: authdeck exec lime/main -- sh -c 'curl -H "Authorization: Bearer $AUTHDECK_TOKEN" URL'
      """)

  @OptionGroup var global: GlobalOptions
  @Flag(help: "Also hand over each session's id token, in NAME_ID_TOKEN (exit 3 when one has none).")
  var idToken = false
  @Option(
    help: ArgumentHelp(
      "Each token must last this long: refresh, or exit 3 (e.g. 90s, 15m, 2h, 1h30m).", valueName: "duration"),
    transform: DurationArgument.parse)
  var minValid: TimeInterval?
  @Argument(
    help: ArgumentHelp(
      "The sessions (provider/account), then -- and the command to run with its arguments.",
      valueName: "ID... -- COMMAND"),
    completion: SessionCompletion.kind)
  var words: [String] = []

  /// The sessions and COMMAND. The parser hands over every positional word in one list, those
  /// after `--` included as they are (it allows no second list after a first); COMMAND is as
  /// many of its last words as the command line has after its first `--`.
  var split: (ids: [String], command: [String]) {
    let argv = CommandLine.arguments
    guard let terminator = argv.firstIndex(of: "--") else { return (words, []) }
    let command = Array(argv[(terminator + 1)...])
    guard command.count <= words.count, Array(words.suffix(command.count)) == command else {
      return (words, [])
    }
    return (Array(words.dropLast(command.count)), command)
  }

  func validate() throws {
    let (ids, command) = split
    guard !ids.isEmpty else {
      throw ValidationError("name at least one session: authdeck exec ID -- COMMAND")
    }
    guard !command.isEmpty else {
      throw ValidationError("nothing to run: put the command after --, e.g. authdeck exec \(ids[0]) -- env")
    }
  }

  func run() throws {
    let (ids, command) = split
    try reportingErrors { () throws(AuthDeckError) in
      let ids = try SessionID.parsing(all: ids)
      let context = Context(options: global)
      if let agent = context.agent {
        return try run(ids, command: command, from: agent, context: context)
      }
      let service = try context.service()
      let configuration = service.configuration
      for id in ids { _ = try configuration.provider(for: id) }
      let variables = try TokenVariables.names(for: ids) { configuration.provider($0)?.tokenVariable }
      let executable = Self.orExit(Exec.locate(command[0], path: context.environment["PATH"]))
      let (handed, failures) = service.handOver(
        variables, now: Date(), minValid: minValid ?? 0, idTokens: idToken)
      if let first = failures.first {
        failures.forEach { Console.error(CommandLineText.message($0)) }
        Foundation.exit(first.exitCode)
      }
      let environment = context.children(of: configuration).handing(handed)
      Self.fail(Exec.replaceProcess(executable: executable, argv: command, environment: environment))
    }
  }

  /// With `AUTHDECK_SOCK`: every token from the agent (renewed there), then COMMAND as ever.
  /// This machine has no configuration, so no secret variable to withhold: none is known here.
  func run(_ ids: [SessionID], command: [String], from agent: AgentClient, context: Context)
    throws(AuthDeckError)
  {
    let now = Date()
    var answers: [SessionID: HandedToken] = [:]
    var failures: [AuthDeckError] = []
    for id in ids {
      do throws(AuthDeckError) {
        answers[id] = try agent.token(id, minValid: minValid ?? 0, idToken: idToken)
      } catch {
        failures.append(error)
      }
    }
    if let first = failures.first {
      failures.forEach { Console.error(CommandLineText.message($0)) }
      Foundation.exit(first.exitCode)
    }
    let variables = try TokenVariables.names(for: ids) { provider in
      answers.first { $0.key.provider == provider }?.value.variable
    }
    let handed = variables.map { names in
      let answer = answers[names.id]!
      return HandedSession(variables: names, tokens: answer.tokens(issuedAt: now), idToken: answer.idToken)
    }
    let executable = Self.orExit(Exec.locate(command[0], path: context.environment["PATH"]))
    let environment = ChildEnvironment(inherited: context.environment, withholding: []).handing(handed)
    Self.fail(Exec.replaceProcess(executable: executable, argv: command, environment: environment))
  }

  /// The value, or the failure's message on stderr and its status (126, 127) as the exit.
  static func orExit<T>(_ result: Result<T, Exec.Failure>) -> T {
    switch result {
    case .success(let value): return value
    case .failure(let failure): fail(failure)
    }
  }

  static func fail(_ failure: Exec.Failure) -> Never {
    Console.error(failure.message)
    Foundation.exit(failure.status)
  }
}
