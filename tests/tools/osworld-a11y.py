#!/usr/bin/python3
# osworld-a11y.py: the reference for deskd's accessibility tree: what
# OSWorld's control server does for GET /accessibility and GET /terminal,
# with pyatspi and lxml, written again here (nothing of OSWorld is vendored
# or fetched).  Line numbers cite xlang-ai/OSWorld's
# desktop_env/server/main.py (1797 lines, 2025).
#
#   osworld-a11y.py              print {"AT": xml} as /accessibility does
#   osworld-a11y.py --terminal   print {"output": ..., "status": "success"}
#   osworld-a11y.py --bench N    walk N times, print the median ms
#
# One deliberate difference: applications are appended in the desktop's
# order, where upstream appends them in thread-completion order (main.py:
# 913-917, a ThreadPoolExecutor), which is not deterministic; the walk of
# each application is the same.  LibreOffice's version is read as deskd
# reads it (versionrc) instead of running "libreoffice --version", which
# fails without LibreOffice (main.py:416-420).
import json
import sys
import time

import lxml.etree
import pyatspi
from pyatspi import STATE_SHOWING, StateType

# main.py:370-380
NS = {
    "st": "https://accessibility.ubuntu.example.org/ns/state",
    "attr": "https://accessibility.ubuntu.example.org/ns/attributes",
    "cp": "https://accessibility.ubuntu.example.org/ns/component",
    "doc": "https://accessibility.ubuntu.example.org/ns/document",
    "docattr": "https://accessibility.ubuntu.example.org/ns/document/attributes",
    "txt": "https://accessibility.ubuntu.example.org/ns/text",
    "val": "https://accessibility.ubuntu.example.org/ns/value",
    "act": "https://accessibility.ubuntu.example.org/ns/action",
}
MAX_DEPTH = 50      # main.py:411
MAX_WIDTH = 1024    # main.py:412


def libreoffice_version():
    try:
        with open("/usr/lib/libreoffice/program/versionrc") as f:
            for line in f:
                if line.startswith("MsiProductVersion="):
                    v = line.split("=", 1)[1].strip()
                    return tuple(int(x) for x in v.split(".")[:2])
    except OSError:
        pass
    return (7, 4)


LO_VERSION = libreoffice_version()


