# An HTTP port out of range: check-config must refuse it with file:line.
s|^  port: [0-9]*$|  port: 70000|
