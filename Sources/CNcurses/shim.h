#ifndef AUTHDECK_CNCURSES_SHIM_H
#define AUTHDECK_CNCURSES_SHIM_H
#define NCURSES_WIDECHAR 1
#define _XOPEN_SOURCE_EXTENDED 1
#include <locale.h>
#include <wchar.h>
#include <ncursesw/curses.h>

// Macros and globals that Swift cannot import or that strict concurrency rejects.
static inline attr_t ad_attr_bold(void) { return A_BOLD; }
static inline attr_t ad_attr_reverse(void) { return A_REVERSE; }
static inline attr_t ad_attr_dim(void) { return A_DIM; }
static inline attr_t ad_attr_underline(void) { return A_UNDERLINE; }
static inline WINDOW *ad_stdscr(void) { return stdscr; }
static inline int ad_lines(void) { return LINES; }
static inline int ad_cols(void) { return COLS; }
static inline int ad_wcwidth(wchar_t c) { return wcwidth(c); }
static inline int ad_color_pair(int n) { return COLOR_PAIR(n); }
#endif
