import AuthDeckCore
import Foundation

extension BoardState {
  /// The binding table of the current mode, as the footer and the help show it.
  public var bindings: [KeyBinding] { KeyBindings.table(for: mode.keyMode) }

  /// A key, dispatched through the current mode's table. A disabled binding says why instead
  /// of acting; in a prompt, a key no binding claims edits the text.
  mutating func handleKey(_ key: Key) -> [BoardEffect] {
    guard let binding = KeyBindings.binding(for: key, in: mode.keyMode, state: self) else {
      if mode.isPrompt { editPrompt(with: key) }
      return []
    }
    if case .disabled(let reason) = binding.availability(in: self) {
      say(reason, isError: true)
      return []
    }
    return perform(binding.command)
  }

  private mutating func perform(_ command: Command) -> [BoardEffect] {
    switch (mode, command) {
    case (_, .quit):
      return [.quit]
    case (_, .suspend):
      return [.suspend]
    case (_, .repaint):
      return [.repaint]
    case (.list, _):
      return performOnList(command)
    case (.filter, .submit):
      mode = .list
    case (.filter, .cancel):
      filter = ""
      mode = .list
      keepSelectionValid()
    case (.paste(let text), .submit):
      mode = .list
      return submitPaste(text)
    case (.paste, .cancel):
      mode = .list
      say("paste cancelled; the login still waits")
    case (.newSession(let text, let group), .submit):
      return submitNewSession(text, group: group)
    case (.newSession, .cancel):
      mode = .list
    case (_, .clearText):
      editPrompt(with: .control("u"))
    case (_, .deleteWord):
      editPrompt(with: .control("w"))
    case (.confirmDelete(let id), .logOut):
      mode = .list
      busy.insert(id)
      return [.logout(id, forget: false)]
    case (.confirmDelete(let id), .forget):
      mode = .list
      busy.insert(id)
      return [.logout(id, forget: true)]
    case (.approve(let request), .allowAgent), (.approve(let request), .refuseAgent):
      let allow = command == .allowAgent
      mode = .list
      approvals.removeAll { $0.number == request.number }
      say(
        allow
          ? "\(request.caller) may have \(request.provider)'s tokens from the agent for 10 minutes"
          : "\(request.caller) refused \(request.provider)'s tokens for 10 minutes")
      return [.answerApproval(request.number, allow: allow)]
    case (.confirmDelete, .cancel), (.help, .cancel):
      mode = .list
      helpScroll = 0
    case (.help, .moveDown): scrollHelp(to: helpScroll + 1)
    case (.help, .moveUp): scrollHelp(to: helpScroll - 1)
    case (.help, .pageDown): scrollHelp(to: helpScroll + helpPage)
    case (.help, .pageUp): scrollHelp(to: helpScroll - helpPage)
    case (.help, .top): scrollHelp(to: 0)
    case (.help, .bottom): scrollHelp(to: helpLines.count)
    case (.firstRun, .openDemo):
      return [.openDemo]
    default:
      break
    }
    return []
  }

  private mutating func performOnList(_ command: Command) -> [BoardEffect] {
    switch command {
    case .moveUp: move(by: -1)
    case .moveDown: move(by: 1)
    case .pageUp: move(by: -pageSize)
    case .pageDown: move(by: pageSize)
    case .top: move(by: -selectableRows.count)
    case .bottom: move(by: selectableRows.count)
    case .filter: openPrompt(.filter)
    case .help: mode = .help
    case .paste: openPrompt(.paste(""))
    case .newSession:
      openPrompt(.newSession("", group: selectedGroup ?? providers.first?.id))
    case .morningQueue: return startQueue()
    case .hideURL: browserlessLogin = nil
    case .cancelLogin:
      guard let id = selected else { return [] }
      deviceLogins[id] = nil
      return [.cancelLogin(id)]
    case .stopQueue:
      queue = nil
      say("morning queue stopped")
    case .clearFilter:
      filter = ""
      keepSelectionValid()
    case .login: return selected.map { login($0) } ?? []
    case .copyToken: return selected.map { [.copyToken($0)] } ?? []
    case .copyURL: return selected.map { [.copyAuthorizeURL($0)] } ?? []
    case .copyUserCode:
      guard let id = selected, let prompt = deviceLogin(id) else { return [] }
      return [.copyUserCode(id, prompt.userCode)]
    case .refresh:
      guard let id = selected else { return [] }
      busy.insert(id)
      say("\(id): refreshing…")
      return [.renew(id)]
    case .delete:
      if let id = selected { openPrompt(.confirmDelete(id)) }
    default: break
    }
    return []
  }

