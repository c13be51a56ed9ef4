import AuthDeckCore
import Foundation

/// Copies text to the clipboard: OSC 52 through the terminal (works over SSH, and in tmux with
/// set-clipboard on), plus a local clipboard tool when one is there. Tools get the text on
/// stdin, never in argv, and start without the client-secret variables.
public struct SystemClipboard: ClipboardWriting {
  let environment: ChildEnvironment
  /// Writes OSC 52 to the terminal; nil where there is no terminal to write to.
  let terminal: (@Sendable (String) -> Void)?

  public init(environment: ChildEnvironment, terminal: (@Sendable (String) -> Void)?) {
    self.environment = environment
    self.terminal = terminal
  }

  public func copy(_ text: String) -> CopyResult {
    var result = CopyResult(ways: [])
    if let terminal {
      terminal(text)
      result.ways.append("OSC 52")
    }
    if let tool = Self.localTool(environment) {
      // Started by the path found on the child's own PATH, and named by its name.
      let name = (tool[0] as NSString).lastPathComponent
      switch Spawn.run(tool, input: Data(text.utf8), environment: environment) {
      case .success(0): result.ways.append(name)
      case .success(let status): result.failures.append("\(name) exited with status \(status)")
      case .failure(let error): result.failures.append(error.description)
      }
    }
    return result
  }

  /// The first clipboard tool that applies (Wayland, X, macOS), found on the children's PATH:
  /// its argument vector, the file found first.
  static func localTool(_ environment: ChildEnvironment) -> [String]? {
    let path = environment["PATH"]
    let candidates: [(needs: String?, argv: [String])] = [
      ("WAYLAND_DISPLAY", ["wl-copy"]), ("DISPLAY", ["xclip", "-selection", "clipboard"]),
      ("DISPLAY", ["xsel", "--clipboard", "--input"]), (nil, ["pbcopy"]),
    ]
    for candidate in candidates {
      if let variable = candidate.needs, (environment[variable] ?? "").isEmpty { continue }
      if let file = Spawn.findExecutable(candidate.argv[0], path: path) {
        return [file] + candidate.argv.dropFirst()
      }
    }
    return nil
  }
}
