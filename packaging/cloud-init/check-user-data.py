#!/usr/bin/env python3
"""check-user-data.py [--user NAME] FILE: does this EC2 user data give a
deskd image what it expects?  (packaging/cloud-init/README.md)

- a "#cloud-config" document that parses;
- one write_files entry for /etc/deskd/token: owner the desktop user deskd
  runs as (USER:USER), permissions 0600, not deferred (it must be written
  in cloud-init's init stage, before deskd.service starts), content a
  token of 16..4096 printable characters without spaces, as plain text or
  base64 ("b64");
- or, for a guest of a pool (deskctl pool create), no token but
  /etc/deskd/pool.pub: root-owned, 0644, the pool's public key (32 bytes
  in base64), with instance.env telling deskd to make its own token and
  seal it to that key (--token-create, --seal-to /etc/deskd/pool.pub);
- optionally /etc/deskd/instance.env: root-owned, 0644 or 0600, only a
  DESKD_INSTANCE_OPTS="..." line (and comments);
- nothing else written under /etc/deskd.

Prints "ok" or the problems, one a line; exit status 0 or 1.  With
--print-token it prints the token (or a pool's public key) instead of
"ok" (for tests).
"""
import base64
import re
import sys

import yaml

TOKEN = "/etc/deskd/token"
INSTANCE = "/etc/deskd/instance.env"
POOLKEY = "/etc/deskd/pool.pub"


def mode_of(v):
    if isinstance(v, int):
        # YAML 1.1 reads 0600 as octal already.
        return v
    if isinstance(v, str) and re.fullmatch(r"0?o?[0-7]{3,4}", v):
        return int(v.replace("o", ""), 8)
    return None


def content_of(f, problems, path):
    c = f.get("content", "")
    enc = f.get("encoding", "text/plain")
    if not isinstance(c, str):
        problems.append("%s: content is not a string" % path)
        return ""
    if enc in ("b64", "base64"):
        try:
            return base64.b64decode(c, validate=True).decode()
        except Exception as e:  # noqa: BLE001 - any decoding failure
            problems.append("%s: bad base64 content (%s)" % (path, e))
            return ""
    if enc not in ("text/plain",):
        problems.append("%s: encoding %s (use plain text or b64)" % (path, enc))
    return c


def check(text, user):
    problems = []
    token = None
    if not text.startswith("#cloud-config\n"):
        problems.append('first line is not "#cloud-config"')
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as e:
        return ["not YAML: %s" % e], None
    if not isinstance(doc, dict):
        return ["not a cloud-config mapping"], None
    files = doc.get("write_files")
    if not isinstance(files, list):
        return ["no write_files list"], None
    seen = {}
    for f in files:
        if not isinstance(f, dict) or "path" not in f:
            problems.append("write_files entry without a path")
            continue
        p = f["path"]
        if p.startswith("/etc/deskd/") and p not in (TOKEN, INSTANCE,
                                                     POOLKEY):
            problems.append("%s: unexpected file in /etc/deskd" % p)
        if p in seen:
            problems.append("%s written twice" % p)
        seen[p] = f
    f = seen.get(TOKEN)
    pool = seen.get(POOLKEY)
    if pool is not None:
        if f is not None:
            problems.append("%s and %s: a pool guest makes its own token"
                            % (TOKEN, POOLKEY))
        if pool.get("owner", "root:root") not in ("root:root", "root"):
            problems.append("%s: owner must be root" % POOLKEY)
        if mode_of(pool.get("permissions", "0644")) != 0o644:
            problems.append("%s: permissions must be 0644" % POOLKEY)
        if pool.get("defer"):
            problems.append("%s: defer: true" % POOLKEY)
        token = content_of(pool, problems, POOLKEY).strip()
        try:
            if len(base64.b64decode(token, validate=True)) != 32:
                raise ValueError("not 32 bytes")
        except Exception as e:  # noqa: BLE001 - any decoding failure
            problems.append("%s: not a 32-byte key in base64 (%s)"
                            % (POOLKEY, e))
        env = seen.get(INSTANCE)
        opts = content_of(env, problems, INSTANCE) if env else ""
        if ("--token-create" not in opts or
                ("--seal-to %s" % POOLKEY) not in opts):
            problems.append("%s: a pool guest needs --token-create and "
                            "--seal-to %s in %s" % (POOLKEY, POOLKEY,
                                                    INSTANCE))
    elif f is None:
        problems.append("no write_files entry for %s" % TOKEN)
    else:
        want = "%s:%s" % (user, user)
        if f.get("owner") != want:
            problems.append("%s: owner %r, want %r (the user deskd runs as)"
                            % (TOKEN, f.get("owner"), want))
        if mode_of(f.get("permissions")) != 0o600:
            problems.append("%s: permissions %r, want '0600'"
                            % (TOKEN, f.get("permissions")))
        if f.get("defer"):
            problems.append("%s: defer: true writes it after deskd started"
                            % TOKEN)
        if f.get("append"):
            problems.append("%s: append: true" % TOKEN)
        token = content_of(f, problems, TOKEN).strip()
        if not re.fullmatch(r"[\x21-\x7e]{16,4096}", token):
            problems.append("%s: token must be 16..4096 printable "
                            "characters without spaces" % TOKEN)
    f = seen.get(INSTANCE)
    if f is not None:
        if f.get("owner", "root:root") not in ("root:root", "root"):
            problems.append("%s: owner must be root" % INSTANCE)
        if mode_of(f.get("permissions", "0644")) not in (0o644, 0o600):
            problems.append("%s: permissions must be 0644 or 0600" % INSTANCE)
        if f.get("defer"):
            problems.append("%s: defer: true" % INSTANCE)
        for line in content_of(f, problems, INSTANCE).splitlines():
            if line.strip() == "" or line.lstrip().startswith("#"):
                continue
            if not re.fullmatch(r'DESKD_INSTANCE_OPTS="[^"$`\\]*"', line):
                problems.append("%s: unexpected line %r" % (INSTANCE, line))
    return problems, token


def main(argv):
    user = "user"
    print_token = False
    args = argv[1:]
    while args and args[0].startswith("--"):
        if args[0] == "--user" and len(args) > 1:
            user = args[1]
            args = args[2:]
        elif args[0] == "--print-token":
            print_token = True
            args = args[1:]
        else:
            break
    if len(args) != 1:
        sys.stderr.write(__doc__)
        return 2
    with open(args[0], encoding="utf-8") as fp:
        text = fp.read()
    problems, token = check(text, user)
    if problems:
        for p in problems:
            print(p)
        return 1
    print(token if print_token else "ok")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
