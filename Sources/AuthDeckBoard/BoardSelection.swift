import AuthDeckCore

extension BoardState {
  /// The rows the selection can rest on, in display order: sessions, and the "no sessions yet"
  /// row of an empty provider (so that `n` there starts from that provider).
  var selectableRows: [Cursor] {
    rows.compactMap { row in
      switch row {
      case .session(let id): return .session(id)
      case .empty(let provider): return .emptyGroup(provider)
      case .header: return nil
      }
    }
  }

  mutating func move(by delta: Int) {
    let selectable = selectableRows
    guard !selectable.isEmpty else { return }
    let index = cursor.flatMap { selectable.firstIndex(of: $0) } ?? 0
    cursor = selectable[min(max(index + delta, 0), selectable.count - 1)]
    keepSelectionVisible()
  }

  mutating func keepSelectionValid() {
    if let cursor, selectableRows.contains(cursor) {
      keepSelectionVisible()
      return
    }
    // The first session; with none, the first empty provider's row (where `n` adds one).
    cursor = visibleSessions.first.map { .session($0.id) } ?? selectableRows.first
    scroll = 0
    keepSelectionVisible()
  }

  /// The row the selection is on.
  static func row(of cursor: Cursor) -> Row {
    switch cursor {
    case .session(let id): return .session(id)
    case .emptyGroup(let provider): return .empty(provider)
    }
  }

  /// Scrolls so that the selected row (and its provider header, when it fits) is on screen.
  mutating func keepSelectionVisible() {
    let rows = self.rows
    guard let cursor, let index = rows.firstIndex(of: Self.row(of: cursor)) else {
      scroll = min(scroll, max(0, rows.count - pageSize))
      return
    }
    if index < scroll {
      scroll = index > 0 && rows[index - 1] == .header(selectedGroup ?? "") ? index - 1 : index
    }
    if index >= scroll + pageSize { scroll = index - pageSize + 1 }
    // Its group's header too, whenever both fit: after a terminal grew back from a few rows,
    // the view does not start below the header of the row it shows.
    if let header = rows[...index].lastIndex(where: {
      if case .header = $0 { return true } else { return false }
    }),
      header < scroll, index - header < pageSize
    {
      scroll = header
    }
    scroll = max(0, min(scroll, max(0, rows.count - pageSize)))
  }
}
