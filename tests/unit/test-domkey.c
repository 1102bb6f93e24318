/*
 * test-domkey: KeyboardEvent key/code values to keysyms (agent/domkey.c),
 * as the live view's control mode sends them: characters, named keys,
 * left and right modifiers, the keypad with NumLock on and off, and the
 * values with no keysym.
 */
#include <stdio.h>

#include <X11/keysym.h>

#include "domkey.h"
#include "tst.h"

static KeySym
k(const char *key, const char *code, int *is_char)
{
	return (domkey_keysym(key, code, is_char));
}

int
main(void)
{
	int	 c;

	TST_INT_EQ(k("a", "KeyA", &c), XK_a, "a is a");
	TST_INT_EQ(c, 1, "  a character");
	TST_INT_EQ(k("A", "KeyA", &c), XK_A, "A (Shift in it) is A");
	TST_INT_EQ(k("!", "Digit1", &c), XK_exclam, "! is exclam");
	TST_INT_EQ(k(" ", "Space", &c), XK_space, "space");
	TST_INT_EQ(k("\xc3\xa9", "Digit2", &c), XK_eacute,
	    "é (a French layout's 2) is eacute");
	TST_INT_EQ(k("\xe2\x82\xac", "KeyE", &c), XK_EuroSign, "€ is EuroSign");
	TST_INT_EQ(k("Enter", "Enter", &c), XK_Return, "Enter is Return");
	TST_INT_EQ(c, 0, "  not a character");
	TST_INT_EQ(k("Backspace", "Backspace", &c), XK_BackSpace, "Backspace");
	TST_INT_EQ(k("ArrowUp", "ArrowUp", &c), XK_Up, "ArrowUp is Up");
	TST_INT_EQ(k("PageDown", "PageDown", &c), XK_Next, "PageDown is Next");
	TST_INT_EQ(k("F11", "F11", &c), XK_F11, "F11");
	TST_INT_EQ(k("F24", "F24", &c), XK_F24, "F24");
	TST_INT_EQ(k("Shift", "ShiftLeft", &c), XK_Shift_L, "ShiftLeft");
	TST_INT_EQ(k("Shift", "ShiftRight", &c), XK_Shift_R, "ShiftRight");
	TST_INT_EQ(k("Control", "ControlRight", &c), XK_Control_R,
	    "ControlRight");
	TST_INT_EQ(k("Meta", "MetaLeft", &c), XK_Super_L, "Meta is Super_L");
	TST_INT_EQ(k("OS", "OSRight", &c), XK_Super_R, "old Firefox's OS");
	TST_INT_EQ(k("AltGraph", "AltRight", &c), XK_ISO_Level3_Shift,
	    "AltGraph is ISO_Level3_Shift");
	TST_INT_EQ(k("1", "Numpad1", &c), XK_KP_1, "Numpad1 with NumLock: KP_1");
	TST_INT_EQ(k("End", "Numpad1", &c), XK_KP_End,
	    "Numpad1 without NumLock: KP_End");
	TST_INT_EQ(k("Enter", "NumpadEnter", &c), XK_KP_Enter, "NumpadEnter");
	TST_INT_EQ(k("Dead", "BracketLeft", &c), NoSymbol, "Dead: nothing");
	TST_INT_EQ(k("Unidentified", "", &c), NoSymbol, "Unidentified: nothing");
	TST_INT_EQ(k("Process", "KeyA", &c), NoSymbol, "IME Process: nothing");
	TST_INT_EQ(k("ab", "KeyA", &c), NoSymbol, "two characters: nothing");
	TST_INT_EQ(k("\xff", "KeyA", &c), NoSymbol, "bad UTF-8: nothing");
	TST_INT_EQ(k("\x7f", "", &c), NoSymbol, "a control character: nothing");
	TST_INT_EQ(domkey_code_keysym("KeyT"), XK_t, "code KeyT is t");
	TST_INT_EQ(domkey_code_keysym("Digit7"), XK_7, "code Digit7 is 7");
	TST_INT_EQ(domkey_code_keysym("Minus"), NoSymbol, "code Minus: none");
	TST_OK(domkey_is_modifier(XK_Control_L) && domkey_is_modifier(
	    XK_ISO_Level3_Shift) && !domkey_is_modifier(XK_a),
	    "modifier keysyms");
	return (tst_done());
}
