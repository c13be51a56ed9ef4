import AuthDeckCore

/// A desktop notification as the terminal is asked for it: a bell, then OSC 9
/// (`ESC ] 9 ; text BEL`: iTerm2, kitty, WezTerm, Ghostty) and OSC 777
/// (`ESC ] 777 ; notify ; title ; body BEL`: foot, VTE terminals, urxvt, WezTerm, Ghostty).
/// A terminal known to show one of them gets only that one (one that shows both would show the
/// notification twice); any other gets both, and ignores what it does not know. The text is
/// made inert: no control character can end the sequence early or start another.
public enum TerminalNotification {
  public enum Form: Sendable, Equatable {
    case osc9, osc777
  }

  /// The forms for the terminal `environment` describes.
  public static func forms(for environment: [String: String]) -> [Form] {
    let program = environment["TERM_PROGRAM"] ?? ""
    let term = environment["TERM"] ?? ""
    if ["iTerm.app", "WezTerm", "ghostty"].contains(program) || term == "xterm-kitty"
      || environment["KITTY_WINDOW_ID"] != nil
    {
      return [.osc9]
    }
    if term.hasPrefix("foot") || term.hasPrefix("rxvt") || environment["VTE_VERSION"] != nil {
      return [.osc777]
    }
    return [.osc9, .osc777]
  }

  /// The bytes to write: BEL, then each form.
  public static func sequence(title: String, body: String, forms: [Form]) -> String {
    let title = "AuthDeck: " + inert(title, limit: 80)
    let body = inert(body, limit: 200)
    var out = "\u{07}"
    for form in forms {
      switch form {
      case .osc9: out += "\u{1B}]9;\(title): \(body)\u{07}"
      case .osc777: out += "\u{1B}]777;notify;\(title);\(body)\u{07}"
      }
    }
    return out
  }

  /// One short line of visible text: control characters and escapes made inert, and `;`, which
  /// separates OSC 777's fields, a comma.
  static func inert(_ text: String, limit: Int) -> String {
    Sanitizer.inline(text, limit: limit).replacingOccurrences(of: ";", with: ",")
  }
}
