/* The IR text parser: reads what ir/print.c writes (grammar in
 * docs/design.md). It checks syntax and name binding only; structural and
 * type rules are the verifier's job, so that every rule is reported by one
 * place and can be tested from text. Operands may refer to values defined
 * later in the body: the verifier, not the parser, reports order violations.
 * The first error stops the parse: "file:LINE:COL: error: ...". */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dlc/diag.h"
#include "dlc/ir.h"
#include "dlc/util.h"

enum tok {
	T_EOF, T_VALUE, T_AT, T_IDENT, T_INT, T_FLOAT, T_STRING, T_LOC,
	T_LPAREN, T_RPAREN, T_LBRACE, T_RBRACE, T_LBRACK, T_RBRACK,
	T_COMMA, T_EQ, T_COLON, T_QUESTION, T_STAR, T_ARROW,
};

static const char *tok_names[] = {
	"end of file", "value name", "@name", "identifier", "integer", "number",
	"string", "'#'", "'('", "')'", "'{'", "'}'", "'['", "']'", "','", "'='",
	"':'", "'?'", "'*'", "'->'",
};

struct token {
	enum tok k;
	const char *s; /* source text; for quoted forms, inside the quotes */
	size_t n;
	bool quoted;
	int line, col;
	int64_t i;
	bool big;    /* T_INT above INT64_MAX (a u64 element): i holds its bits */
	double f;
};

/* A reference to a value that was not defined yet when it was read. */
struct pending {
	struct dlc_node *node;
	int index;
	const char *name;
	int line, col;
};

/* A constant whose payload is named by @blob. */
struct blob_ref {
	struct dlc_value *v;
	const char *name;
	int line, col;
};

struct parser {
	const char *src, *p, *end;
	int line;
	const char *line_start;
	struct token t;          /* current token */
	struct dlc_diag *d;
	struct dlc_graph *g;
	struct pending *pend;
	int npend, cap_pend;
	struct blob_ref *brefs;
	int nbrefs, cap_brefs;
	bool failed;
};

