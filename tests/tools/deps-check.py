#!/usr/bin/env python3
# tests/tools/deps-check.py: every program that the tests, tools,
# benchmarks, packaging scripts, the session script and deskd itself call
# must come from a Debian package that packaging/deps.sh or the .deb's
# Depends names (or from one that those pull in, or from the essential
# base every Debian system has).  Otherwise a fresh machine prepared with
# "packaging/deps.sh --test" fails tests that passed here.
#
#   deps-check.py [--top DIR] [--deps FILE] [--control FILE] [--list]
#
# Prints TAP lines (ok / not ok) for tests/run.  --list prints what the
# scan found (group, file:line, kind, name) and exits.
#
# How programs are found: shell scripts are split into simple commands
# (quotes, $(...), backquotes, here-documents, case patterns, function
# definitions and wrappers such as timeout, env, exec, flock and
# command -v are understood); the first word of each command is the
# program.  Python code (files and here-documents fed to python3) gives
# its imports and its subprocess argv[0]s; C code gives the string
# literals it puts in argv[0].  Each name is resolved on the PATH of a
# fresh machine (no per-user pyenv or cargo directories) and mapped to
# its package with dpkg -S, as "dpkg -S $(command -v X)" would.
import os
import re
import subprocess
import sys

FRESH_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
FRESH_PYTHON = "/usr/bin/python3"

# Groups: which files, and against which package lists they are checked.
#   "tests": what deps.sh --test installs (all its lists);
#   "session": what deskd-session's Depends names (an installed guest has
#            only that);
#   "deskd": what deskd's Depends and Recommends name.
GROUPS = {
	"tests": {
		"shell": ["tests/run", "tests/fresh", "tests/*.sh", "tests/integration/*.t",
		    "tests/bench/*.sh", "tests/fuzz/run.sh",
		    "tests/node/setup.sh", "tests/tools/*.sh",
		    "packaging/*.sh", ".ci/run"],
		"python": ["tests/tools/*.py", "packaging/cloud-init/*.py",
		    "packaging/*.py"],
		"c": [],
	},
	"session": {
		"shell": ["packaging/session/deskd-session"],
		"python": [],
		"c": [],
	},
	"deskd": {
		"shell": [],
		"python": [],
		"c": ["agent/*.c", "agent/*.h"],
	},
}

# Deliberate exceptions, each with its reason.  A name here is reported
# as skipped, never silently passed.
EXCEPTIONS = {
	# moto (and boto3 and the aws CLI, which only talk to it here) is not
	# packaged in Debian 12: the EC2 tests skip without it and say so
	# (tests/tools/deskctl-moto.sh have_moto).
	("tests", "py", "moto"): "moto is not in Debian 12; EC2 tests skip without it",
	("tests", "py", "boto3"): "used only with moto (packaging-packer.t)",
	("tests", "prog", "aws"): "used only with moto; tests skip without it",
	# The session starts the first browser it finds (command -v), and
	# the package only Suggests one.
	("session", "prog", "google-chrome-stable"): "optional browser (Suggests)",
	("session", "prog", "google-chrome"): "optional browser (Suggests)",
	("session", "prog", "chromium-browser"): "optional browser (Suggests)",
	("session", "prog", "chromium"): "optional browser (Suggests)",
	# Called only under systemd ($NOTIFY_SOCKET set by the unit).
	("session", "prog", "systemd-notify"): "only under systemd, which runs the unit",
	# deskd runs the caller's own programs (OSWorld's /setup/launch and
	# the like); these it names itself are from packages below.
	# /v1/exec and /run_bash_script use bash; essential anyway.
	# The packages themselves: built here, not installed.
	("tests", "prog", "deskd"): "built by the suite",
	("tests", "prog", "deskctl"): "built by the suite",
	("tests", "prog", "deskd-session"): "shipped by the suite's own package",
}

# Wrappers: the program they run is a later word.  The value is the
# number of non-option arguments before it (flock LOCKFILE CMD).
WRAPPERS = {"timeout": 1, "env": 0, "exec": 0, "command": 0, "nohup": 0,
    "setsid": 0, "sudo": 0, "xargs": 0, "nice": 0, "stdbuf": 0,
    "flock": 1, "unshare": 0, "setpriv": 0, "time": 0, "builtin": 0,
    "chroot": 1, "runuser": 0, "xvfb-run": 0}
