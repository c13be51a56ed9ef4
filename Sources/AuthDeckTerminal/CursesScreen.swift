import AuthDeckBoard
import AuthDeckCore
import CCurses
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// The only code that talks to curses: set-up and tear-down in one place, keys in,
/// canvases out. Everything it draws was decided by the board's render().
/// `@unchecked`: curses is one process-wide state, not a value a Mutex could hold. What other
/// threads call (OSC 52, notifications) writes with `output` held, as `draw` does; reading keys,
/// the size and stopping are the run loop's thread alone.
public final class CursesScreen: @unchecked Sendable {
  private let useColor: Bool
  /// What this terminal's locale lets curses draw: without UTF-8, only ASCII.
  public let glyphs: Glyphs
  /// Which notification sequences this terminal is sent (`TerminalNotification.forms`).
  private let notificationForms: [TerminalNotification.Form]
  /// Drawing, OSC 52 and notifications all write to the terminal; one at a time, so none cuts
  /// into another.
  private let output = NSLock()
  private var started = false

  /// Why the terminal could not be started (ncurses missing).
  public struct Unavailable: Error {
    public let reason: String
  }

  /// Starts curses, as `terminalType` when given (a fallback for a $TERM this host has no entry
  /// for: $TERM itself stays as it is, for the notifications' choice and for children).
  /// `setlocale` first, or UTF-8 is garbled; raw mode so that Ctrl-C is a key.
  public init(
    environment: [String: String] = ProcessInfo.processInfo.environment, terminalType: String? = nil
  ) throws(Unavailable) {
    guard ad_curses_load() == 0 else { throw Unavailable(reason: String(cString: ad_curses_error())) }
    setlocale(LC_ALL, "")
    glyphs = String(cString: nl_langinfo(nl_item(CODESET))) == "UTF-8" ? .unicode : .ascii
    useColor = environment["NO_COLOR"].map { $0.isEmpty } ?? true
    notificationForms = TerminalNotification.forms(for: environment)
    guard ad_newterm(terminalType ?? environment["TERM"]) == 0 else {
      throw Unavailable(reason: "cannot draw on TERM=\(terminalType ?? environment["TERM"] ?? "")")
    }
    ad_raw()
    ad_noecho()
    ad_nonl()
    ad_keypad(ad_stdscr(), true)
    ad_set_escdelay(25)  // otherwise Escape lags a second
    ad_nodelay(ad_stdscr(), true)
    ad_curs_set(0)
    if useColor && ad_has_colors() {
      ad_start_color()
      ad_use_default_colors()
      for (pair, colour) in Self.colours.enumerated() { ad_init_pair(Int16(pair + 1), Int16(colour), -1) }
    }
    writeRaw("\u{1B}[?2004h")  // bracketed paste: a pasted URL arrives as one event
    started = true
  }

  deinit { stop() }

  /// Restores the terminal; safe to call twice.
  public func stop() {
    guard started else { return }
    started = false
    writeRaw("\u{1B}[?2004l")
    ad_curs_set(1)
    ad_endwin()
  }

  public var size: (width: Int, height: Int) { (Int(ad_cols()), Int(ad_lines())) }

  // MARK: Suspend, resume, repaint

  /// Leaves the screen and gives the terminal back as it was (Ctrl-Z, SIGTSTP): what `stop`
  /// does, short of ending.
  func leave() {
    output.withLock {
      writeRaw("\u{1B}[?2004l")
      ad_curs_set(1)
      ad_endwin()
    }
  }

  /// After a stop of any kind (our own Ctrl-Z, or SIGSTOP, after which a shell may have put the
  /// terminal back to cooked mode): the board's modes again, bracketed paste back on, and every
  /// cell redrawn at the next frame.
  func resume() {
    output.withLock {
      ad_reset_prog_mode()
      ad_raw()
      ad_noecho()
      ad_nonl()
      ad_keypad(ad_stdscr(), true)
      ad_nodelay(ad_stdscr(), true)
      writeRaw("\u{1B}[?2004h")
      ad_match_terminal_size()
      ad_clear_screen_next_refresh()
    }
  }

  /// Ctrl-L: every cell redrawn at the next frame, whatever else wrote to the terminal, at the
  /// window's size as it is now.
  func repaint() {
    output.withLock {
      ad_match_terminal_size()
      ad_clear_screen_next_refresh()
    }
  }

  // MARK: Drawing

  private static let colours: [Int32] = [
    COLOR_GREEN, COLOR_YELLOW, COLOR_RED, COLOR_CYAN, COLOR_MAGENTA, COLOR_BLUE,
  ]

  private func attributes(_ style: Style) -> attr_t {
    func pair(_ n: Int32) -> attr_t { useColor ? attr_t(ad_color_pair(n)) : 0 }
    switch style {
    case .plain: return 0
    case .title: return ad_attr_bold()
    case .header: return ad_attr_bold() | ad_attr_underline()
    case .dim: return ad_attr_dim()
    case .selected: return ad_attr_reverse() | ad_attr_bold()
    case .valid: return pair(1)
    case .expiring: return pair(2) | ad_attr_bold()
    case .expired: return pair(3) | ad_attr_bold()
    case .pending: return pair(4) | ad_attr_bold()
    case .none: return ad_attr_dim()
    case .busy: return pair(5) | ad_attr_bold()
    case .error: return pair(3) | ad_attr_bold()
    case .info: return pair(6)
    case .key: return ad_attr_bold()
    case .link: return ad_attr_underline()
    }
  }

