/* deskctl.c: the host tool (launch, wait, ls, terminate, drive agents). */
#include <stdio.h>
#include <string.h>

static void
usage(FILE *f)
{
	fprintf(f,
"usage: deskctl launch|wait|ls|terminate|screenshot|do|exec|cp ...\n"
"(not implemented yet)\n");
}

int
main(int argc, char **argv)
{
	if (argc > 1 && (strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "--help") == 0)) {
		usage(stdout);
		return (0);
	}
	usage(stderr);
	return (2);
}