# Options of wrappers that take a value as the next word.
WRAPPER_ARGOPTS = {"timeout": {"-k", "-s", "--kill-after", "--signal"},
    "env": {"-u", "-C", "--unset", "--chdir"},
    "xargs": {"-n", "-I", "-d", "-P", "-L", "-s", "-E", "-a"},
    "flock": {"-w", "-E", "--timeout", "--conflict-exit-code"},
    "sudo": {"-u", "-g", "-C", "-D"}, "nice": {"-n"},
    "runuser": {"-u", "-g", "-G"}, "exec": {"-a"}}
KEYWORDS = {"if", "then", "else", "elif", "fi", "do", "done", "while",
    "until", "for", "in", "case", "esac", "function", "select", "!",
    "{", "}", "[[", "]]", "time", "coproc"}
BUILTINS = set("""
. : [ alias bg bind break builtin caller cd command compgen complete
compopt continue declare dirs disown echo enable eval exec exit export
false fc fg getopts hash help history jobs kill let local logout
mapfile popd printf pushd pwd read readarray readonly return set shift
shopt source suspend test times trap true type typeset ulimit umask
unalias unset wait""".split())
NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.+-]*$")
ABSPATH = re.compile(r"^/(usr/)?(local/)?s?bin/[A-Za-z0-9_.+-]+$")


