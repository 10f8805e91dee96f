/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The JSON Schema subset validator (schema.h). The schema is a cJSON tree kept as loaded;
 * patterns are compiled at load time into a side table keyed by their schema node, so
 * validation does no allocation besides the message and is safe from several threads.
 */
#include "schema.h"

#include <errno.h>
#include <math.h>
#include <regex.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SCHEMA_MAX_PATTERNS 32
#define SCHEMA_MAX_DEPTH    32

struct schema {
	cJSON *root;
	const cJSON *defs;
	struct {
		const cJSON *node;
		regex_t re;
	} pat[SCHEMA_MAX_PATTERNS];
	size_t npat;
};

static const char *const known_keys[] = {"$schema",
                                         "$id",
                                         "title",
                                         "description",
                                         "$defs",
                                         "$ref",
                                         "type",
                                         "const",
                                         "enum",
                                         "required",
                                         "properties",
                                         "additionalProperties",
                                         "propertyNames",
                                         "minimum",
                                         "maximum",
                                         "exclusiveMinimum",
                                         "exclusiveMaximum",
                                         "pattern",
                                         "minLength",
                                         "maxLength",
                                         "items",
                                         "minItems",
                                         "maxItems",
                                         NULL};

static bool key_known(const char *k)
{
	for (const char *const *p = known_keys; *p; p++)
		if (strcmp(*p, k) == 0)
			return true;
	return false;
}

/* Walk a schema node: refuse unknown keywords, compile patterns. */
static int load_node(struct schema *s, const cJSON *n, int depth, char *err, size_t errlen)
{
	if (depth > SCHEMA_MAX_DEPTH) {
		snprintf(err, errlen, "schema nested too deeply");
		return -EINVAL;
	}
	if (cJSON_IsBool(n))
		return 0;
	if (!cJSON_IsObject(n)) {
		snprintf(err, errlen, "a schema must be an object or a boolean");
		return -EINVAL;
	}
	const cJSON *k;
	cJSON_ArrayForEach(k, n)
	{
		if (!key_known(k->string)) {
			snprintf(err, errlen, "unsupported schema keyword \"%s\"", k->string);
			return -EINVAL;
		}
		if (strcmp(k->string, "pattern") == 0) {
			if (!cJSON_IsString(k) || s->npat == SCHEMA_MAX_PATTERNS ||
			    regcomp(&s->pat[s->npat].re, k->valuestring,
			            REG_EXTENDED | REG_NOSUB)) {
				snprintf(err, errlen, "bad or too many patterns");
				return -EINVAL;
			}
			s->pat[s->npat++].node = k;
		} else if (strcmp(k->string, "properties") == 0 ||
		           strcmp(k->string, "$defs") == 0) {
			const cJSON *p;
			cJSON_ArrayForEach(p, k)
			{
				int rc = load_node(s, p, depth + 1, err, errlen);
				if (rc < 0)
					return rc;
			}
		} else if (strcmp(k->string, "items") == 0 ||
		           strcmp(k->string, "additionalProperties") == 0 ||
		           strcmp(k->string, "propertyNames") == 0) {
			int rc = load_node(s, k, depth + 1, err, errlen);
			if (rc < 0)
				return rc;
		} else if (strcmp(k->string, "$ref") == 0) {
			if (!cJSON_IsString(k) || strncmp(k->valuestring, "#/$defs/", 8) != 0) {
				snprintf(err, errlen,
				         "only \"#/$defs/<name>\" references are supported");
				return -EINVAL;
			}
		}
	}
	return 0;
}

void schema_free(struct schema *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->npat; i++)
		regfree(&s->pat[i].re);
	cJSON_Delete(s->root);
	free(s);
}

struct schema *schema_load(const char *text, char *err, size_t errlen)
{
	struct schema *s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->root = cJSON_Parse(text);
	if (!s->root) {
		snprintf(err, errlen, "the schema is not JSON");
		free(s);
		return NULL;
	}
	s->defs = cJSON_GetObjectItemCaseSensitive(s->root, "$defs");
	if (load_node(s, s->root, 0, err, errlen) < 0) {
		schema_free(s);
		return NULL;
	}
	return s;
}

struct vctx {
	const struct schema *s;
	char *why;
	size_t whylen;
	char path[256];
};

static int offence(struct vctx *v, const char *fmt, const char *a, double x)
{
	char m[160];
	snprintf(m, sizeof(m), fmt, a ? a : "", x);
	snprintf(v->why, v->whylen, "%s: %s", v->path[0] ? v->path : "(document)", m);
	return -EBADMSG;
}

