/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for drivers/modbus_frame.c: raw read requests and the checks of their replies
 * (Modbus TCP: transaction id, protocol id, MBAP length, unit id; RTU: address; both:
 * function code, exceptions, byte count), with frames written byte by byte from the Modbus
 * Application Protocol v1.1b3 and Messaging on TCP/IP v1.0b examples.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <string.h>

#include "../../drivers/modbus_frame.h"

static void test_request(void **unused)
{
	uint8_t req[MBF_REQUEST_LEN];
	(void)unused;

	/* MBAP spec example: read holding registers 108..110 of unit 17 (0x11). */
	mbf_read_request(0x11, 3, 0x006B, 3, req);
	const uint8_t want[] = {0x11, 0x03, 0x00, 0x6B, 0x00, 0x03};
	assert_memory_equal(req, want, sizeof(want));
}

static void test_tcp_registers(void **unused)
{
	uint16_t regs[4];
	unsigned exc = 0;
	char why[96];
	(void)unused;

	/* tid 0, pid 0, length 9 (unit + 8 PDU bytes), unit 17, fc 3, 6 bytes: 0x022B 0x0000
	 * 0x0064 (the spec's 555, 0, 100). */
	uint8_t ok[] = {0, 0, 0, 0, 0, 9, 0x11, 3, 6, 0x02, 0x2B, 0x00, 0x00, 0x00, 0x64};
	assert_int_equal(mbf_check_read_reply(ok, sizeof(ok), MBF_TCP, 0x11, 3, 3, regs, NULL, &exc,
	                                      why, sizeof(why)),
	                 0);
	assert_int_equal(regs[0], 555);
	assert_int_equal(regs[1], 0);
	assert_int_equal(regs[2], 100);

	struct {
		size_t at;
		uint8_t value;
		const char *why;
	} bad[] = {
	        {6, 0x12, "reply from unit 18, asked unit 17"},
	        {1, 1, "reply with transaction id 1, asked 0"},
	        {3, 1, "reply with protocol id 1, not Modbus (0)"},
	        {5, 10, "MBAP length 10, reply carries 9"},
	        {7, 4, "reply with function code 4 to a request with fc 3"},
	        {8, 8, "reply carries 8 data bytes (6 framed), asked 6"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint8_t f[sizeof(ok)];
		memcpy(f, ok, sizeof(ok));
		f[bad[i].at] = bad[i].value;
		regs[0] = 0xBEEF;
		why[0] = '\0';
		assert_int_equal(mbf_check_read_reply(f, sizeof(f), MBF_TCP, 0x11, 3, 3, regs, NULL,
		                                      &exc, why, sizeof(why)),
		                 -1);
		assert_string_equal(why, bad[i].why);
		assert_int_equal(regs[0], 0xBEEF); /* nothing unpacked from a bad reply */
	}
	/* Fewer data than the count asks for, consistently framed. */
	uint8_t shorter[] = {0, 0, 0, 0, 0, 7, 0x11, 3, 4, 0x02, 0x2B, 0x00, 0x00};
	assert_int_equal(mbf_check_read_reply(shorter, sizeof(shorter), MBF_TCP, 0x11, 3, 3, regs,
	                                      NULL, &exc, why, sizeof(why)),
	                 -1);
	assert_int_equal(mbf_check_read_reply(ok, 8, MBF_TCP, 0x11, 3, 3, regs, NULL, &exc, why,
	                                      sizeof(why)),
	                 -1);
	assert_string_equal(why, "reply of 8 bytes is too short");
}

static void test_exception(void **unused)
{
	uint16_t regs[2];
	unsigned exc = 0;
	char why[96];
	(void)unused;

	/* fc 4 | 0x80, exception 2 (illegal data address). */
	uint8_t e[] = {0, 0, 0, 0, 0, 3, 1, 0x84, 0x02};
	assert_int_equal(mbf_check_read_reply(e, sizeof(e), MBF_TCP, 1, 4, 2, regs, NULL, &exc, why,
	                                      sizeof(why)),
	                 MBF_EXCEPTION);
	assert_int_equal(exc, 2);
	/* An exception from another unit is not ours either. */
	e[6] = 2;
	assert_int_equal(mbf_check_read_reply(e, sizeof(e), MBF_TCP, 1, 4, 2, regs, NULL, &exc, why,
	                                      sizeof(why)),
	                 -1);
	/* An exception for another function code is a wrong function code. */
	uint8_t other[] = {0, 0, 0, 0, 0, 3, 1, 0x83, 0x02};
	assert_int_equal(mbf_check_read_reply(other, sizeof(other), MBF_TCP, 1, 4, 2, regs, NULL,
	                                      &exc, why, sizeof(why)),
	                 -1);
}

static void test_bits_and_rtu(void **unused)
{
	uint8_t bits[19];
	unsigned exc = 0;
	char why[96];
	(void)unused;

	/* Spec example: coils 20..38 (19 bits) = CD 6B 05, over RTU from address 17, CRC last
	 * (libmodbus has checked it; its value does not matter here). */
	uint8_t rtu[] = {0x11, 0x01, 0x03, 0xCD, 0x6B, 0x05, 0xAA, 0xBB};
	assert_int_equal(mbf_check_read_reply(rtu, sizeof(rtu), MBF_RTU, 0x11, 1, 19, NULL, bits,
	                                      &exc, why, sizeof(why)),
	                 0);
	/* 0xCD = 1100 1101: coils 20..27 are 1,0,1,1,0,0,1,1 (least significant bit first). */
	const uint8_t want[19] = {1, 0, 1, 1, 0, 0, 1, 1, 1, 1, 0, 1, 0, 1, 1, 0, 1, 0, 1};
	assert_memory_equal(bits, want, sizeof(want));
	rtu[0] = 0x12;
	assert_int_equal(mbf_check_read_reply(rtu, sizeof(rtu), MBF_RTU, 0x11, 1, 19, NULL, bits,
	                                      &exc, why, sizeof(why)),
	                 -1);
	assert_string_equal(why, "reply from unit 18, asked unit 17");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_request),
	        cmocka_unit_test(test_tcp_registers),
	        cmocka_unit_test(test_exception),
	        cmocka_unit_test(test_bits_and_rtu),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
