import Testing

@testable import AuthDeckTerminal

@Suite("Terminal types curses has no entry for")
struct TerminalTypeTests {
  let here: Set<String> = ["xterm-256color", "xterm", "tmux-256color", "screen"]

  func resolve(_ term: String) -> TerminalType.Resolution { TerminalType.resolve(term) { here.contains($0) } }

  @Test("a known type is used as it is")
  func known() { #expect(resolve("tmux-256color") == .known) }

  @Test(
    "xterm's relatives this host lacks are drawn as xterm-256color",
    arguments: ["xterm-kitty", "xterm-ghostty", "foot", "foot-extra", "alacritty", "wezterm", "kitty"])
  func relatives(term: String) {
    #expect(resolve(term) == .fallback(from: term, to: "xterm-256color"))
  }

  @Test("anything else is refused with what to do")
  func unknown() {
    guard case .unknown(let message) = resolve("vt9000") else {
      Issue.record("accepted")
      return
    }
    #expect(
      message.contains("'vt9000' has no terminfo entry here") && message.contains("TERM=xterm-256color"))
  }

  @Test("the real terminfo folders of this machine are searched")
  func realDatabase() {
    #expect(TerminalType.exists("xterm", environment: [:]))
    #expect(!TerminalType.exists("no-such-terminal-here", environment: [:]))
    #expect(!TerminalType.exists("../x", environment: [:]))
  }
}
