# The demo's outputs: section (summaries every minute and the report receiver of `make demo`)
# removed, for a test that appends its own outputs (remote-write or regulator targets) and
# counts what reaches them. It is the last section of etc/demo.yaml.
/^outputs:/,$d
