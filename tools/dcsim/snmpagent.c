/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dcsim SNMP side (see snmpagent.h). net-snmp's agent library runs embedded in dcsim's one
 * thread: its UDP socket joins the Modbus server's pselect(), so a request is always answered
 * between two model steps, from the same struct sim_values the Modbus registers were written
 * from. Nothing is cached: each request builds the addressed device's sorted variable list
 * from the live values (a few dozen variables, microseconds), so GET, GETNEXT and GETBULK
 * agree with each other and with Modbus at every instant.
 *
 * One agent, one port, one community per device (like snmpsim's data files): the community
 * names the device. A packet with any other community is dropped without a reply, as a real
 * agent does, so a poller sees a timeout. There is no VACM: the embedded agent loads none of
 * snmpd's MIB modules, so the community check below is the only access control.
 */
/* net-snmp's headers must come in this order. */
#include <net-snmp/net-snmp-config.h>

#include <net-snmp/net-snmp-includes.h>

#include <net-snmp/agent/net-snmp-agent-includes.h>

#include <net-snmp/agent/agent_callbacks.h>

#include "snmpagent.h"
#include "snmpvals.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ENTS 96
#define OID_MAX  24
#define STR_MAX  160

enum dev_kind { DEV_PDU, DEV_UPS, DEV_EMU };

struct snmp_dev {
	const char *community; /* = the device's name (regmap.c's unit names) */
	enum dev_kind kind;
	int idx; /* PDU 0 = A, 1 = B */
	const char *objid;
	const char *descr;
	const char *profile;
};

/* The sysObjectIDs are the real vendors' so profile matching by sysObjectID works: APC
 * rPDU2 (318.1.3.4.x) and APC EMU (318.1.3.8.x) as in the recordings under
 * test/devices/snmprec; the UPS is an RFC 1628 agent under MGE/Eaton's 705.1, which no
 * vendor profile claims (so, like a real 93PS, it is read with the generic ups/ups-mib). */
static const struct snmp_dev devs[] = {
        {"pdu-a", DEV_PDU, 0, "1.3.6.1.4.1.318.1.3.4.6",
         "APC Web/SNMP Management Card (dcsim simulated rack PDU A, rPDU2) MN:DCSIM-PDU",
         "pdu/apc-rpdu2"},
        {"pdu-b", DEV_PDU, 1, "1.3.6.1.4.1.318.1.3.4.6",
         "APC Web/SNMP Management Card (dcsim simulated rack PDU B, rPDU2) MN:DCSIM-PDU",
         "pdu/apc-rpdu2"},
        {"ups", DEV_UPS, 0, "1.3.6.1.4.1.705.1", "dcsim simulated UPS (RFC 1628 UPS-MIB)",
         "ups/ups-mib"},
        {"weather", DEV_EMU, 0, "1.3.6.1.4.1.318.1.3.8.4",
         "APC Environmental Monitoring Unit (dcsim outdoor weather station, memSensors)",
         "environment/apc-emu"},
};

#define N_DEVS (sizeof(devs) / sizeof(devs[0]))

/* The served subtrees: one handler registration each. */
static const char *const subtrees[] = {
        "1.3.6.1.2.1.1",                /* SNMPv2-MIB system */
        "1.3.6.1.2.1.33",               /* UPS-MIB */
        "1.3.6.1.4.1.318",              /* APC PowerNet-MIB */
        "1.3.6.1.4.1.8072.9999.9999.1", /* dcsim's own (NET-SNMP-MIB netSnmpPlaypen) */
};

/* dcsimSimTime.0: the simulated unix time as Gauge32, the twin of Modbus registers 0-1. */
#define SIM_TIME_OID "1.3.6.1.4.1.8072.9999.9999.1.1.0"

struct ent {
	oid name[OID_MAX];
	size_t len;
	u_char type;
	long l;          /* INTEGER */
	u_long u;        /* Gauge32, TimeTicks */
	char s[STR_MAX]; /* OCTET STRING */
	oid o[OID_MAX];  /* OBJECT IDENTIFIER */
	size_t olen;
};

struct ents {
	struct ent e[MAX_ENTS];
	size_t n;
};

static const struct sim_values *vals;
static int started;
static unsigned long n_answered, n_bad_community;

static size_t parse_oid(const char *s, oid *out)
{
	size_t n = 0;

	while (*s && n < OID_MAX) {
		char *end;

		out[n++] = (oid)strtoul(s, &end, 10);
		s = *end == '.' ? end + 1 : end;
		if (*end != '.')
			break;
	}
	return n;
}

/* A new entry named base.a.b (a, b < 0: absent). */
static struct ent *add(struct ents *b, const char *base, long a, long c)
{
	struct ent *e;

	if (b->n >= MAX_ENTS)
		return NULL; /* a table too small is a bug; the variable is simply absent */
	e = &b->e[b->n++];
	memset(e, 0, sizeof(*e));
	e->len = parse_oid(base, e->name);
	if (a >= 0 && e->len < OID_MAX)
		e->name[e->len++] = (oid)a;
	if (c >= 0 && e->len < OID_MAX)
		e->name[e->len++] = (oid)c;
	return e;
}

static void add_int(struct ents *b, const char *base, long a, long c, long v)
{
	struct ent *e = add(b, base, a, c);

	if (e) {
		e->type = ASN_INTEGER;
		e->l = v;
	}
}

static void add_uns(struct ents *b, const char *base, long a, long c, u_char type, u_long v)
{
	struct ent *e = add(b, base, a, c);

	if (e) {
		e->type = type;
		e->u = v;
	}
}

static void add_str(struct ents *b, const char *base, long a, long c, const char *v)
{
	struct ent *e = add(b, base, a, c);

	if (e) {
		e->type = ASN_OCTET_STR;
		snprintf(e->s, sizeof(e->s), "%s", v);
	}
}

static void add_oid(struct ents *b, const char *base, const char *v)
{
	struct ent *e = add(b, base, -1, -1);

	if (e) {
		e->type = ASN_OBJECT_ID;
		e->olen = parse_oid(v, e->o);
	}
}

static void build_system(struct ents *b, const struct snmp_dev *d)
{
	add_str(b, "1.3.6.1.2.1.1.1.0", -1, -1, d->descr);
	add_oid(b, "1.3.6.1.2.1.1.2.0", d->objid);
	add_uns(b, "1.3.6.1.2.1.1.3.0", -1, -1, ASN_TIMETICKS, (u_long)netsnmp_get_agent_uptime());
	add_str(b, "1.3.6.1.2.1.1.4.0", -1, -1, "greendc dcsim");
	add_str(b, "1.3.6.1.2.1.1.5.0", -1, -1, d->community);
	add_str(b, "1.3.6.1.2.1.1.6.0", -1, -1, "dcsim simulated Taiyuan data centre, hall A");
	add_int(b, "1.3.6.1.2.1.1.7.0", -1, -1, 72);
	add_uns(b, SIM_TIME_OID, -1, -1, ASN_GAUGE, (u_long)fmax(vals->sim_time, 0));
}

/* PowerNet-MIB rPDU2DeviceStatusTable (.26.4.3.1) and rPDU2PhaseStatusTable (.26.6.3.1):
 * power in hundredths of kW, energy in tenths of kWh, current in tenths of A. */
static void build_pdu(struct ents *b, int i)
{
	static const char dev[] = "1.3.6.1.4.1.318.1.1.26.4.3.1";
	static const char phase[] = "1.3.6.1.4.1.318.1.1.26.6.3.1";
	struct snmpvals_pdu pv;
	char col[64];
	int ph, c;

	snmpvals_pdu(vals, i, &pv);
	for (c = 1; c <= 17; c++) {
		snprintf(col, sizeof(col), "%s.%d", dev, c);
		switch (c) {
		case 1:
		case 2:
			add_int(b, col, 1, -1, 1); /* index, module */
			break;
		case 3:
			add_str(b, col, 1, -1, i ? "PDU-B" : "PDU-A");
			break;
		case 4:
			add_int(b, col, 1, -1, 2); /* loadState: normal */
			break;
		case 5:
			add_int(b, col, 1, -1, pv.power_hkw);
			break;
		case 9:
			add_int(b, col, 1, -1, pv.energy_dkwh);
			break;
		case 16:
			add_int(b, col, 1, -1, pv.apparent_hkva);
			break;
		case 17:
			add_int(b, col, 1, -1, pv.pf_pct);
			break;
		}
	}
	for (ph = 1; ph <= SNMPVALS_PHASES; ph++) {
		for (c = 1; c <= 9; c++) {
			long v;

			snprintf(col, sizeof(col), "%s.%d", phase, c);
			switch (c) {
			case 1:
			case 3:
				v = ph; /* index, phase number */
				break;
			case 2:
				v = 1; /* module */
				break;
			case 4:
				v = 2; /* loadState: normal */
				break;
			case 5:
				v = pv.ph_current_da[ph - 1];
				break;
			case 6:
				v = pv.ph_voltage_v[ph - 1];
				break;
			case 7:
				v = pv.ph_power_hkw[ph - 1];
				break;
			case 8:
				v = pv.ph_apparent_hkva[ph - 1];
				break;
			default:
				v = pv.pf_pct;
				break;
			}
			add_int(b, col, ph, -1, v);
		}
	}
}

/* RFC 1628 UPS-MIB: upsIdent, upsBattery, upsInput and upsOutput with three lines. */
static void build_ups(struct ents *b)
{
	struct snmpvals_ups u;
	char col[64];
	int ln, c;

	snmpvals_ups(vals, &u);
	add_str(b, "1.3.6.1.2.1.33.1.1.1.0", -1, -1, "dcsim");
	add_str(b, "1.3.6.1.2.1.33.1.1.2.0", -1, -1, "simulated double-conversion UPS");
	add_str(b, "1.3.6.1.2.1.33.1.1.3.0", -1, -1, "1.0");
	add_str(b, "1.3.6.1.2.1.33.1.1.4.0", -1, -1, "dcsim net-snmp agent");
	add_str(b, "1.3.6.1.2.1.33.1.1.5.0", -1, -1, "ups");
	add_int(b, "1.3.6.1.2.1.33.1.2.1.0", -1, -1, 2); /* batteryNormal */
	add_int(b, "1.3.6.1.2.1.33.1.2.2.0", -1, -1, 0); /* seconds on battery */
	add_int(b, "1.3.6.1.2.1.33.1.2.3.0", -1, -1, u.runtime_min);
	add_int(b, "1.3.6.1.2.1.33.1.2.4.0", -1, -1, u.charge_pct);
	add_int(b, "1.3.6.1.2.1.33.1.2.7.0", -1, -1, u.batt_temp_c);
	add_int(b, "1.3.6.1.2.1.33.1.3.2.0", -1, -1, SNMPVALS_PHASES); /* upsInputNumLines */
	add_int(b, "1.3.6.1.2.1.33.1.4.1.0", -1, -1, 3);               /* upsOutputSource: normal */
	add_int(b, "1.3.6.1.2.1.33.1.4.2.0", -1, -1, u.freq_dhz);
	add_int(b, "1.3.6.1.2.1.33.1.4.3.0", -1, -1, SNMPVALS_PHASES);
	for (c = 1; c <= 5; c++) {
		snprintf(col, sizeof(col), "1.3.6.1.2.1.33.1.3.3.1.%d", c);
		for (ln = 1; ln <= SNMPVALS_PHASES; ln++) {
			long v[] = {0,
			            ln,
			            u.freq_dhz,
			            u.in_voltage_v[ln - 1],
			            u.in_current_da[ln - 1],
			            u.in_power_w[ln - 1]};

			add_int(b, col, ln, -1, v[c]);
		}
	}
	for (c = 1; c <= 5; c++) {
		snprintf(col, sizeof(col), "1.3.6.1.2.1.33.1.4.4.1.%d", c);
		for (ln = 1; ln <= SNMPVALS_PHASES; ln++) {
			long v[] = {0,
			            ln,
			            u.out_voltage_v[ln - 1],
			            u.out_current_da[ln - 1],
			            u.out_power_w[ln - 1],
			            u.out_load_pct[ln - 1]};

			add_int(b, col, ln, -1, v[c]);
		}
	}
}

/* PowerNet-MIB memSensorsStatusTable (.10.4.2.3.1), module 0, sensor 1: whole C and %. */
static void build_emu(struct ents *b)
{
	static const char t[] = "1.3.6.1.4.1.318.1.1.10.4.2.3.1";
	struct snmpvals_emu e;
	char col[64];
	int c;

	snmpvals_emu(vals, &e);
	for (c = 1; c <= 8; c++) {
		snprintf(col, sizeof(col), "%s.%d", t, c);
		if (c == 3)
			add_str(b, col, 0, 1, "Outdoor");
		else if (c == 4)
			add_str(b, col, 0, 1, "Roof");
		else
			add_int(b, col, 0, 1,
			        c == 1   ? 0
			        : c == 2 ? 1
			        : c == 5 ? e.temp_c
			        : c == 6 ? e.humidity_pct
			        : c == 7 ? 2 /* commsOK */
			                 : 1 /* alarm status: normal */);
	}
}

static int ent_cmp(const void *a, const void *b)
{
	const struct ent *x = a, *y = b;

	return snmp_oid_compare(x->name, x->len, y->name, y->len);
}

static void build(struct ents *b, const struct snmp_dev *d)
{
	b->n = 0;
	build_system(b, d);
	if (d->kind == DEV_PDU)
		build_pdu(b, d->idx);
	else if (d->kind == DEV_UPS)
		build_ups(b);
	else
		build_emu(b);
	qsort(b->e, b->n, sizeof(b->e[0]), ent_cmp);
}

static const struct snmp_dev *dev_of(const netsnmp_pdu *pdu)
{
	size_t i;

	if (!pdu || !pdu->community)
		return NULL;
	for (i = 0; i < N_DEVS; i++)
		if (strlen(devs[i].community) == pdu->community_len &&
		    memcmp(devs[i].community, pdu->community, pdu->community_len) == 0)
			return &devs[i];
	return NULL;
}

static void set_value(netsnmp_variable_list *vb, const struct ent *e)
{
	switch (e->type) {
	case ASN_INTEGER:
		snmp_set_var_typed_value(vb, e->type, &e->l, sizeof(e->l));
		break;
	case ASN_OCTET_STR:
		snmp_set_var_typed_value(vb, e->type, e->s, strlen(e->s));
		break;
	case ASN_OBJECT_ID:
		snmp_set_var_typed_value(vb, e->type, e->o, e->olen * sizeof(oid));
		break;
	default:
		snmp_set_var_typed_value(vb, e->type, &e->u, sizeof(e->u));
		break;
	}
}

static int handle(netsnmp_mib_handler *handler, netsnmp_handler_registration *reg,
                  netsnmp_agent_request_info *reqinfo, netsnmp_request_info *requests)
{
	static struct ents b; /* about 56 KB: static, not on the stack (one thread) */
	const struct snmp_dev *d;
	netsnmp_request_info *r;

	(void)handler;
	d = dev_of(reqinfo->asp ? reqinfo->asp->pdu : NULL);
	if (d)
		build(&b, d);
	for (r = requests; r; r = r->next) {
		netsnmp_variable_list *vb = r->requestvb;
		const struct ent *hit = NULL;
		size_t i;

		if (r->processed)
			continue;
		for (i = 0; d && i < b.n; i++) {
			const struct ent *e = &b.e[i];
			int cmp = snmp_oid_compare(e->name, e->len, vb->name, vb->name_length);

			if (reqinfo->mode == MODE_GET && cmp == 0) {
				hit = e;
				break;
			}
			if (reqinfo->mode == MODE_GETNEXT && cmp > 0 &&
			    netsnmp_oid_is_subtree(reg->rootoid, reg->rootoid_len, e->name,
			                           e->len) == 0) {
				hit = e;
				break;
			}
		}
		if (reqinfo->mode == MODE_GET) {
			if (hit)
				set_value(vb, hit);
			else
				netsnmp_set_request_error(reqinfo, r, SNMP_NOSUCHOBJECT);
		} else if (reqinfo->mode == MODE_GETNEXT && hit) {
			snmp_set_var_objid(vb, hit->name, hit->len);
			set_value(vb, hit);
		} else if (reqinfo->mode != MODE_GETNEXT) {
			netsnmp_set_request_error(reqinfo, r, SNMP_ERR_NOTWRITABLE);
		}
		/* GETNEXT with nothing left in this subtree: leave the varbind alone and the
		 * agent moves on to the next registered subtree (or endOfMibView). */
	}
	return SNMP_ERR_NOERROR;
}

/*
 * The whole-PDU access check, called after the agent library's own VACM check (which, with
 * no snmpd.conf, refuses everything) and overriding it: a known community is let in and its
 * variables are always in view; anything else is dropped without a reply.
 */
static int acm_check(int major, int minor, void *server_arg, void *client_arg)
{
	struct view_parameters *vp = server_arg;

	(void)major;
	(void)minor;
	(void)client_arg;
	if (vp->pdu->version == SNMP_VERSION_3 || !dev_of(vp->pdu)) {
		vp->errorcode = 1;
		n_bad_community++;
	} else {
		vp->errorcode = 0;
		vp->pdu->flags |= UCD_MSG_FLAG_ALWAYS_IN_VIEW;
		n_answered++;
	}
	return 0;
}

int snmpagent_start(const char *addr, int port, const struct sim_values *v, char *err,
                    size_t errlen)
{
	char spec[128];
	size_t i;

	vals = v;
	snprintf(spec, sizeof(spec), "udp:%s:%d", addr, port);
	/* A master agent of its own: no snmpd, no AgentX, no host snmpd.conf, no persistent
	 * state under /var/lib/snmp, no MIB files (every OID here is numeric). */
	netsnmp_ds_set_boolean(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_ROLE, 0);
	netsnmp_ds_set_boolean(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_NO_ROOT_ACCESS, 1);
	netsnmp_ds_set_string(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_PORTS, spec);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_READ_CONFIGS, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_LOAD, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_SAVE, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_PERSIST_STATE, 1);
	/* Silence, not the host's MIB-file warnings on stderr: every OID here is numeric. */
	snmp_disable_log();
	netsnmp_register_loghandler(NETSNMP_LOGHANDLER_NONE, LOG_EMERG);
	if (init_agent("dcsim") != 0) {
		snprintf(err, errlen, "SNMP: init_agent failed");
		return -1;
	}
	for (i = 0; i < sizeof(subtrees) / sizeof(subtrees[0]); i++) {
		oid root[OID_MAX];
		size_t n = parse_oid(subtrees[i], root);
		netsnmp_handler_registration *reg = netsnmp_create_handler_registration(
		        subtrees[i], handle, root, n, HANDLER_CAN_RONLY);

		if (!reg || netsnmp_register_handler(reg) != MIB_REGISTERED_OK) {
			snprintf(err, errlen, "SNMP: cannot register %s", subtrees[i]);
			return -1;
		}
	}
	netsnmp_register_callback(SNMP_CALLBACK_APPLICATION, SNMPD_CALLBACK_ACM_CHECK_INITIAL,
	                          acm_check, NULL, NETSNMP_CALLBACK_LOWEST_PRIORITY);
	init_snmp("dcsim");
	if (init_master_agent() != 0) {
		snprintf(err, errlen, "SNMP: cannot listen on %s", spec);
		return -1;
	}
	started = 1;
	return 0;
}

