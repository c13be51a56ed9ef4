import AuthDeckBoard
import Testing

@testable import AuthDeckTerminal

/// Feeds text as curses would hand it over, code by code, then a pause (no code within the
/// decoder's patience) when `pause` is set.
private func decode(_ text: String, pause: Bool = true, decoder: inout InputDecoder) -> [TerminalInput] {
  var inputs: [TerminalInput] = []
  for scalar in text.unicodeScalars { inputs += decoder.feed(.character(scalar.value)) }
  if pause && decoder.isWaiting { inputs += decoder.timedOut() }
  return inputs
}

private func decode(_ text: String) -> [TerminalInput] {
  var decoder = InputDecoder()
  return decode(text, decoder: &decoder)
}

private let redirect = "https://localhost/callback?code=abc&state=xyz"

@Suite("The key and bracketed-paste decoder")
struct InputDecoderTests {
  @Test("letters, Enter, Tab, Backspace and control keys")
  func plainKeys() {
    #expect(
      decode("a\r\n\t\u{7F}\u{8}\u{15}é") == [
        .key(.character("a")), .key(.enter), .key(.enter), .key(.tab), .key(.backspace), .key(.backspace),
        .key(.control("u")), .key(.character("é")),
      ])
  }

  @Test("a bracketed paste is one paste, its newline included, and never an Enter")
  func bracketedPaste() {
    #expect(decode("\u{1B}[200~\(redirect)\n\u{1B}[201~") == [.paste(redirect + "\n")])
  }

  @Test("an Enter right after a paste is a key of its own")
  func enterAfterPaste() {
    #expect(decode("\u{1B}[200~\(redirect)\u{1B}[201~\r") == [.paste(redirect), .key(.enter)])
  }

  @Test("a paste read over many reads, with pauses shorter than the patience, is whole")
  func pasteInPieces() {
    var decoder = InputDecoder()
    #expect(decode("\u{1B}[20", pause: false, decoder: &decoder) == [])
    #expect(decoder.patience == InputDecoder.escapeDelay)
    #expect(decode("0~https://local", pause: false, decoder: &decoder) == [])
    #expect(decoder.patience == InputDecoder.pastePause)
    #expect(decode("host/\u{1B}[20", pause: false, decoder: &decoder) == [])
    #expect(decode("1~", pause: false, decoder: &decoder) == [.paste("https://localhost/")])
    #expect(!decoder.isWaiting)
  }

  @Test("text in a paste that looks like the end marker's start is text")
  func almostTheEnd() {
    #expect(decode("\u{1B}[200~a\u{1B}[20b\u{1B}\u{1B}[201~") == [.paste("a\u{1B}[20b\u{1B}")])
  }

  @Test("a paste whose end never comes is taken as it is after a pause")
  func unendedPaste() {
    #expect(decode("\u{1B}[200~abc") == [.paste("abc")])
  }

  @Test("a paste far longer than a redirect keeps its first 64 KiB and reads the rest")
  func hugePaste() {
    let inputs = decode("\u{1B}[200~" + String(repeating: "x", count: 100_000) + "\u{1B}[201~q")
    #expect(
      inputs == [.paste(String(repeating: "x", count: InputDecoder.pasteLimit)), .key(.character("q"))])
  }

  @Test("keys curses decodes inside a paste are not text, except Enter")
  func keysInsideAPaste() {
    var decoder = InputDecoder()
    _ = decode("\u{1B}[200~a", pause: false, decoder: &decoder)
    #expect(decoder.feed(.key(.up)) == [])
    #expect(decoder.feed(.key(.enter)) == [])
    #expect(decoder.feed(.otherKey) == [])
    #expect(decode("b\u{1B}[201~", decoder: &decoder) == [.paste("a\nb")])
  }

  @Test("a lone Escape is Escape once nothing follows")
  func loneEscape() {
    var decoder = InputDecoder()
    #expect(decoder.feed(.character(27)) == [])
    #expect(decoder.isWaiting)
    #expect(decoder.timedOut() == [.key(.escape)])
    #expect(!decoder.isWaiting)
  }

  @Test("Escape typed just before a key: both count (Alt+key)")
  func escapeThenKey() {
    #expect(decode("\u{1B}q") == [.key(.escape), .key(.character("q"))])
    #expect(decode("\u{1B}\u{1B}") == [.key(.escape), .key(.escape)])
  }

  @Test(
    "arrows, Home, End, Delete and page keys as CSI and SS3 sequences (a terminal curses has no entry for)",
    arguments: [
      ("\u{1B}[A", Key.up), ("\u{1B}[B", .down), ("\u{1B}OA", .up), ("\u{1B}OB", .down), ("\u{1B}[H", .home),
      ("\u{1B}[F", .end), ("\u{1B}OH", .home), ("\u{1B}[1~", .home), ("\u{1B}[4~", .end),
      ("\u{1B}[5~", .pageUp),
      ("\u{1B}[6~", .pageDown), ("\u{1B}[1;5A", .up), ("\u{1B}[C", .right), ("\u{1B}[D", .left),
      ("\u{1B}OC", .right), ("\u{1B}OD", .left), ("\u{1B}[3~", .delete),
    ])
  func sequences(text: String, key: Key) {
    #expect(decode(text) == [.key(key)])
  }

  @Test(
    "other sequences are dropped whole: not typed, and not Escape (which would cancel a login)",
    arguments: ["\u{1B}[I", "\u{1B}[O", "\u{1B}[15~", "\u{1B}[2~", "\u{1B}OP", "\u{1B}[<0;10;5M"])
  func unknownSequences(text: String) {
    #expect(decode(text + "x") == [.key(.character("x"))])
  }

  @Test("a sequence cut short by a pause is dropped")
  func cutShort() {
    #expect(decode("\u{1B}[") == [])
    #expect(decode("\u{1B}[1;") == [])
    #expect(decode("\u{1B}O") == [])
  }

  @Test("keys curses decoded pass through; a resize is said at once, even mid-paste")
  func cursesKeys() {
    var decoder = InputDecoder()
    #expect(decoder.feed(.key(.pageDown)) == [.key(.pageDown)])
    #expect(decoder.feed(.otherKey) == [])
    _ = decode("\u{1B}[200~a", pause: false, decoder: &decoder)
    #expect(decoder.feed(.resize) == [.resize])
    #expect(decode("b\u{1B}[201~", decoder: &decoder) == [.paste("ab")])
  }

  @Test("NUL and the other unused control codes do nothing")
  func unusedControls() {
    #expect(decode("\u{0}\u{1C}\u{1F}a") == [.key(.character("a"))])
  }
}
