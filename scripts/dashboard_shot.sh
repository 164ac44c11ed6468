#!/usr/bin/env bash
# dashboard_shot.sh - load the /dashboard page in headless Chromium, print
# what it drew (the data-* marker its <body> carries after a refresh) and
# save a screenshot. Exits 1 when the page drew no chart (service or
# sensor panel) or a query failed.
#
#   scripts/dashboard_shot.sh OUT.png [PAGE_URL]
#
# PAGE_URL defaults to the local service's /dashboard (scripts/service-url.sh), the
# page of `make run`; `make dashboard-screenshot` writes docs/dashboard.png.
# DASHBOARD_DOM=FILE also keeps the page's DOM as drawn (for tests).
# Chromium: Debian's chromium (scripts/install-deps.sh browser), headless,
# with a fresh profile, no GPU, no network beyond the page itself.
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: dashboard_shot.sh OUT.png [PAGE_URL]" >&2; exit 2; }
OUT=$1
URL=${2:-$("$(dirname "$0")/service-url.sh")/dashboard}
BROWSER=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}
[ -n "$BROWSER" ] || { echo "dashboard_shot: no chromium (scripts/install-deps.sh browser)" >&2; exit 2; }

profile=$(mktemp -d /tmp/dashboard-chromium.XXXXXX)
trap 'rm -rf "$profile"' EXIT
chrome() {
	timeout 90 "$BROWSER" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--disable-dev-shm-usage --hide-scrollbars --user-data-dir="$profile" \
		--window-size=1280,1500 --virtual-time-budget=8000 "$@" 2>>"$profile/chromium.log"
}

dom=${DASHBOARD_DOM:-$profile/dom.html}
chrome --dump-dom "$URL" >"$dom" || true
marker=$(grep -o '<body[^>]*>' "$dom" | head -n1 || true)
echo "dashboard_shot: $URL -> ${marker:-<no body marker>}"
chrome --screenshot="$OUT" "$URL" >/dev/null
[ -s "$OUT" ] || { echo "dashboard_shot: no screenshot written" >&2; tail -n 5 "$profile/chromium.log" >&2; exit 1; }
echo "dashboard_shot: screenshot $OUT ($(wc -c <"$OUT") bytes)"

drawn=$(sed -n 's/.*data-drawn="\([0-9]*\)".*/\1/p' <<<"$marker")
sensors=$(sed -n 's/.*data-sensor-drawn="\([0-9]*\)".*/\1/p' <<<"$marker")
errors=$(sed -n 's/.*data-errors="\([0-9]*\)".*/\1/p' <<<"$marker")
[ "$((${drawn:-0} + ${sensors:-0}))" -gt 0 ] && [ "${errors:-1}" -eq 0 ]
