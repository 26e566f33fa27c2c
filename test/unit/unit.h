/* A minimal unit-test harness: TEST(name) { ... } registers a test; CHECK
 * records a failure and goes on; REQUIRE stops the test. The runner prints
 * "N passed, N failed". */
#ifndef DLC_TEST_UNIT_H
#define DLC_TEST_UNIT_H

#include <stdio.h>

typedef void (*unit_fn)(void);
void unit_register(const char *name, unit_fn fn);
void unit_fail(const char *file, int line, const char *expr);
extern int unit_current_failed;

#define TEST(name)                                                             \
	static void test_##name(void);                                         \
	__attribute__((constructor)) static void register_##name(void)         \
	{                                                                      \
		unit_register(#name, test_##name);                             \
	}                                                                      \
	static void test_##name(void)

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond))                                                   \
			unit_fail(__FILE__, __LINE__, #cond);                  \
	} while (0)
#define REQUIRE(cond)                                                          \
	do {                                                                   \
		if (!(cond)) {                                                 \
			unit_fail(__FILE__, __LINE__, #cond);                  \
			return;                                                \
		}                                                              \
	} while (0)

#endif
