# The daemon's audit log (daemon.audit_log) in the test's folder, which the test reads; the
# demo keeps none.
s|^daemon:|daemon:\n  audit_log: @AUDIT_LOG@|
