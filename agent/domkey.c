/*
 * domkey.c: KeyboardEvent key/code values to keysyms.  Named keys come
 * from the W3C "UI Events KeyboardEvent key Values" list, mapped as
 * noVNC's core/input/keysym tables and xkeysym do; left and right
 * modifiers are told apart by code ("ShiftRight"), the keypad by code
 * ("Numpad1" with NumLock on gives key "1").
 */
#include <sys/types.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <X11/keysym.h>

#include "domkey.h"
#include "keys.h"

static const struct {
	const char	*key;
	KeySym		 sym;
} domkey_names[] = {
	{ "Enter", XK_Return }, { "Tab", XK_Tab },
	{ "Backspace", XK_BackSpace }, { "Escape", XK_Escape },
	{ "Delete", XK_Delete }, { "Insert", XK_Insert },
	{ "Home", XK_Home }, { "End", XK_End },
	{ "PageUp", XK_Prior }, { "PageDown", XK_Next },
	{ "ArrowLeft", XK_Left }, { "ArrowRight", XK_Right },
	{ "ArrowUp", XK_Up }, { "ArrowDown", XK_Down },
	{ "CapsLock", XK_Caps_Lock }, { "NumLock", XK_Num_Lock },
	{ "ScrollLock", XK_Scroll_Lock }, { "Pause", XK_Pause },
	{ "PrintScreen", XK_Print }, { "ContextMenu", XK_Menu },
	{ "Clear", XK_Clear }, { "Help", XK_Help },
	{ "AltGraph", XK_ISO_Level3_Shift }, { "Compose", XK_Multi_key },
	{ "Cancel", XK_Cancel }, { "Select", XK_Select },
	{ "Execute", XK_Execute }, { "Find", XK_Find },
	{ "Again", XK_Redo }, { "Undo", XK_Undo },
};

/* code values of the keypad, with NumLock on and off. */
static const struct {
	const char	*code;
	KeySym		 on;
	KeySym		 off;
} domkey_pad[] = {
	{ "Numpad0", XK_KP_0, XK_KP_Insert }, { "Numpad1", XK_KP_1, XK_KP_End },
	{ "Numpad2", XK_KP_2, XK_KP_Down }, { "Numpad3", XK_KP_3, XK_KP_Next },
	{ "Numpad4", XK_KP_4, XK_KP_Left }, { "Numpad5", XK_KP_5, XK_KP_Begin },
	{ "Numpad6", XK_KP_6, XK_KP_Right }, { "Numpad7", XK_KP_7, XK_KP_Home },
	{ "Numpad8", XK_KP_8, XK_KP_Up }, { "Numpad9", XK_KP_9, XK_KP_Prior },
	{ "NumpadDecimal", XK_KP_Decimal, XK_KP_Delete },
	{ "NumpadEnter", XK_KP_Enter, XK_KP_Enter },
	{ "NumpadAdd", XK_KP_Add, XK_KP_Add },
	{ "NumpadSubtract", XK_KP_Subtract, XK_KP_Subtract },
	{ "NumpadMultiply", XK_KP_Multiply, XK_KP_Multiply },
	{ "NumpadDivide", XK_KP_Divide, XK_KP_Divide },
	{ "NumpadEqual", XK_KP_Equal, XK_KP_Equal },
};

KeySym
domkey_code_keysym(const char *code)
{
	if (strncmp(code, "Key", 3) == 0 && code[3] >= 'A' && code[3] <= 'Z' &&
	    code[4] == '\0')
		return (XK_a + (code[3] - 'A'));
	if (strncmp(code, "Digit", 5) == 0 && code[5] >= '0' &&
	    code[5] <= '9' && code[6] == '\0')
		return (XK_0 + (code[5] - '0'));
	return (NoSymbol);
}

int
domkey_is_modifier(KeySym sym)
{
	return ((sym >= XK_Shift_L && sym <= XK_Hyper_R) ||
	    sym == XK_ISO_Level3_Shift || sym == XK_Mode_switch);
}

static int
domkey_right(const char *code)
{
	size_t	 n = strlen(code);

	return (n > 5 && strcmp(code + n - 5, "Right") == 0);
}

KeySym
domkey_keysym(const char *key, const char *code, int *is_char)
{
	uint32_t	*cps = NULL;
	size_t		 n, i;
	char		*cause = NULL;
	KeySym		 sym;

	*is_char = 0;
	if (strlen(key) > DOMKEY_MAX || strlen(code) > DOMKEY_MAX)
		return (NoSymbol);
	for (i = 0; i < sizeof domkey_pad / sizeof domkey_pad[0]; i++) {
		if (strcmp(code, domkey_pad[i].code) != 0)
			continue;
		/* A character key means NumLock is on. */
		if (strlen(key) == 1 || strcmp(key, "Enter") == 0)
			return (domkey_pad[i].on);
		return (domkey_pad[i].off);
	}
	if (strcmp(key, "Shift") == 0)
		return (domkey_right(code) ? XK_Shift_R : XK_Shift_L);
	if (strcmp(key, "Control") == 0)
		return (domkey_right(code) ? XK_Control_R : XK_Control_L);
	if (strcmp(key, "Alt") == 0)
		return (domkey_right(code) ? XK_Alt_R : XK_Alt_L);
	/* "OS" is what Firefox before 118 says for the Windows key. */
	if (strcmp(key, "Meta") == 0 || strcmp(key, "OS") == 0 ||
	    strcmp(key, "Super") == 0)
		return (domkey_right(code) ? XK_Super_R : XK_Super_L);
	for (i = 0; i < sizeof domkey_names / sizeof domkey_names[0]; i++) {
		if (strcmp(key, domkey_names[i].key) == 0)
			return (domkey_names[i].sym);
	}
	if (key[0] == 'F' && key[1] >= '1' && key[1] <= '9') {
		sym = keys_name_to_keysym(key);
		if (sym >= XK_F1 && sym <= XK_F35)
			return (sym);
	}
	/* One character: what the key types, Shift and layout applied. */
	if (keys_utf8_decode(key, strlen(key), &cps, &n, &cause) == -1) {
		free(cause);
		return (NoSymbol);
	}
	sym = NoSymbol;
	if (n == 1 && cps[0] >= 0x20 && cps[0] != 0x7f) {
		sym = keys_char_to_keysym(cps[0]);
		*is_char = sym != NoSymbol;
	}
	free(cps);
	return (sym);
}
