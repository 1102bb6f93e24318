#!/usr/bin/env bash
# OSWorld file routes and the native /v1/files: /desktop_path,
# /list_directory, /file, /setup/upload (multipart, streamed to a temporary
# and renamed; hang-ups leave nothing), /wallpaper,
# /setup/change_wallpaper, /setup/download_file (libcurl, retries, size
# check), GET/PUT /v1/files; and a screenshot answers while 1 GB streams.
source "$(dirname "$0")/../lib.sh"

H=$T_TMP/home
mkdir -p "$H" "$T_TMP/tmp" "$T_TMP/config"
start_xvfb 800x600 || exit 1
# gsettings without a session bus: the keyfile backend keeps what is set.
HOME=$H TMPDIR=$T_TMP/tmp XDG_CONFIG_HOME=$T_TMP/config \
    GSETTINGS_BACKEND=keyfile start_deskd --no-auth --workdir "$H" || exit 1
J=(-H 'Content-Type: application/json')
TEXT='^text/html; charset=utf-8$'

# A raw HTTP client for bodies curl will not send (hang-ups, odd order).
cat >"$T_TMP/raw.py" <<'EOF'
import glob, os, socket, sys, time
port, mode, path = int(sys.argv[1]), sys.argv[2], sys.argv[3]
b = 'deskdB0und'
def part(name, value, filename=None):
    h = '--%s\r\nContent-Disposition: form-data; name="%s"' % (b, name)
    if filename:
        h += '; filename="%s"\r\nContent-Type: application/octet-stream' % filename
    return (h + '\r\n\r\n').encode() + value + b'\r\n'
end = ('--%s--\r\n' % b).encode()
if mode == 'hangup' or mode == 'put-hangup':
    size = 10 * 1024 * 1024
    if mode == 'hangup':
        head = part('file_path', path.encode())
        head += ('--%s\r\nContent-Disposition: form-data; name="file_data"; '
                 'filename="x"\r\n\r\n' % b).encode()
        total = len(head) + size + 2 + len(end)
        req = ('POST /setup/upload HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: '
               'multipart/form-data; boundary=%s\r\nContent-Length: %d\r\n\r\n'
               % (b, total)).encode() + head
    else:
        req = ('PUT /v1/files?path=%s HTTP/1.1\r\nHost: 127.0.0.1\r\n'
               'Content-Length: %d\r\n\r\n' % (path, size)).encode()
    s = socket.create_connection(('127.0.0.1', port))
    s.sendall(req + b'x' * (1024 * 1024))
    d = os.path.dirname(path)
    for _ in range(200):
        if glob.glob(os.path.join(d, '.*.deskd-*')):
            break
        time.sleep(0.05)
    print('temp' if glob.glob(os.path.join(d, '.*.deskd-*')) else 'no temp')
    s.close()
elif mode == 'reversed':
    # file_data before file_path: refused (the target must come first).
    body = part('file_data', b'reversed order\n', 'r.txt')
    body += part('file_path', path.encode()) + end
    s = socket.create_connection(('127.0.0.1', port))
    s.sendall(('POST /setup/upload HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n'
               'Content-Type: multipart/form-data; boundary="%s"\r\n'
               'Content-Length: %d\r\n\r\n' % (b, len(body))).encode() + body)
    r = b''
    while True:
        c = s.recv(65536)
        if not c:
            break
        r += c
    print(r.split(b'\r\n')[0].decode(), r.split(b'\r\n\r\n', 1)[1].decode())
EOF

# /desktop_path
code=$(http POST "$URL/desktop_path")
is "$code" 404 "/desktop_path without ~/Desktop: 404"
is "$(body)" '{"error":"Unsupported operating system or desktop path not found"}' \
    "and the upstream JSON error"
mkdir "$H/Desktop"
code=$(http POST "$URL/desktop_path")
is "$code" 200 "/desktop_path: 200"
is "$(json_get "$T_TMP/body" 'j["desktop_path"]')" "$H/Desktop" "desktop_path is \$HOME/Desktop"
like "$(header Content-Type)" '^application/json' "as JSON"
is "$(http GET "$URL/desktop_path")" 405 "GET /desktop_path: 405 (POST only, as upstream)"

