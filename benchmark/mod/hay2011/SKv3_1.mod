COMMENT
SKv3_1: fast, non-inactivating Kv3.1 (Shaw-related) potassium current.

Kinetics: Rettig J, Wunder F, Stocker M, Lichtinghagen R, Mastiaux F, Beckh S, Kues W,
Pedarzani P, Schroter KH, Ruppersberg JP, Veh R, Pongs O (1992) Characterization of a
Shaw-related potassium channel family in rat brain. EMBO J 11:2473-2486.
As used in Hay E, Hill S, Schuermann F, Markram H, Segev I (2011) PLoS Comput Biol 7:e1002107
("Models of neocortical layer 5b pyramidal cells capturing a wide range of dendritic and
perisomatic active properties"; ModelDB 139653).

Written for NeuroDepth from the published equations.

    ik = gSKv3_1bar * m * (v - ek)
    mInf = 1/(1 + exp((v - 18.7)/-9.7))
    mTau = 0.2 * 20/(1 + exp((v + 46.56)/-44.14))

Temperature: none; the published model applies no Q10 factor to this channel.

Units: v, ek (mV); gSKv3_1bar, gSKv3_1 (S/cm2); ik (mA/cm2); mTau (ms); m, mInf (1).
ENDCOMMENT

NEURON {
    SUFFIX SKv3_1
    USEION k READ ek WRITE ik
    RANGE gSKv3_1bar, gSKv3_1, ik
    RANGE mInf, mTau
    THREADSAFE
}

UNITS {
    (S) = (siemens)
    (mV) = (millivolt)
    (mA) = (milliamp)
}

PARAMETER {
    gSKv3_1bar = 0.00001 (S/cm2)   : maximal conductance
}

ASSIGNED {
    v (mV)                 : membrane potential
    ek (mV)                : potassium reversal potential
    ik (mA/cm2)            : potassium current
    gSKv3_1 (S/cm2)        : open conductance
    mInf (1)               : activation steady state
    mTau (ms)              : activation time constant
}

STATE {
    m (1)
}

BREAKPOINT {
    SOLVE states METHOD cnexp
    gSKv3_1 = gSKv3_1bar * m
    ik = gSKv3_1 * (v - ek)
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
    mInf = 1 / (1 + exp((v - 18.7) / -9.7))
    mTau = 0.2 * 20 / (1 + exp((v + 46.56) / -44.14))
}