static bool type_is(const cJSON *val, const char *t)
{
	if (strcmp(t, "object") == 0)
		return cJSON_IsObject(val);
	if (strcmp(t, "array") == 0)
		return cJSON_IsArray(val);
	if (strcmp(t, "string") == 0)
		return cJSON_IsString(val);
	if (strcmp(t, "boolean") == 0)
		return cJSON_IsBool(val);
	if (strcmp(t, "null") == 0)
		return cJSON_IsNull(val);
	if (strcmp(t, "number") == 0)
		return cJSON_IsNumber(val);
	if (strcmp(t, "integer") == 0)
		return cJSON_IsNumber(val) && isfinite(val->valuedouble) &&
		       floor(val->valuedouble) == val->valuedouble;
	return false;
}

/* JSON equality for const and enum (numbers by value, strings by bytes). */
static bool json_equal(const cJSON *a, const cJSON *b)
{
	if (cJSON_IsNumber(a) && cJSON_IsNumber(b))
		return a->valuedouble == b->valuedouble;
	return cJSON_Compare(a, b, true);
}

static int validate(struct vctx *v, const cJSON *sch, const cJSON *val, int depth);

static int check_type(struct vctx *v, const cJSON *t, const cJSON *val)
{
	if (cJSON_IsString(t))
		return type_is(val, t->valuestring)
		               ? 0
		               : offence(v, "not of type %s", t->valuestring, 0);
	const cJSON *e;
	cJSON_ArrayForEach(e, t) if (cJSON_IsString(e) && type_is(val, e->valuestring)) return 0;
	return offence(v, "not of an allowed type%s", NULL, 0);
}

static int check_number(struct vctx *v, const cJSON *sch, const cJSON *val)
{
	double x = val->valuedouble;
	const cJSON *k;
	if ((k = cJSON_GetObjectItemCaseSensitive(sch, "minimum")) && x < k->valuedouble)
		return offence(v, "below minimum%s %g", "", k->valuedouble);
	if ((k = cJSON_GetObjectItemCaseSensitive(sch, "maximum")) && x > k->valuedouble)
		return offence(v, "above maximum%s %g", "", k->valuedouble);
	if ((k = cJSON_GetObjectItemCaseSensitive(sch, "exclusiveMinimum")) && x <= k->valuedouble)
		return offence(v, "not above%s %g", "", k->valuedouble);
	if ((k = cJSON_GetObjectItemCaseSensitive(sch, "exclusiveMaximum")) && x >= k->valuedouble)
		return offence(v, "not below%s %g", "", k->valuedouble);
	return 0;
}

