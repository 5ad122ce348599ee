COMMENT
Ca_HVA: high-voltage-activated calcium current, Allen version.

Kinetics: Reuveni I, Friedman A, Amitai Y, Gutnick MJ (1993) Stepwise repolarization from Ca2+
plateaus in neocortical pyramidal cells: evidence for nonhomogeneous distribution of HVA Ca2+
channels in dendrites. J Neurosci 13:4609-4621.
Allen version: Gouwens NW, Berg J, Feng D, Sorensen SA, Zeng H, Hawrylycz MJ, Koch C,
Arkhipov A (2018) Systematic generation of biophysically detailed models for diverse cortical
neuron types. Nat Commun 9:710 (and its Supplementary Information, table of channel models).
Used by all Allen families: perisomatic, legacy all-active, and the newer all-active models
of Nandi A et al. (2022) Cell Reports 40:111176 ("Single-neuron models linking
electrophysiology, morphology, and transcriptomics across cortical cell types").

Written for NeuroDepth from the published equations.

    ica = gbar * m^2 * h * (v - eca)
    m: alpha = 0.055 (-27 - v)/(exp((-27 - v)/3.8) - 1),  beta = 0.94 exp((-75 - v)/17)
    h: alpha = 0.000457 exp((-13 - v)/50),                beta = 0.0065/(exp((-v - 15)/28) + 1)
    xInf = alpha/(alpha + beta), xTau = 1/(alpha + beta)

The same kinetics as the Hay 2011 Ca_HVA, with the Allen names (gbar, g). The channel reads
the calcium reversal potential eca (NEURON computes it from cai/cao by the Nernst equation
when a mechanism such as CaDynamics writes cai).
Within 1e-6 mV of the removable singularity of mAlpha (v = -27 mV) the m rates are evaluated
at -27 + 1e-4 mV.

Temperature: none; the Allen model applies no Q10 factor to this channel.

Units: v, eca (mV); gbar, g (S/cm2); ica (mA/cm2); mTau, hTau (ms); m, h, mInf, hInf (1).
ENDCOMMENT

NEURON {
    SUFFIX Ca_HVA
    USEION ca READ eca WRITE ica
    RANGE gbar, g, ica
    RANGE mInf, mTau, hInf, hTau
    THREADSAFE
}

UNITS {
    (S) = (siemens)
    (mV) = (millivolt)
    (mA) = (milliamp)
}

PARAMETER {
    gbar = 0.00001 (S/cm2)   : maximal conductance
}

ASSIGNED {
    v (mV)                 : membrane potential
    eca (mV)               : calcium reversal potential
    ica (mA/cm2)           : calcium current
    g (S/cm2)              : open conductance
    mInf (1)               : activation steady state
    mTau (ms)              : activation time constant
    hInf (1)               : inactivation steady state
    hTau (ms)              : inactivation time constant
}

STATE {
    m (1)
    h (1)
}

BREAKPOINT {
    SOLVE states METHOD cnexp
    g = gbar * m * m * h
    ica = g * (v - eca)
}

DERIVATIVE states {
    rates()
    m' = (mInf - m) / mTau
    h' = (hInf - h) / hTau
}

INITIAL {
    rates()
    m = mInf
    h = hInf
}

PROCEDURE rates() {
    LOCAL u, up, down
    u = v
    if (fabs(u + 27) < 1e-6) {
        u = -27 + 1e-4
    }
    up = 0.055 * (-27 - u) / (exp((-27 - u) / 3.8) - 1)
    down = 0.94 * exp((-75 - u) / 17)
    mInf = up / (up + down)
    mTau = 1 / (up + down)
    up = 0.000457 * exp((-13 - v) / 50)
    down = 0.0065 / (exp((-v - 15) / 28) + 1)
    hInf = up / (up + down)
    hTau = 1 / (up + down)
}
