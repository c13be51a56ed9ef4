import ArgumentParser
import AuthDeckCore
import Foundation

struct Board: ParsableCommand {
  static let configuration = CommandConfiguration(abstract: "Open the session board (the default).")

  @OptionGroup var global: GlobalOptions

  func run() throws {
    try reportingErrors { () throws(AuthDeckError) in
      try TerminalCheck.require()
      let context = Context(options: global)
      let app = try BoardApp(
        service: try context.service(), configPath: context.configPath, environment: context.environment)
      app.run()
    }
  }
}

struct Demo: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Open the board against a built-in OAuth provider on 127.0.0.1, with a temporary store.")

  func run() throws {
    try reportingErrors { () throws(AuthDeckError) in
      try TerminalCheck.require()
      let setup = try DemoSetup.start()
      defer { setup.removeStore() }
      let environment = ProcessInfo.processInfo.environment
      try BoardApp(service: setup.service, configPath: "", environment: environment, demo: setup).run()
    }
  }
}

enum TerminalCheck {
  /// curses exits the process on its own when it has no terminal; say why first.
  static func require() throws(AuthDeckError) {
    guard isatty(0) != 0 && isatty(1) != 0 else {
      throw .usage("the board needs a terminal; for scripts use: authdeck list / authdeck token ID")
    }
    guard let term = ProcessInfo.processInfo.environment["TERM"], !term.isEmpty, term != "dumb" else {
      throw .usage("TERM is not set to a terminal type the board can draw on (e.g. TERM=xterm-256color)")
    }
  }
}
