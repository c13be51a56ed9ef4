import AuthDeckNet
import AuthDeckTerminal
import Foundation

/// Copies text to the clipboard: OSC 52 through the terminal (works over SSH, and in tmux with
/// set-clipboard on), plus a local clipboard tool when one is there. Tools get the text on stdin,
/// never in argv.
enum Clipboard {
  /// Starts the copy and returns how it was done, for the status line.
  static func copy(
    _ text: String, screen: CursesScreen, environment: [String: String], withholding secrets: Set<String>
  )
    -> String
  {
    screen.copyWithOSC52(text)
    var ways = ["OSC 52"]
    if let tool = localTool(environment) {
      ways.append(tool[0])
      let data = Data(text.utf8)
      let childEnvironment = environment.filter { !secrets.contains($0.key) }
      Thread.detachNewThread { _ = Spawn.run(tool, input: data, environment: childEnvironment) }
    }
    return ways.joined(separator: " + ")
  }

  private static func localTool(_ environment: [String: String]) -> [String]? {
    let path = environment["PATH"]
    let candidates: [(needs: String?, argv: [String])] = [
      ("WAYLAND_DISPLAY", ["wl-copy"]), ("DISPLAY", ["xclip", "-selection", "clipboard"]),
      ("DISPLAY", ["xsel", "--clipboard", "--input"]), (nil, ["pbcopy"]),
    ]
    for candidate in candidates {
      if let variable = candidate.needs, (environment[variable] ?? "").isEmpty { continue }
      if Spawn.findExecutable(candidate.argv[0], path: path) != nil { return candidate.argv }
    }
    return nil
  }
}
