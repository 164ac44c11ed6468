#!/usr/bin/env bash
# test_auth_http.sh - honest HTTP answers of the exporter: HEAD answers the
# headers a GET would get, Content-Length included, and no body (plain and
# gzip, a route and a 404); out of descriptors (the exporter's fd limit
# lowered to 100 while 2,048 idle connections arrive), a good client is
# still served, since the accept batch follows the lowered connection cap.
source "$(dirname "$0")/lib/lib.sh"

command -v python3 >/dev/null || { skip "python3 is not installed"; finish; }
start_service || { fail "service starts"; finish; }
head_of() { # head_of "REQUEST LINE" [extra header]: prints the Content-Length and the bytes after the headers
	python3 - "$SVC_PORT" "$1" "${2:-}" <<'PY'
import socket, sys
port, line, extra = int(sys.argv[1]), sys.argv[2], sys.argv[3]
s = socket.create_connection(("127.0.0.1", port), timeout=5)
s.sendall((line + "\r\nHost: localhost\r\nConnection: close\r\n" + (extra + "\r\n" if extra else "") + "\r\n").encode())
data = b""
while True:
    d = s.recv(65536)
    if not d:
        break
    data += d
head, _, body = data.partition(b"\r\n\r\n")
length = [l.split(b":", 1)[1].strip().decode() for l in head.split(b"\r\n") if l.lower().startswith(b"content-length:")]
print(length[0] if length else "none", len(body))
PY
}
get_len=$(curl -s --max-time 5 "$SVC_URL/metrics" | wc -c)
read -r len body <<<"$(head_of 'HEAD /metrics HTTP/1.0')"
assert_eq "HEAD /metrics HTTP/1.0: no body" 0 "$body"
assert_match "HEAD /metrics HTTP/1.0: the length a GET gets (about $get_len bytes)" '^[0-9]+$' "$len"
check "HEAD's Content-Length is the page's ($len vs $get_len: a few bytes of timing figures differ)" \
	awk -v a="$len" -v b="$get_len" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(a > 1000 && d < 200) }'
read -r len body <<<"$(head_of 'HEAD /metrics HTTP/1.1' 'Accept-Encoding: gzip')"
assert_eq "HEAD /metrics gzip: no body" 0 "$body"
check "HEAD /metrics gzip: the compressed length ($len)" awk -v a="$len" -v b="$get_len" 'BEGIN { exit !(a > 100 && a < b) }'
read -r len body <<<"$(head_of 'HEAD /nope HTTP/1.1')"
assert_eq "HEAD of a 404: no body" 0 "$body"
assert_eq "HEAD of a 404: the length of its text" 14 "$len"
stop_service; assert_eq "service stops cleanly" 0 $?

echo "-- out of descriptors: the fd limit lowered to 100 under 2,048 idle connections"
if ! command -v prlimit >/dev/null; then
	skip "prlimit is not installed"
else
	start_service || { fail "service starts"; finish; }
	exporter=$(child_pid exporter)
	if ! prlimit --pid "$exporter" --nofile=100:100; then
		skip "cannot lower the exporter's fd limit here"
	else
		out=$(python3 "$(dirname "$0")/lib/starve_http.py" "$SVC_PORT" --conns 2048 --seconds 8 --kind idle \
			--interval 0.5 --timeout 1)
		echo "  ($out)"
		case $out in
		skip*) skip "starve_http.py: $out" ;;
		*)
			ok=$(printf '%s\n' "$out" | sed -n 's/.* ok=\([0-9]*\) .*/\1/p')
			req=$(printf '%s\n' "$out" | sed -n 's/^requests=\([0-9]*\) .*/\1/p')
			check "the good client is served through EMFILE ($ok of $req within 1 s)" \
				awk -v a="$ok" -v b="$req" 'BEGIN { exit !(b >= 5 && a >= b - 1) }'
			;;
		esac
		assert_eq "the same exporter throughout" "$exporter" "$(child_pid exporter)"
	fi
	stop_service; assert_eq "service stops cleanly" 0 $?
fi
finish