# /list_directory
mkdir -p "$H/tree/a/b" "$H/tree/c"
echo 1 >"$H/tree/f1"; echo 2 >"$H/tree/a/f2"; echo 3 >"$H/tree/a/b/f3"
ln -s .. "$H/tree/c/up"
code=$(http POST "$URL/list_directory" "${J[@]}" -d "{\"path\": \"$H/tree\"}")
is "$code" 200 "/list_directory: 200"
cat >"$T_TMP/walk.py" <<'EOF'
import json, sys
def walk(n, p=""):
    if "error" in n: return [p + n.get("name", "") + "!error"]
    if n["type"] == "file": return [p + n["name"]]
    out = [p + n["name"] + "/"]
    for c in n["children"]: out += walk(c, p + n["name"] + "/")
    return out
print(" ".join(sorted(walk(json.load(open(sys.argv[1]))["directory_tree"]))))
EOF
is "$(python3 "$T_TMP/walk.py" "$T_TMP/body")" \
    "tree/ tree/a/ tree/a/b/ tree/a/b/f3 tree/a/f2 tree/c/ tree/c/up!error tree/f1" \
    "the tree has every directory and file; a symlink loop is a named error entry, not a crash"
is "$(json_get "$T_TMP/body" '[k for k in j["directory_tree"]["children"] if k["name"] == "c"][0]["children"]')" \
    "[{\"type\": \"directory\", \"name\": \"up\", \"children\": [], \"error\": \"[Errno 40] Too many levels of symbolic links: '$H/tree/c/up'\"}]" \
    "the loop: a directory with its name, no children, and the error"
# A loop right under ~/Desktop: OSWorld's get_shortcuts_on_desktop reads
# every top-level child's name (it raised KeyError: 'name').
mkdir -p "$H/Desktop"
ln -s . "$H/Desktop/loop"
printf '[Desktop Entry]\n' >"$H/Desktop/app.desktop"
http POST "$URL/list_directory" "${J[@]}" -d "{\"path\": \"$H/Desktop\"}" >/dev/null
is "$(json_get "$T_TMP/body" '[f["name"] for f in j["directory_tree"]["children"] if f["name"].endswith(".desktop")]')" \
    '["app.desktop"]' "a symlink loop under Desktop: get_shortcuts_on_desktop's reading works"
rm -rf "$H/Desktop"
# Deep trees: 100 levels whole (upstream returned all 71 of a test tree,
# deskd stopped at 64); past the bound (400), truncated, named.
deep=$H/deep
for i in $(seq 100); do deep=$deep/d$i; done
mkdir -p "$deep" && touch "$deep/leaf"
http POST "$URL/list_directory" "${J[@]}" -d "{\"path\": \"$H/deep\"}" >/dev/null
cat >"$T_TMP/depth.py" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
n, d = j["directory_tree"], 0
while n.get("children"):
    n, d = n["children"][0], d + 1
print(d, n.get("name"), j.get("truncated", False))
PY
is "$(python3 "$T_TMP/depth.py" "$T_TMP/body")" "101 leaf False" "a 100-level tree is listed whole"
deep=$H/deeper
for i in $(seq 450); do deep=$deep/d; done
mkdir -p "$deep"
http POST "$URL/list_directory" "${J[@]}" -d "{\"path\": \"$H/deeper\"}" >/dev/null
is "$(python3 "$T_TMP/depth.py" "$T_TMP/body")" "400 d True" \
    "a 450-level tree stops at 400 levels, named, and says truncated"
rm -rf "$H/deep" "$H/deeper"
code=$(http POST "$URL/list_directory" "${J[@]}" -d '{"path": "~/tree/a"}')
is "$(json_get "$T_TMP/body" 'j["directory_tree"]["name"]')" "a" "~ is expanded, name is the basename"
code=$(http POST "$URL/list_directory" "${J[@]}" -d '{}')
is "$code:$(body)" "400:{\"error\":\"Missing 'path' parameter\"}" "no path: 400 Missing 'path' parameter"
code=$(http POST "$URL/list_directory" "${J[@]}" -d "{\"path\": \"$H/tree/f1\"}")
is "$code:$(body)" '400:{"error":"The provided path is not a directory"}' "a file: 400 not a directory"
code=$(http POST "$URL/list_directory" "${J[@]}" -d '{"path": 5}')
is "$code" 400 "a number for path: 400"
code=$(http POST "$URL/list_directory" "${J[@]}" -d '{"path": ')
is "$code" 400 "malformed JSON: 400"
like "$(header Content-Type)" '^application/json' "as JSON, not an HTML page"
code=$(http POST "$URL/list_directory" "${J[@]}" -d '["x"]')
is "$code" 400 "a JSON array body: 400 (upstream crashed into HTML 500)"