class Lexer:
	"""Split shell text into simple commands: lists of words, each word
	its text with quotes removed (None where it is not a literal)."""

	def __init__(self, text):
		self.s = text
		self.i = 0
		self.commands = []	# (line, [words])
		self.heredocs = []	# (line, first word of its command, body)

	def line(self, i=None):
		return self.s.count("\n", 0, self.i if i is None else i) + 1

	def run(self):
		self.parse_list(None)
		return self

	def parse_list(self, end, record=True):
		"""Commands until the closing `end` character (')' or '`');
		with record False, the words of this level are not commands
		(an array literal), though $(...) inside them are."""
		words = []
		start = self.i
		pending = []		# here-document terminators to read
		case_depth = 0
		in_pattern = False
		s = self.s

		def flush():
			nonlocal words, in_pattern
			if words and record:
				self.commands.append((self.line(start), words))
			words = []

		while self.i < len(s):
			c = s[self.i]
			if end is not None and c == end and not in_pattern:
				self.i += 1
				flush()
				return
			if c == "\n":
				self.i += 1
				flush()
				for term, strip, cmd in pending:
					self.read_heredoc(term, strip, cmd)
				pending = []
				start = self.i
				continue
			if c in " \t":
				self.i += 1
				continue
			if c == "\\" and s.startswith("\\\n", self.i):
				self.i += 2
				continue
			if c == "#" and (self.i == 0 or s[self.i - 1] in " \t\n;|&()"):
				while self.i < len(s) and s[self.i] != "\n":
					self.i += 1
				continue
			if s.startswith(";;", self.i) or s.startswith(";&", self.i):
				self.i += 2
				flush()
				in_pattern = case_depth > 0
				start = self.i
				continue
			if c in ";|&":
				self.i += 2 if s[self.i:self.i + 2] in ("||", "&&", "|&") else 1
				flush()
				start = self.i
				continue
			if c == "(":
				self.i += 1
				if s.startswith("(", self.i):	# (( arithmetic ))
					self.skip_until("))")
					continue
				if words and re.match(r"^[A-Za-z_]\w*\+?=$", words[-1]) and \
				    s[self.i - 2] == "=":
					# arr=(a b c): words, not commands
					self.parse_list(")", record=False)
					continue
				flush()
				if s.startswith(")", self.i):	# name() definition
					self.i += 1
					continue
				self.parse_list(")")
				start = self.i
				continue
			if c == ")":
				self.i += 1
				if in_pattern:
					in_pattern = False
					words = []
				else:
					flush()
				start = self.i
				continue
			if c in "<>":
				m = re.match(r"<<-?|<<<|>>|>&|<&|&>|>\||<>|<|>", s[self.i:])
				op = m.group(0)
				self.i += len(op)
				while s[self.i:self.i + 1] in (" ", "\t"):
					self.i += 1
				target = self.word()
				if op in ("<<", "<<-") and "\0" not in target:
					first = next((w for w in words if "\0" not in w), None)
					pending.append((target, op == "<<-", first))
				continue
			# A word; a number right before < or > is an fd.
			w = self.word()
			if re.fullmatch(r"\d+", w) and \
			    s[self.i:self.i + 1] in ("<", ">"):
				continue
			if not words and w == "esac":
				case_depth = max(0, case_depth - 1)
				in_pattern = False
				continue
			if in_pattern:
				continue
			if not words and w == "case":
				case_depth += 1
			if words and words[0] == "case" and w == "in":
				words.append(w)
				flush()
				in_pattern = True
				start = self.i
				continue
			if not words and w == "[[":
				# A conditional expression: its words are operands.
				self.skip_until("]]")
				continue
			if not words and w == "coproc":
				# coproc NAME { ...; }: NAME names the coprocess.
				m = re.match(r"\s*([A-Za-z_][A-Za-z0-9_]*)\s+\{",
				    self.s[self.i:])
				if m:
					self.i += len(m.group(1)) + (
					    len(m.group(0)) - len(m.group(0).lstrip()))
				continue
			if not words and w in KEYWORDS and w != "case":
				if w in ("for", "select"):
					self.skip_line_header()
				continue
			words.append(w)
		flush()

	def skip_until(self, term):
		j = self.s.find(term, self.i)
		self.i = len(self.s) if j == -1 else j + len(term)

	def skip_line_header(self):
		"""`for x in a b c; do`: the words are not commands."""
		s = self.s
		while self.i < len(s) and s[self.i] not in ";\n":
			if s.startswith("\\\n", self.i):
				self.i += 2
				continue
			if s.startswith("$(", self.i):
				self.i += 2
				self.parse_list(")")
				continue
			self.i += 1

	def read_heredoc(self, term, strip, cmd):
		s = self.s
		body_start = self.i
		start_line = self.line()
		while self.i < len(s):
			j = s.find("\n", self.i)
			j = len(s) if j == -1 else j
			ln = s[self.i:j]
			self.i = min(len(s), j + 1)
			if (ln.lstrip("\t") if strip else ln) == term:
				self.heredocs.append((start_line, cmd,
				    s[body_start:self.i - len(ln) - 1]))
				return
		self.heredocs.append((start_line, cmd, s[body_start:]))

	def word(self):
		"""One word; its literal text, or None when it expands."""
		s = self.s
		out = []
		literal = True
		while self.i < len(s):
			c = s[self.i]
			if c in " \t\n;|&()<>":
				break
			if c == "\\":
				out.append(s[self.i + 1:self.i + 2])
				self.i += 2
			elif c == "'":
				j = s.find("'", self.i + 1)
				j = len(s) if j == -1 else j
				out.append(s[self.i + 1:j])
				self.i = j + 1
			elif c == '"':
				self.i += 1
				while self.i < len(s) and s[self.i] != '"':
					if s[self.i] == "\\":
						out.append(s[self.i + 1:self.i + 2])
						self.i += 2
					elif s.startswith("$(", self.i) and not s.startswith("$((", self.i):
						self.i += 2
						self.parse_list(")")
						literal = False
					elif s[self.i] == "`":
						self.i += 1
						self.parse_list("`")
						literal = False
					elif s[self.i] == "$":
						self.dollar()
						literal = False
					else:
						out.append(s[self.i])
						self.i += 1
				self.i += 1
			elif c == "`":
				self.i += 1
				self.parse_list("`")
				literal = False
			elif c == "$":
				if s.startswith("$(", self.i) and not s.startswith("$((", self.i):
					self.i += 2
					self.parse_list(")")
				else:
					self.dollar()
				literal = False
			else:
				out.append(c)
				self.i += 1
		text = "".join(out)
		# An expanding word keeps its literal part and a NUL mark, so
		# that "X=$(cmd) prog" still reads as an assignment.
		return text if literal else text + "\0"

	def dollar(self):
		s = self.s
		if s.startswith("$((", self.i):
			self.i += 3
			depth = 2
			while self.i < len(s) and depth:
				depth += {"(": 1, ")": -1}.get(s[self.i], 0)
				self.i += 1
		elif s.startswith("${", self.i):
			# ${VAR:-default}: a default like /usr/bin/chromium is a
			# program the script may call.
			j = s.find("}", self.i)
			j = len(s) if j == -1 else j
			inner = s[self.i + 2:j]
			m = re.search(r":?-(/[^}\s\"']+)$", inner)
			if m and ABSPATH.match(m.group(1)):
				self.defaults.append((self.line(), m.group(1)))
			self.i = j + 1
		else:
			self.i += 1
			while self.i < len(s) and (s[self.i].isalnum() or s[self.i] in "_@*#?$!-"):
				self.i += 1
				if not s[self.i - 1].isalnum() and s[self.i - 1] != "_":
					break

	defaults = []


