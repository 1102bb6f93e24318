#!/usr/bin/python3
# a11y-compare.py A B: compare two OSWorld accessibility XML documents
# (files holding {"AT": xml} or bare XML) element by element: tag,
# attributes (names, namespaces, values) and text, children in order.
# Prints the element count and exits 0 when equal; else prints the first
# difference with its path and exits 1.  Attribute order is compared too
# (lxml keeps the order upstream's dict built).
import json
import sys

import lxml.etree


def load(path):
    data = open(path, encoding="utf-8").read()
    if data.lstrip().startswith("{"):
        data = json.loads(data)["AT"]
    return lxml.etree.fromstring(data)


def compare(a, b, path):
    where = "/".join(path)
    if a.tag != b.tag:
        return "%s: tag %r != %r" % (where, a.tag, b.tag)
    if list(a.attrib.items()) != list(b.attrib.items()):
        da, db = dict(a.attrib), dict(b.attrib)
        for k in sorted(set(da) | set(db)):
            if da.get(k) != db.get(k):
                return "%s: attribute %s: %r != %r" % (where, k, da.get(k),
                                                       db.get(k))
        return "%s: attribute order %r != %r" % (where, list(a.attrib),
                                                 list(b.attrib))
    if (a.text or "") != (b.text or ""):
        return "%s: text %r != %r" % (where, a.text, b.text)
    ca, cb = list(a), list(b)
    for i, (x, y) in enumerate(zip(ca, cb)):
        d = compare(x, y, path + ["%s[%d]" % (x.tag, i)])
        if d:
            return d
    if len(ca) != len(cb):
        return "%s: %d children != %d" % (where, len(ca), len(cb))
    return None


def main():
    a, b = load(sys.argv[1]), load(sys.argv[2])
    d = compare(a, b, [a.tag])
    if d:
        print(d)
        sys.exit(1)
    print(sum(1 for _ in a.iter()))


main()
