COMMENT
Hyperpolarisation-activated cation current (h current) of the example ball-and-stick cell.

Written for this example package from the published kinetics of
    Kole MHP, Hallermann S, Stuart GJ (2006) Single Ih channels in pyramidal neuron
    dendrites: properties, distribution, and impact on action potential output.
    J Neurosci 26:1677-1687.
One activation gate m, dm/dt = alpha (1 - m) - beta m, with (v in mV, rates in 1/ms)
    alpha(v) = 0.00643 (v + 154.9) / (exp((v + 154.9) / 11.9) - 1)
    beta(v)  = 0.193 exp(v / 33.1)
and ih = gbar m (v - eh_rev), eh_rev = -45 mV.

It is deliberately named like the Ih of NeuroDepth's own catalogues (benchmark/mod/hay2011,
benchmark/mod/allen), with another parameter name (gbar): a cell's own mod files are
compiled into their own library and loaded only by that cell's worker processes, so the
names never meet in one process.
ENDCOMMENT

NEURON {
    SUFFIX Ih
    NONSPECIFIC_CURRENT ih
    RANGE gbar, g, eh_rev, minf, mtau
    THREADSAFE
}

UNITS {
    (mV) = (millivolt)
    (mA) = (milliamp)
    (S) = (siemens)
}

PARAMETER {
    gbar = 0.0001 (S/cm2)
    eh_rev = -45 (mV)
}

ASSIGNED {
    v (mV)
    ih (mA/cm2)
    g (S/cm2)
    minf (1)
    mtau (ms)
}

STATE { m }

BREAKPOINT {
    SOLVE states METHOD cnexp
    g = gbar * m
    ih = g * (v - eh_rev)
}

INITIAL {
    rates(v)
    m = minf
}

DERIVATIVE states {
    rates(v)
    m' = (minf - m) / mtau
}

UNITSOFF
PROCEDURE rates(v (mV)) {
    LOCAL a, b, x
    x = (v + 154.9) / 11.9
    if (fabs(x) < 1e-6) {
        a = 0.00643 * 11.9 * (1 - x / 2)   : the limit of x / (exp(x) - 1) at x -> 0
    } else {
        a = 0.00643 * (v + 154.9) / (exp(x) - 1)
    }
    b = 0.193 * exp(v / 33.1)
    minf = a / (a + b)
    mtau = 1 / (a + b)
}
UNITSON
