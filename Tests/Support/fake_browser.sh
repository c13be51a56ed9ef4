#!/bin/sh
# A stand-in for the user's browser in tests: follows the authorize URL like a person who
# approves. The demo provider shows an Approve link; the test server redirects at once.
# A redirect to a loopback http address is followed (AuthDeck's listener catches it); any
# other redirect leads nowhere, so it is written to $FAKE_BROWSER_SAVE for the test to paste,
# as a user copies it from the address bar.
url="$1"
# For tests that check what a browser is given: its whole environment, one variable a line;
# and every URL it was asked to open, one a line.
[ -n "$FAKE_BROWSER_ENV_DUMP" ] && env > "$FAKE_BROWSER_ENV_DUMP"
[ -n "$FAKE_BROWSER_LOG" ] && printf '%s\n' "$url" >> "$FAKE_BROWSER_LOG"
base=$(printf '%s' "$url" | sed -E 's#^(https?://[^/]+).*#\1#')
page=$(curl -s "$url")
approve=$(printf '%s' "$page" | grep -o 'href="/decide?approve=1[^"]*"' | sed 's/^href="//; s/"$//; s/&amp;/\&/g')
[ -n "$approve" ] && url="$base$approve"
redirect=$(curl -s -o /dev/null -w '%{redirect_url}' "$url")
case "$redirect" in
  http://127.0.0.1:*|http://\[::1\]:*) curl -s -o /dev/null "$redirect" ;;
  *)
    save="${FAKE_BROWSER_SAVE:-${TMPDIR:-/tmp}/authdeck-redirect.txt}"
    printf '%s' "$redirect" > "$save.tmp" && mv "$save.tmp" "$save"
    ;;
esac
# Like a browser that took the URL: whatever the page did, it started.
exit 0
