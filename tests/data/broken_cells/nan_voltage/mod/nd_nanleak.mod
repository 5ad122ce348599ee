COMMENT
Broken on purpose (tests/test_validate.py): a "leak" whose current is sqrt(-1) mA/cm2, NaN,
so the soma voltage becomes NaN and validation stops at the rest tier.
ENDCOMMENT

NEURON {
    SUFFIX nd_nanleak
    NONSPECIFIC_CURRENT i
    RANGE bad
}

UNITS { (mA) = (milliamp) }

PARAMETER { bad = -1 }

ASSIGNED { i (mA/cm2) }

BREAKPOINT {
    i = sqrt(bad) * (1 (mA/cm2))
}