# /file
printf 'hello file\n' >"$H/hello.txt"
code=$(http POST "$URL/file" -d "file_path=$H/hello.txt")
is "$code" 200 "/file: 200"
is "$(body)" "hello file" "the bytes of the file"
is "$(header Content-Type)" "text/plain; charset=utf-8" "type guessed from the name"
is "$(header Content-Disposition)" "attachment; filename=hello.txt" "sent as an attachment"
is "$(header Content-Length)" 11 "with its Content-Length"
code=$(http POST "$URL/file" --data-urlencode 'file_path=~/hello.txt')
is "$code:$(body)" "200:hello file" "~ is expanded"
code=$(http POST "$URL/file" --data-urlencode 'file_path=$HOME/hello.txt')
is "$code:$(body)" "200:hello file" "\$HOME is expanded"
code=$(http POST "$URL/file" --data-urlencode 'file_path=${HOME}/hello.txt')
is "$code:$(body)" "200:hello file" "\${HOME} is expanded"
printf lit >"$H/\$NOPE_DESKD"
code=$(http POST "$URL/file" --data-urlencode 'file_path=~/$NOPE_DESKD')
is "$code:$(body)" "200:lit" "an unknown \$VAR is left as it is (expandvars)"
mkdir -p "$H/~nosuchuser_deskd"
printf tilde >"$H/~nosuchuser_deskd/t"
code=$(http POST "$URL/file" --data-urlencode 'file_path=~nosuchuser_deskd/t')
is "$code:$(body)" "200:tilde" "~unknownuser is left as it is (expanduser)"
code=$(http POST "$URL/file" -d "file_path=hello.txt")
is "$code:$(body)" "200:hello file" "a relative path is taken from the working directory"
printf 'sp' >"$H/a \"b\".bin"
code=$(http POST "$URL/file" --data-urlencode "file_path=$H/a \"b\".bin")
is "$(header Content-Disposition)" 'attachment; filename="a \"b\".bin"' \
    "a name with spaces and quotes is quoted"
is "$(header Content-Type)" "application/octet-stream" "unknown extension: octet-stream"
# Non-ASCII names: filename= is an ASCII stand-in (marks dropped as
# Werkzeug does, "_" for what has no ASCII form; it once dropped them,
# " ber.txt"), filename*= the exact name.
disp() {	# disp NAME: the Content-Disposition of /file for that name
	printf 'x' >"$H/$1"
	http POST "$URL/file" --data-urlencode "file_path=$H/$1" >/dev/null
	header Content-Disposition
}
is "$(disp 'über.txt')" "attachment; filename=uber.txt; filename*=UTF-8''%C3%BCber.txt" \
    "über.txt: uber.txt, as Werkzeug writes it, and the exact UTF-8 name"
is "$(disp 'naïve café.odt')" "attachment; filename=\"naive cafe.odt\"; filename*=UTF-8''na%C3%AFve%20caf%C3%A9.odt" \
    "accents in a quoted name"
is "$(disp 'straße Ærø.txt')" "attachment; filename=\"strasse AEro.txt\"; filename*=UTF-8''stra%C3%9Fe%20%C3%86r%C3%B8.txt" \
    "letters without a decomposition are spelt out (ß ss, Æ AE, ø o)"
is "$(disp '日本語 file.pdf')" "attachment; filename=\"___ file.pdf\"; filename*=UTF-8''%E6%97%A5%E6%9C%AC%E8%AA%9E%20file.pdf" \
    "other characters become _, one each"
is "$(disp $'x\xcc\x88y.txt')" "attachment; filename=xy.txt; filename*=UTF-8''x%CC%88y.txt" \
    "a decomposed mark goes"
code=$(http POST "$URL/file")
is "$code:$(body)" '400:{"error":"file_path is required"}' "no file_path: 400"
code=$(http POST "$URL/file" -d "file_path=$H/nope")
is "$code:$(body)" '404:{"error":"File not found"}' "missing file: 404 File not found"
code=$(http POST "$URL/file" -d "file_path=$H/tree")
is "$code" 500 "a directory: 500"
like "$(body)" '^\{"error":"Failed to serve file: \[Errno 21\] Is a directory' \
    "with upstream's JSON error"
code=$(http POST "$URL/file" "${J[@]}" -d "{\"file_path\": \"$H/hello.txt\"}")
is "$code:$(body)" "200:hello file" "a JSON body works too"

