#!/usr/bin/python3
# a11y-gtk.py: a GTK 3 window for the accessibility tests: a menu bar
# (File > Open, Quit), two buttons, an entry holding text, a check box and
# a slider.  Prints "ready WINDOWID" once the window is mapped, so a test
# can ask xwininfo where it is.  Usage: a11y-gtk.py [TITLE]
import sys

import gi
gi.require_version("Gtk", "3.0")
gi.require_version("GdkX11", "3.0")
from gi.repository import GLib, Gtk, GdkX11  # noqa: E402

title = sys.argv[1] if len(sys.argv) > 1 else "deskd a11y test"
GLib.set_prgname("deskd-a11y-gtk")
GLib.set_application_name("deskd-a11y-gtk")

win = Gtk.Window(title=title)
win.set_default_size(420, 260)
win.move(40, 60)
box = Gtk.Box(orientation=Gtk.Orientation.VERTICAL, spacing=6)
win.add(box)

bar = Gtk.MenuBar()
file_item = Gtk.MenuItem(label="File")
menu = Gtk.Menu()
for label in ("Open", "Quit"):
    menu.append(Gtk.MenuItem(label=label))
file_item.set_submenu(menu)
bar.append(file_item)
box.pack_start(bar, False, False, 0)

row = Gtk.Box(spacing=6)
save = Gtk.Button(label="Save")
cancel = Gtk.Button(label="Cancel")
row.pack_start(save, False, False, 0)
row.pack_start(cancel, False, False, 0)
box.pack_start(row, False, False, 0)

entry = Gtk.Entry()
entry.set_text("hello \u00e9t\u00e9 <&> world")
box.pack_start(entry, False, False, 0)

check = Gtk.CheckButton(label="Remember me")
check.set_active(True)
box.pack_start(check, False, False, 0)

scale = Gtk.Scale.new_with_range(Gtk.Orientation.HORIZONTAL, 0, 100, 5)
scale.set_value(25)
box.pack_start(scale, False, False, 0)

win.connect("destroy", Gtk.main_quit)


def ready(*_):
    print("ready 0x%x" % win.get_window().get_xid(), flush=True)
    return False


win.connect("map-event", ready)
win.show_all()
save.grab_focus()
Gtk.main()
