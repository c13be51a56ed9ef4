import ArgumentParser
import AuthDeckApp
import AuthDeckCore
import Foundation

struct Wait: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Wait until every session ID can be handed out (someone logs in), then exit 0.",
    discussion: """
      A session is ready when `authdeck token` would give a token without a person: it holds \
      one that has not expired, or it renews itself (a refresh token, client credentials). \
      wait sleeps until the store changes, so it can start before the person logs in and \
      costs nothing while it waits; it says once on stderr what it waits for. Exit 3 at the \
      timeout, naming the sessions still to log in.
      """)

  @OptionGroup var global: GlobalOptions
  @Option(
    help: ArgumentHelp(
      "Give up after this long, with exit status 3 (e.g. 30s, 10m, 1h).", valueName: "duration"),
    transform: DurationArgument.parse)
  var timeout: TimeInterval?
  @Argument(help: "The sessions, as provider/account (e.g. lime/main).", completion: SessionCompletion.kind)
  var ids: [String] = []

  func validate() throws {
    guard !ids.isEmpty else { throw ValidationError("name at least one session: authdeck wait ID") }
  }

  func run() throws {
    try reportingErrors { () throws(AuthDeckError) in
      let ids = try SessionID.parsing(all: ids)
      let context = Context(options: global)
      if let agent = context.agent { return try wait(for: ids, on: agent) }
      let wait = try SessionWait(ids, store: context.store, configuration: try context.configuration())
      let start = Date()
      let missing = try wait.run(until: timeout.map { start.addingTimeInterval($0) }) { missing in
        Console.note(WaitText.waiting(for: missing.map(\.id)))
      }
      if let timeout, !missing.isEmpty {
        Console.error(WaitText.timedOut(after: timeout, missing: missing, now: Date()))
        Foundation.exit(AuthDeckError.loginNeededStatus)
      }
    }
  }

  /// With `AUTHDECK_SOCK`: the agent waits on its store, where the person logs in.
  func wait(for ids: [SessionID], on agent: AgentClient) throws(AuthDeckError) {
    if case .ready = try agent.ask(.wait(ids, timeout: 0)) { return }
    Console.note(WaitText.waiting(for: ids, throughAgent: true))
    if case .stillMissing(let sentence) = try agent.ask(.wait(ids, timeout: timeout)) {
      Console.error(sentence)
      Foundation.exit(AuthDeckError.loginNeededStatus)
    }
  }
}
