/* Unit-test runner: runs every registered test (or those whose name
 * contains argv[1]) and ends with the summary line "N passed, N failed". */
#include <stdlib.h>
#include <string.h>

#include "unit.h"

struct unit_test {
	const char *name;
	unit_fn fn;
};

static struct unit_test tests[512];
static int ntests;
int unit_current_failed;

void unit_register(const char *name, unit_fn fn)
{
	if (ntests == (int)(sizeof tests / sizeof *tests)) {
		fprintf(stderr, "too many unit tests\n");
		exit(2);
	}
	tests[ntests++] = (struct unit_test){name, fn};
}

void unit_fail(const char *file, int line, const char *expr)
{
	printf("  %s:%d: CHECK failed: %s\n", file, line, expr);
	unit_current_failed = 1;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct unit_test *)a)->name, ((const struct unit_test *)b)->name);
}

int main(int argc, char **argv)
{
	int passed = 0, failed = 0;
	qsort(tests, (size_t)ntests, sizeof *tests, by_name);
	for (int i = 0; i < ntests; i++) {
		if (argc > 1 && !strstr(tests[i].name, argv[1]))
			continue;
		unit_current_failed = 0;
		tests[i].fn();
		printf("%s %s\n", unit_current_failed ? "FAIL" : "PASS", tests[i].name);
		if (unit_current_failed)
			failed++;
		else
			passed++;
	}
	printf("unit: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
