"""pyautogui, as much of it as OSWorld's computer_13 translation calls.

tests/bench/vendors.sh runs OSWorld's way of doing an action: the host
turns it into pyautogui source (xlang-ai/OSWorld
desktop_env/controllers/python.py, execute_action) and posts
["python", "-c", "import pyautogui; import time; pyautogui.FAILSAFE =
False; <call>"] to /execute, one process per action.  pyautogui is not a
Debian package, so this module stands in for it over python3-xlib (which
pyautogui's X11 backend uses too: pyautogui/_pyautogui_x11.py), with
pyautogui's timings: PAUSE (0.1 s) after every call, moves with a
duration split into steps of at least MINIMUM_SLEEP (0.05 s), and its
X11 key names.  It imports less than pyautogui (no PIL, pymsgbox,
pytweening or pyscreeze), so it starts faster than the real one: the
benchmark's peer is, if anything, flattered.
"""
import time

from Xlib import X, XK, display
from Xlib.ext import xtest

PAUSE = 0.1
FAILSAFE = True
MINIMUM_SLEEP = 0.05

_d = display.Display()


def _tween(n):
    return n


linear = easeInQuad = easeOutQuad = easeInOutQuad = _tween
easeInBounce = easeInElastic = _tween

_KEYS = {
    "ctrl": "Control_L", "ctrlleft": "Control_L", "ctrlright": "Control_R",
    "alt": "Alt_L", "altleft": "Alt_L", "altright": "Alt_R",
    "shift": "Shift_L", "shiftleft": "Shift_L", "shiftright": "Shift_R",
    "win": "Super_L", "winleft": "Super_L", "winright": "Super_R",
    "command": "Super_L", "option": "Alt_L",
    "enter": "Return", "return": "Return", "\n": "Return",
    "esc": "Escape", "escape": "Escape", "backspace": "BackSpace",
    "tab": "Tab", "\t": "Tab", "space": "space", " ": "space",
    "del": "Delete", "delete": "Delete", "insert": "Insert",
    "home": "Home", "end": "End", "pageup": "Prior", "pgup": "Prior",
    "pagedown": "Next", "pgdn": "Next", "up": "Up", "down": "Down",
    "left": "Left", "right": "Right",
}


def _pause():
    if PAUSE:
        time.sleep(PAUSE)


def _keycode(key):
    name = _KEYS.get(key.lower() if len(key) > 1 else key, key)
    sym = XK.string_to_keysym(name)
    if sym == 0 and len(key) == 1:
        sym = ord(key)
    code = _d.keysym_to_keycode(sym)
    shift = code and _d.keycode_to_keysym(code, 0) != sym
    return code, shift


def _key(key, down):
    code, shift = _keycode(key)
    if not code:
        return
    s = _d.keysym_to_keycode(XK.string_to_keysym("Shift_L"))
    if shift and down:
        xtest.fake_input(_d, X.KeyPress, s)
    xtest.fake_input(_d, X.KeyPress if down else X.KeyRelease, code)
    if shift and not down:
        xtest.fake_input(_d, X.KeyRelease, s)
    _d.sync()


def _button(button):
    return {"left": 1, "middle": 2, "right": 3}.get(button, 1)


def position():
    p = _d.screen().root.query_pointer()
    return p.root_x, p.root_y


def _move(x, y, duration=0.0):
    x0, y0 = position()
    x = x0 if x is None else int(x)
    y = y0 if y is None else int(y)
    steps = max(abs(x - x0), abs(y - y0))
    if duration and steps:
        sleep = duration / steps
        if sleep < MINIMUM_SLEEP:
            steps = max(1, int(duration / MINIMUM_SLEEP))
            sleep = duration / steps
        for i in range(1, steps + 1):
            xtest.fake_input(_d, X.MotionNotify, x=x0 + (x - x0) * i // steps,
                             y=y0 + (y - y0) * i // steps)
            _d.sync()
            time.sleep(sleep)
    xtest.fake_input(_d, X.MotionNotify, x=x, y=y)
    _d.sync()


def moveTo(x=None, y=None, duration=0.0, tween=linear, *a, **k):
    _move(x, y, duration)
    _pause()


def mouseDown(x=None, y=None, button="left", **k):
    if x is not None or y is not None:
        _move(x, y)
    xtest.fake_input(_d, X.ButtonPress, _button(button))
    _d.sync()
    _pause()


def mouseUp(x=None, y=None, button="left", **k):
    if x is not None or y is not None:
        _move(x, y)
    xtest.fake_input(_d, X.ButtonRelease, _button(button))
    _d.sync()
    _pause()


def click(x=None, y=None, clicks=1, interval=0.0, button="left", **k):
    if x is not None or y is not None:
        _move(x, y)
    for i in range(clicks):
        xtest.fake_input(_d, X.ButtonPress, _button(button))
        xtest.fake_input(_d, X.ButtonRelease, _button(button))
        _d.sync()
        if interval and i + 1 < clicks:
            time.sleep(interval)
    _pause()


def doubleClick(x=None, y=None, interval=0.0, button="left", **k):
    click(x, y, 2, interval, button)


def rightClick(x=None, y=None, **k):
    click(x, y, 1, 0.0, "right")


def dragTo(x=None, y=None, duration=0.0, button="left", mouseDownUp=True,
           **k):
    if mouseDownUp:
        xtest.fake_input(_d, X.ButtonPress, _button(button))
        _d.sync()
    _move(x, y, duration)
    if mouseDownUp:
        xtest.fake_input(_d, X.ButtonRelease, _button(button))
        _d.sync()
    _pause()


def _wheel(clicks, up, down):
    b = up if clicks > 0 else down
    for _ in range(abs(int(clicks))):
        xtest.fake_input(_d, X.ButtonPress, b)
        xtest.fake_input(_d, X.ButtonRelease, b)
    _d.sync()
    _pause()


def scroll(clicks, x=None, y=None, **k):
    vscroll(clicks, x, y)


def vscroll(clicks, x=None, y=None, **k):
    _wheel(clicks, 4, 5)


def hscroll(clicks, x=None, y=None, **k):
    _wheel(clicks, 7, 6)


def typewrite(message, interval=0.0, **k):
    for c in message:
        _key(c, True)
        _key(c, False)
        if interval:
            time.sleep(interval)
    _pause()


write = typewrite


def press(keys, presses=1, interval=0.0, **k):
    if isinstance(keys, str):
        keys = [keys]
    for _ in range(presses):
        for key in keys:
            _key(key, True)
            _key(key, False)
    _pause()


def keyDown(key, **k):
    _key(key, True)
    _pause()


def keyUp(key, **k):
    _key(key, False)
    _pause()


def hotkey(*keys, **k):
    for key in keys:
        _key(key, True)
    for key in reversed(keys):
        _key(key, False)
    _pause()
