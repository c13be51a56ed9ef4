import AuthDeckBoard

/// One code as curses' `wget_wch` gives it: a character, or a key curses decoded itself.
public enum InputCode: Equatable, Sendable {
  case character(UInt32)
  case key(Key)
  case resize
  /// A key curses decoded that the board has no use for (F5, Insert…).
  case otherKey
}

/// What the terminal delivers: keys, a bracketed paste, or a new size.
public enum TerminalInput: Equatable, Sendable {
  case key(Key)
  case paste(String)
  case resize
}

/// Turns the codes curses reads into keys and pastes. Pure, so that it is tested without a
/// terminal: the reader feeds it codes, and when none comes within `patience` milliseconds it
/// says so (`timedOut`). It knows:
/// - bracketed paste, `ESC [200~ … ESC [201~`: one `.paste`, whatever it holds (Enter included);
/// - the arrows, Home, End and the page keys as CSI and SS3 sequences, for a terminal whose
///   terminfo entry curses lacks; any other sequence (focus reports, F-keys) is dropped whole
///   rather than typed or taken for Escape;
/// - Escape itself: an ESC that nothing follows within the escape delay;
/// - Escape typed just before another key (Alt+key): Escape, then that key.
public struct InputDecoder: Sendable {
  private enum State: Sendable, Equatable {
    case ground
    case escape
    case csi([UInt32])
    case ss3
    case paste(text: [UInt32], held: Int)
  }

  private var state = State.ground

  /// Characters kept of one paste; the rest is read and dropped (a redirect URL is far shorter).
  public static let pasteLimit = 64 * 1024
  /// Milliseconds to wait after ESC for the rest of a sequence, as curses' ESCDELAY.
  public static let escapeDelay: Int32 = 30
  /// Milliseconds a paste may pause mid-way before it is taken as ended.
  public static let pastePause: Int32 = 500

  private static let pasteStart = Array("200~".unicodeScalars.map(\.value))
  private static let pasteEnd = Array("\u{1B}[201~".unicodeScalars.map(\.value))

  public init() {}

  /// How long the reader waits for the next code before calling `timedOut()`: 0 when nothing
  /// is under way (do not wait at all).
  public var patience: Int32 {
    switch state {
    case .ground: return 0
    case .escape, .csi, .ss3: return Self.escapeDelay
    case .paste: return Self.pastePause
    }
  }

  /// Whether a sequence or a paste is under way.
  public var isWaiting: Bool { state != .ground }

  public mutating func feed(_ code: InputCode) -> [TerminalInput] {
    switch (state, code) {
    case (.paste(let text, let held), .character(let value)):
      return pasted(value, text: text, held: held)
    case (.paste, .key(.enter)):
      return feed(.character(10))
    case (.paste, .key), (.paste, .otherKey):
      return []  // a key curses decoded inside a paste: not text
    case (_, .resize):
      return [.resize]
    case (.ground, .key(let key)):
      return [.key(key)]
    case (.ground, .otherKey):
      return []
    case (.ground, .character(let value)):
      return ground(value)
    case (.escape, .character(let value)):
      switch value {
      case 0x5B:  // [
        state = .csi([])
        return []
      case 0x4F:  // O
        state = .ss3
        return []
      default:
        // Escape typed just before another key: both count.
        state = .ground
        return [.key(.escape)] + ground(value)
      }
    case (.escape, .key(let key)):
      state = .ground
      return [.key(.escape), .key(key)]
    case (.csi(let collected), .character(let value)):
      return csi(collected + [value])
    case (.ss3, .character(let value)):
      state = .ground
      return Self.ss3Keys[value].map { [.key($0)] } ?? []
    case (.csi, .key(let key)), (.ss3, .key(let key)):
      // A sequence cut short by a key curses decoded: the sequence is dropped, the key counts.
      state = .ground
      return [.key(key)]
    case (.escape, .otherKey), (.csi, .otherKey), (.ss3, .otherKey):
      state = .ground
      return []
    }
  }