# /setup/upload: 50 MB streamed, downloaded back byte-identical.
head -c $((50 * 1024 * 1024)) /dev/urandom >"$T_TMP/big.bin"
code=$(http POST "$URL/setup/upload" -F "file_path=$H/up/deep/er/big.bin" \
    -F "file_data=@$T_TMP/big.bin")
is "$code" 200 "50 MB multipart upload: 200"
is "$(body)" "File Uploaded: 52428800 bytes" "File Uploaded: with the size"
like "$(header Content-Type)" "$TEXT" "as text/html, like Flask's str"
cmp -s "$T_TMP/big.bin" "$H/up/deep/er/big.bin"
ok $? "the file on disk is byte-identical; missing directories were made"
curl -s -X POST -o "$T_TMP/back.bin" -d "file_path=$H/up/deep/er/big.bin" "$URL/file"
cmp -s "$T_TMP/big.bin" "$T_TMP/back.bin"
ok $? "and /file gives the 50 MB back byte-identical"
is "$(ls -A "$H/up/deep/er")" "big.bin" "no temporary left beside it"
is "$(stat -c %a "$H/up/deep/er/big.bin")" 644 "mode as open() makes it, not mkstemp's 0600"
code=$(http POST "$URL/setup/upload" -F 'file_path=~/up/tilde.txt' -F "file_data=@$H/hello.txt")
is "$code:$(cat "$H/up/tilde.txt")" "200:hello file" "~ in file_path is expanded"
code=$(http POST "$URL/setup/upload" -F "file_path=$H/up/tilde.txt" -F "file_data=@$T_TMP/big.bin")
cmp -s "$T_TMP/big.bin" "$H/up/tilde.txt"
ok $? "an upload replaces an existing file"
code=$(http POST "$URL/setup/upload" -F "file_path=$H/up/x")
is "$code:$(body)" '400:{"error":"file_path and file_data are required"}' "no file_data: 400"
code=$(http POST "$URL/setup/upload" -F "file_data=@$H/hello.txt")
is "$code:$(body)" '400:{"error":"file_path and file_data are required"}' "no file_path: 400"
code=$(http POST "$URL/setup/upload" -d "file_path=$H/up/y")
is "$code" 400 "a urlencoded body: 400"
code=$(http POST "$URL/setup/upload" -H 'Content-Type: multipart/form-data; boundary=zz' \
    --data-binary $'--zz\r\nContent-Disposition: form-data; name="file_path"\r\n\r\n'"$H/up/trunc"$'\r\n--zz\r\nContent-Disposition: form-data; name="file_data"; filename="a"\r\n\r\nabc')
is "$code" 400 "a body without its closing boundary: 400"
like "$(body)" '^\{"error":"malformed multipart body' "with a JSON error"
[ ! -e "$H/up/trunc" ] && [ -z "$(ls -A "$H/up" | grep deskd)" ]
ok $? "and neither the file nor a temporary is left"
code=$(http POST "$URL/setup/upload" -F "file_path=$H/tree" -F "file_data=@$H/hello.txt")
is "$code" 500 "a directory as the target: 500"
like "$(body)" '^\{"error":"Failed to upload file: \[Errno 21\]' "Failed to upload file: as JSON"
# file_data before file_path: the target is not known while the data
# streams, so it is refused (it used to be spooled to $TMPDIR and copied,
# whole and on the loop, when that was another file system).
is "$(python3 "$T_TMP/raw.py" "$PORT" reversed "$H/up/rev.txt")" \
    'HTTP/1.1 400 Bad Request {"error":"file_path must come before file_data in the multipart body"}' \
    "file_data before file_path: a clear 400 in OSWorld's shape"
[ ! -e "$H/up/rev.txt" ] && ! ls -A "$T_TMP/tmp" | grep -q deskd-upload
ok $? "and nothing is written, at the target or spooled in \$TMPDIR"

# A client that hangs up mid-upload leaves nothing at the target path.
mkdir -p "$H/hang"
is "$(python3 "$T_TMP/raw.py" "$PORT" hangup "$H/hang/part.bin")" "temp" \
    "mid-upload, the bytes go to a temporary beside the target"
for _ in $(seq 100); do [ -z "$(ls -A "$H/hang")" ] && break; sleep 0.05; done
is "$(ls -A "$H/hang")" "" "after the hang-up neither the file nor the temporary exists"

