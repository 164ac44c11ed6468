#!/usr/bin/env bash
# test_doc_links.sh - every relative link of README.md and docs/*.md reaches
# a file of the tree, and every #anchor a heading of the page it names
# (anchors as GitHub makes them: the heading's text in lower case, spaces
# turned into '-', punctuation other than '-' and '_' dropped). Links to
# other sites are not followed; code blocks and code spans are not links.
source "$(dirname "$0")/../integration/lib/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)

echo "-- links of README.md and docs/*.md"
cd "$ROOT" || exit 1
python3 - README.md docs/*.md >"$TEST_TMP/report" <<'EOF'
import os, re, sys

FENCE = re.compile(r"^\s*(```|~~~)")
LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
anchors_of = {}

def slug(heading):
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # links: their text
    text = text.replace("`", "").strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")

def anchors(path):
    if path not in anchors_of:
        seen, found, fenced = {}, set(), False
        with open(path, encoding="utf-8") as f:
            for line in f:
                if FENCE.match(line):
                    fenced = not fenced
                    continue
                m = None if fenced else re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)
                if m:
                    base = slug(m.group(1))
                    n = seen.get(base, 0)
                    seen[base] = n + 1
                    found.add(base if n == 0 else "%s-%d" % (base, n))
        anchors_of[path] = found
    return anchors_of[path]

checked = 0
for page in sys.argv[1:]:
    # The raw lines: code spans in them are blanked so their brackets do not count.
    raw = {}
    with open(page, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            raw[number] = line
    fenced = False
    for number in sorted(raw):
        line = raw[number]
        if FENCE.match(line):
            fenced = not fenced
            continue
        if fenced:
            continue
        plain = re.sub(r"`[^`]*`", lambda m: "`" + "x" * (len(m.group(0)) - 2) + "`", line)
        for m in LINK.finditer(plain):
            # the target as written (code spans only blank link texts, not targets)
            target = line[m.start(1):m.end(1)]
            if re.match(r"^[a-z][a-z0-9+.-]*:", target):
                continue  # http:, https:, mailto: ...
            checked += 1
            path, _, anchor = target.partition("#")
            dest = os.path.normpath(os.path.join(os.path.dirname(page), path)) if path else page
            if not os.path.exists(dest):
                print("%s:%d: %s: no such file %s" % (page, number, target, dest))
            elif anchor and dest.endswith(".md") and anchor not in anchors(dest):
                print("%s:%d: %s: no heading #%s in %s" % (page, number, target, anchor, dest))
print("CHECKED %d" % checked)
EOF
rc=$?
assert_eq "the link check ran" 0 "$rc"
checked=$(sed -n 's/^CHECKED //p' "$TEST_TMP/report")
assert_gt "the pages have relative links to check" "${checked:-0}" 20
mapfile -t broken < <(grep -v '^CHECKED ' "$TEST_TMP/report")
for b in "${broken[@]}"; do echo "    $b"; done
assert_eq "every relative link and anchor resolves ($checked checked, ${#broken[@]} broken, listed above)" 0 "${#broken[@]}"
finish