def command_name(words):
	"""The program a simple command runs (None for builtins etc.)."""
	i = 0
	out = []
	while i < len(words):
		w = words[i]
		if re.match(r"^[A-Za-z_][A-Za-z0-9_]*(\[[^]]*\])?\+?=", w):
			i += 1
			continue
		if "\0" in w:
			return out	# $PROG args: not a literal program
		if w in WRAPPERS:
			if w not in BUILTINS and w not in KEYWORDS:
				out.append(w)
			if w == "command" and i + 1 < len(words) and words[i + 1] in ("-v", "-V"):
				if i + 2 < len(words) and "\0" not in words[i + 2]:
					out.append("?" + words[i + 2])
				return out
			skip = WRAPPERS[w]
			argopts = WRAPPER_ARGOPTS.get(w, set())
			i += 1
			while i < len(words) and "\0" not in words[i] and (words[i].startswith("-") or
			    (w == "env" and "=" in words[i])):
				if words[i] in argopts:
					i += 1
				i += 1
			i += skip
			continue
		out.append(w)
		return out
	return out


def glob_files(top, pats):
	import glob
	files = []
	for p in pats:
		for f in sorted(glob.glob(os.path.join(top, p))):
			if os.path.isfile(f):
				files.append(f)
	return files


PY_IMPORT = re.compile(r"^\s*(?:import\s+([A-Za-z_][\w.]*(?:\s*,\s*[A-Za-z_][\w.]*)*)|from\s+([A-Za-z_][\w.]*)\s+import)", re.M)
PY_SUBPROC = re.compile(r"subprocess\.(?:run|Popen|call|check_call|check_output)\(\s*\[\s*[\"']([^\"']+)[\"']")


def scan_python(text, where, found, base_line=1):
	for m in PY_IMPORT.finditer(text):
		ln = base_line + text.count("\n", 0, m.start())
		names = m.group(1) or m.group(2)
		for n in re.split(r"\s*,\s*", names):
			n = n.split()[0].split(".")[0]
			found.append((where, ln, "py", n))
	for m in PY_SUBPROC.finditer(text):
		ln = base_line + text.count("\n", 0, m.start())
		found.append((where, ln, "prog", m.group(1)))


def scan_shell(text, where, found, funcs):
	lx = Lexer(text)
	lx.defaults = []
	lx.run()
	for ln, words in lx.commands:
		names = command_name(words)
		for n in names:
			kind = "prog"
			if n.startswith("?"):	# command -v NAME
				kind, n = "probe", n[1:]
			if n in funcs or n in BUILTINS or n in KEYWORDS:
				continue
			# ./configure, tests/run: the tree's own scripts (scanned
			# themselves when they are in a group).
			if NAME.match(n) or ABSPATH.match(n):
				found.append((where, ln, kind, n))
		# python3 -c 'CODE'
		if words and words[0] in ("python3", "/usr/bin/python3", "python"):
			for k in range(len(words) - 1):
				if words[k] == "-c" and "\0" not in words[k + 1]:
					scan_python(words[k + 1], where, found, ln)
	for ln, cmd, body in lx.heredocs:
		if cmd is not None and os.path.basename(cmd).startswith("python"):
			scan_python(body, where, found, ln + 1)
		elif cmd == "cat" and re.match(r"#!.*python", body):
			scan_python(body, where, found, ln + 1)
		elif cmd == "cat" and re.match(r"#!.*\b(ba)?sh\b", body):
			scan_shell(body, where, found, funcs)
	for ln, p in lx.defaults:
		found.append((where, ln, "prog", p))


