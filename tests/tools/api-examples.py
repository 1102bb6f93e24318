#!/usr/bin/env python3
# tests/tools/api-examples.py: run the examples of proto/api.md against a
# live deskd and check each reply against what the contract shows, so
# that the code and the contract cannot drift apart unnoticed.
#
#   api-examples.py [--list] API.md [URL]
#
# An example is a fenced block whose info string is "example":
#
#   ```example
#   POST /v1/computer
#   {"action": "mouse_move", "coordinate": [100, 200]}
#   -> 200
#   {"output": null, "cursor": [100, 200]}
#   ```
#
# The request: "METHOD PATH", optional "Name: value" header lines, then an
# optional body (JSON bodies get Content-Type: application/json unless a
# header says otherwise).  The reply: "-> STATUS", optional header lines
# (checked exactly), then an optional JSON body, compared value by value:
#   N         any number          B        any boolean
#   "..."     any string          "ab...yz" a string with that head/tail
#   ...       as a value: anything; as the last member of an object: the
#             reply may have more members; as the last element of an
#             array: zero or more further elements like the one before
#   X|Y       either (N|null, "..."|null)
# anything else must be equal, and an object's members must be exactly
# the example's unless it ends with "...".  Examples run in the order of
# the document against one deskd, so one may rely on the one before it.
# Prints TAP lines.
import json
import re
import sys
import urllib.error
import urllib.request


class Any:
	def __init__(self, kind):
		self.kind = kind

	def __repr__(self):
		return self.kind


ELLIPSIS = Any("...")
ANYNUM = Any("N")
ANYBOOL = Any("B")


class Alt:
	def __init__(self, alts):
		self.alts = alts

	def __repr__(self):
		return "|".join(map(repr, self.alts))


class Pattern:
	"""JSON with the placeholders above, by recursive descent."""

	def __init__(self, text):
		self.s = text
		self.i = 0

	def parse(self):
		v = self.value()
		self.ws()
		if self.i != len(self.s):
			raise ValueError("trailing text at %d: %r" % (self.i, self.s[self.i:self.i + 20]))
		return v

	def ws(self):
		while self.i < len(self.s) and self.s[self.i] in " \t\r\n":
			self.i += 1

	def value(self):
		alts = [self.one()]
		self.ws()
		while self.s.startswith("|", self.i):
			self.i += 1
			alts.append(self.one())
			self.ws()
		return alts[0] if len(alts) == 1 else Alt(alts)

	def one(self):
		self.ws()
		s = self.s
		if s.startswith("...", self.i):
			self.i += 3
			return ELLIPSIS
		c = s[self.i:self.i + 1]
		if c == "{":
			self.i += 1
			out = {}
			self.ws()
			if s.startswith("}", self.i):
				self.i += 1
				return out
			while True:
				self.ws()
				if s.startswith("...", self.i):
					self.i += 3
					out[ELLIPSIS] = ELLIPSIS
				else:
					k = self.string()
					self.ws()
					self.expect(":")
					out[k] = self.value()
				self.ws()
				if s.startswith(",", self.i):
					self.i += 1
					continue
				self.expect("}")
				return out
		if c == "[":
			self.i += 1
			out = []
			self.ws()
			if s.startswith("]", self.i):
				self.i += 1
				return out
			while True:
				out.append(self.value())
				self.ws()
				if s.startswith(",", self.i):
					self.i += 1
					continue
				self.expect("]")
				return out
		if c == '"':
			return self.string()
		m = re.compile(r"-?\d+(\.\d+)?([eE][-+]?\d+)?|true|false|null|N|B").match(s, self.i)
		if not m:
			raise ValueError("bad value at %d: %r" % (self.i, s[self.i:self.i + 20]))
		self.i = m.end()
		t = m.group(0)
		if t == "N":
			return ANYNUM
		if t == "B":
			return ANYBOOL
		return json.loads(t)

	def string(self):
		m = re.compile(r'"(?:[^"\\]|\\.)*"').match(self.s, self.i)
		if not m:
			raise ValueError("string expected at %d" % self.i)
		self.i = m.end()
		return json.loads(m.group(0))

	def expect(self, c):
		if not self.s.startswith(c, self.i):
			raise ValueError("%r expected at %d: %r" % (c, self.i, self.s[self.i:self.i + 20]))
		self.i += 1