void snmpagent_prepare(void *arg, fd_set *rfds, int *maxfd, int *timeout_ms)
{
	struct timeval tv = {0, 0};
	int nfds = *maxfd + 1, block = 1;

	(void)arg;
	snmp_select_info(&nfds, rfds, &tv, &block);
	*maxfd = nfds - 1;
	if (!block) {
		long ms = tv.tv_sec * 1000L + (tv.tv_usec + 999) / 1000;

		if (ms < *timeout_ms)
			*timeout_ms = (int)ms;
	}
}

void snmpagent_serve(void *arg, fd_set *rfds, int nready)
{
	(void)arg;
	if (nready > 0)
		snmp_read(rfds);
	else
		snmp_timeout();
	run_alarms();
	netsnmp_check_outstanding_agent_requests();
}

void snmpagent_stats(unsigned long *answered, unsigned long *bad_community)
{
	*answered = n_answered;
	*bad_community = n_bad_community;
}

void snmpagent_stop(void)
{
	if (!started)
		return;
	snmp_shutdown("dcsim");
	shutdown_agent();
	started = 0;
}

void snmpagent_list(FILE *out)
{
	size_t i;

	fprintf(out, "\nSNMP (--snmp-port): v1/v2c, community = device\n"
	             "community  sysObjectID                 profile\n");
	for (i = 0; i < N_DEVS; i++)
		fprintf(out, "%-10s %-27s %s\n", devs[i].community, devs[i].objid, devs[i].profile);
}