C_ARGV0 = re.compile(r"argv\[0\]\s*=\s*(?:xstrdup\()?\"([^\"]+)\"|"
    r"^\s*argv\[n\+\+\]\s*=\s*\"([^\"]+)\";|"
    r"\*argv\[\]\s*=\s*\{\s*\"([^\"]+)\"|"
    r"strv_add\(argv,\s*&\w+,\s*\"(/[^\"]+)\"\)", re.M)


def scan_c(text, where, found):
	# Programs deskd runs by name: argv[0] = "x", the first argv[n++]
	# after "n = 0" (or a declaration with it), { "x", ... } argv
	# initialisers, and absolute paths added to an argv.
	for m in C_ARGV0.finditer(text):
		ln = text.count("\n", 0, m.start()) + 1
		name = m.group(1) or m.group(3) or m.group(4)
		if m.group(2):
			# Only the first of a run of argv[n++] lines is a program.
			before = text[:m.start()].rstrip().splitlines()
			if before and re.search(r"argv\[n\+\+\]", before[-1]):
				continue
			name = m.group(2)
		if name and (NAME.match(name) or ABSPATH.match(name)):
			found.append((where, ln, "prog", name))
	# "/usr/bin/python3" and the like, wherever they are (#defines).
	for m in re.finditer(r"\"(/(?:usr/)?s?bin/[A-Za-z0-9_.+-]+)\"", text):
		found.append((where, text.count("\n", 0, m.start()) + 1, "prog",
		    m.group(1)))


def scan(top):
	found = {}
	funcs = set()
	allshell = []
	for g in GROUPS.values():
		allshell += glob_files(top, g["shell"])
	for f in allshell:
		with open(f, errors="replace") as fp:
			for m in re.finditer(r"^\s*(?:function\s+)?([A-Za-z_][\w-]*)\s*\(\)", fp.read(), re.M):
				funcs.add(m.group(1))
	for gname, g in GROUPS.items():
		out = []
		for f in glob_files(top, g["shell"]):
			with open(f, errors="replace") as fp:
				scan_shell(fp.read(), os.path.relpath(f, top), out, funcs)
		for f in glob_files(top, g["python"]):
			with open(f, errors="replace") as fp:
				scan_python(fp.read(), os.path.relpath(f, top), out)
		for f in glob_files(top, g["c"]):
			with open(f, errors="replace") as fp:
				scan_c(fp.read(), os.path.relpath(f, top), out)
		found[gname] = out
	return found


def deps_lists(path):
	"""Package names in deps.sh's BUILD, RUN, TEST and OPTIONAL lists."""
	with open(path) as fp:
		text = fp.read()
	pkgs = set()
	for m in re.finditer(r'^(BUILD|RUN|TEST|OPTIONAL)="([^"]*)"', text, re.M):
		pkgs.update(m.group(2).split())
	if "missing_node" in text:
		pkgs.update(["nodejs", "npm"])
	return pkgs


def control_fields(path):
	"""{package: {"Depends": [[alt, ...], ...], "Recommends": ...}}"""
	with open(path) as fp:
		text = fp.read()
	out = {}
	for para in re.split(r"\n\s*\n", text):
		fields = {}
		cur = None
		for ln in para.splitlines():
			if ln[:1] in (" ", "\t") and cur:
				fields[cur] += " " + ln.strip()
			elif ":" in ln:
				cur, v = ln.split(":", 1)
				fields[cur] = v.strip()
		name = fields.get("Package") or ("source" if "Source" in fields else None)
		if name is None:
			continue
		rel = {}
		for key in ("Depends", "Recommends", "Suggests", "Build-Depends"):
			alts = []
			for item in fields.get(key, "").split(","):
				item = item.strip()
				if not item or item.startswith("${"):
					continue
				alts.append([re.sub(r"\s*[\(\[].*", "", a).strip()
				    for a in item.split("|")])
			rel[key] = alts
		out[name] = rel
	return out


