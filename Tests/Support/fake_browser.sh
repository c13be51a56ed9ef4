#!/bin/sh
# A stand-in for the user's browser in tests: follows the authorize URL like a person who
# approves. The demo provider shows an Approve link; the test server redirects at once.
# With FAKE_BROWSER_SAVE set, the final redirect is written to that file instead of being
# followed (a redirect_uri that leads nowhere: the user copies it from the address bar).
url="$1"
base=$(printf '%s' "$url" | sed -E 's#^(https?://[^/]+).*#\1#')
page=$(curl -s "$url")
approve=$(printf '%s' "$page" | grep -o 'href="/decide?approve=1[^"]*"' | sed 's/^href="//; s/"$//; s/&amp;/\&/g')
[ -n "$approve" ] && url="$base$approve"
if [ -n "$FAKE_BROWSER_SAVE" ]; then
  curl -s -o /dev/null -w '%{redirect_url}' "$url" > "$FAKE_BROWSER_SAVE.tmp" && mv "$FAKE_BROWSER_SAVE.tmp" "$FAKE_BROWSER_SAVE"
else
  curl -s -L -o /dev/null "$url"
fi
