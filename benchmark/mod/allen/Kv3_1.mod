COMMENT
Kv3_1: fast, non-inactivating, high-threshold (Kv3.1, Shaw-type) potassium current
(Allen version).

Kinetics: Rettig J, Wunder F, Stocker M, Lichtinghagen R, Mastiaux F, Beckh S, Kues W,
Pedarzani P, Schroter KH, Ruppersberg JP, Veh R, Pongs O (1992) Characterization of a
Shaw-related potassium channel family in rat brain. EMBO J 11:2473-2486.
Allen version: Gouwens NW, Berg J, Feng D, Sorensen SA, Zeng H, Hawrylycz MJ, Koch C,
Arkhipov A (2018) Systematic generation of biophysically detailed models for diverse cortical
neuron types. Nat Commun 9:710 (and its Supplementary Information, table of channel models).
Also used, unchanged, by the newer all-active models of Nandi A et al. (2022) Cell Reports
40:111176 ("Single-neuron models linking electrophysiology, morphology, and transcriptomics
across cortical cell types").

Written for NeuroDepth from the published equations.

    ik = gbar * m * (v - ek)
    mInf = 1/(1 + exp(-(v - 18.7 - vshift)/9.7))
    mTau = 0.2 * 20/(1 + exp(-(v + 46.56 - vshift)/44.14))
    default vshift = 0 mV (GLOBAL); with vshift = 0 this is the Hay 2011 SKv3_1.

Temperature: none; the Allen model applies no Q10 factor to this channel.

Units: v, ek, vshift (mV); gbar, g (S/cm2); ik (mA/cm2); mTau (ms); m, mInf (1).
ENDCOMMENT

NEURON {
    SUFFIX Kv3_1
    USEION k READ ek WRITE ik
    RANGE gbar, g, ik
    RANGE mInf, mTau
    GLOBAL vshift
    THREADSAFE
}

UNITS {
    (S) = (siemens)
    (mV) = (millivolt)
    (mA) = (milliamp)
}

PARAMETER {
    gbar = 0.00001 (S/cm2)   : maximal conductance
    vshift = 0 (mV)          : shift of both voltage dependences
}

ASSIGNED {
    v (mV)                 : membrane potential
    ek (mV)                : potassium reversal potential
    ik (mA/cm2)            : potassium current
    g (S/cm2)              : open conductance
    mInf (1)               : activation steady state
    mTau (ms)              : activation time constant
}

STATE {
    m (1)
}

BREAKPOINT {
    SOLVE states METHOD cnexp
    g = gbar * m
    ik = g * (v - ek)
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
    LOCAL u
    u = v - vshift
    mInf = 1 / (1 + exp(-(u - 18.7) / 9.7))
    mTau = 0.2 * 20 / (1 + exp(-(u + 46.56) / 44.14))
}
