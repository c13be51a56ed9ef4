#ifndef AUTHDECK_CURSES_H
#define AUTHDECK_CURSES_H
// ncursesw for Swift, opened with dlopen when the board starts: linking it would cost every
// `authdeck token` call its load time. The header gives the types and constants; calls go
// through ad_* functions only (calling curses directly would not link, on purpose).
#define NCURSES_WIDECHAR 1
#define _XOPEN_SOURCE_EXTENDED 1
#include <locale.h>
#include <wchar.h>
#include <ncursesw/curses.h>

/// Opens libncursesw; 0 on success, else -1 with a reason in ad_curses_error().
int ad_curses_load(void);
const char *ad_curses_error(void);

/// Starts curses on stdin and stdout as terminal `type` (NULL: $TERM), without exiting the
/// process when there is no such entry, as initscr would: 0, or -1.
int ad_newterm(const char *type);
int ad_endwin(void);
int ad_raw(void);
int ad_noecho(void);
int ad_nonl(void);
int ad_keypad(WINDOW *window, bool enable);
int ad_set_escdelay(int milliseconds);
int ad_nodelay(WINDOW *window, bool enable);
int ad_curs_set(int visibility);
bool ad_has_colors(void);
int ad_start_color(void);
int ad_use_default_colors(void);
int ad_init_pair(short pair, short foreground, short background);
int ad_werase(WINDOW *window);
int ad_wattrset(WINDOW *window, int attributes);
int ad_mvwaddnwstr(WINDOW *window, int row, int column, const wchar_t *text, int count);
int ad_wmove(WINDOW *window, int row, int column);
int ad_wrefresh(WINDOW *window);
void ad_wtimeout(WINDOW *window, int milliseconds);
int ad_wget_wch(WINDOW *window, wint_t *character);
WINDOW *ad_stdscr(void);
int ad_lines(void);
int ad_cols(void);
/// The terminal modes curses set at start (raw, no echo), back after a stop and a continue.
int ad_reset_prog_mode(void);
/// The window's size as the kernel has it now, for curses too: a resize that happened while
/// the process was stopped sent its SIGWINCH to the shell instead. 1 when it changed.
int ad_match_terminal_size(void);
/// The next refresh redraws every cell, whatever curses thinks is on screen (Ctrl-L, a resume).
int ad_clear_screen_next_refresh(void);

// Macros Swift cannot import.
static inline attr_t ad_attr_bold(void) { return A_BOLD; }
static inline attr_t ad_attr_reverse(void) { return A_REVERSE; }
static inline attr_t ad_attr_dim(void) { return A_DIM; }
static inline attr_t ad_attr_underline(void) { return A_UNDERLINE; }
static inline int ad_color_pair(int n) { return COLOR_PAIR(n); }
#endif