# Native GET/PUT /v1/files
head -c $((5 * 1024 * 1024 + 7)) /dev/urandom >"$T_TMP/mid.bin"
code=$(http PUT "$URL/v1/files?path=$H/v1/sub/mid.bin" --data-binary "@$T_TMP/mid.bin")
is "$code" 200 "PUT /v1/files: 200"
is "$(json_get "$T_TMP/body" '[j["path"], j["size"]]')" "[\"$H/v1/sub/mid.bin\", 5242887]" \
    "answers the path and size"
code=$(http GET "$URL/v1/files?path=$H/v1/sub/mid.bin")
is "$code" 200 "GET /v1/files: 200"
cmp -s "$T_TMP/body" "$T_TMP/mid.bin"
ok $? "GET gives the PUT bytes back"
is "$(header Content-Type)" "application/octet-stream" "raw bytes"
is "$(curl -s -I -o /dev/null -w '%{http_code} ' "$URL/v1/files?path=$H/v1/sub/mid.bin"; curl -s -I "$URL/v1/files?path=$H/v1/sub/mid.bin" | grep -i '^content-length' | tr -d '\r')" \
    "200 Content-Length: 5242887" "HEAD gives the length without the body"
code=$(http GET "$URL/v1/files?path=$H/v1/none")
is "$code" 404 "GET a missing file: 404"
like "$(body)" '^\{"error":\{"code":"not_found"' "as a native JSON error"
is "$(http GET "$URL/v1/files?path=$H/v1")" 400 "GET a directory: 400"
is "$(http GET "$URL/v1/files")" 400 "GET without path: 400"
is "$(http PUT "$URL/v1/files" --data-binary x)" 400 "PUT without path: 400"
is "$(http PUT "$URL/v1/files?path=$H/tree" --data-binary x)" 400 "PUT onto a directory: 400"
# The status comes from the failure itself, not from whatever errno holds
# once the sink has given up: a directory the system refuses to write
# into (immutable, so even root gets EPERM) is 403, a path that cannot be
# a file (its parent is a file) is 400.
mkdir -p "$H/locked"
if chattr +i "$H/locked" 2>/dev/null; then
	is "$(http PUT "$URL/v1/files?path=$H/locked/f" --data-binary x)" 403 \
	    "PUT into a directory the system refuses: 403"
	like "$(body)" '"code":"cannot_write","message":"\[Errno 1\] ' "naming the OS error"
	chattr -i "$H/locked"
else
	skip "PUT refused by the system: chattr +i is not supported on $H"
fi
is "$(http PUT "$URL/v1/files?path=$H/hello.txt/f" --data-binary x)" 400 \
    "PUT below a file: 400"
is "$(http POST "$URL/v1/files?path=$H/x")" 405 "POST /v1/files: 405"
mkdir -p "$H/hang2"
is "$(python3 "$T_TMP/raw.py" "$PORT" put-hangup "$H/hang2/p.bin")" "temp" "PUT streams to a temporary"
for _ in $(seq 100); do [ -z "$(ls -A "$H/hang2")" ] && break; sleep 0.05; done
is "$(ls -A "$H/hang2")" "" "a PUT cut short leaves nothing"

# Wallpaper through gsettings.
cp "$T_TMP/mid.bin" "$H/wall.png"
code=$(http POST "$URL/setup/change_wallpaper" "${J[@]}" -d '{}')
is "$code:$(body)" "400:Path not supplied!" "change_wallpaper without path: 400 text"
code=$(http POST "$URL/setup/change_wallpaper" "${J[@]}" -d "{\"path\": \"$H/none.png\"}")
is "$code:$(body)" "404:File not found: $H/none.png" "missing file: 404 text"
like "$(header Content-Type)" "$TEXT" "as text"
code=$(http POST "$URL/setup/change_wallpaper" "${J[@]}" -d '{"path": "~/wall.png"}')
is "$code:$(body)" "200:Wallpaper changed successfully" "change_wallpaper: 200"
is "$(HOME=$H XDG_CONFIG_HOME=$T_TMP/config GSETTINGS_BACKEND=keyfile \
    gsettings get org.gnome.desktop.background picture-uri)" "'file://$H/wall.png'" \
    "gsettings holds file://<expanded path>"
code=$(http POST "$URL/wallpaper")
is "$code" 200 "/wallpaper: 200"
cmp -s "$T_TMP/body" "$H/wall.png"
ok $? "the wallpaper file's bytes"
is "$(header Content-Type)" "image/png" "labelled image/png as upstream"
rm "$H/wall.png"
code=$(http POST "$URL/wallpaper")
is "$code" 500 "wallpaper file gone: 500"
like "$(body)" '^\{"error":"Unable to serve the wallpaper file' "as JSON, not abort()'s HTML"

