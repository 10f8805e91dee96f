# The energy model without its PDU-output role: the site's PUE is then category 1 (UPS
# output), as on a site without metered PDUs; the test shows both categories side by side.
/^    it_pdu_output:$/,/^    [a-z_]*:$/{
/^    it_pdu_output:$/d
/^      - /d
}
