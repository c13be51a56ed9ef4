import ArgumentParser
import AuthDeckApp
import AuthDeckBoard
import AuthDeckCore
import AuthDeckNet
import AuthDeckTerminal
import Foundation

struct Board: ParsableCommand {
  static let configuration = CommandConfiguration(abstract: "Open the session board (the default).")

  @OptionGroup var global: GlobalOptions

  func run() throws {
    try reportingErrors { () throws(AuthDeckError) in
      let fallback = try TerminalCheck.require()
      let context = Context(options: global, missingConfigIsEmpty: true)
      let watch = ConfigurationWatch(path: context.configPath) { () throws(AuthDeckError) in
        try context.service()
      }
      try BoardWiring.open(
        service: try context.service(), configPath: context.configPath, environment: context.environment,
        watch: watch, terminal: fallback)
    }
  }
}

struct Demo: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Open the board against a built-in OAuth provider on 127.0.0.1, with a temporary store.")

  func run() throws {
    try reportingErrors { () throws(AuthDeckError) in
      let fallback = try TerminalCheck.require()
      let setup = try DemoSetup.start()
      defer { setup.removeStore() }
      try BoardWiring.open(
        service: setup.service, configPath: "", environment: ProcessInfo.processInfo.environment, demo: setup,
        terminal: fallback)
    }
  }
}

enum TerminalCheck {
  /// A terminal type this host has no entry for, drawn as one it has, and the note that says so.
  struct Fallback {
    var drawAs: String
    var note: String
  }

  /// curses cannot draw without a terminal, or on one it does not know; say why first. A
  /// terminal type this host has no entry for, but that speaks xterm's language, is drawn as one
  /// it has (TERM itself is left alone: notifications and children see the real one).
  static func require() throws(AuthDeckError) -> Fallback? {
    guard isatty(0) != 0 && isatty(1) != 0 else {
      throw .usage("the board needs a terminal; for scripts use: authdeck list / authdeck token ID")
    }
    let environment = ProcessInfo.processInfo.environment
    guard let term = environment["TERM"], !term.isEmpty else {
      throw .usage("TERM is not set; the board needs a terminal type (e.g. TERM=xterm-256color)")
    }
    guard term != "dumb" else {
      throw .usage("TERM=dumb cannot draw the board (no cursor movement); for scripts use: authdeck list")
    }
    switch TerminalType.resolve(term, environment: environment) {
    case .known:
      return nil
    case .fallback(let from, let to):
      return Fallback(drawAs: to, note: "TERM=\(from) has no terminfo entry here: drawing as \(to)")
    case .unknown(let message):
      throw .usage(message)
    }
  }
}

/// The board's parts, put together: the screen, the runner with the real edges, the loop.
enum BoardWiring {
  static func open(
    service: TokenService, configPath: String, environment: [String: String], demo: DemoSetup? = nil,
    watch: ConfigurationWatch? = nil, terminal: TerminalCheck.Fallback? = nil
  ) throws(AuthDeckError) {
    let screen: CursesScreen
    do throws(CursesScreen.Unavailable) {
      screen = try CursesScreen(environment: environment, terminalType: terminal?.drawAs)
    } catch {
      throw .other(error.reason)
    }
    let inbox = try Inbox()
    let runner = EffectRunner(service: service, sink: inbox, demo: demo) { configuration in
      let children = ChildEnvironment(inherited: environment, withholding: configuration.secretVariables)
      return EffectRunner.Edges(
        browser: SystemBrowser(environment: children),
        clipboard: SystemClipboard(environment: children, terminal: { text in screen.copyWithOSC52(text) }),
        notifier: SystemNotifier(
          environment: children, terminal: { title, body in screen.notify(title: title, body: body) }))
    }
    var state = BoardState(
      providers: service.configuration.providers, sessions: [], now: Date(),
      expiringWithin: service.configuration.expiringWithin, isDemo: demo != nil)
    state.configPath = configPath
    // While it is open, the agent may ask it about callers (agent = "confirm").
    AgentApprovals.holdBoardLock(service.store)
    // scripts/run's word for the person who just installed (authdeck is not on PATH): said on
    // the board, where it is seen, rather than in the shell output the board covers.
    for note in [terminal?.note, environment["AUTHDECK_NOTE"]].compactMap({ $0 }) where !note.isEmpty {
      _ = state.handle([.notice(note, isError: true)])
    }
    BoardLoop(
      state: state, screen: screen, runner: runner, inbox: inbox, environment: environment, watch: watch
    ).run()
    ChildGroups.shared.killAll()  // a secret command still running must not outlive the board
  }
}
