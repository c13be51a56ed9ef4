import AuthDeckCore
import Foundation
import Testing

@testable import AuthDeckBoard

/// A prompt's line, edited as a shell's is.
@Suite("Editing a prompt's line")
struct LineEditTests {
  func edit(_ text: String, at cursor: Int? = nil, _ keys: Key...) -> LineEdit {
    keys.reduce(LineEdit(text, cursor: cursor)) { $0.applying($1) ?? $0 }
  }

  @Test("typing goes in at the cursor; ←, →, Home, End, ^A, ^E move it and stop at the ends")
  func moving() {
    #expect(
      edit("lime/hello world", .left, .left, .left, .left, .left, .character("X")).text == "lime/hello Xworld"
    )
    #expect(edit("abc", .home, .character("X")) == LineEdit("Xabc", cursor: 1))
    #expect(edit("abc", at: 0, .end, .character("X")) == LineEdit("abcX"))
    #expect(edit("abc", .control("a"), .right, .character("X")).text == "aXbc")
    #expect(edit("abc", .control("a"), .control("e"), .character("X")).text == "abcX")
    #expect(edit("ab", .left, .left, .left, .left).cursor == 0, "no further than the start")
    #expect(edit("ab", .right, .right).cursor == 2, "no further than the end")
  }

  @Test("⌫ and Del delete around the cursor; ^W the word before it, ^K the rest, ^U all")
  func deleting() {
    #expect(edit("abcd", at: 2, .backspace) == LineEdit("acd", cursor: 1))
    #expect(edit("abcd", at: 2, .delete) == LineEdit("abd", cursor: 2))
    #expect(edit("abcd", at: 0, .backspace) == LineEdit("abcd", cursor: 0))
    #expect(edit("abcd", .delete) == LineEdit("abcd"))
    #expect(edit("lime/hello world", at: 10, .control("w")) == LineEdit(" world", cursor: 0))
    #expect(edit("a bc  de", at: 6, .control("w")) == LineEdit("a de", cursor: 2))
    #expect(edit("abcd", at: 1, .control("k")) == LineEdit("a"))
    #expect(edit("abcd", at: 1, .control("u")) == LineEdit(""))
  }

  @Test("a paste goes in at the cursor; keys that are no edit are left to others")
  func pastingAndOthers() {
    #expect(
      LineEdit("https://x/?code=&state=s", cursor: 16).inserting("abc")
        == LineEdit("https://x/?code=abc&state=s", cursor: 19))
    #expect(LineEdit("a").applying(.up) == nil)
    #expect(LineEdit("a").applying(.character("\u{1B}")) == nil, "an escape is never typed in")
  }

  @Test("the prompt shows the cursor where it is, and keeps it in view in a long text")
  func promptCursor() {
    var board = makeBoard()
    board.press(.c("p"))
    let url = "https://localhost/callback?code=" + String(repeating: "x", count: 120) + "&state=abc"
    _ = board.handle(.pasted(url))
    board.press(.home, .right, .right, .right, .right, .right)
    #expect(board.promptCursor == 5)
    let canvas = board.render(width: 80, height: 24)
    #expect(canvas.cursor?.column == "Paste redirect URL: ".count + 5)
    var line = board.screen().components(separatedBy: "\n")[22]
    #expect(line.hasPrefix("Paste redirect URL: https://localhost"), "\(line)")
    #expect(line.hasSuffix("…"), "cut at the end, not the start")
    board.press(.end)
    line = board.screen().components(separatedBy: "\n")[22]
    #expect(line.contains("…") && line.hasSuffix("&state=abc"), "\(line)")
    board.press(.left, .left, .left, .backspace)
    #expect(board.mode == .paste(String(url.dropLast(4)) + "abc"))
  }
}
