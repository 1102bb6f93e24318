/*
 * tst.h: the tiny assert header of the unit tests (after wayvnc's tst.h).
 * Each check prints "ok - what" or "not ok - what (file:line)"; tests/run
 * counts those lines.  tst_done() is the exit status.
 */
#ifndef TST_H
#define TST_H

#include <stdio.h>
#include <string.h>

static int	tst_failed;

#define TST_OK(cond, ...) do {						\
	int	 tst_c = (cond) ? 1 : 0;	/* evaluated once */		\
	if (tst_c) {							\
		printf("ok - ");					\
	} else {							\
		printf("not ok - ");					\
		tst_failed++;						\
	}								\
	printf(__VA_ARGS__);						\
	if (!tst_c)							\
		printf(" (%s:%d)", __FILE__, __LINE__);			\
	printf("\n");							\
	fflush(stdout);							\
} while (0)

#define TST_INT_EQ(got, want, ...) do {					\
	long long	 tst_g = (got), tst_w = (want);			\
	TST_OK(tst_g == tst_w, __VA_ARGS__);				\
	if (tst_g != tst_w)						\
		printf("#   got %lld, want %lld\n", tst_g, tst_w);	\
} while (0)

#define TST_STR_EQ(got, want, ...) do {					\
	const char	*tst_g = (got), *tst_w = (want);		\
	int		 tst_eq = tst_g != NULL && tst_w != NULL &&	\
			    strcmp(tst_g, tst_w) == 0;			\
	TST_OK(tst_eq, __VA_ARGS__);					\
	if (!tst_eq)							\
		printf("#   got \"%s\", want \"%s\"\n",		\
		    tst_g ? tst_g : "(null)", tst_w ? tst_w : "(null)");\
} while (0)

static inline int
tst_done(void)
{
	return (tst_failed != 0);
}

#endif