# /setup/download_file from a local server.
mkdir -p "$T_TMP/www"
head -c 3000000 /dev/urandom >"$T_TMP/www/dl.bin"
WPORT=$(free_port)
(cd "$T_TMP/www" && exec python3 -m http.server -b 127.0.0.1 "$WPORT") >/dev/null 2>&1 &
T_PIDS+=($!)
wait_http "http://127.0.0.1:$WPORT/" || fail "python http.server did not start"
# A server that promises more than it sends.
LPORT=$(free_port)
python3 - "$LPORT" >/dev/null 2>&1 <<'EOF' &
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', int(sys.argv[1]))); s.listen(8)
while True:
    c, _ = s.accept(); c.recv(65536)
    c.sendall(b'HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n' + b'x' * 10); c.close()
EOF
T_PIDS+=($!)
code=$(http POST "$URL/setup/download_file" "${J[@]}" \
    -d "{\"url\": \"http://127.0.0.1:$WPORT/dl.bin\", \"path\": \"~/dl/new/dl.bin\"}")
is "$code:$(body)" "200:File downloaded successfully: 3000000 bytes" "download_file: 200"
cmp -s "$T_TMP/www/dl.bin" "$H/dl/new/dl.bin"
ok $? "the downloaded file is identical, directories made"
code=$(http POST "$URL/setup/download_file" "${J[@]}" \
    -d "{\"url\": \"http://127.0.0.1:$WPORT/missing\", \"path\": \"$H/dl/m.bin\"}")
is "$code" 500 "a 404 URL: 500 after the retries"
like "$(body)" "^Failed to download http://127.0.0.1:$WPORT/missing. No retries left. Error: .*404" \
    "with upstream's text"
code=$(http POST "$URL/setup/download_file" "${J[@]}" \
    -d "{\"url\": \"http://127.0.0.1:$LPORT/short\", \"path\": \"$H/dl/short.bin\"}")
is "$code" 500 "a body shorter than its Content-Length: 500"
[ ! -e "$H/dl/short.bin" ] && [ -z "$(ls -A "$H/dl" | grep deskd)" ]
ok $? "and no file or temporary is left"
code=$(http POST "$URL/setup/download_file" "${J[@]}" \
    -d "{\"url\": \"file://$H/hello.txt\", \"path\": \"$H/dl/f.txt\"}")
is "$code" 500 "file:// URLs are refused"
code=$(http POST "$URL/setup/download_file" "${J[@]}" \
    -d "{\"url\": \"http://127.0.0.1:$WPORT/dl.bin\", \"path\": \"$H/tree\"}")
is "$code" 500 "a directory as the target: 500 at once"
like "$(body)" "^Failed to download .*Is a directory" "saying why"
code=$(http POST "$URL/setup/download_file" "${J[@]}" -d "{\"url\": \"http://x/\"}")
is "$code:$(body)" "400:Path or URL not supplied!" "no path: 400 text"

# Nothing blocks: a screenshot answers while a 1 GB file streams.
truncate -s 1G "$H/huge.bin"
curl -s -X POST --limit-rate 20M -o /dev/null -w '%{size_download}' \
    -d "file_path=$H/huge.bin" "$URL/file" >"$T_TMP/huge.size" &
HUGE=$!
T_PIDS+=($HUGE)
sleep 1
code=$(http GET "$URL/screenshot")
kill -0 $HUGE 2>/dev/null
ok $? "the 1 GB download is still streaming"
is "$code" 200 "while it streams, /screenshot answers 200"
like "$(header Content-Type)" '^image/png' "with a PNG"
rss=$(awk '/VmRSS/ {print $2}' /proc/$DESKD_PID/status)
[ "$rss" -lt 400000 ]
ok $? "deskd's memory stays small while streaming ($rss kB)"
kill $HUGE 2>/dev/null
wait $HUGE 2>/dev/null
size=$(curl -s -X POST -o /dev/null -w '%{size_download}' -d "file_path=$H/huge.bin" "$URL/file")
is "$size" 1073741824 "the whole 1 GB arrives at full speed"
is "$(http GET "$URL/screenshot")" 200 "and the server is fine afterwards"

stop_deskd
is $? 0 "deskd exits 0 on SIGTERM"
sanitizer_clean "$DESKD_LOG"
ok $? "no sanitizer report in deskd's log"
