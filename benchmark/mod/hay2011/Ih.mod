COMMENT
Ih: hyperpolarisation-activated cation current (HCN channels).

Kinetics: Kole MHP, Hallermann S, Stuart GJ (2006) Single Ih channels in pyramidal neuron
dendrites: properties, distribution, and impact on action potential output. J Neurosci
26:1677-1687.
As used in Hay E, Hill S, Schuermann F, Markram H, Segev I (2011) PLoS Comput Biol 7:e1002107
("Models of neocortical layer 5b pyramidal cells capturing a wide range of dendritic and
perisomatic active properties"; ModelDB 139653).

Written for NeuroDepth from the published equations.

    ihcn = gIhbar * m * (v - ehcn),   ehcn = -45 mV (mixed Na/K reversal)
    mAlpha = 0.001 * 6.43 (v + 154.9)/(exp((v + 154.9)/11.9) - 1)
    mBeta  = 0.001 * 193 exp(v/33.1)
    mInf = mAlpha/(mAlpha + mBeta), mTau = 1/(mAlpha + mBeta)

Within 1e-6 mV of the removable singularity of mAlpha (v = -154.9 mV) the rate is evaluated
at -154.9 + 1e-4 mV (both rates), as the published model does for v exactly -154.9.

Temperature: none; the published model applies no Q10 factor to this channel.

Units: v, ehcn (mV); gIhbar, gIh (S/cm2); ihcn (mA/cm2); mTau (ms); m, mInf (1).
ENDCOMMENT

NEURON {
    SUFFIX Ih
    NONSPECIFIC_CURRENT ihcn
    RANGE gIhbar, gIh, ihcn, ehcn
    RANGE mInf, mTau
    THREADSAFE
}

UNITS {
    (S) = (siemens)
    (mV) = (millivolt)
    (mA) = (milliamp)
}

PARAMETER {
    gIhbar = 0.00001 (S/cm2)   : maximal conductance
    ehcn = -45.0 (mV)          : reversal potential of the HCN current
}

ASSIGNED {
    v (mV)                 : membrane potential
    ihcn (mA/cm2)          : HCN current
    gIh (S/cm2)            : open conductance
    mInf (1)               : activation steady state
    mTau (ms)              : activation time constant
}

STATE {
    m (1)
}

BREAKPOINT {
    SOLVE states METHOD cnexp
    gIh = gIhbar * m
    ihcn = gIh * (v - ehcn)
}

DERIVATIVE states {
    rates()
    m' = (mInf - m) / mTau
}

INITIAL {
    rates()
    m = mInf
}

PROCEDURE rates() {
    LOCAL vm, mAlpha, mBeta
    vm = v
    if (fabs(vm + 154.9) < 1e-6) {
        vm = -154.9 + 1e-4
    }
    mAlpha = 0.001 * 6.43 * (vm + 154.9) / (exp((vm + 154.9) / 11.9) - 1)
    mBeta = 0.001 * 193 * exp(vm / 33.1)
    mInf = mAlpha / (mAlpha + mBeta)
    mTau = 1 / (mAlpha + mBeta)
}
