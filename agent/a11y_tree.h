/*
 * a11y_tree.h: the accessibility tree as deskd holds it, and its writers.
 *
 * The walk (a11y.c) fills these nodes from AT-SPI on its worker thread;
 * nothing here talks to D-Bus, so the writers and the rules below are
 * unit-tested on their own.  Two forms come out of one tree:
 * - OSWorld's XML (desktop_env/server/main.py:423-577, _create_atspi_node,
 *   serialised by lxml.etree.tostring(encoding="unicode")), element for
 *   element and attribute for attribute;
 * - deskd's JSON (GET /v1/accessibility), filtered.
 */
#ifndef A11Y_TREE_H
#define A11Y_TREE_H

#include <sys/types.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct evbuffer;

/* Value interface members, in OSWorld's order (main.py:490-495). */
#define A11Y_VALUE_CURRENT	0
#define A11Y_VALUE_MIN		1
#define A11Y_VALUE_MAX		2
#define A11Y_VALUE_STEP		3
#define A11Y_NVALUES		4

/* AT-SPI's StateType values (atspi-constants.h), as bits of states. */
#define A11Y_STATE_ACTIVE	1
#define A11Y_STATE_FOCUSED	12
#define A11Y_STATE_SHOWING	25
#define A11Y_STATE_VISIBLE	30
#define A11Y_NSTATES		45	/* 0 .. STATE_LAST_DEFINED */

struct a11y_attr {
	char		*key;
	char		*value;
};

struct a11y_action {
	char		*name;		/* as AT-SPI gives it */
	char		*desc;
	char		*kb;
};

struct a11y_node {
	char		*role;		/* atspi_accessible_get_role_name */
	char		*name;
	uint64_t	 states;	/* 1 << AtspiStateType */
	struct a11y_attr *attrs;
	u_int		 nattrs;
	int		 has_extents;	/* read: visible and showing */
	int		 x, y, w, h;	/* screen pixels */
	int		 image;		/* Image interface */
	int		 selection;	/* Selection interface */
	int		 has_value;	/* Value interface */
	u_int		 value_ok;	/* 1 << A11Y_VALUE_* read */
	double		 value[A11Y_NVALUES];
	struct a11y_action *actions;
	u_int		 nactions;
	char		*text;		/* NULL: no Text interface or "" */
	struct a11y_node **children;
	u_int		 nchildren;
	u_int		 achildren;
};

struct a11y_tree {
	struct a11y_node *root;		/* role "desktop frame" */
	int		 partial;	/* the walk stopped early */
	const char	*partial_why;	/* "budget", "nodes", "bytes" */
	u_int		 nodes;
	size_t		 bytes;		/* strings held, roughly */
	u_int		 unresponsive;	/* applications that did not answer */
	long long	 elapsed_ms;
};

/* Filters of the native form (GET /v1/accessibility). */
struct a11y_filter {
	const char	*role;		/* role name, '-' or ' ', any case */
	const char	*name;		/* substring of the name, any case */
	int		 visible;	/* only visible and showing nodes */
};

struct a11y_node *a11y_node_new(void);
void		 a11y_node_free(struct a11y_node *);
void		 a11y_node_add_child(struct a11y_node *, struct a11y_node *);
/* Set an attribute, replacing an earlier one of the same key in place. */
void		 a11y_node_set_attr(struct a11y_node *, const char *,
		    const char *);
void		 a11y_node_add_action(struct a11y_node *, const char *,
		    const char *, const char *);
int		 a11y_node_has_state(const struct a11y_node *, int);
struct a11y_tree *a11y_tree_new(void);
void		 a11y_tree_free(struct a11y_tree *);

/* pyatspi's state name minus STATE_, lower case ("multi_line"). */
const char	*a11y_tree_state_name(int);
/* Python's repr(float) ("1.0", "0.1", "1e-05", "inf"). */
void		 a11y_tree_pyfloat(double, char *, size_t);
/* Element text as main.py:464 keeps it: without U+FFFC and U+FFFD. */
char		*a11y_tree_clean_text(const char *);
/* Python's str.rstrip(): trailing Unicode whitespace removed, in place. */
void		 a11y_tree_rstrip(char *);

/*
 * The LibreOffice Calc rule (main.py:538-566): a spreadsheet's table has
 * a child per cell, row-major with maxcol columns, and only showing ones
 * are kept.  showing(index) answers 1, 0, or -1 to stop (no such child,
 * out of budget); emit(index) takes a showing cell.  Returns the number
 * of cells emitted.
 */
typedef int	(*a11y_showing_cb)(long, void *);
typedef void	(*a11y_emit_cb)(long, void *);
long		 a11y_tree_calc_scan(long maxcol, a11y_showing_cb,
		    a11y_emit_cb, void *);

/* OSWorld's XML of the tree, appended to buf. */
void		 a11y_tree_xml(const struct a11y_tree *, struct evbuffer *);
/* {"AT": xml} (plus "partial": true), as GET /accessibility answers. */
char		*a11y_tree_osworld_json(const struct a11y_tree *, size_t *);
/*
 * The native JSON: {"tree": node, ...} without role/name filters,
 * {"matches": [...]} with them.
 */
json_t		*a11y_tree_json(const struct a11y_tree *,
		    const struct a11y_filter *);
/*
 * OSWorld's /terminal (main.py:348-363): the text of the one node
 * matching //application[@name="gnome-terminal-server"]/frame[@st:active]
 * //terminal[@st:focused], rstripped; NULL when none or several.
 */
char		*a11y_tree_terminal_text(const struct a11y_tree *);

#endif