  /// Nothing came within `patience`: a lone ESC was Escape; a sequence cut short is dropped;
  /// a paste whose end marker never came is taken as it is.
  public mutating func timedOut() -> [TerminalInput] {
    defer { state = .ground }
    switch state {
    case .ground, .csi, .ss3: return []
    case .escape: return [.key(.escape)]
    case .paste(let text, let held):
      return [.paste(Self.string(text + Self.pasteEnd.prefix(held)))]
    }
  }

  // MARK: States

  private mutating func ground(_ value: UInt32) -> [TerminalInput] {
    switch value {
    case 27:
      state = .escape
      return []
    case 10, 13: return [.key(.enter)]
    case 9: return [.key(.tab)]
    case 8, 127: return [.key(.backspace)]
    case 1...26: return [.key(.control(Character(Unicode.Scalar(value + 96)!)))]
    case 0, 28...31: return []
    default:
      guard let scalar = Unicode.Scalar(value) else { return [] }
      return [.key(.character(Character(scalar)))]
    }
  }

  /// CSI: parameter and intermediate bytes, then one final byte (ECMA-48).
  private mutating func csi(_ collected: [UInt32]) -> [TerminalInput] {
    guard let last = collected.last else { return [] }
    switch last {
    case 0x20...0x3F where collected.count < 32:
      state = .csi(collected)
      return []
    case 0x40...0x7E:
      state = .ground
      if collected == Self.pasteStart {
        state = .paste(text: [], held: 0)
        return []
      }
      return Self.csiKey(collected).map { [.key($0)] } ?? []
    default:
      // Not a sequence after all (or a runaway one): dropped, and the odd character counts.
      state = .ground
      return ground(last)
    }
  }

  /// Paste text, watching for the end marker; characters that looked like its start but were
  /// not are text after all.
  private mutating func pasted(_ value: UInt32, text: [UInt32], held: Int) -> [TerminalInput] {
    var text = text
    var held = held
    if value == Self.pasteEnd[held] {
      held += 1
      if held == Self.pasteEnd.count {
        state = .ground
        return [.paste(Self.string(text))]
      }
    } else {
      let flushed = Array(Self.pasteEnd.prefix(held))
      held = value == Self.pasteEnd[0] ? 1 : 0
      let added = flushed + (held == 1 ? [] : [value])
      text += added.prefix(max(0, Self.pasteLimit - text.count))
    }
    state = .paste(text: text, held: held)
    return []
  }

  // MARK: Keys as sequences

  private static let ss3Keys: [UInt32: Key] = [
    0x41: .up, 0x42: .down, 0x43: .right, 0x44: .left, 0x48: .home, 0x46: .end,
  ]

  /// `ESC [ A`, `ESC [ 1;5A` (with a modifier), `ESC [ 5~`…: what a terminal sends for the keys
  /// the board uses. Other sequences are nil: dropped.
  private static func csiKey(_ collected: [UInt32]) -> Key? {
    guard let final = collected.last.flatMap(Unicode.Scalar.init) else { return nil }
    let parameters = String(String.UnicodeScalarView(collected.dropLast().compactMap(Unicode.Scalar.init)))
    let first = parameters.split(separator: ";").first.map(String.init) ?? ""
    switch (final, first) {
    case ("A", _): return .up
    case ("B", _): return .down
    case ("C", _): return .right
    case ("D", _): return .left
    case ("H", _): return .home
    case ("F", _): return .end
    case ("~", "1"), ("~", "7"): return .home
    case ("~", "4"), ("~", "8"): return .end
    case ("~", "3"): return .delete
    case ("~", "5"): return .pageUp
    case ("~", "6"): return .pageDown
    default: return nil
    }
  }

  private static func string(_ values: [UInt32]) -> String {
    String(String.UnicodeScalarView(values.compactMap(Unicode.Scalar.init)))
  }
}
