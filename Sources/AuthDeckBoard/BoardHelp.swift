import AuthDeckCore

/// The help screen: every key of the list, one line a command, scrolled like less when the
/// terminal is shorter than the list of keys.
extension BoardState {
  /// The help's lines, whatever the height: the keys, then a note.
  var helpLines: [[Span]] {
    // One line a command: q and the global ^C are one "quit".
    var entries: [(keys: String, help: String)] = []
    var seen: [Command: Int] = [:]
    for binding in KeyBindings.list + KeyBindings.global {
      if let index = seen[binding.command] {
        entries[index].keys += "/" + glyphs.words(binding.keyLabel)
      } else {
        seen[binding.command] = entries.count
        entries.append((glyphs.words(binding.keyLabel), binding.help))
      }
    }
    // One key's meanings together, where its last one is (Esc undoes the nearest thing first,
    // so the table lists its meanings apart), the key written once.
    var order: [String] = []
    for entry in entries {
      order.removeAll { $0 == entry.keys }
      order.append(entry.keys)
    }
    var lines: [[Span]] = [[Span("Keys", .header)]]
    let width = entries.map { DisplayWidth.of($0.keys) }.max() ?? 8
    for keys in order {
      for (index, entry) in entries.filter({ $0.keys == keys }).enumerated() {
        let shown = index == 0 ? entry.keys : ""
        lines.append([Span("  " + DisplayWidth.pad(shown, width) + "  ", .key), Span(entry.help)])
      }
    }
    lines.append([])
    lines.append([Span(glyphs.words("A paste on the list opens the paste prompt with it; ⏎ submits."), .dim)])
    return lines
  }

  /// Lines the help shows at once: all rows but the title and the footer (the list area's
  /// two header rows are the help's too).
  var helpPage: Int { pageSize + 2 }

  /// Whether the help is longer than the screen, so that its scroll keys apply.
  var helpScrolls: Bool { helpLines.count > helpPage }

  mutating func scrollHelp(to line: Int) {
    helpScroll = max(0, min(line, helpLines.count - helpPage))
  }

  func renderHelp(_ canvas: inout Canvas) {
    let lines = helpLines
    let shown = max(0, canvas.height - 2)
    let first = max(0, min(helpScroll, lines.count - shown))
    for (index, line) in lines.dropFirst(first).prefix(shown).enumerated() { canvas.put(1 + index, line) }
    var footer = footer(width: canvas.width)
    if lines.count > shown {
      // Where the screen is in the help, as less says it.
      let place = first + shown >= lines.count ? "  (end)" : "  (\(first + shown)/\(lines.count))"
      if footer.reduce(0, { $0 + DisplayWidth.of($1.text) }) + place.count <= canvas.width {
        footer.append(Span(place, .dim))
      }
    }
    canvas.put(canvas.height - 1, footer)
  }
}