def create_node(node, depth=0, flag=None):
    # main.py:423-577, statement for statement.
    node_name = node.name
    attribute_dict = {"name": node_name}
    for st in node.getState().get_states():
        state_name = StateType._enum_lookup[st]
        state_name = state_name.split("_", maxsplit=1)[1].lower()
        if len(state_name) == 0:
            continue
        attribute_dict["{%s}%s" % (NS["st"], state_name)] = "true"
    for attribute_name, attribute_value in node.get_attributes().items():
        if len(attribute_name) == 0:
            continue
        attribute_dict["{%s}%s" % (NS["attr"], attribute_name)] = \
            attribute_value
    if attribute_dict.get("{%s}visible" % NS["st"], "false") == "true" \
            and attribute_dict.get("{%s}showing" % NS["st"], "false") == "true":
        try:
            component = node.queryComponent()
        except NotImplementedError:
            pass
        else:
            bbox = component.getExtents(pyatspi.XY_SCREEN)
            attribute_dict["{%s}screencoord" % NS["cp"]] = str(tuple(bbox[0:2]))
            attribute_dict["{%s}size" % NS["cp"]] = str(tuple(bbox[2:]))
    text = ""
    try:
        text_obj = node.queryText()
        text = text_obj.getText(0, text_obj.characterCount)
        text = text.replace("\ufffc", "").replace("\ufffd", "")
    except NotImplementedError:
        pass
    try:
        node.queryImage()
        attribute_dict["image"] = "true"
    except NotImplementedError:
        pass
    try:
        node.querySelection()
        attribute_dict["selection"] = "true"
    except NotImplementedError:
        pass
    try:
        value = node.queryValue()
        value_key = "{%s}" % NS["val"]
        for attr_name, attr_func in [
                ("value", lambda: value.currentValue),
                ("min", lambda: value.minimumValue),
                ("max", lambda: value.maximumValue),
                ("step", lambda: value.minimumIncrement)]:
            try:
                attribute_dict[value_key + attr_name] = str(attr_func())
            except Exception:
                pass
    except NotImplementedError:
        pass
    try:
        action = node.queryAction()
        for i in range(action.nActions):
            action_name = action.getName(i).replace(" ", "-")
            attribute_dict["{%s}%s_desc" % (NS["act"], action_name)] = \
                action.getDescription(i)
            attribute_dict["{%s}%s_kb" % (NS["act"], action_name)] = \
                action.getKeyBinding(i)
    except NotImplementedError:
        pass
    raw_role_name = node.getRoleName().strip()
    node_role_name = (raw_role_name or "unknown").replace(" ", "-")
    if not flag:
        if raw_role_name == "document spreadsheet":
            flag = "calc"
        if raw_role_name == "application" and node.name == "Thunderbird":
            flag = "thunderbird"
    xml_node = lxml.etree.Element(node_role_name, attrib=attribute_dict,
                                  nsmap=NS)
    if len(text) > 0:
        xml_node.text = text
    if depth == MAX_DEPTH:
        return xml_node
    if flag == "calc" and node_role_name == "table":
        maximum_column = 1024 if LO_VERSION < (7, 4) else 16384
        max_row = 1048576
        index_base = 0
        first_showing = False
        column_base = None
        for r in range(max_row):
            for clm in range(column_base or 0, maximum_column):
                child_node = node[index_base + clm]
                showing = child_node.getState().contains(STATE_SHOWING)
                if showing:
                    xml_node.append(create_node(child_node, depth + 1, flag))
                    if not first_showing:
                        column_base = clm
                        first_showing = True
                elif first_showing and column_base is not None or clm >= 500:
                    break
            if first_showing and clm == column_base or \
                    not first_showing and r >= 500:
                break
            index_base += maximum_column
        return xml_node
    try:
        for i, ch in enumerate(node):
            if i == MAX_WIDTH:
                break
            xml_node.append(create_node(ch, depth + 1, flag))
    except Exception:
        pass
    return xml_node


def accessibility():
    # main.py:903-917, applications in order (see above).
    desktop = pyatspi.Registry.getDesktop(0)
    xml_node = lxml.etree.Element("desktop-frame", nsmap=NS)
    for app_node in desktop:
        xml_node.append(create_node(app_node, 1))
    return lxml.etree.tostring(xml_node, encoding="unicode")


def has_active_terminal(desktop):
    # main.py:336-345
    for app in desktop:
        if app.getRoleName() == "application" and \
                app.name == "gnome-terminal-server":
            for frame in app:
                if frame.getRoleName() == "frame" and \
                        frame.getState().contains(pyatspi.STATE_ACTIVE):
                    return True
    return False


def terminal():
    # main.py:348-367
    output = None
    desktop = pyatspi.Registry.getDesktop(0)
    if has_active_terminal(desktop):
        desktop_xml = create_node(desktop)
        xpath = '//application[@name="gnome-terminal-server"]/' \
            'frame[@st:active="true"]//terminal[@st:focused="true"]'
        terminals = desktop_xml.xpath(xpath, namespaces=NS)
        output = terminals[0].text.rstrip() if len(terminals) == 1 else None
    return {"output": output, "status": "success"}


def main():
    args = sys.argv[1:]
    if args[:1] == ["--terminal"]:
        print(json.dumps(terminal()))
    elif args[:1] == ["--bench"]:
        n = int(args[1])
        accessibility()  # warm the connections, as a long-lived server has
        times = []
        for _ in range(n):
            t0 = time.monotonic()
            xml = accessibility()
            times.append((time.monotonic() - t0) * 1000)
        times.sort()
        print("%.1f %d" % (times[len(times) // 2], xml.count("<")))
    else:
        print(json.dumps({"AT": accessibility()}))


if __name__ == "__main__":
    main()
