/* SPDX-License-Identifier: Apache-2.0 */
/*
 * snmp: the SNMP driver (v1, v2c, v3 USM) on net-snmp's single-session API.
 *
 * One net-snmp session per device, owned by the device state and opened lazily in poll().
 * A poll GETs the scalar OIDs in batches (max_varbinds per PDU), then walks each table column
 * with GETBULK (max_repetitions), or GETNEXT under the no_getbulk quirk or with v1. Every
 * request waits at most min(timeout, time left to the deadline), so the deadline covers the
 * whole poll. Exceptions (noSuchObject, noSuchInstance, endOfMibView) make a value absent;
 * report PDUs (wrong user or key, unknown engine) are errors; neither is ever data.
 * Mapping (types, sentinels, decimal digits, index labels) is in drivers/snmp_map.c.
 *
 * net-snmp keeps global state even behind its single-session API (the library init, the USM
 * user and engine-time lists, request-id counters, statistics), and Debian's libsnmp is built
 * without --enable-reentrant. So the library is initialised once (pthread_once) and every
 * net-snmp call that can touch shared state runs under one process-wide mutex; the waiting
 * for replies (poll(2) on the session's socket) happens outside it, so a silent or slow agent
 * holds up only its own worker. See docs/drivers/snmp.md.
 */
#include <greendc/driver.h>

#include "snmp_map.h"

#include "core/secretfile.h"

#include <net-snmp/library/large_fd_set.h>
#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

_Static_assert(sizeof(oid) == sizeof(unsigned long), "net-snmp oid is not unsigned long");

#define ROW_IDX_MAX 16 /* index sub-identifiers kept per table row */

/* The library's global state: initialised once, touched under lib_lock only. The driver ABI
 * forbids per-device globals; these are process-wide by nature of net-snmp. */
static pthread_once_t lib_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t lib_lock = PTHREAD_MUTEX_INITIALIZER;

struct scalar {
	struct smap_oid oid;
	struct smap_raw raw;
	bool done;
};

struct row {
	unsigned long idx[ROW_IDX_MAX];
	unsigned char len;
	struct smap_raw raw;
};

struct column {
	struct smap_oid oid;
	struct row *rows;
	size_t nrows, cap;
};

struct point_plan {
	struct smap_point sp;
	double scale, offset; /* copied: the core's gdc_device does not outlive open() */
	int var;              /* scalar or column index */
	int digits;           /* scalar or column index of the digits variable, -1 if none */
	int select;           /* column index of select_column, -1 if none */
};

struct sd_state {
	unsigned timeout_ms;
	struct smap_opts opts;
	char auth_key[128], priv_key[128];
	struct point_plan *plan;
	size_t npoints;
	struct scalar *scalars;
	size_t nscalars;
	struct column *columns;
	size_t ncolumns;
	void *sess; /* net-snmp single session, NULL when closed */

	/* The request in flight, filled by the callback. */
	int want_reqid;
	int got_op;
	netsnmp_pdu *resp;
	int report; /* net-snmp error code of a report PDU, 0 if none */
};

static int64_t clock_ms(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void lib_init(void)
{
	/* A library must not read the host's snmp.conf, load MIBs by name, write persistent
	 * state under /var/lib/snmp, or print to stderr. */
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_READ_CONFIGS, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_LOAD, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_SAVE, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_PERSIST_STATE, 1);
	/* net-snmp prints to stderr when no log handler is registered (e.g. warnings about the
	 * host's MIB files, which greendc never needs: profile OIDs are numeric). A handler of
	 * type NONE swallows everything; the driver reports through err instead. */
	snmp_disable_log();
	netsnmp_register_loghandler(NETSNMP_LOGHANDLER_NONE, LOG_EMERG);
	init_snmp("greendc");
}

static int find_or_add_oid(struct smap_oid *list, size_t *n, const struct smap_oid *o)
{
	for (size_t i = 0; i < *n; i++)
		if (smap_oid_cmp(list[i].id, list[i].len, o->id, o->len) == 0)
			return (int)i;
	list[*n] = *o;
	return (int)(*n)++;
}

static void sd_close(void *state);

/* Read the secrets file through the product's one secret-file reader (src/core/secretfile.h):
 * a regular file that neither group nor others can read, because it holds USM passphrases. */