def installed_db():
	"""Installed packages: {name: (depends alternatives, provides, essential/required)}"""
	r = subprocess.run(["dpkg-query", "-W", "-f",
	    "${Package}\t${Depends}\t${Pre-Depends}\t${Provides}\t${Essential}\t${Priority}\t${Status}\n"],
	    capture_output=True, text=True)
	db = {}
	provides = {}
	for ln in r.stdout.splitlines():
		f = ln.split("\t")
		if len(f) < 7 or not f[6].endswith("installed") or "not-installed" in f[6]:
			continue
		deps = []
		for item in (f[1] + "," + f[2]).split(","):
			item = item.strip()
			if item:
				deps.append([re.sub(r"\s*[\(\[:].*", "", a).strip()
				    for a in item.split("|")])
		db[f[0]] = (deps, f[4] == "yes" or f[5] == "required")
		for p in f[3].split(","):
			p = re.sub(r"\s*\(.*", "", p).strip()
			if p:
				provides.setdefault(p, []).append(f[0])
	return db, provides


def closure(roots, db, provides):
	"""The roots and everything their Depends/Pre-Depends pull in (the
	installed alternative of each), as apt would install them."""
	seen = set()
	todo = list(roots)
	while todo:
		p = todo.pop()
		cands = [p] if p in db else provides.get(p, [])
		for c in cands:
			if c in seen:
				continue
			seen.add(c)
			for alts in db[c][0]:
				pick = next((a for a in alts if a in db or a in provides), None)
				if pick is not None:
					todo.append(pick)
	return seen


def resolve_programs(names):
	"""name -> path on a fresh machine's PATH (or None).  A fresh
	machine's /usr/local holds no package's files: a program found there
	first (a local stand-in) is looked for further down the PATH, where
	its package puts it, and kept only when nothing else has it."""
	out = {}
	for n in names:
		if "/" in n:
			out[n] = n if os.access(n, os.X_OK) else None
			continue
		out[n] = None
		for d in FRESH_PATH.split(":"):
			p = os.path.join(d, n)
			if os.path.isfile(p) and os.access(p, os.X_OK):
				if out[n] is None:
					out[n] = p
				if not d.startswith("/usr/local/"):
					out[n] = p
					break
	return out


def resolve_modules(names):
	"""module -> file of a fresh machine's python3 (None: not there;
	"builtin" for modules compiled into the interpreter)."""
	if not names:
		return {}
	code = ("import importlib.util,sys\n"
	    "for n in sys.argv[1:]:\n"
	    "  try: s=importlib.util.find_spec(n)\n"
	    "  except Exception: s=None\n"
	    "  o = None if s is None else (s.origin if s.origin not in (None,'built-in','frozen') else 'builtin')\n"
	    "  print(n, o or '-')\n")
	r = subprocess.run([FRESH_PYTHON, "-c", code] + sorted(names),
	    capture_output=True, text=True, cwd="/")
	out = {}
	for ln in r.stdout.splitlines():
		n, o = ln.split(" ", 1)
		out[n] = None if o == "-" else o
	return out


def owners(paths):
	"""path -> Debian package (None: no package owns it)."""
	out = {}
	todo = {}
	for p in paths:
		cands = [p, os.path.realpath(p)]
		# merged /usr: /bin/x is /usr/bin/x and dpkg may know either
		for c in list(cands):
			if c.startswith("/usr/"):
				cands.append(c[4:])
			else:
				cands.append("/usr" + c)
		todo[p] = cands
	allc = sorted({c for cs in todo.values() for c in cs})
	r = subprocess.run(["dpkg", "-S"] + allc, capture_output=True, text=True)
	by = {}
	for ln in r.stdout.splitlines():
		if ": " not in ln or ln.startswith("diversion"):
			continue
		pk, path = ln.rsplit(": ", 1)
		by[path] = pk.split(",")[0].split(":")[0].strip()
	for p, cs in todo.items():
		out[p] = next((by[c] for c in cs if c in by), None)
	return out