  /// Whether a command on the selected session can act now, and if not, why (with a hint).
  func selectedAvailability(for command: Command) -> Availability {
    guard let id = selected, let session = session(id) else {
      return .disabled("no session selected; \(KeyBindings.hint(.newSession, "to add one"))")
    }
    let login = KeyBindings.hint(.login, "to log in")
    switch command {
    case .login:
      guard provider(id.provider) != nil else {
        return .disabled("\(id.provider) is not in the configuration any more")
      }
      if deviceLogin(id) != nil {
        return .disabled(
          "\(id) waits for its code to be entered; \(KeyBindings.hint(.copyUserCode, "to copy it"))")
      }
      return busy.contains(id) ? .disabled("\(id) is already being worked on") : .enabled
    case .copyToken:
      let usable = TokenService.usableToken(in: session, now: now, minValid: 0) != nil
      guard session.tokens != nil, status(of: session) != .expired, deviceLogin(id) == nil || usable else {
        if deviceLogin(id) != nil {
          return .disabled(
            "\(id) has no valid token yet: its code waits to be entered; \(KeyBindings.hint(.copyUserCode, "to copy it"))"
          )
        }
        return .disabled("\(id) has no valid token to copy; \(login)")
      }
    case .copyURL:
      guard session.activePending(at: now) != nil else {
        return .disabled("\(id) has no login waiting; \(KeyBindings.hint(.login, "to start one"))")
      }
    case .copyUserCode:
      guard deviceLogin(id) != nil else {
        return .disabled("\(id) has no device login waiting; \(KeyBindings.hint(.login, "to start one"))")
      }
    case .refresh:
      guard session.refreshable(at: now) else {
        let why = session.tokens?.refreshToken == nil ? "no refresh token" : "its refresh token has ended"
        return .disabled("\(id) cannot refresh (\(why)); \(login)")
      }
      guard provider(id.provider) != nil else {
        return .disabled("\(id.provider) is not in the configuration any more")
      }
      return busy.contains(id) ? .disabled("\(id) is already being refreshed") : .enabled
    default:
      break
    }
    return .enabled
  }

  mutating func login(_ id: SessionID) -> [BoardEffect] {
    guard let provider = provider(id.provider) else {
      say("\(id.provider) is not in the configuration any more", isError: true)
      return []
    }
    guard !busy.contains(id) else { return [] }
    busy.insert(id)
    switch provider.grant {
    case .clientCredentials:
      say("\(id): fetching a token…")
      return [.renew(id)]
    case .deviceCode:
      say("\(id): asking for a device code…")
      return [.startDeviceLogin(id)]
    case .authorizationCode:
      break
    }
    say("\(id): opening the browser…")
    return [.startLogin(id)]
  }

  // MARK: Prompts

  /// A prompt starts clean: what the status line said before would hide its own errors.
  /// A prompt or question starts clean: what was said before it is not about it.
  private mutating func openPrompt(_ prompt: Mode) {
    mode = prompt
    promptCursor = nil
    message = nil
  }

  /// The open prompt's text.
  var promptText: String? {
    switch mode {
    case .filter: return filter
    case .paste(let text): return text
    case .newSession(let text, _): return text
    default: return nil
    }
  }

  /// The open prompt's text and cursor after an edit.
  private mutating func setPrompt(_ line: LineEdit) {
    switch mode {
    case .filter:
      filter = line.text
      keepSelectionValid()
    case .paste: mode = .paste(line.text)
    case .newSession(_, let group): mode = .newSession(line.text, group: group)
    default: return
    }
    promptCursor = line.cursor == line.text.count ? nil : line.cursor
  }

  private mutating func editPrompt(with key: Key) {
    guard let text = promptText, let edited = LineEdit(text, cursor: promptCursor).applying(key) else {
      return
    }
    setPrompt(edited)
  }

  /// A paste fills a prompt and never submits it: Enter does, as the prompt's footer says, so
  /// the Enter pressed out of habit after a paste is the submit and not a second login. On the
  /// list a paste opens the paste prompt with the text, as if `p` came first.
  mutating func handlePaste(_ text: String) -> [BoardEffect] {
    let pasted = String(text.prefix(Self.pasteLimit)).trimmingCharacters(in: .whitespacesAndNewlines)
    switch mode {
    case .paste(let typed):
      setPrompt(LineEdit(typed, cursor: promptCursor).inserting(pasted))
      return []
    case .filter:
      setPrompt(LineEdit(filter, cursor: promptCursor).inserting(Sanitizer.inline(text, limit: 100)))
      return []
    case .newSession(let typed, _):
      setPrompt(LineEdit(typed, cursor: promptCursor).inserting(Sanitizer.inline(text, limit: 100)))
      return []
    case .list:
      // A paste on the list is a redirect URL: the common case after the browser.
      guard !pasted.isEmpty else {
        say("nothing was pasted; the login still waits", isError: true)
        return []
      }
      openPrompt(.paste(pasted))
      return []
    default:
      return []
    }
  }

  /// A redirect URL is a few hundred characters; a paste longer than this is not one.
  static let pasteLimit = 16 * 1024

  private mutating func submitPaste(_ text: String) -> [BoardEffect] {
    guard !text.allSatisfy(\.isWhitespace) else {
      say("nothing was pasted; the login still waits", isError: true)
      return []
    }
    say("checking the redirect…")
    return [.completeLogin(pasted: text)]
  }

  /// A bare account is one of `group`'s; `provider/account` names its provider. A mistake keeps
  /// the prompt open with the text to correct, and says what is wrong, so it cannot go unseen.
  private mutating func submitNewSession(_ text: String, group: String?) -> [BoardEffect] {
    let typed = text.trimmingCharacters(in: .whitespaces)
    let id: SessionID
    do throws(AuthDeckError) {
      id = try SessionID(parsing: typed.contains("/") || group == nil ? typed : group! + "/" + typed)
    } catch {
      say(error.description, isError: true)
      return []
    }
    guard let provider = provider(id.provider) else {
      say(
        "unknown provider '\(id.provider)'; known: \(providers.map(\.id).joined(separator: ", "))",
        isError: true)
      return []
    }
    mode = .list
    selected = id
    if session(id) == nil { upsert(Session(id: id, grant: provider.grant)) }  // shown until stored
    keepSelectionVisible()
    return login(id)
  }
}
