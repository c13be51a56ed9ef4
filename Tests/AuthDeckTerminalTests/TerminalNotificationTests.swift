import Testing

@testable import AuthDeckTerminal

/// What the terminal is sent for a desktop notification: a bell and OSC 9 / OSC 777, with text
/// that cannot end the sequence or start another.
@Suite("Notifications through the terminal")
struct TerminalNotificationTests {
  @Test("a terminal of unknown kind gets a bell, OSC 9 and OSC 777")
  func unknownTerminalGetsBoth() {
    let forms = TerminalNotification.forms(for: ["TERM": "tmux-256color", "TERM_PROGRAM": "tmux"])
    #expect(forms == [.osc9, .osc777])
    let sequence = TerminalNotification.sequence(
      title: "lime/main expires in 15m", body: "it ends at 14:15", forms: forms)
    #expect(
      sequence
        == "\u{07}\u{1B}]9;AuthDeck: lime/main expires in 15m: it ends at 14:15\u{07}"
        + "\u{1B}]777;notify;AuthDeck: lime/main expires in 15m;it ends at 14:15\u{07}")
  }

  @Test("a terminal known to show one form gets only that one, so nothing shows twice")
  func knownTerminalsGetOne() {
    #expect(TerminalNotification.forms(for: ["TERM_PROGRAM": "WezTerm"]) == [.osc9])
    #expect(TerminalNotification.forms(for: ["TERM_PROGRAM": "iTerm.app"]) == [.osc9])
    #expect(TerminalNotification.forms(for: ["TERM": "xterm-kitty"]) == [.osc9])
    #expect(TerminalNotification.forms(for: ["TERM": "foot"]) == [.osc777])
    #expect(TerminalNotification.forms(for: ["TERM": "xterm-256color", "VTE_VERSION": "7600"]) == [.osc777])
  }

  @Test("control characters, escapes and the field separator in the text are made inert")
  func textIsInert() {
    let sequence = TerminalNotification.sequence(
      title: "evil\u{07}\u{1B}]52;c;AAAA\u{07};x", body: "a\u{1B}[2Jb;c\nd\u{9C}", forms: [.osc777])
    let fields = sequence.dropFirst().dropLast().split(separator: ";", omittingEmptySubsequences: false)
    #expect(fields.count == 4, "\(fields)")
    #expect(fields[0] == "\u{1B}]777" && fields[1] == "notify")
    let text = fields[2...].joined()
    #expect(!text.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) })
    #expect(sequence.filter { $0 == "\u{07}" }.count == 2, "the bell and the one terminator")
  }

  @Test("long text is cut short")
  func longTextIsShort() {
    let sequence = TerminalNotification.sequence(
      title: String(repeating: "t", count: 500), body: String(repeating: "b", count: 5000), forms: [.osc9])
    #expect(sequence.count <= 300)
    #expect(sequence.contains("…"))
  }
}
