COMMENT
Broken on purpose (tests/test_validate.py): a syntax error (the BREAKPOINT block is never
closed), so nrnivmodl fails and validation stops at the mechanisms tier.
ENDCOMMENT

NEURON {
    SUFFIX nd_broken
    NONSPECIFIC_CURRENT i
}

BREAKPOINT {
    i = 0 *