def match(pat, got, path="$"):
	"""None when got matches pat, else why not."""
	if pat is ELLIPSIS:
		return None
	if pat is ANYNUM:
		ok = isinstance(got, (int, float)) and not isinstance(got, bool)
		return None if ok else "%s: a number expected, got %s" % (path, json.dumps(got))
	if pat is ANYBOOL:
		return None if isinstance(got, bool) else "%s: a boolean expected, got %s" % (path, json.dumps(got))
	if isinstance(pat, Alt):
		whys = [match(a, got, path) for a in pat.alts]
		return None if None in whys else " or ".join(whys)
	if isinstance(pat, dict):
		if not isinstance(got, dict):
			return "%s: an object expected, got %s" % (path, json.dumps(got)[:80])
		for k, v in pat.items():
			if k is ELLIPSIS:
				continue
			if k not in got:
				return "%s: member %r missing (got %s)" % (path, k, sorted(got))
			why = match(v, got[k], "%s.%s" % (path, k))
			if why:
				return why
		if ELLIPSIS not in pat:
			extra = sorted(set(got) - set(pat))
			if extra:
				return "%s: members the contract does not show: %s" % (path, extra)
		return None
	if isinstance(pat, list):
		if not isinstance(got, list):
			return "%s: an array expected, got %s" % (path, json.dumps(got)[:80])
		if pat and pat[-1] is ELLIPSIS:
			fixed = pat[:-1]
			if len(got) < len(fixed):
				return "%s: at least %d elements expected, got %d" % (path, len(fixed), len(got))
			like = fixed[-1] if fixed else ELLIPSIS
			pats = fixed + [like] * (len(got) - len(fixed))
		else:
			if len(got) != len(pat):
				return "%s: %d elements expected, got %d" % (path, len(pat), len(got))
			pats = pat
		for n, (p, g) in enumerate(zip(pats, got)):
			why = match(p, g, "%s[%d]" % (path, n))
			if why:
				return why
		return None
	if isinstance(pat, str) and "..." in pat and isinstance(got, str):
		head, tail = pat.split("...", 1)
		if got.startswith(head) and got.endswith(tail) and len(got) >= len(head) + len(tail):
			return None
		return "%s: %s expected, got %s" % (path, json.dumps(pat), json.dumps(got))
	if type(pat) is not type(got) and not (isinstance(pat, (int, float)) and
	    isinstance(got, (int, float)) and not isinstance(got, bool)):
		return "%s: %s expected, got %s" % (path, json.dumps(pat), json.dumps(got))
	return None if pat == got else "%s: %s expected, got %s" % (path, json.dumps(pat), json.dumps(got))


def examples(text):
	"""(line, request, reply) of each ```example block."""
	out = []
	lines = text.split("\n")
	i = 0
	while i < len(lines):
		if lines[i].strip() == "```example":
			start = i + 1
			j = start
			while j < len(lines) and lines[j].strip() != "```":
				j += 1
			out.append((start, lines[start:j]))
			i = j + 1
		else:
			i += 1
	parsed = []
	for ln, block in out:
		arrow = [k for k, l in enumerate(block) if re.match(r"^(->|→) \d{3}\b", l)]
		if not block or not arrow:
			raise ValueError("line %d: an example needs a request and '-> STATUS'" % ln)
		req, rep = block[:arrow[0]], block[arrow[0]:]
		m = re.match(r"^(GET|HEAD|POST|PUT|DELETE) (\S+)$", req[0])
		if not m:
			raise ValueError("line %d: 'METHOD PATH' expected, got %r" % (ln, req[0]))
		hdrs, k = {}, 1
		while k < len(req) and re.match(r"^[A-Za-z-]+: ", req[k]):
			n, v = req[k].split(": ", 1)
			hdrs[n] = v
			k += 1
		body = "\n".join(req[k:]).strip()
		status = int(re.match(r"^(?:->|→) (\d{3})", rep[0]).group(1))
		rhdrs, k = {}, 1
		while k < len(rep) and re.match(r"^[A-Za-z-]+: ", rep[k]):
			n, v = rep[k].split(": ", 1)
			rhdrs[n.lower()] = v
			k += 1
		rbody = "\n".join(rep[k:]).strip()
		parsed.append({"line": ln, "method": m.group(1), "path": m.group(2),
		    "headers": hdrs, "body": body, "status": status,
		    "rheaders": rhdrs, "rbody": Pattern(rbody).parse() if rbody else None,
		    "rtext": rbody})
	return parsed


def run(ex, url):
	data = ex["body"].encode() if ex["body"] else None
	req = urllib.request.Request(url + ex["path"], data=data, method=ex["method"])
	if data is not None and "Content-Type" not in ex["headers"]:
		req.add_header("Content-Type", "application/json")
	for k, v in ex["headers"].items():
		req.add_header(k, v)
	try:
		r = urllib.request.urlopen(req, timeout=30)
	except urllib.error.HTTPError as e:
		r = e
	return r.status if hasattr(r, "status") else r.code, r.headers, r.read()


def main():
	args = sys.argv[1:]
	listing = args[:1] == ["--list"]
	if listing:
		args = args[1:]
	with open(args[0]) as fp:
		try:
			exs = examples(fp.read())
		except ValueError as e:
			print("not ok - %s: %s" % (args[0], e))
			return 1
	if listing:
		for ex in exs:
			print("%d\t%s %s\t%s\t-> %d %s" % (ex["line"], ex["method"], ex["path"],
			    ex["body"].replace("\n", " "), ex["status"], ex["rtext"].replace("\n", " ")))
		return 0
	url = args[1]
	bad = 0
	for ex in exs:
		body = re.sub(r"\s+", " ", ex["body"])
		what = "api.md:%d: %s %s %s-> %d" % (ex["line"], ex["method"], ex["path"],
		    (body[:60] + " ") if body else "", ex["status"])
		why = None
		try:
			status, hdrs, raw = run(ex, url)
		except Exception as e:
			status, hdrs, raw, why = None, {}, b"", "request failed: %s" % e
		if why is None and status != ex["status"]:
			why = "status %s, the contract says %d" % (status, ex["status"])
		for k, v in ex["rheaders"].items():
			if why is None and (hdrs.get(k) or "") != v:
				why = "header %s: %r, the contract says %r" % (k, hdrs.get(k), v)
		if why is None and ex["rbody"] is not None:
			try:
				got = json.loads(raw)
			except ValueError:
				got = None
				why = "the reply is not JSON: %r" % raw[:80]
			if why is None:
				why = match(ex["rbody"], got)
		if why:
			bad += 1
			print("not ok - %s" % what)
			print("#   %s" % why)
			if raw:
				print("#   reply: %s" % raw[:300].decode("utf-8", "replace"))
		else:
			print("ok - %s" % what)
	return 1 if bad else 0


if __name__ == "__main__":
	sys.exit(main())
