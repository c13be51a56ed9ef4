import ArgumentParser
import AuthDeckApp
import AuthDeckCore
import Foundation

struct Status: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "One short line for a shell prompt or tmux: time left per provider, ✗ where a login is needed.",
    discussion: """
      e.g. `acme ✗ · lime 7:50 · limio ✓ · 1 to log in`. Reads only the store: no configuration, \
      no network, never a secret. Prints nothing when there are no sessions. With --json, the \
      configuration is read too, for when a token counts as expiring (as list does).
      """)

  @Flag(help: "Print a JSON array of session objects, as list --json does.")
  var json = false

  func run() throws {
    StatusPrinter.show(json: json)
  }
}

/// `authdeck status`, also run before the argument parser (`authdeck status` alone): a prompt
/// runs it every time it is drawn, and the parser is half its time.
enum StatusPrinter {
  /// `status` and nothing else, answered without the parser; false for anything else.
  static func runFast(_ arguments: [String]) -> Bool {
    guard arguments.count == 2, arguments[1] == "status" else { return false }
    show(json: false)
    return true
  }

  static func show(json: Bool) {
    do throws(AuthDeckError) {
      if let socket = getenv(AgentProtocol.socketVariable), socket.pointee != 0 {
        guard
          case .status(let line, let sessions) = try AgentClient(path: String(cString: socket)).ask(.status)
        else { return }
        if json {
          Console.out(SessionJSON.array(objects: sessions))
        } else if !line.isEmpty {
          Console.out(line)
        }
        return
      }
      let (sessions, problems, unread) = try SessionStore.located().loadAll()
      problems.forEach { Console.error($0) }
      let now = Date()
      guard json else {
        if !sessions.isEmpty { Console.out(StatusLine.line(sessions, now: now)) }
        if unread > 0 { exit(AuthDeckError.failureStatus) }
        return
      }
      let configuration = Context().configurationResult()
      let threshold = (try? configuration.get())?.expiringWithin ?? SessionStatus.defaultExpiringWithin
      Console.out(SessionJSON.array(sessions, now: now, expiringWithin: threshold))
      if case .failure(let error) = configuration { throw error }
      if unread > 0 { exit(AuthDeckError.failureStatus) }
    } catch {
      Console.error(CommandLineText.message(error))
      exit(error.exitCode)
    }
  }
}