  public func draw(_ canvas: Canvas) {
    output.lock()
    defer { output.unlock() }
    let screen = ad_stdscr()
    ad_werase(screen)
    var links: [(row: Int32, column: Int32, span: Span)] = []
    for (row, spans) in canvas.lines.enumerated() {
      var column: Int32 = 0
      for span in spans {
        if span.link != nil { links.append((Int32(row), column, span)) }
        ad_wattrset(screen, Int32(bitPattern: UInt32(truncatingIfNeeded: attributes(span.style))))
        var wide = span.text.unicodeScalars.map { wchar_t(bitPattern: $0.value) }
        wide.append(0)
        // The bottom-right cell answers ERR but is drawn: the result is ignored on purpose.
        _ = ad_mvwaddnwstr(screen, Int32(row), column, &wide, Int32(wide.count - 1))
        column += Int32(DisplayWidth.of(span.text))
      }
    }
    ad_wattrset(screen, 0)
    if let cursor = canvas.cursor {
      ad_curs_set(1)
      ad_wmove(screen, Int32(cursor.row), Int32(cursor.column))
    } else {
      ad_curs_set(0)
    }
    ad_wrefresh(screen)
    if !links.isEmpty { writeLinks(links, width: canvas.width) }
  }

  /// OSC 8 hyperlinks (`ESC ] 8 ; params ; URL ESC \ text ESC ] 8 ; ; ESC \`), which curses
  /// cannot write: after the frame is out, each linked span is written again over itself, the
  /// same text now inside a link, between a saved and a restored cursor (DECSC/DECRC), so
  /// that curses' idea of the screen, the cursor and the attributes stays true. Pieces of one
  /// URL share an id, so a terminal highlights them together (one such URL is shown at a time).
  /// A URL wrapped over whole rows is written in one go from its first row, and the terminal
  /// wraps it itself: it then knows the rows are one line, and a mouse selection of the URL
  /// copies it without line breaks. Written every frame: a terminal that redraws keeps nothing
  /// curses does not send.
  private func writeLinks(_ links: [(row: Int32, column: Int32, span: Span)], width: Int) {
    var out = "\u{1B}7"
    var index = 0
    while index < links.count {
      let (row, column, span) = links[index]
      index += 1
      guard let url = span.link, Span.linkable(url) else { continue }
      var text = Sanitizer.inline(span.text, limit: 4096)
      // The next pieces of the same URL, each on the next row from column 0, after a full row.
      var last = (row: row, width: Int(column) + DisplayWidth.of(text))
      while index < links.count, links[index].span.link == url, links[index].column == 0,
        links[index].row == last.row + 1, last.width == width
      {
        let piece = Sanitizer.inline(links[index].span.text, limit: 4096)
        text += piece
        last = (links[index].row, DisplayWidth.of(piece))
        index += 1
      }
      out += "\u{1B}[\(row + 1);\(column + 1)H\u{1B}[0;4m"
      out += "\u{1B}]8;id=authdeck-login;\(url)\u{1B}\\\(text)\u{1B}]8;;\u{1B}\\"
    }
    writeRaw(out + "\u{1B}8")
  }

  // MARK: Input

  /// Every input available now. It waits only while a sequence or a paste is under way, for at
  /// most the decoder's patience between two codes.
  public func readInputs() -> [TerminalInput] {
    var inputs: [TerminalInput] = []
    while true {
      if let code = nextCode(timeoutMilliseconds: decoder.patience) {
        inputs += decoder.feed(code)
      } else if decoder.isWaiting {
        inputs += decoder.timedOut()
      } else {
        return inputs
      }
    }
  }

  private var decoder = InputDecoder()

  private func nextCode(timeoutMilliseconds: Int32) -> InputCode? {
    ad_wtimeout(ad_stdscr(), timeoutMilliseconds)
    defer { ad_nodelay(ad_stdscr(), true) }
    var character: wint_t = 0
    let result = ad_wget_wch(ad_stdscr(), &character)
    if result == ERR { return nil }
    guard result == KEY_CODE_YES else { return .character(UInt32(character)) }
    switch Int32(character) {
    case KEY_UP: return .key(.up)
    case KEY_DOWN: return .key(.down)
    case KEY_LEFT: return .key(.left)
    case KEY_RIGHT: return .key(.right)
    case KEY_DC: return .key(.delete)
    case KEY_PPAGE: return .key(.pageUp)
    case KEY_NPAGE: return .key(.pageDown)
    case KEY_HOME: return .key(.home)
    case KEY_END: return .key(.end)
    case KEY_BACKSPACE: return .key(.backspace)
    case KEY_ENTER: return .key(.enter)
    case KEY_RESIZE: return .resize
    default: return .otherKey
    }
  }

  // MARK: Clipboard

  /// OSC 52: the terminal (or tmux with set-clipboard on, or an SSH client's terminal) puts
  /// the text on the clipboard. Safe from any thread: never in the middle of a frame.
  public func copyWithOSC52(_ text: String) {
    let encoded = Data(text.utf8).base64EncodedString()
    output.withLock { writeRaw("\u{1B}]52;c;\(encoded)\u{07}") }
  }

  // MARK: Notifications

  /// A desktop notification through the terminal: a bell and OSC 9 / OSC 777
  /// (`TerminalNotification`). Safe from any thread: never in the middle of a frame.
  public func notify(title: String, body: String) {
    let sequence = TerminalNotification.sequence(title: title, body: body, forms: notificationForms)
    output.withLock { writeRaw(sequence) }
  }

  private func writeRaw(_ text: String) {
    let bytes = Array(text.utf8)
    var offset = 0
    while offset < bytes.count {
      let n = bytes[offset...].withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
      if n <= 0 { return }
      offset += n
    }
  }
}