static int error_at(struct parser *ps, int line, int col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int error_at(struct parser *ps, int line, int col, const char *fmt, ...)
{
	if (ps->failed)
		return -1;
	ps->failed = true;
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	dlc_error_at(ps->d, line, col, "%s", msg);
	return -1;
}

#define ERR(ps, ...) error_at(ps, (ps)->t.line, (ps)->t.col, __VA_ARGS__)

/* ---- lexer ---- */

static bool is_ident_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_ident_char(char c)
{
	return is_ident_start(c) || is_digit(c);
}

static bool is_name_char(char c)
{
	return is_ident_char(c) || c == '.' || c == '$' || c == '-' || c == '/';
}

static void skip_space(struct parser *ps)
{
	while (ps->p < ps->end) {
		char c = *ps->p;
		if (c == '\n') {
			ps->p++;
			ps->line++;
			ps->line_start = ps->p;
		} else if (c == ' ' || c == '\t' || c == '\r') {
			ps->p++;
		} else if (c == '/' && ps->p + 1 < ps->end && ps->p[1] == '/') {
			while (ps->p < ps->end && *ps->p != '\n')
				ps->p++;
		} else {
			break;
		}
	}
}

/* Scans a quoted string starting at the opening quote. */
static int lex_string(struct parser *ps, struct token *t)
{
	const char *q = ps->p + 1;
	while (q < ps->end && *q != '"' && *q != '\n') {
		/* names and strings are C strings: a NUL would cut them short */
		if (!*q || (*q == '\\' && q + 3 < ps->end && q[1] == 'x' && q[2] == '0' && q[3] == '0'))
			return error_at(ps, t->line, t->col, "strings cannot hold a NUL character");
		if (*q == '\\' && q + 1 < ps->end)
			q++;
		q++;
	}
	if (q >= ps->end || *q != '"')
		return error_at(ps, t->line, t->col, "unterminated string");
	t->s = ps->p + 1;
	t->n = (size_t)(q - t->s);
	t->quoted = true;
	ps->p = q + 1;
	return 0;
}

static int lex_number(struct parser *ps, struct token *t)
{
	const char *q = ps->p;
	bool is_float = false;
	if (*q == '-' || *q == '+')
		q++;
	if (q < ps->end && (*q == 'i' || *q == 'n')) { /* -inf, -nan */
		const char *w = q;
		while (q < ps->end && is_ident_char(*q))
			q++;
		if ((q - w == 3 && !memcmp(w, "inf", 3)) || (q - w == 3 && !memcmp(w, "nan", 3))) {
			t->k = T_FLOAT;
			t->f = w[0] == 'i' ? INFINITY : NAN;
			if (*ps->p == '-')
				t->f = -t->f;
			ps->p = q;
			return 0;
		}
		return error_at(ps, t->line, t->col, "malformed number");
	}
	while (q < ps->end && (is_digit(*q) || *q == '.' || *q == 'e' || *q == 'E' ||
			       ((*q == '-' || *q == '+') && (q[-1] == 'e' || q[-1] == 'E')))) {
		if (*q == '.' || *q == 'e' || *q == 'E')
			is_float = true;
		q++;
	}
	char buf[128];
	size_t n = (size_t)(q - ps->p);
	if (n >= sizeof buf || (q < ps->end && is_ident_char(*q)))
		return error_at(ps, t->line, t->col, "malformed number");
	memcpy(buf, ps->p, n);
	buf[n] = 0;
	char *endp;
	errno = 0;
	if (is_float) {
		t->k = T_FLOAT;
		t->f = strtod(buf, &endp);
	} else {
		t->k = T_INT;
		t->i = strtoll(buf, &endp, 10);
		if (errno == ERANGE && buf[0] != '-') { /* u64 elements go up to 2^64-1 */
			errno = 0;
			t->i = (int64_t)strtoull(buf, &endp, 10);
			t->big = true;
		}
	}
	if (*endp || n == 0 || (n == 1 && (buf[0] == '-' || buf[0] == '+')))
		return error_at(ps, t->line, t->col, "malformed number '%s'", buf);
	if (errno == ERANGE && !is_float)
		return error_at(ps, t->line, t->col, "integer '%s' is out of range", buf);
	t->s = ps->p;
	t->n = n;
	ps->p = q;
	return 0;
}

static int lex(struct parser *ps)
{
	skip_space(ps);
	struct token *t = &ps->t;
	memset(t, 0, sizeof *t);
	t->line = ps->line;
	t->col = (int)(ps->p - ps->line_start) + 1;
	if (ps->p >= ps->end) {
		t->k = T_EOF;
		return 0;
	}
	char c = *ps->p;
	const char *start = ps->p;
	switch (c) {
	case '(': t->k = T_LPAREN; ps->p++; return 0;
	case ')': t->k = T_RPAREN; ps->p++; return 0;
	case '{': t->k = T_LBRACE; ps->p++; return 0;
	case '}': t->k = T_RBRACE; ps->p++; return 0;
	case '[': t->k = T_LBRACK; ps->p++; return 0;
	case ']': t->k = T_RBRACK; ps->p++; return 0;
	case ',': t->k = T_COMMA; ps->p++; return 0;
	case '=': t->k = T_EQ; ps->p++; return 0;
	case ':': t->k = T_COLON; ps->p++; return 0;
	case '?': t->k = T_QUESTION; ps->p++; return 0;
	case '*': t->k = T_STAR; ps->p++; return 0;
	case '"':
		t->k = T_STRING;
		return lex_string(ps, t);
	case '#': { /* source location: the rest of the line, or a string */
		t->k = T_LOC;
		ps->p++;
		while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t'))
			ps->p++;
		if (ps->p < ps->end && *ps->p == '"')
			return lex_string(ps, t);
		const char *e = ps->p;
		while (e < ps->end && *e != '\n')
			e++;
		t->s = ps->p;
		ps->p = e;
		while (e > t->s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
			e--;
		t->n = (size_t)(e - t->s);
		return 0;
	}
	case '%':
	case '@':
		t->k = c == '%' ? T_VALUE : T_AT;
		ps->p++;
		if (ps->p < ps->end && *ps->p == '"') {
			if (lex_string(ps, t) < 0)
				return -1;
		} else {
			while (ps->p < ps->end && is_name_char(*ps->p))
				ps->p++;
			t->s = start + 1;
			t->n = (size_t)(ps->p - t->s);
		}
		if (!t->n)
			return error_at(ps, t->line, t->col, "expected a name after '%c'", c);
		return 0;
	case '-':
		if (ps->p + 1 < ps->end && ps->p[1] == '>') {
			t->k = T_ARROW;
			ps->p += 2;
			return 0;
		}
		return lex_number(ps, t);
	default:
		break;
	}
	if (is_digit(c) || c == '+' || (c == '.' && ps->p + 1 < ps->end && is_digit(ps->p[1])))
		return lex_number(ps, t);
	if (is_ident_start(c)) {
		while (ps->p < ps->end && is_ident_char(*ps->p))
			ps->p++;
		t->k = T_IDENT;
		t->s = start;
		t->n = (size_t)(ps->p - start);
		/* nan and inf are numbers wherever a number may stand */
		if ((t->n == 3 && !memcmp(start, "nan", 3)) || (t->n == 3 && !memcmp(start, "inf", 3))) {
			t->k = T_FLOAT;
			t->f = start[0] == 'n' ? NAN : INFINITY;
		}
		return 0;
	}
	if ((unsigned char)c < 0x20 || (unsigned char)c >= 0x7f)
		return error_at(ps, t->line, t->col, "unexpected character 0x%02x", (unsigned char)c);
	return error_at(ps, t->line, t->col, "unexpected character '%c'", c);
}

static int next(struct parser *ps)
{
	return ps->failed ? -1 : lex(ps);
}

/* nan or inf written as a bare word: a number, or a symbolic dim's name */
static bool is_number_word(const struct token *t)
{
	return t->k == T_FLOAT && t->s && is_ident_start(t->s[0]);
}

static bool is_word(const struct token *t, const char *w)
{
	return t->k == T_IDENT && t->n == strlen(w) && !memcmp(t->s, w, t->n);
}

static int expect(struct parser *ps, enum tok k)
{
	if (ps->t.k != k)
		return ERR(ps, "expected %s, found %s", tok_names[k], tok_names[ps->t.k]);
	return next(ps);
}

static int expect_word(struct parser *ps, const char *w)
{
	if (!is_word(&ps->t, w))
		return ERR(ps, "expected '%s'", w);
	return next(ps);
}

/* Only u64 elements take integers above INT64_MAX. */
static int check_int64(struct parser *ps)
{
	if (ps->t.k == T_INT && ps->t.big)
		return ERR(ps, "integer '%.*s' is out of range", (int)ps->t.n, ps->t.s);
	return 0;
}

/* Token text with string escapes decoded, in the graph's pool. */
static const char *tok_text(struct parser *ps, const struct token *t)
{
	if (!t->quoted)
		return dlc_graph_strndup(ps->g, t->s, t->n);
	char *out = dlc_graph_alloc(ps->g, t->n + 1);
	size_t k = 0;
	for (size_t i = 0; i < t->n; i++) {
		char c = t->s[i];
		if (c != '\\' || i + 1 >= t->n) {
			out[k++] = c;
			continue;
		}
		c = t->s[++i];
		if (c == 'n')
			out[k++] = '\n';
		else if (c == 't')
			out[k++] = '\t';
		else if (c == 'x' && i + 2 < t->n) {
			char hex[3] = {t->s[i + 1], t->s[i + 2], 0};
			out[k++] = (char)strtol(hex, NULL, 16);
			i += 2;
		} else
			out[k++] = c;
	}
	out[k] = 0;
	return out;
}

/* ---- types ---- */

static int parse_type(struct parser *ps, struct dlc_type *ty)
{
	*ty = dlc_type_unknown();
	if (ps->t.k == T_QUESTION)
		return next(ps);
	if (ps->t.k != T_IDENT)
		return ERR(ps, "expected a type, found %s", tok_names[ps->t.k]);
	ty->dtype = dlc_dtype_from_name(ps->t.s, ps->t.n);
	if (ty->dtype == DLC_DTYPE_UNKNOWN)
		return ERR(ps, "unknown element type '%.*s'", (int)ps->t.n, ps->t.s);
	if (next(ps) < 0 || expect(ps, T_LBRACK) < 0)
		return -1;
	if (ps->t.k == T_STAR) { /* dtype known, rank not */
		if (next(ps) < 0)
			return -1;
		return expect(ps, T_RBRACK);
	}
	ty->rank = 0;
	while (ps->t.k != T_RBRACK) {
		if (ty->rank && expect(ps, T_COMMA) < 0)
			return -1;
		if (ty->rank == DLC_MAX_RANK)
			return ERR(ps, "rank exceeds the maximum of %d", DLC_MAX_RANK);
		int64_t *d = &ty->dims[ty->rank++];
		if (ps->t.k == T_INT) {
			if (ps->t.big || ps->t.i < 0 || ps->t.i > DLC_MAX_NUMEL)
				return ERR(ps, "dimension %.*s is out of range [0, %lld]",
					   (int)ps->t.n, ps->t.s, (long long)DLC_MAX_NUMEL);
			*d = ps->t.i;
		} else if (ps->t.k == T_QUESTION) {
			*d = DLC_DIM_UNKNOWN;
		} else if (ps->t.k == T_IDENT || is_number_word(&ps->t)) {
			*d = dlc_graph_sym(ps->g, ps->t.s, ps->t.n);
		} else {
			return ERR(ps, "expected a dimension, found %s", tok_names[ps->t.k]);
		}
		if (next(ps) < 0)
			return -1;
	}
	return next(ps);
}

/* ---- constants ---- */

/* Whether integer token t is in the range of element type dt (float types
 * take any integer, rounding it). */
static bool int_fits(const struct token *t, enum dlc_dtype dt)
{
	int64_t v = t->i;
	if (t->big)
		return dt == DLC_U64 || dlc_dtype_is_float(dt) || dlc_dtype_is_minifloat(dt);
	switch (dt) {
	case DLC_I8: return v >= INT8_MIN && v <= INT8_MAX;
	case DLC_U8: return v >= 0 && v <= UINT8_MAX;
	case DLC_I16: return v >= INT16_MIN && v <= INT16_MAX;
	case DLC_U16: return v >= 0 && v <= UINT16_MAX;
	case DLC_I32: return v >= INT32_MIN && v <= INT32_MAX;
	case DLC_U32: return v >= 0 && v <= UINT32_MAX;
	case DLC_U64: return v >= 0;
	case DLC_I4: return v >= DLC_I4_MIN && v <= DLC_I4_MAX;
	case DLC_U4: return v >= 0 && v <= DLC_U4_MAX;
	case DLC_I2: return v >= DLC_I2_MIN && v <= DLC_I2_MAX;
	case DLC_U2: return v >= 0 && v <= DLC_U2_MAX;
	default: return true;
	}
}

/* Stores one number into element i of a payload of dtype dt. */
static int store_element(struct parser *ps, enum dlc_dtype dt, void *data,
			 int64_t i)
{
	const struct token *t = &ps->t;
	bool is_bool_word = is_word(t, "true") || is_word(t, "false");
	if (t->k != T_INT && t->k != T_FLOAT && !is_bool_word)
		return ERR(ps, "expected a number, found %s", tok_names[t->k]);
	if (t->k == T_FLOAT && !dlc_dtype_is_float(dt) && !dlc_dtype_is_minifloat(dt))
		return ERR(ps, "expected an integer for element type %s", dlc_dtype_name(dt));
	if (is_bool_word && dt != DLC_BOOL)
		return ERR(ps, "'true'/'false' only fit element type bool");
	if (t->k == T_INT && dt != DLC_BOOL && !int_fits(t, dt))
		return ERR(ps, "integer %.*s is out of range for element type %s", (int)t->n, t->s,
			   dlc_dtype_name(dt));
	double f = t->k == T_FLOAT ? t->f : t->big ? (double)(uint64_t)t->i : (double)t->i;
	int64_t v = is_bool_word ? is_word(t, "true") : t->i;
	switch (dt) {
	case DLC_F32: ((float *)data)[i] = (float)f; break;
	case DLC_F64: ((double *)data)[i] = f; break;
	case DLC_F16: ((uint16_t *)data)[i] = dlc_f32_to_f16((float)f); break;
	case DLC_BF16: ((uint16_t *)data)[i] = dlc_f32_to_bf16((float)f); break;
	case DLC_I8: ((int8_t *)data)[i] = (int8_t)v; break;
	case DLC_U8: ((uint8_t *)data)[i] = (uint8_t)v; break;
	case DLC_I16: ((int16_t *)data)[i] = (int16_t)v; break;
	case DLC_U16: ((uint16_t *)data)[i] = (uint16_t)v; break;
	case DLC_I32: ((int32_t *)data)[i] = (int32_t)v; break;
	case DLC_U32: ((uint32_t *)data)[i] = (uint32_t)v; break;
	case DLC_I64: ((int64_t *)data)[i] = v; break;
	case DLC_U64: ((uint64_t *)data)[i] = (uint64_t)v; break;
	case DLC_I4:
	case DLC_I2: ((int8_t *)data)[i] = (int8_t)v; break;
	case DLC_U4:
	case DLC_U2: ((uint8_t *)data)[i] = (uint8_t)v; break;
	case DLC_F8E8M0:
	case DLC_F8E4M3FN:
	case DLC_F8E4M3FNUZ:
	case DLC_F8E5M2:
	case DLC_F8E5M2FNUZ:
	case DLC_F4E2M1: {
		uint8_t bits = dlc_f64_to_minifloat(dt, f);
		double back = dlc_minifloat_to_f64(dt, bits);
		if (!isnan(f) && (isnan(back) || (isinf(back) && !isinf(f)) ||
				  (dt == DLC_F8E8M0 && !(f > 0)))) /* E8M0 has no sign, no zero */
			return ERR(ps, "%.*s is out of range for element type %s", (int)t->n, t->s,
				   dlc_dtype_name(dt));
		((uint8_t *)data)[i] = bits;
		break;
	}
	case DLC_BOOL:
		if (v != 0 && v != 1)
			return ERR(ps, "bool element must be true, false, 0 or 1");
		((uint8_t *)data)[i] = (uint8_t)v;
		break;
	default: return ERR(ps, "bad element type");
	}
	return 0;
}

/* [e0, e1, ...]: the elements of a constant of static type ty. They go to a
 * buffer that grows with the text read, so that a short file cannot make the
 * parser allocate a huge type's size; the payload is allocated once the count
 * is known to be right. */
static int parse_elements(struct parser *ps, const struct dlc_type *ty,
			  struct dlc_blob **out)
{
	int line = ps->t.line, col = ps->t.col;
	int64_t numel = dlc_type_numel(ty), count = 0;
	size_t esize = dlc_dtype_size(ty->dtype), cap = 0;
	size_t nbytes = (size_t)numel * esize;
	unsigned char *buf = NULL;
	int rc = -1;
	if (next(ps) < 0)
		goto out;
	while (ps->t.k != T_RBRACK) {
		if (count && expect(ps, T_COMMA) < 0)
			goto out;
		if (count == numel) {
			ERR(ps, "constant has more elements than its type %s holds (%lld)",
			    dlc_type_str(ps->g, ty, (char[DLC_TYPE_STR_MAX]){0}, DLC_TYPE_STR_MAX),
			    (long long)numel);
			goto out;
		}
		if ((size_t)count == cap) {
			cap = cap ? 2 * cap : 16;
			if (cap > (size_t)numel)
				cap = (size_t)numel;
			buf = dlc_xrealloc(buf, cap * esize);
		}
		if (store_element(ps, ty->dtype, buf, count++) < 0 || next(ps) < 0)
			goto out;
	}
	if (count != numel) {
		ERR(ps, "constant has %lld elements, its type %s needs %lld", (long long)count,
		    dlc_type_str(ps->g, ty, (char[DLC_TYPE_STR_MAX]){0}, DLC_TYPE_STR_MAX),
		    (long long)numel);
		goto out;
	}
	*out = dlc_blob_new(nbytes);
	if (!*out) {
		error_at(ps, line, col, "cannot allocate %zu bytes for a constant", nbytes);
		goto out;
	}
	if (nbytes)
		memcpy((*out)->data, buf, nbytes);
	rc = next(ps);
	if (rc < 0) {
		dlc_blob_unref(*out);
		*out = NULL;
	}
out:
	free(buf);
	return rc;
}

/* %v = const|param TYPE ( [elements] | @blob ) */
static int parse_const(struct parser *ps, const struct token *name, bool param)
{
	int line = ps->t.line, col = ps->t.col;
	if (next(ps) < 0)
		return -1;
	struct dlc_type ty;
	int tline = ps->t.line, tcol = ps->t.col;
	if (parse_type(ps, &ty) < 0)
		return -1;
	int64_t numel = dlc_type_numel(&ty);
	if (numel < 0)
		return error_at(ps, tline, tcol, "constant type must be static with at most %lld elements",
				(long long)DLC_MAX_NUMEL);
	size_t nbytes = (size_t)numel * dlc_dtype_size(ty.dtype);
	struct dlc_blob *blob = NULL;
	const char *blob_name = NULL;
	int bline = ps->t.line, bcol = ps->t.col;
	if (ps->t.k == T_AT) {
		blob_name = tok_text(ps, &ps->t);
		blob = dlc_blob_elided(nbytes); /* payload bound from blobs {} later */
		if (next(ps) < 0) {
			dlc_blob_unref(blob);
			return -1;
		}
	} else if (ps->t.k == T_LBRACK) {
		if (parse_elements(ps, &ty, &blob) < 0)
			return -1;
	} else {
		return ERR(ps, "expected '[' or a @blob after the constant's type");
	}
	const char *vname = tok_text(ps, name);
	if (dlc_graph_find(ps->g, vname)) {
		dlc_blob_unref(blob);
		return error_at(ps, name->line, name->col, "redefinition of value %%%s", vname);
	}
	struct dlc_value *v = dlc_graph_add_const(ps->g, vname, ty, blob);
	if (param)
		v->kind = DLC_VALUE_PARAM;
	if (blob_name) {
		v->blob_name = blob_name;
		DLC_GROW(ps->brefs, ps->cap_brefs, ps->nbrefs + 1);
		ps->brefs[ps->nbrefs++] = (struct blob_ref){v, blob_name, bline, bcol};
	}
	(void)line;
	(void)col;
	return 0;
}

/* ---- attributes ---- */

static int parse_attr_value(struct parser *ps, struct dlc_node *n, const char *name)
{
	struct token t = ps->t;
	if (check_int64(ps) < 0)
		return -1;
	if (t.k == T_INT) {
		dlc_node_set_int(n, name, t.i);
		return next(ps);
	}
	if (t.k == T_FLOAT) {
		dlc_node_set_float(n, name, (float)t.f);
		return next(ps);
	}
	if (t.k == T_STRING) {
		dlc_node_set_string(n, name, tok_text(ps, &t));
		return next(ps);
	}
	if (t.k != T_LBRACK)
		return ERR(ps, "expected an attribute value, found %s", tok_names[t.k]);
	if (next(ps) < 0)
		return -1;
	/* the list's kind follows its elements: any float makes it floats */
	int64_t *ints = NULL;
	float *floats = NULL;
	const char **strs = NULL;
	int count = 0, cap = 0, cap_f = 0, cap_s = 0;
	enum dlc_attr_kind kind = DLC_ATTR_INTS;
	int rc = -1;
	while (ps->t.k != T_RBRACK) {
		if (count && expect(ps, T_COMMA) < 0)
			goto out;
		const struct token *e = &ps->t;
		bool str = e->k == T_STRING;
		if (count && (str != (kind == DLC_ATTR_STRINGS))) {
			ERR(ps, "attribute list mixes strings and numbers");
			goto out;
		}
		if (!count && str)
			kind = DLC_ATTR_STRINGS;
		if (!str && e->k != T_INT && e->k != T_FLOAT) {
			ERR(ps, "expected a list element, found %s", tok_names[e->k]);
			goto out;
		}
		if (check_int64(ps) < 0)
			goto out;
		if (e->k == T_FLOAT)
			kind = DLC_ATTR_FLOATS;
		if (count >= 1 << 20) {
			ERR(ps, "attribute list is too long");
			goto out;
		}
		DLC_GROW(ints, cap, count + 1);
		DLC_GROW(floats, cap_f, count + 1);
		DLC_GROW(strs, cap_s, count + 1);
		ints[count] = e->k == T_INT ? e->i : 0;
		floats[count] = e->k == T_FLOAT ? (float)e->f : (float)e->i;
		strs[count] = str ? tok_text(ps, e) : NULL;
		count++;
		if (next(ps) < 0)
			goto out;
	}
	if (kind == DLC_ATTR_INTS)
		dlc_node_set_ints(n, name, count, ints);
	else if (kind == DLC_ATTR_FLOATS)
		dlc_node_set_floats(n, name, count, floats);
	else
		dlc_node_set_strings(n, name, count, strs);
	rc = next(ps);
out:
	free(ints);
	free(floats);
	free(strs);
	return rc;
}

static int parse_attrs(struct parser *ps, struct dlc_node *n)
{
	if (next(ps) < 0)
		return -1;
	int count = 0;
	while (ps->t.k != T_RBRACE) {
		if (count++ && expect(ps, T_COMMA) < 0)
			return -1;
		if (ps->t.k != T_IDENT)
			return ERR(ps, "expected an attribute name, found %s", tok_names[ps->t.k]);
		const char *name = tok_text(ps, &ps->t);
		if (dlc_node_attr(n, name))
			return ERR(ps, "attribute '%s' is given twice", name);
		if (next(ps) < 0 || expect(ps, T_EQ) < 0 || parse_attr_value(ps, n, name) < 0)
			return -1;
	}
	return next(ps);
}

/* ---- nodes ---- */

struct operand {
	const char *name; /* NULL: absent */
	int line, col;
};

/* Gives v a name that no value has. */
static void rename_aside(struct dlc_graph *g, struct dlc_value *v)
{
	struct dlc_strbuf b = {0};
	for (int k = 1;; k++) {
		b.len = 0;
		dlc_sb_printf(&b, "%s.%d", v->name, k);
		if (!dlc_graph_find(g, b.s))
			break;
	}
	dlc_value_rename(g, v, b.s);
	dlc_sb_free(&b);
}

/* outs = op(operands) {attrs} : types  # source */
static int parse_node(struct parser *ps, struct token *outs, int nouts)
{
	int line = ps->t.line, col = ps->t.col;
	enum dlc_op op = dlc_op_from_name(ps->t.s, ps->t.n);
	if (op == DLC_OP_INVALID)
		return ERR(ps, "unknown op '%.*s'", (int)ps->t.n, ps->t.s);
	if (next(ps) < 0 || expect(ps, T_LPAREN) < 0)
		return -1;
	struct operand *ops = NULL;
	int nops = 0, cap = 0, rc = -1;
	while (ps->t.k != T_RPAREN) {
		if (nops && expect(ps, T_COMMA) < 0)
			goto out;
		if (nops >= 1 << 20) {
			ERR(ps, "too many operands");
			goto out;
		}
		DLC_GROW(ops, cap, nops + 1);
		struct operand *o = &ops[nops++];
		o->line = ps->t.line;
		o->col = ps->t.col;
		if (is_word(&ps->t, "_"))
			o->name = NULL;
		else if (ps->t.k == T_VALUE)
			o->name = tok_text(ps, &ps->t);
		else {
			ERR(ps, "expected an operand, found %s", tok_names[ps->t.k]);
			goto out;
		}
		if (next(ps) < 0)
			goto out;
	}
	if (next(ps) < 0)
		goto out;
	/* bind operands before the node exists: its results' provisional names
	 * (t<id>) must not capture a forward reference */
	struct dlc_value **vals = dlc_xcalloc((size_t)nops + 1, sizeof *vals);
	for (int i = 0; i < nops; i++)
		vals[i] = ops[i].name ? dlc_graph_find(ps->g, ops[i].name) : NULL;
	struct dlc_node *n = dlc_node_new(ps->g, op, NULL, nops, vals, nouts);
	free(vals);
	n->line = line;
	n->col = col;
	for (int i = 0; i < nops; i++) {
		if (!ops[i].name || n->inputs[i].value)
			continue;
		DLC_GROW(ps->pend, ps->cap_pend, ps->npend + 1);
		ps->pend[ps->npend++] = (struct pending){n, i, ops[i].name, ops[i].line, ops[i].col};
	}
	for (int i = 0; i < nouts; i++) {
		if (outs[i].k != T_VALUE) {
			dlc_node_clear_output(ps->g, n, i);
			continue;
		}
		const char *name = tok_text(ps, &outs[i]);
		/* a later result's provisional name may be the one this result
		 * is given: move it out of the way */
		struct dlc_value *holder = dlc_graph_find(ps->g, name);
		if (holder && holder->kind == DLC_VALUE_NODE && holder->producer == n &&
		    holder->result > i)
			rename_aside(ps->g, holder);
		if (dlc_value_rename(ps->g, n->outputs[i], name) < 0) {
			error_at(ps, outs[i].line, outs[i].col, "redefinition of value %%%s", name);
			goto out;
		}
	}
	dlc_node_append(ps->g, n);
	if (ps->t.k == T_LBRACE && parse_attrs(ps, n) < 0)
		goto out;
	if (ps->t.k == T_COLON) {
		if (next(ps) < 0)
			goto out;
		for (int i = 0, k = 0; i < nouts; i++) {
			if (!n->outputs[i])
				continue;
			if (k++ && expect(ps, T_COMMA) < 0)
				goto out;
			if (parse_type(ps, &n->outputs[i]->type) < 0)
				goto out;
		}
		if (ps->t.k == T_COMMA) {
			ERR(ps, "more result types than results");
			goto out;
		}
	}
	if (ps->t.k == T_LBRACK) { /* [kernel N]: the fused kernel it belongs to */
		if (next(ps) < 0 || expect_word(ps, "kernel") < 0)
			goto out;
		if (ps->t.k != T_INT || ps->t.i < 0 || ps->t.i > 1 << 30) {
			ERR(ps, "expected a kernel number");
			goto out;
		}
		n->kernel = (int)ps->t.i;
		if (next(ps) < 0 || expect(ps, T_RBRACK) < 0)
			goto out;
	}
	if (ps->t.k == T_LOC && ps->t.line == line) {
		n->name = tok_text(ps, &ps->t);
		if (next(ps) < 0)
			goto out;
	}
	rc = 0;
out:
	free(ops);
	return rc;
}

/* A statement starting with a value name: a constant or a node. */
static int parse_def(struct parser *ps)
{
	struct token *outs = NULL;
	int nouts = 0, cap = 0, rc = -1;
	for (;;) {
		if (ps->t.k != T_VALUE && !is_word(&ps->t, "_")) {
			ERR(ps, "expected a result name, found %s", tok_names[ps->t.k]);
			goto out;
		}
		if (nouts >= 1 << 16) {
			ERR(ps, "too many results");
			goto out;
		}
		DLC_GROW(outs, cap, nouts + 1);
		outs[nouts++] = ps->t;
		if (next(ps) < 0)
			goto out;
		if (ps->t.k != T_COMMA)
			break;
		if (next(ps) < 0)
			goto out;
	}
	if (expect(ps, T_EQ) < 0)
		goto out;
	if (ps->t.k != T_IDENT) {
		ERR(ps, "expected an op name, found %s", tok_names[ps->t.k]);
		goto out;
	}
	bool is_const = is_word(&ps->t, "const"), is_param = is_word(&ps->t, "param");
	if (is_const || is_param) {
		if (nouts != 1 || outs[0].k != T_VALUE) {
			ERR(ps, "a constant defines exactly one value");
			goto out;
		}
		rc = parse_const(ps, &outs[0], is_param);
		if (rc == 0 && ps->t.k == T_LOC && ps->t.line == outs[0].line)
			rc = next(ps); /* constants carry no source name */
	} else {
		rc = parse_node(ps, outs, nouts);
	}
out:
	free(outs);
	return rc;
}

/* ---- graph ---- */

struct result_decl {
	const char *name; /* NULL: named after the returned value */
	struct dlc_type type;
	int line, col;
};

static int parse_signature(struct parser *ps, struct result_decl **res, int *nres)
{
	int cap = 0;
	if (expect_word(ps, "graph") < 0)
		return -1;
	if (ps->t.k != T_AT)
		return ERR(ps, "expected the graph's @name");
	ps->g->name = tok_text(ps, &ps->t);
	if (next(ps) < 0 || expect(ps, T_LPAREN) < 0)
		return -1;
	while (ps->t.k != T_RPAREN) {
		if (ps->g->ninputs && expect(ps, T_COMMA) < 0)
			return -1;
		if (ps->t.k != T_VALUE)
			return ERR(ps, "expected an input %%name, found %s", tok_names[ps->t.k]);
		struct token name = ps->t;
		struct dlc_type ty;
		if (next(ps) < 0 || expect(ps, T_COLON) < 0 || parse_type(ps, &ty) < 0)
			return -1;
		const char *s = tok_text(ps, &name);
		if (dlc_graph_find(ps->g, s))
			return error_at(ps, name.line, name.col, "redefinition of value %%%s", s);
		dlc_graph_add_input(ps->g, s, ty);
	}
	if (next(ps) < 0 || expect(ps, T_ARROW) < 0 || expect(ps, T_LPAREN) < 0)
		return -1;
	while (ps->t.k != T_RPAREN) {
		if (*nres && expect(ps, T_COMMA) < 0)
			return -1;
		DLC_GROW(*res, cap, *nres + 1);
		struct result_decl *r = &(*res)[(*nres)++];
		r->line = ps->t.line;
		r->col = ps->t.col;
		/* "name: type" or just "type" */
		const char *save = ps->p;
		int save_line = ps->line;
		const char *save_ls = ps->line_start;
		struct token tok = ps->t;
		if ((tok.k == T_IDENT || tok.k == T_STRING) && next(ps) == 0 &&
		    ps->t.k == T_COLON) {
			r->name = tok_text(ps, &tok);
			if (next(ps) < 0)
				return -1;
		} else if (!ps->failed) {
			ps->p = save;
			ps->line = save_line;
			ps->line_start = save_ls;
			ps->t = tok;
		}
		if (parse_type(ps, &r->type) < 0)
			return -1;
	}
	if (next(ps) < 0)
		return -1;
	return expect(ps, T_LBRACE);
}

static int parse_return(struct parser *ps, struct result_decl *res, int nres)
{
	int line = ps->t.line, col = ps->t.col;
	if (next(ps) < 0)
		return -1;
	int count = 0;
	while (ps->t.k == T_VALUE || count) {
		if (ps->t.k != T_VALUE)
			return ERR(ps, "expected %s, found %s", tok_names[T_VALUE], tok_names[ps->t.k]);
		const char *name = tok_text(ps, &ps->t);
		struct dlc_value *v = dlc_graph_find(ps->g, name);
		if (!v)
			return ERR(ps, "use of undefined value %%%s", name);
		if (count < nres) {
			struct result_decl *r = &res[count];
			char a[DLC_TYPE_STR_MAX], b[DLC_TYPE_STR_MAX];
			if (v->type.dtype == DLC_DTYPE_UNKNOWN)
				v->type = r->type;
			else if (r->type.dtype != DLC_DTYPE_UNKNOWN &&
				 !dlc_type_equal(&v->type, &r->type))
				return ERR(ps, "returned value %%%s has type %s, but the signature declares %s",
					   name, dlc_type_str(ps->g, &v->type, a, sizeof a),
					   dlc_type_str(ps->g, &r->type, b, sizeof b));
			dlc_graph_add_output(ps->g, v, r->name);
		}
		count++;
		if (next(ps) < 0)
			return -1;
		if (ps->t.k != T_COMMA)
			break;
		if (next(ps) < 0)
			return -1;
	}
	if (count != nres)
		return error_at(ps, line, col, "graph returns %d values, but its signature declares %d",
				count, nres);
	return 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decodes the "0x..." token into a new blob of `size` bytes. */
static int decode_blob(struct parser *ps, const char *bname, size_t size,
		       struct dlc_blob **out)
{
	size_t hex = ps->t.n - 2;
	*out = NULL;
	if (hex != 2 * size)
		return -2;
	struct dlc_blob *blob = dlc_blob_new(size);
	if (!blob)
		return ERR(ps, "cannot allocate blob @%s", bname);
	unsigned char *d = blob->data;
	for (size_t k = 0; k < size; k++) {
		int hi = hexval(ps->t.s[2 + 2 * k]), lo = hexval(ps->t.s[3 + 2 * k]);
		if (hi < 0 || lo < 0) {
			dlc_blob_unref(blob);
			return ERR(ps, "blob @%s has a non-hex digit", bname);
		}
		d[k] = (unsigned char)(hi << 4 | lo);
	}
	*out = blob;
	return 0;
}

/* @name = "0x...": one payload, bound to every constant naming it. */
static int parse_blob(struct parser *ps, struct dlc_strmap *defined)
{
	struct token name = ps->t;
	const char *bname = tok_text(ps, &name);
	if (dlc_strmap_get(defined, bname, strlen(bname)))
		return ERR(ps, "blob @%s is defined twice", bname);
	dlc_strmap_put(defined, bname, strlen(bname), (void *)bname);
	if (next(ps) < 0 || expect(ps, T_EQ) < 0)
		return -1;
	if (ps->t.k != T_STRING || ps->t.n < 2 || memcmp(ps->t.s, "0x", 2))
		return ERR(ps, "expected a \"0x...\" hex string");
	struct dlc_blob *blob = NULL;
	for (int i = 0; i < ps->nbrefs; i++) {
		struct blob_ref *r = &ps->brefs[i];
		if (strcmp(r->name, bname))
			continue;
		if (!blob) {
			int rc = decode_blob(ps, bname, r->v->blob->size, &blob);
			if (rc == -2)
				return ERR(ps, "blob @%s has %zu bytes, constant %%%s needs %zu",
					   bname, (ps->t.n - 2) / 2, r->v->name, r->v->blob->size);
			if (rc < 0)
				return -1;
		} else if (blob->size != r->v->blob->size) {
			error_at(ps, r->line, r->col, "constant %%%s needs %zu bytes, but blob @%s has %zu",
				 r->v->name, r->v->blob->size, bname, blob->size);
			dlc_blob_unref(blob);
			return -1;
		}
		dlc_blob_unref(r->v->blob);
		r->v->blob = dlc_blob_ref(blob);
	}
	if (!blob)
		return error_at(ps, name.line, name.col, "blob @%s is not used by any constant", bname);
	dlc_blob_unref(blob);
	return next(ps);
}

/* blobs { @name = "0x..." ... }: binds payloads to the constants naming them */
static int parse_blobs(struct parser *ps)
{
	if (next(ps) < 0 || expect(ps, T_LBRACE) < 0)
		return -1;
	struct dlc_strmap *defined = dlc_strmap_new();
	int rc = 0;
	while (rc == 0 && ps->t.k == T_AT)
		rc = parse_blob(ps, defined);
	dlc_strmap_free(defined);
	return rc < 0 ? -1 : expect(ps, T_RBRACE);
}

/* Constants naming the same elided blob share one. */
static void share_elided_blobs(struct parser *ps)
{
	for (int i = 0; i < ps->nbrefs; i++)
		for (int j = 0; j < i; j++) {
			struct dlc_value *a = ps->brefs[j].v, *b = ps->brefs[i].v;
			if (!strcmp(ps->brefs[i].name, ps->brefs[j].name) && a->blob != b->blob &&
			    !a->blob->data && !b->blob->data && a->blob->size == b->blob->size) {
				dlc_blob_unref(b->blob);
				b->blob = dlc_blob_ref(a->blob);
				break;
			}
		}
}

static int parse_module(struct parser *ps)
{
	struct result_decl *res = NULL;
	int nres = 0, rc = -1;
	if (next(ps) < 0 || parse_signature(ps, &res, &nres) < 0)
		goto out;
	for (;;) {
		if (is_word(&ps->t, "return")) {
			if (parse_return(ps, res, nres) < 0 || expect(ps, T_RBRACE) < 0)
				goto out;
			break;
		}
		if (ps->t.k == T_RBRACE) {
			ERR(ps, "graph body ends without 'return'");
			goto out;
		}
		if (ps->t.k == T_LOC) {
			ERR(ps, "unexpected '#' (comments start with //)");
			goto out;
		}
		if (parse_def(ps) < 0)
			goto out;
	}
	for (int i = 0; i < ps->npend; i++) {
		struct pending *p = &ps->pend[i];
		struct dlc_value *v = dlc_graph_find(ps->g, p->name);
		if (!v) {
			error_at(ps, p->line, p->col, "use of undefined value %%%s", p->name);
			goto out;
		}
		dlc_node_set_input(p->node, p->index, v);
	}
	share_elided_blobs(ps);
	if (is_word(&ps->t, "blobs") && parse_blobs(ps) < 0)
		goto out;
	if (ps->t.k != T_EOF) {
		ERR(ps, "expected end of file after the graph, found %s", tok_names[ps->t.k]);
		goto out;
	}
	rc = 0;
out:
	free(res);
	return rc;
}

struct dlc_graph *dlc_parse_graph(const char *text, size_t len,
				  struct dlc_diag *d)
{
	struct parser ps = {.src = text, .p = text, .end = text + len, .line = 1,
			    .line_start = text, .d = d};
	ps.g = dlc_graph_new("main");
	int rc = parse_module(&ps);
	free(ps.pend);
	free(ps.brefs);
	if (rc < 0 || ps.failed) {
		dlc_graph_free(ps.g);
		return NULL;
	}
	return ps.g;
}