static size_t utf8_chars(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

static int check_string(struct vctx *v, const cJSON *sch, const cJSON *val)
{
	const cJSON *k;
	size_t n = utf8_chars(val->valuestring);
	if ((k = cJSON_GetObjectItemCaseSensitive(sch, "minLength")) && (double)n < k->valuedouble)
		return offence(v, "shorter than %s%g characters", "", k->valuedouble);
	if ((k = cJSON_GetObjectItemCaseSensitive(sch, "maxLength")) && (double)n > k->valuedouble)
		return offence(v, "longer than %s%g characters", "", k->valuedouble);
	if ((k = cJSON_GetObjectItemCaseSensitive(sch, "pattern"))) {
		for (size_t i = 0; i < v->s->npat; i++)
			if (v->s->pat[i].node == k &&
			    regexec(&v->s->pat[i].re, val->valuestring, 0, NULL, 0) != 0)
				return offence(v, "does not match %s", k->valuestring, 0);
	}
	return 0;
}

/* Descend into a member or element with its name appended to the path. */
static int descend(struct vctx *v, const cJSON *sch, const cJSON *val, const char *name, long index,
                   int depth)
{
	size_t l = strlen(v->path);
	if (name)
		snprintf(v->path + l, sizeof(v->path) - l, "%s%s", l ? "." : "", name);
	else
		snprintf(v->path + l, sizeof(v->path) - l, "[%ld]", index);
	int rc = validate(v, sch, val, depth + 1);
	if (rc == 0)
		v->path[l] = '\0';
	return rc;
}

static int check_object(struct vctx *v, const cJSON *sch, const cJSON *val, int depth)
{
	const cJSON *req = cJSON_GetObjectItemCaseSensitive(sch, "required"), *r;
	cJSON_ArrayForEach(
	        r, req) if (cJSON_IsString(r) &&
	                    !cJSON_GetObjectItemCaseSensitive(
	                            val, r->valuestring)) return offence(v, "missing \"%s\"",
	                                                                 r->valuestring, 0);
	const cJSON *props = cJSON_GetObjectItemCaseSensitive(sch, "properties");
	const cJSON *addl = cJSON_GetObjectItemCaseSensitive(sch, "additionalProperties");
	const cJSON *names = cJSON_GetObjectItemCaseSensitive(sch, "propertyNames");
	const cJSON *m;
	cJSON_ArrayForEach(m, val)
	{
		/* A member named twice is ambiguous (which one did the signer mean?): refused. */
		for (const cJSON *p = val->child; p != m; p = p->next)
			if (strcmp(p->string, m->string) == 0)
				return offence(v, "member \"%s\" appears twice", m->string, 0);
		if (names) {
			/* Every member's name must itself be valid against propertyNames. */
			cJSON *name = cJSON_CreateString(m->string);
			int rc = name ? descend(v, names, name, m->string, 0, depth) : -ENOMEM;
			cJSON_Delete(name);
			if (rc < 0)
				return rc;
		}
		const cJSON *ps = props ? cJSON_GetObjectItemCaseSensitive(props, m->string) : NULL;
		if (!ps && cJSON_IsFalse(addl))
			return offence(v, "unexpected member \"%s\"", m->string, 0);
		if (!ps && cJSON_IsObject(addl))
			ps = addl;
		if (ps) {
			int rc = descend(v, ps, m, m->string, 0, depth);
			if (rc < 0)
				return rc;
		}
	}
	return 0;
}

static int check_array(struct vctx *v, const cJSON *sch, const cJSON *val, int depth)
{
	const cJSON *k;
	int n = cJSON_GetArraySize(val);
	if ((k = cJSON_GetObjectItemCaseSensitive(sch, "minItems")) && n < k->valuedouble)
		return offence(v, "fewer than %s%g items", "", k->valuedouble);
	if ((k = cJSON_GetObjectItemCaseSensitive(sch, "maxItems")) && n > k->valuedouble)
		return offence(v, "more than %s%g items", "", k->valuedouble);
	const cJSON *items = cJSON_GetObjectItemCaseSensitive(sch, "items"), *e;
	long i = 0;
	if (items)
		cJSON_ArrayForEach(e, val)
		{
			int rc = descend(v, items, e, NULL, i++, depth);
			if (rc < 0)
				return rc;
		}
	return 0;
}

static int validate(struct vctx *v, const cJSON *sch, const cJSON *val, int depth)
{
	if (depth > SCHEMA_MAX_DEPTH)
		return offence(v, "nested too deeply%s", NULL, 0);
	if (cJSON_IsBool(sch))
		return cJSON_IsTrue(sch) ? 0 : offence(v, "not allowed here%s", NULL, 0);
	/* Every number in a stored document is finite, whatever the schema says. */
	if (cJSON_IsNumber(val) && !isfinite(val->valuedouble))
		return offence(v, "not a finite number%s", NULL, 0);
	const cJSON *k = cJSON_GetObjectItemCaseSensitive(sch, "$ref");
	if (k) {
		const cJSON *d = cJSON_GetObjectItemCaseSensitive(v->s->defs, k->valuestring + 8);
		if (!d)
			return offence(v, "schema reference %s not found", k->valuestring, 0);
		int rc = validate(v, d, val, depth + 1);
		if (rc < 0)
			return rc;
	}
	if ((k = cJSON_GetObjectItemCaseSensitive(sch, "type")) && check_type(v, k, val) < 0)
		return -EBADMSG;
	if ((k = cJSON_GetObjectItemCaseSensitive(sch, "const")) && !json_equal(k, val))
		return offence(v, "not the expected constant%s", NULL, 0);
	if ((k = cJSON_GetObjectItemCaseSensitive(sch, "enum"))) {
		const cJSON *e;
		bool found = false;
		cJSON_ArrayForEach(e, k) found = found || json_equal(e, val);
		if (!found)
			return offence(v, "not one of the allowed values%s", NULL, 0);
	}
	if (cJSON_IsNumber(val))
		return check_number(v, sch, val);
	if (cJSON_IsString(val))
		return check_string(v, sch, val);
	if (cJSON_IsObject(val))
		return check_object(v, sch, val, depth);
	if (cJSON_IsArray(val))
		return check_array(v, sch, val, depth);
	return 0;
}

int schema_validate(const struct schema *s, const cJSON *doc, char *why, size_t whylen)
{
	struct vctx v = {.s = s, .why = why, .whylen = whylen};
	return validate(&v, s->root, doc, 0);
}
