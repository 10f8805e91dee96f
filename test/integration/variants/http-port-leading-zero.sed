# The HTTP port written with a leading zero (0NNNNN): numbers in the config are decimal, never
# octal (issue 20); the test checks the daemon listens on NNNNN.
s|^  port: \([0-9]*\)$|  port: 0\1|