def main():
	args = sys.argv[1:]
	top = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
	deps = control = None
	listing = False
	while args:
		a = args.pop(0)
		if a == "--top":
			top = os.path.abspath(args.pop(0))
		elif a == "--deps":
			deps = args.pop(0)
		elif a == "--control":
			control = args.pop(0)
		elif a == "--list":
			listing = True
		else:
			print("usage: deps-check.py [--top DIR] [--deps FILE] "
			    "[--control FILE] [--list]", file=sys.stderr)
			return 2
	deps = deps or os.path.join(top, "packaging/deps.sh")
	control = control or os.path.join(top, "packaging/debian/control")
	found = scan(top)
	if listing:
		for g, items in found.items():
			for where, ln, kind, n in items:
				print("%s\t%s:%d\t%s\t%s" % (g, where, ln, kind, n))
		return 0

	db, provides = installed_db()
	base = {p for p, (d, ess) in db.items() if ess}
	ctl = control_fields(control)
	# The suite runs from the tree, never from installed .debs: what it
	# calls must come from deps.sh alone.
	listed = deps_lists(deps)
	allowed = {
		"tests": closure(listed | base, db, provides),
		"session": closure({a for alts in ctl.get("deskd-session", {}).get("Depends", [])
		    for a in alts} | base, db, provides),
		"deskd": closure({a for key in ("Depends", "Recommends")
		    for alts in ctl.get("deskd", {}).get(key, []) for a in alts} | base,
		    db, provides),
	}
	where_from = {"tests": "packaging/deps.sh",
	    "session": "deskd-session's Depends",
	    "deskd": "deskd's Depends or Recommends"}

	progs = {n for items in found.values() for (_, _, k, n) in items if k in ("prog", "probe")}
	# The tree's own modules (tests/tools/wsclient.py), imported with
	# the tools' folder on sys.path: nothing to install.
	local = {os.path.splitext(os.path.basename(f))[0] for f in
	    glob_files(top, ["tests/tools/*.py", "packaging/*.py",
	    "packaging/cloud-init/*.py"])}
	mods = {n for items in found.values() for (_, _, k, n) in items
	    if k == "py" and n not in local}
	ppath = resolve_programs(progs)
	mpath = resolve_modules(mods)
	own = owners([p for p in list(ppath.values()) + list(mpath.values())
	    if p and p != "builtin"])

	bad = 0
	for g, items in found.items():
		seen = {}
		for where, ln, kind, n in items:
			seen.setdefault((kind, n), []).append("%s:%d" % (where, ln))
		for (kind, n), places in sorted(seen.items()):
			what = "%s %s" % ("python module" if kind == "py" else "program", n)
			if (g, kind, n) in EXCEPTIONS:
				# Not a test: a name this check does not apply to.
				print("#   exempt: %s: %s (%s)" % (g, what,
				    EXCEPTIONS[(g, kind, n)]))
				continue
			if kind == "py" and n in local:
				continue
			path = mpath.get(n) if kind == "py" else ppath.get(n)
			if path == "builtin":
				continue
			# "command -v X" looks for alternatives (chromium-browser,
			# google-chrome): one that no machine here has is fine; one
			# this machine has must come from a listed package, or a
			# fresh machine silently skips what runs here.
			if kind == "probe" and path is None:
				continue
			pkg = own.get(path) if path else None
			if path is None:
				msg = "not on a fresh machine's PATH" if kind != "py" else \
				    "not importable by %s" % FRESH_PYTHON
			elif pkg is None:
				msg = "%s belongs to no Debian package" % path
			elif pkg not in allowed[g]:
				msg = "%s is in package %s, which %s does not name" % (
				    path, pkg, where_from[g])
			else:
				continue
			bad += 1
			print("not ok - %s: %s comes from a listed package" % (g, what))
			print("#   %s" % msg)
			print("#   called at %s" % ", ".join(places[:4]))
	total = sum(len({(k, n) for (_, _, k, n) in items}) for items in found.values())
	if bad == 0:
		print("ok - every program and python module of the %d the scan "
		    "found comes from a listed package" % total)
	return 1 if bad else 0


if __name__ == "__main__":
	sys.exit(main())