static int load_secrets(struct sd_state *st, char *err, size_t errlen)
{
	const char *path = st->opts.secrets_file;
	char buf[1024], why[256];
	int rc;

	rc = secretfile_read(path, buf, sizeof(buf), NULL, why, sizeof(why));
	if (rc < 0) {
		snprintf(err, errlen, "secrets_file: %s", why);
		explicit_bzero(buf, sizeof(buf));
		return rc;
	}
	rc = smap_secrets_parse(buf, st->auth_key, sizeof(st->auth_key), st->priv_key,
	                        sizeof(st->priv_key), err, errlen);
	explicit_bzero(buf, sizeof(buf));
	if (rc)
		return rc;
	if (!st->auth_key[0] || (st->opts.priv && !st->priv_key[0])) {
		snprintf(err, errlen, "secrets_file: %s lacks %s", path,
		         !st->auth_key[0] ? "auth_key" : "priv_key");
		return -EINVAL;
	}
	return 0;
}

static int sd_open(void *state, const struct gdc_device *dev, char *err, size_t errlen,
                   int *bad_line)
{
	struct sd_state *st = state;
	int dummy = 0, rc;

	if (!bad_line)
		bad_line = &dummy;
	*bad_line = 0;
	if (errlen)
		err[0] = '\0';
	memset(st, 0, sizeof(*st));
	st->timeout_ms = dev->timeout_ms;
	if (dev->npoints == 0 || dev->npoints > 100000) {
		snprintf(err, errlen, "no points to read, or too many");
		return -EINVAL;
	}
	rc = smap_opts_parse(dev, &st->opts, err, errlen, bad_line);
	if (rc)
		return rc;
	st->plan = calloc(dev->npoints, sizeof(*st->plan));
	/* At most three OIDs (value, digits, select) per point. */
	struct smap_oid *soids = calloc(3 * dev->npoints, sizeof(*soids));
	struct smap_oid *coids = calloc(3 * dev->npoints, sizeof(*coids));
	if (!st->plan || !soids || !coids) {
		free(soids);
		free(coids);
		sd_close(st);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	st->npoints = dev->npoints;
	size_t ns = 0, nc = 0;
	for (size_t i = 0; i < dev->npoints; i++) {
		struct point_plan *pp = &st->plan[i];
		rc = smap_point_parse(&dev->points[i], &pp->sp, err, errlen, bad_line);
		if (rc)
			goto out_fail;
		pp->scale = dev->points[i].scale;
		pp->offset = dev->points[i].offset;
		pp->select = pp->sp.has_select ? find_or_add_oid(coids, &nc, &pp->sp.select) : -1;
		if (pp->sp.table) {
			pp->var = find_or_add_oid(coids, &nc, &pp->sp.oid);
			pp->digits = pp->sp.has_digits ? find_or_add_oid(coids, &nc, &pp->sp.digits)
			                               : -1;
		} else {
			pp->var = find_or_add_oid(soids, &ns, &pp->sp.oid);
			pp->digits = pp->sp.has_digits ? find_or_add_oid(soids, &ns, &pp->sp.digits)
			                               : -1;
		}
	}
	st->scalars = calloc(ns ? ns : 1, sizeof(*st->scalars));
	st->columns = calloc(nc ? nc : 1, sizeof(*st->columns));
	if (!st->scalars || !st->columns) {
		snprintf(err, errlen, "out of memory");
		rc = -ENOMEM;
		goto out_fail;
	}
	for (size_t i = 0; i < ns; i++)
		st->scalars[i].oid = soids[i];
	for (size_t i = 0; i < nc; i++)
		st->columns[i].oid = coids[i];
	st->nscalars = ns;
	st->ncolumns = nc;
	free(soids);
	free(coids);
	if (st->opts.version == SMAP_V3) {
		rc = load_secrets(st, err, errlen);
		if (rc) {
			/* Name the option's line when we can. */
			gdc_attr_get(dev->options, dev->noptions, "secrets_file", bad_line);
			sd_close(st);
			return rc;
		}
	}
	pthread_once(&lib_once, lib_init);
	return 0;

out_fail:
	free(soids);
	free(coids);
	sd_close(st);
	return rc;
}

static void session_close(struct sd_state *st)
{
	if (!st->sess)
		return;
	pthread_mutex_lock(&lib_lock);
	snmp_sess_close(st->sess);
	pthread_mutex_unlock(&lib_lock);
	st->sess = NULL;
}

static void sd_close(void *state)
{
	struct sd_state *st = state;

	session_close(st);
	if (st->resp) {
		snmp_free_pdu(st->resp);
		st->resp = NULL;
	}
	for (size_t i = 0; i < st->ncolumns; i++)
		free(st->columns[i].rows);
	free(st->columns);
	free(st->scalars);
	free(st->plan);
	explicit_bzero(st->auth_key, sizeof(st->auth_key));
	explicit_bzero(st->priv_key, sizeof(st->priv_key));
	st->columns = NULL;
	st->scalars = NULL;
	st->plan = NULL;
	st->ncolumns = st->nscalars = st->npoints = 0;
}

/* net-snmp names its error; keys never appear in these strings. */
static int lib_error(int code, char *err, size_t errlen, const char *what)
{
	snprintf(err, errlen, "%s: %s", what, snmp_api_errstring(code));
	switch (code) {
	case SNMPERR_TIMEOUT:
		return -ETIMEDOUT;
	case SNMPERR_AUTHENTICATION_FAILURE:
	case SNMPERR_DECRYPTION_ERR:
	case SNMPERR_UNKNOWN_USER_NAME:
	case SNMPERR_UNKNOWN_ENG_ID:
	case SNMPERR_NOT_IN_TIME_WINDOW:
	case SNMPERR_USM_AUTHENTICATIONFAILURE:
	case SNMPERR_USM_UNKNOWNSECURITYNAME:
	case SNMPERR_USM_UNSUPPORTEDSECURITYLEVEL:
	case SNMPERR_USM_DECRYPTIONERROR:
	case SNMPERR_USM_UNKNOWNENGINEID:
	case SNMPERR_USM_NOTINTIMEWINDOW:
	case SNMPERR_USM_GENERICERROR:
	case SNMPERR_USM_ENCRYPTIONERROR:
	case SNMPERR_KRB5:
		return -GDC_EAUTH;
	default:
		return -EIO;
	}
}

static int session_open(struct sd_state *st, int64_t wait_ms, char *err, size_t errlen)
{
	netsnmp_session s;
	int rc = 0;

	snmp_sess_init(&s);
	s.peername = st->opts.peer;
	s.timeout = wait_ms * 1000;
	s.retries = 0;
	if (st->opts.version == SMAP_V1 || st->opts.version == SMAP_V2C) {
		s.version = st->opts.version == SMAP_V1 ? SNMP_VERSION_1 : SNMP_VERSION_2c;
		s.community = (u_char *)st->opts.community;
		s.community_len = strlen(st->opts.community);
		pthread_mutex_lock(&lib_lock);
		st->sess = snmp_sess_open(&s);
		if (!st->sess)
			rc = lib_error(s.s_snmp_errno, err, errlen, "session");
		pthread_mutex_unlock(&lib_lock);
		return st->sess ? 0 : (rc == -EIO ? -EHOSTUNREACH : rc);
	}
	s.version = SNMP_VERSION_3;
	s.securityName = st->opts.security_name;
	s.securityNameLen = strlen(st->opts.security_name);
	s.securityLevel = st->opts.priv ? SNMP_SEC_LEVEL_AUTHPRIV : SNMP_SEC_LEVEL_AUTHNOPRIV;
	if (st->opts.auth == SMAP_AUTH_SHA256) {
		s.securityAuthProto = usmHMAC192SHA256AuthProtocol;
		s.securityAuthProtoLen = OID_LENGTH(usmHMAC192SHA256AuthProtocol);
	} else {
		s.securityAuthProto = usmHMACSHA1AuthProtocol;
		s.securityAuthProtoLen = OID_LENGTH(usmHMACSHA1AuthProtocol);
	}
	s.securityAuthKeyLen = USM_AUTH_KU_LEN;
	if (generate_Ku(s.securityAuthProto, (u_int)s.securityAuthProtoLen,
	                (const u_char *)st->auth_key, strlen(st->auth_key), s.securityAuthKey,
	                &s.securityAuthKeyLen) != SNMPERR_SUCCESS) {
		snprintf(err, errlen, "cannot derive the authentication key");
		return -GDC_EAUTH;
	}
	if (st->opts.priv) {
		s.securityPrivProto = usmAESPrivProtocol;
		s.securityPrivProtoLen = OID_LENGTH(usmAESPrivProtocol);
		s.securityPrivKeyLen = USM_PRIV_KU_LEN;
		/* RFC 3826: the privacy key is localised with the authentication hash. */
		if (generate_Ku(s.securityAuthProto, (u_int)s.securityAuthProtoLen,
		                (const u_char *)st->priv_key, strlen(st->priv_key),
		                s.securityPrivKey, &s.securityPrivKeyLen) != SNMPERR_SUCCESS) {
			explicit_bzero(s.securityAuthKey, sizeof(s.securityAuthKey));
			snprintf(err, errlen, "cannot derive the privacy key");
			return -GDC_EAUTH;
		}
	}
	/* Opening a v3 session discovers the engine id synchronously and edits the global USM
	 * user list, so it runs under the lock (bounded by wait_ms). */
	pthread_mutex_lock(&lib_lock);
	st->sess = snmp_sess_open(&s);
	if (!st->sess)
		rc = lib_error(s.s_snmp_errno, err, errlen, "engine discovery");
	pthread_mutex_unlock(&lib_lock);
	explicit_bzero(s.securityAuthKey, sizeof(s.securityAuthKey));
	explicit_bzero(s.securityPrivKey, sizeof(s.securityPrivKey));
	return rc;
}

static int on_reply(int op, netsnmp_session *sess, int reqid, netsnmp_pdu *pdu, void *magic)
{
	struct sd_state *st = magic;
	(void)sess;

	/* net-snmp matched the message to a request of this session (by msgID for v3). A report
	 * may carry another request-id (0 when the agent could not read the scoped PDU, as with a
	 * wrong key), so only other PDUs are filtered by request-id, as snmp_synch_input does. */
	if (st->want_reqid <= 0 ||
	    (reqid != st->want_reqid && !(pdu && pdu->command == SNMP_MSG_REPORT)))
		return 1; /* a reply to something we no longer wait for */
	st->got_op = op;
	if (op == NETSNMP_CALLBACK_OP_RECEIVED_MESSAGE && pdu) {
		if (pdu->command == SNMP_MSG_REPORT)
			st->report = snmpv3_get_report_type(pdu);
		else
			st->resp = snmp_clone_pdu(pdu);
	}
	return 1;
}

/*
 * Send pdu (consumed) and wait for its reply within min(timeout, deadline). On success
 * *resp is the reply, owned by the caller. A timeout closes the session so that no late
 * reply can be taken for the answer to a later request.
 */
static int request(struct sd_state *st, netsnmp_pdu *pdu, int64_t deadline_ms, netsnmp_pdu **resp,
                   char *err, size_t errlen)
{
	int64_t now = clock_ms(CLOCK_MONOTONIC), left = deadline_ms - now;
	int64_t wait = st->timeout_ms ? st->timeout_ms : 1000;
	int rc;

	*resp = NULL;
	if (left <= 0) {
		snmp_free_pdu(pdu);
		snprintf(err, errlen, "deadline reached");
		return -ETIMEDOUT;
	}
	if (wait > left)
		wait = left;
	if (!st->sess) {
		rc = session_open(st, wait, err, errlen);
		if (rc) {
			snmp_free_pdu(pdu);
			return rc;
		}
		now = clock_ms(CLOCK_MONOTONIC);
		left = deadline_ms - now;
		if (left <= 0) {
			snmp_free_pdu(pdu);
			snprintf(err, errlen, "deadline reached");
			return -ETIMEDOUT;
		}
		if (wait > left)
			wait = left;
	}
	int64_t until = now + wait;

	pthread_mutex_lock(&lib_lock);
	netsnmp_session *ss = snmp_sess_session(st->sess);
	ss->timeout = wait * 1000;
	ss->retries = 0;
	st->got_op = 0;
	st->report = 0;
	st->want_reqid = 0;
	/* The callback can only run inside snmp_sess_read(), after want_reqid is set. */
	int reqid = snmp_sess_async_send(st->sess, pdu, on_reply, st);
	if (reqid == 0) {
		int sys_errno = 0, lib_errno = 0;
		char *msg = NULL;
		snmp_sess_error(st->sess, &sys_errno, &lib_errno, &msg);
		/* For v3 the first send discovers the engine id (synchronously): its timeout or
		 * USM failure lands here. */
		snprintf(err, errlen, "send: %s", msg ? msg : "failed");
		SNMP_FREE(msg);
		pthread_mutex_unlock(&lib_lock);
		snmp_free_pdu(pdu);
		session_close(st);
		if (lib_errno && lib_errno != SNMPERR_GENERR) {
			char tmp[200];
			rc = lib_error(lib_errno, tmp, sizeof(tmp), "send");
			if (rc != -EIO)
				return rc;
		}
		return sys_errno > 0 ? -sys_errno : -EIO;
	}
	st->want_reqid = reqid;
	netsnmp_transport *t = snmp_sess_transport(st->sess);
	int fd = t ? t->sock : -1;
	pthread_mutex_unlock(&lib_lock);

	/* Bounded: every turn either ends or waits on a clock that moves towards until. */
	while (st->got_op == 0) {
		int64_t ms = until - clock_ms(CLOCK_MONOTONIC);
		if (ms <= 0 || fd < 0)
			break;
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		int n = poll(&pfd, 1, (int)ms);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		netsnmp_large_fd_set fds;
		pthread_mutex_lock(&lib_lock);
		netsnmp_large_fd_set_init(&fds, fd + 1);
		NETSNMP_LARGE_FD_SET(fd, &fds);
		snmp_sess_read2(st->sess, &fds);
		netsnmp_large_fd_set_cleanup(&fds);
		pthread_mutex_unlock(&lib_lock);
	}
	st->want_reqid = -1;
	if (st->got_op == NETSNMP_CALLBACK_OP_RECEIVED_MESSAGE && st->resp) {
		*resp = st->resp;
		st->resp = NULL;
		return 0;
	}
	if (st->report) {
		rc = lib_error(st->report, err, errlen, "report");
		return rc == -EIO ? -GDC_EAUTH : rc;
	}
	if (st->got_op == NETSNMP_CALLBACK_OP_SEC_ERROR) {
		int sys_errno = 0, lib_errno = 0;
		char *msg = NULL;
		pthread_mutex_lock(&lib_lock);
		snmp_sess_error(st->sess, &sys_errno, &lib_errno, &msg);
		pthread_mutex_unlock(&lib_lock);
		snprintf(err, errlen, "security: %s", msg ? msg : "error");
		SNMP_FREE(msg);
		session_close(st);
		return -GDC_EAUTH;
	}
	session_close(st);
	snprintf(err, errlen, "no reply within %lld ms", (long long)wait);
	return -ETIMEDOUT;
}

static void raw_from_var(const netsnmp_variable_list *v, struct smap_raw *r)
{
	memset(r, 0, sizeof(*r));
	switch (v->type) {
	case ASN_INTEGER:
		r->type = SMAP_R_INT;
		r->i = *v->val.integer;
		break;
	case ASN_GAUGE: /* = ASN_UNSIGNED */
	case ASN_TIMETICKS:
	case ASN_UINTEGER:
		r->type = SMAP_R_UNSIGNED;
		r->u = (uint32_t)*v->val.integer; /* net-snmp keeps these in a long */
		break;
	case ASN_COUNTER:
		r->type = SMAP_R_COUNTER32;
		r->u = (uint32_t)*v->val.integer;
		break;
	case ASN_COUNTER64:
		r->type = SMAP_R_COUNTER64;
		r->u = ((uint64_t)v->val.counter64->high << 32) | (uint32_t)v->val.counter64->low;
		break;
	case ASN_OCTET_STR: {
		size_t n = v->val_len < sizeof(r->s) - 1 ? v->val_len : sizeof(r->s) - 1;
		r->type = SMAP_R_STRING;
		memcpy(r->s, v->val.string, n);
		r->s[n] = '\0';
		break;
	}
	case SNMP_NOSUCHOBJECT:
		r->type = SMAP_R_NOSUCHOBJECT;
		break;
	case SNMP_NOSUCHINSTANCE:
		r->type = SMAP_R_NOSUCHINSTANCE;
		break;
	case SNMP_ENDOFMIBVIEW:
		r->type = SMAP_R_ENDOFMIBVIEW;
		break;
	default:
		r->type = SMAP_R_OTHER;
		break;
	}
}

/* Append a note to err (the poll's summary of partial failures). */
static void note(char *err, size_t errlen, const char *msg)
{
	size_t used = strnlen(err, errlen);

	if (used + 3 >= errlen)
		return;
	snprintf(err + used, errlen - used, "%s%s", used ? "; " : "", msg);
}

/* GET every scalar, max_varbinds at a time. Returns the number of replies, or an error. */
static int get_scalars(struct sd_state *st, int64_t deadline_ms, char *err, size_t errlen)
{
	unsigned batch = st->opts.max_varbinds;
	int replies = 0;
	char msg[256];

	for (size_t i = 0; i < st->nscalars; i++) {
		st->scalars[i].done = false;
		st->scalars[i].raw.type = SMAP_R_MISSING;
	}
	/* Each turn marks at least one scalar done or halves batch: bounded. */
	for (size_t turn = 0; turn < 4 * st->nscalars + 64; turn++) {
		size_t pick[128], n = 0;
		for (size_t i = 0; i < st->nscalars && n < batch; i++)
			if (!st->scalars[i].done)
				pick[n++] = i;
		if (n == 0)
			break;
		netsnmp_pdu *pdu = snmp_pdu_create(SNMP_MSG_GET), *resp;
		for (size_t k = 0; k < n; k++)
			snmp_add_null_var(pdu, st->scalars[pick[k]].oid.id,
			                  st->scalars[pick[k]].oid.len);
		int rc = request(st, pdu, deadline_ms, &resp, msg, sizeof(msg));
		if (rc) {
			note(err, errlen, msg);
			return replies ? replies : rc;
		}
		replies++;
		if (resp->errstat == SNMP_ERR_TOOBIG && n > 1) {
			batch = (unsigned)(n / 2);
		} else if (resp->errstat == SNMP_ERR_NOSUCHNAME && resp->errindex >= 1 &&
		           (size_t)resp->errindex <= n) {
			/* v1: one missing name fails the PDU; drop it and ask again. */
			struct scalar *sc = &st->scalars[pick[resp->errindex - 1]];
			sc->raw.type = SMAP_R_NOSUCHOBJECT;
			sc->done = true;
		} else if (resp->errstat != SNMP_ERR_NOERROR) {
			snprintf(msg, sizeof(msg), "GET: error status %s",
			         snmp_errstring((int)resp->errstat));
			note(err, errlen, msg);
			for (size_t k = 0; k < n; k++)
				st->scalars[pick[k]].done = true;
		} else {
			netsnmp_variable_list *v = resp->variables;
			bool mismatch = false;
			for (size_t k = 0; k < n; k++) {
				struct scalar *sc = &st->scalars[pick[k]];
				sc->done = true;
				/* A reply must echo the names it was asked for, in order; a
				 * variable that does not is left missing, never taken as data. */
				if (v && smap_oid_cmp(v->name, v->name_length, sc->oid.id,
				                      sc->oid.len) == 0)
					raw_from_var(v, &sc->raw);
				else
					mismatch = true;
				if (v)
					v = v->next_variable;
			}
			if (mismatch)
				note(err, errlen, "GET: reply names differ from the request");
		}
		snmp_free_pdu(resp);
	}
	return replies;
}

static int add_row(struct column *c, const netsnmp_variable_list *v)
{
	size_t idxlen = v->name_length - c->oid.len;

	if (idxlen > ROW_IDX_MAX)
		return -E2BIG;
	if (c->nrows == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 16;
		struct row *r = realloc(c->rows, cap * sizeof(*r));
		if (!r)
			return -ENOMEM;
		c->rows = r;
		c->cap = cap;
	}
	struct row *r = &c->rows[c->nrows++];
	memcpy(r->idx, v->name + c->oid.len, idxlen * sizeof(oid));
	r->len = (unsigned char)idxlen;
	raw_from_var(v, &r->raw);
	return 0;
}

/* Walk one column with GETBULK (or GETNEXT). Returns replies received, or an error. */
static int walk_column(struct sd_state *st, struct column *c, int64_t deadline_ms, char *err,
                       size_t errlen)
{
	oid cur[MAX_OID_LEN];
	size_t curlen = c->oid.len;
	bool bulk = !st->opts.no_getbulk && st->opts.version != SMAP_V1;
	int replies = 0;
	char msg[256];

	c->nrows = 0;
	memcpy(cur, c->oid.id, curlen * sizeof(oid));
	/* Each turn adds a row or ends; rows are capped by max_rows. */
	while (c->nrows < st->opts.max_rows) {
		netsnmp_pdu *pdu = snmp_pdu_create(bulk ? SNMP_MSG_GETBULK : SNMP_MSG_GETNEXT),
		            *resp;
		if (bulk) {
			pdu->non_repeaters = 0;
			pdu->max_repetitions = (long)st->opts.bulk_reps;
		}
		snmp_add_null_var(pdu, cur, curlen);
		int rc = request(st, pdu, deadline_ms, &resp, msg, sizeof(msg));
		if (rc) {
			note(err, errlen, msg);
			return replies ? replies : rc;
		}
		replies++;
		bool end = false;
		if (resp->errstat == SNMP_ERR_NOSUCHNAME) {
			end = true; /* v1: past the end of the MIB */
		} else if (resp->errstat != SNMP_ERR_NOERROR) {
			snprintf(msg, sizeof(msg), "walk: error status %s",
			         snmp_errstring((int)resp->errstat));
			note(err, errlen, msg);
			end = true;
		} else if (!resp->variables) {
			end = true;
		}
		for (netsnmp_variable_list *v = resp->variables; v && !end; v = v->next_variable) {
			if (v->type == SNMP_ENDOFMIBVIEW ||
			    !smap_oid_has_prefix(v->name, v->name_length, &c->oid)) {
				end = true;
				break;
			}
			if (smap_oid_cmp(v->name, v->name_length, cur, curlen) <= 0) {
				note(err, errlen, "walk: agent returned OIDs out of order");
				end = true;
				break;
			}
			if (add_row(c, v))
				note(err, errlen, "walk: a row index is too long");
			memcpy(cur, v->name, v->name_length * sizeof(oid));
			curlen = v->name_length;
			if (c->nrows >= st->opts.max_rows) {
				note(err, errlen, "walk: max_rows reached");
				end = true;
			}
		}
		snmp_free_pdu(resp);
		if (end)
			break;
	}
	return replies;
}

static const struct row *find_row(const struct column *c, const struct row *want)
{
	/* Walk order is lexicographic, so the rows are sorted. */
	size_t lo = 0, hi = c->nrows;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int cmp = smap_oid_cmp(c->rows[mid].idx, c->rows[mid].len, want->idx, want->len);
		if (cmp == 0)
			return &c->rows[mid];
		if (cmp < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static int sd_poll(void *state, int64_t deadline_ms, const struct gdc_sink *sink, char *err,
                   size_t errlen)
{
	struct sd_state *st = state;
	int replies = 0, first_err = 0, rc;
	size_t emitted = 0;
	char msg[256];

	if (errlen)
		err[0] = '\0';
	if (st->nscalars) {
		rc = get_scalars(st, deadline_ms, err, errlen);
		if (rc < 0)
			first_err = rc;
		else
			replies += rc;
	}
	for (size_t i = 0; i < st->ncolumns && first_err != -GDC_EAUTH; i++) {
		rc = walk_column(st, &st->columns[i], deadline_ms, err, errlen);
		if (rc < 0 && !first_err)
			first_err = rc;
		else if (rc > 0)
			replies += rc;
		if (rc == -ETIMEDOUT)
			break; /* the deadline or a silent agent: the rest would wait too */
	}
	int64_t now = clock_ms(CLOCK_REALTIME);
	for (size_t i = 0; i < st->npoints; i++) {
		const struct point_plan *pp = &st->plan[i];
		double value;

		if (!pp->sp.table) {
			const struct smap_raw *dig =
			        pp->digits >= 0 ? &st->scalars[pp->digits].raw : NULL;
			rc = smap_value(&pp->sp, &st->scalars[pp->var].raw, dig, pp->scale,
			                pp->offset, &value, msg, sizeof(msg));
			if (rc == 0) {
				struct gdc_sample s = {
				        .point = (uint32_t)i, .value = value, .ts_ms = now};
				sink->emit(sink->ctx, &s);
				emitted++;
			} else if (rc < 0) {
				note(err, errlen, msg);
			}
			continue;
		}
		const struct column *c = &st->columns[pp->var];
		for (size_t r = 0; r < c->nrows; r++) {
			char vals[SMAP_MAX_INDEX][SMAP_LABEL_LEN];
			struct gdc_label labels[SMAP_MAX_INDEX];
			const struct row *row = &c->rows[r];
			if (pp->select >= 0) {
				const struct row *sr = find_row(&st->columns[pp->select], row);
				if (!smap_row_selected(&pp->sp, sr ? &sr->raw : NULL))
					continue;
			}
			int nl = smap_index_labels(&pp->sp, row->idx, row->len, vals, labels);
			if (nl == -ENOENT)
				continue;
			if (nl < 0) {
				note(err, errlen, "a row index does not match index_labels");
				continue;
			}
			const struct smap_raw *dig = NULL;
			if (pp->digits >= 0) {
				const struct row *d = find_row(&st->columns[pp->digits], row);
				dig = d ? &d->raw : NULL;
			}
			rc = smap_value(&pp->sp, &row->raw, dig, pp->scale, pp->offset, &value, msg,
			                sizeof(msg));
			if (rc == 0) {
				struct gdc_sample s = {.point = (uint32_t)i,
				                       .value = value,
				                       .ts_ms = now,
				                       .labels = nl ? labels : NULL,
				                       .nlabels = (size_t)nl};
				sink->emit(sink->ctx, &s);
				emitted++;
			} else if (rc < 0) {
				note(err, errlen, msg);
			}
		}
	}
	if (emitted)
		return 0;
	if (first_err)
		return first_err;
	if (replies && !err[0])
		snprintf(err, errlen, "the agent answered but no point had a value");
	return -GDC_ENOVALUE;
}

/* Send one request for oid (GET or GETNEXT) and return the reply's first variable in *resp
 * (owned by the caller, freed under the lock). */
static int ask_one(struct sd_state *st, int command, const unsigned long *name, size_t len,
                   int64_t deadline_ms, netsnmp_pdu **resp, char *err, size_t errlen)
{
	pthread_mutex_lock(&lib_lock);
	netsnmp_pdu *pdu = snmp_pdu_create(command);
	if (pdu)
		snmp_add_null_var(pdu, name, len);
	pthread_mutex_unlock(&lib_lock);
	if (!pdu) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	return request(st, pdu, deadline_ms, resp, err, errlen);
}

static void free_reply(netsnmp_pdu *resp)
{
	pthread_mutex_lock(&lib_lock);
	snmp_free_pdu(resp);
	pthread_mutex_unlock(&lib_lock);
}

/* sysObjectID.0 (SNMPv2-MIB) as "sysobjectid=1.3.6...". */
static int identify_sysobjectid(struct sd_state *st, int64_t deadline_ms, char *out, size_t outlen,
                                char *err, size_t errlen)
{
	static const oid sys_object_id[] = {1, 3, 6, 1, 2, 1, 1, 2, 0};
	netsnmp_pdu *resp = NULL;
	int rc = ask_one(st, SNMP_MSG_GET, sys_object_id, sizeof(sys_object_id) / sizeof(oid),
	                 deadline_ms, &resp, err, errlen);
	if (rc)
		return rc;
	const netsnmp_variable_list *v = resp->variables;
	if (resp->errstat != SNMP_ERR_NOERROR || !v || v->type != ASN_OBJECT_ID) {
		snprintf(err, errlen, "sysObjectID.0: no object identifier in the reply");
		rc = -GDC_EBADRESP;
	} else {
		size_t len = (size_t)snprintf(out, outlen, "sysobjectid=");
		size_t n = v->val_len / sizeof(oid);
		for (size_t i = 0; i < n && len < outlen; i++)
			len += (size_t)snprintf(out + len, outlen - len, i ? ".%lu" : "%lu",
			                        (unsigned long)v->val.objid[i]);
		if (len >= outlen) {
			snprintf(err, errlen, "sysObjectID.0: too long");
			rc = -GDC_EBADRESP;
		}
	}
	free_reply(resp);
	return rc;
}

/*
 * Profiles may claim agents by a standard MIB they serve (`match: {answers: OID}`, e.g.
 * UPS-MIB upsIdentManufacturer): the core passes every candidate's match pair as a point.
 * One GETNEXT per distinct `answers` OID; when the agent returns a variable under it with a
 * value, "\nanswers=OID" is appended to out. A probe that times out ends the probing (the
 * agent has already answered sysObjectID, so what was learnt so far still counts).
 */
static void identify_answers(struct sd_state *st, const struct gdc_device *dev, int64_t deadline_ms,
                             char *out, size_t outlen)
{
	for (size_t i = 0; i < dev->npoints; i++) {
		const char *v =
		        gdc_attr_get(dev->points[i].attrs, dev->points[i].nattrs, "answers", NULL);
		struct smap_oid probe;
		bool seen = false;
		if (!v || smap_oid_parse(v, &probe))
			continue;
		for (size_t j = 0; j < i && !seen; j++) {
			const char *w = gdc_attr_get(dev->points[j].attrs, dev->points[j].nattrs,
			                             "answers", NULL);
			seen = w && strcmp(w, v) == 0;
		}
		if (seen)
			continue;
		netsnmp_pdu *resp = NULL;
		char msg[256];
		int rc = ask_one(st, SNMP_MSG_GETNEXT, probe.id, probe.len, deadline_ms, &resp, msg,
		                 sizeof(msg));
		if (rc == -ETIMEDOUT || rc == -GDC_EAUTH)
			return;
		if (rc)
			continue;
		const netsnmp_variable_list *var = resp->variables;
		bool answers = resp->errstat == SNMP_ERR_NOERROR && var &&
		               smap_oid_has_prefix(var->name, var->name_length, &probe) &&
		               var->type != SNMP_NOSUCHOBJECT && var->type != SNMP_NOSUCHINSTANCE &&
		               var->type != SNMP_ENDOFMIBVIEW;
		free_reply(resp);
		size_t used = strnlen(out, outlen);
		if (answers && used + strlen(v) + 10 < outlen)
			snprintf(out + used, outlen - used, "\nanswers=%s", v);
	}
}

/* Who this agent is, for profile matching: "sysobjectid=...", then "answers=OID" lines. */
static int sd_identify(const struct gdc_device *dev, int64_t deadline_ms, char *out, size_t outlen,
                       char *err, size_t errlen)
{
	struct sd_state st;
	int bad_line = 0, rc;

	memset(&st, 0, sizeof(st));
	if (outlen)
		out[0] = '\0';
	st.timeout_ms = dev->timeout_ms;
	rc = smap_opts_parse(dev, &st.opts, err, errlen, &bad_line);
	if (rc)
		return rc;
	if (st.opts.version == SMAP_V3 && (rc = load_secrets(&st, err, errlen)) != 0)
		return rc;
	pthread_once(&lib_once, lib_init);
	rc = identify_sysobjectid(&st, deadline_ms, out, outlen, err, errlen);
	if (rc == 0)
		identify_answers(&st, dev, deadline_ms, out, outlen);
	session_close(&st);
	explicit_bzero(st.auth_key, sizeof(st.auth_key));
	explicit_bzero(st.priv_key, sizeof(st.priv_key));
	return rc;
}

const struct gdc_driver gdc_driver_entry = {
        .abi_version = GDC_DRIVER_ABI,
        .struct_size = sizeof(struct gdc_driver),
        .name = "snmp",
        .state_size = sizeof(struct sd_state),
        .open = sd_open,
        .poll = sd_poll,
        .close = sd_close,
        .identify = sd_identify,
};
