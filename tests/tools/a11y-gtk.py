#!/usr/bin/python3
# a11y-gtk.py: a GTK 3 window for the accessibility tests: a menu bar
# (File > Open, Quit), two buttons, an entry holding text, a check box and
# a slider.  Prints "ready WINDOWID" once the window is mapped, so a test
# can ask xwininfo where it is.
#   a11y-gtk.py [--title T] [--app NAME] [--many N] [--at X,Y]
# (Not --name: GTK takes that option for itself.)
# --many adds N buttons in a scrolled list: a tree big enough to be
# caught mid-walk.
import argparse

import gi
gi.require_version("Gtk", "3.0")
gi.require_version("GdkX11", "3.0")
from gi.repository import GLib, Gtk, GdkX11  # noqa: E402

ap = argparse.ArgumentParser()
ap.add_argument("--title", default="deskd a11y test")
ap.add_argument("--app", default="deskd-a11y-gtk")
ap.add_argument("--many", type=int, default=0)
ap.add_argument("--at", default="40,60")
args = ap.parse_args()
GLib.set_prgname(args.app)
GLib.set_application_name(args.app)

win = Gtk.Window(title=args.title)
win.set_default_size(420, 260 if args.many == 0 else 500)
x, y = (int(v) for v in args.at.split(","))
win.move(x, y)
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

if args.many > 0:
    scroll = Gtk.ScrolledWindow()
    scroll.set_min_content_height(200)
    many = Gtk.Box(orientation=Gtk.Orientation.VERTICAL)
    for i in range(args.many):
        many.pack_start(Gtk.Button(label="Item %d" % i), False, False, 0)
    scroll.add(many)
    box.pack_start(scroll, True, True, 0)

win.connect("destroy", Gtk.main_quit)


def ready(*_):
    print("ready 0x%x" % win.get_window().get_xid(), flush=True)
    return False


win.connect("map-event", ready)
win.show_all()
save.grab_focus()
Gtk.main()
