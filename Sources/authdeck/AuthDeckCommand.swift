import ArgumentParser
import AuthDeckApp
import AuthDeckCore
import AuthDeckNet
import Foundation
import Synchronization

@main
struct AuthDeckCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "authdeck",
    abstract: "OAuth sessions at a glance: log in, see every expiry, hand tokens to scripts.",
    discussion: """
      With no subcommand, opens the session board. For scripts, prompts and tmux: token, exec, \
      wait and status; for kubectl and git: kube-credential and git-credential (authdeck help \
      COMMAND says more). Messages for people go to stderr: \
      errors and warnings as one line starting authdeck:, progress and instructions as they are.

      The configuration is ~/.config/authdeck/config.toml ($XDG_CONFIG_HOME, $AUTHDECK_CONFIG or \
      --config); sessions are kept in ~/.local/state/authdeck ($XDG_STATE_HOME or \
      $AUTHDECK_STORE), one file each that only you can read.
      """ + "\n\n" + ExitStatusText.table,
    version: "0.1.0",
    subcommands: [
      Board.self, Login.self, Token.self, ExecCommand.self, KubeCredential.self, GitCredential.self,
      Wait.self,
      Status.self, List.self,
      LogoutCommand.self,
      Providers.self, AgentCommand.self, Demo.self,
    ],
    defaultSubcommand: Board.self
  )

  static func main() {
    InheritedSettings.harden()  // umask 077, SIGPIPE ignored; exec gives COMMAND back what we got
    ProcessHardening.apply()
    if FastToken.run(CommandLine.arguments) || StatusPrinter.runFast(CommandLine.arguments) { return }
    SecretCommandSignals.install()  // Ctrl-C stops a client_secret_command with AuthDeck
    if let unknown = unknownCommand(CommandLine.arguments) {
      Console.error(unknown)
      Glibc.exit(ExitCode.validationFailure.rawValue)
    }
    do {
      var command = try parseAsRoot()
      try command.run()
    } catch {
      // The parser's own messages echo what was typed: they go through Console like the rest.
      let code = exitCode(for: error)
      let message = fullMessage(for: error)
      if code == .success {
        // Nothing for a Tab that found nothing to offer, not an empty line.
        if !message.isEmpty { Console.out(message) }
      } else if !message.isEmpty {
        Console.note(message)
      }
      Glibc.exit(code.rawValue)
    }
  }
}

/// "unknown command 'tokn'; did you mean token?" for a first word that names no command: the
/// parser would hand it to the board, which takes no arguments, and say only that there were
/// unexpected arguments.
func unknownCommand(_ arguments: [String]) -> String? {
  guard arguments.count >= 2, let word = arguments.dropFirst().first, !word.hasPrefix("-") else { return nil }
  let names = AuthDeckCommand.configuration.subcommands.map { $0._commandName } + ["help"]
  guard !names.contains(word) else { return nil }
  let shown = Sanitizer.inline(word, limit: 40)
  let suggestion = KeySuggestion.closest(to: word, in: names).map { "; did you mean \($0)?" } ?? ""
  return "unknown command '\(shown)'\(suggestion) (see: authdeck --help)"
}

/// Options every subcommand shares.
struct GlobalOptions: ParsableArguments {
  @Option(
    name: .long, help: "Configuration file (default: $AUTHDECK_CONFIG or ~/.config/authdeck/config.toml).")
  var config: String?
}

/// What a command needs, built from the environment and the options.
struct Context {
  let environment = ProcessInfo.processInfo.environment
  /// --config, when given.
  let config: String?

  init(options: GlobalOptions, missingConfigIsEmpty: Bool = false) {
    config = options.config
    self.missingConfigIsEmpty = missingConfigIsEmpty
  }

  /// Without the argument parser (the `token` fast path): the defaults.
  init() { config = nil }

  var configPath: String { ConfigurationLocation.path(explicit: config, environment: environment) }
  /// The agent whose socket `AUTHDECK_SOCK` names: then tokens come from it, and this machine
  /// needs no configuration, store or secret of its own.
  var agent: AgentClient? { AgentClient.named(by: environment[AgentProtocol.socketVariable]) }
  var store: SessionStore { SessionStore(root: SessionStore.defaultRoot(environment: environment)) }

  /// Whether a `--config` file that does not exist reads as an empty configuration: for the
  /// board, whose first-run screen asks for that very file. Elsewhere a file named on the
  /// command line and missing is a typo more often than not, and is said.
  var missingConfigIsEmpty = false

  func configuration() throws(AuthDeckError) -> Configuration {
    if let config, !missingConfigIsEmpty, !FileManager.default.fileExists(atPath: config) {
      throw .config("\(config): no such file (named by --config)")
    }
    return try ConfigurationLoader.load(path: configPath, environment: environment)
  }

  /// The configuration, or why it cannot be read, for a command that goes on without it.
  func configurationResult() -> Result<Configuration, AuthDeckError> {
    do throws(AuthDeckError) { return .success(try configuration()) } catch { return .failure(error) }
  }

  func service() throws(AuthDeckError) -> TokenService {
    let configuration = try configuration()
    var service = TokenService(
      configuration: configuration, store: store, transport: CurlTransportFactory.make(),
      secrets: SecretResolver(environment: environment, withholding: configuration.secretVariables))
    service.notices = NoticePrinter.say
    return service
  }

  /// What child processes (the browser) start with: this environment less every secret variable.
  func children(of configuration: Configuration) -> ChildEnvironment {
    ChildEnvironment(inherited: environment, withholding: configuration.secretVariables)
  }
}

/// What the token service learns about a provider (a clock that is off, credentials it wants
/// raw), said on stderr once per provider and kind in a process.
enum NoticePrinter {
  private static let told = Mutex<Set<String>>([])

  @Sendable static func say(_ notice: ProviderNotice) {
    guard told.withLock({ $0.insert(notice.provider + " " + notice.kind).inserted }) else { return }
    Console.error(notice.text)
  }
}

/// Runs a command body, turning an AuthDeckError into one line on stderr (worded for the
/// command line: the command to run) and its exit status.
func reportingErrors(_ body: () throws(AuthDeckError) -> Void) throws {
  do {
    try body()
  } catch {
    Console.error(CommandLineText.message(error))
    throw ExitCode(error.exitCode)
  }
}
