/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dcsim SNMP side: an embedded net-snmp agent (master role, no snmpd) that serves the
 * simulated PDUs, UPS and weather station with real MIB layouts (APC PowerNet-MIB rPDU2 and
 * memSensors, RFC 1628 UPS-MIB), one v1/v2c community per device, from the same model values
 * the Modbus registers carry. docs/dcsim.md, "SNMP", lists the devices and OIDs.
 */
#ifndef DCSIM_SNMPAGENT_H
#define DCSIM_SNMPAGENT_H

#include <stddef.h>
#include <stdio.h>
#include <sys/select.h>

#include "dcsim.h"

/*
 * Open udp:addr:port and register the MIB handlers. v is read at each request, so it must
 * stay valid (the plant's live values). 0, or -1 with a message in err. Once per process.
 */
int snmpagent_start(const char *addr, int port, const struct sim_values *v, char *err,
                    size_t errlen);

/* Add the agent's sockets to rfds (raising *maxfd) and lower *timeout_ms to its next alarm. */
void snmpagent_prepare(void *arg, fd_set *rfds, int *maxfd, int *timeout_ms);

/* Serve what pselect() found readable (nready = its result: > 0, or 0 on timeout). */
void snmpagent_serve(void *arg, fd_set *rfds, int nready);

/* Requests answered and packets dropped for an unknown community, for the exit line. */
void snmpagent_stats(unsigned long *answered, unsigned long *bad_community);

/* Close the sockets; a no-op when the agent never started. */
void snmpagent_stop(void);

/* Print the SNMP devices and their communities (for --list). */
void snmpagent_list(FILE *out);

#endif
